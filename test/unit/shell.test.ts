/** The host-script loader: placeholders are filled exactly, and only with words that need no quoting. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { hostScript, isPlainShellWord } from "../../core/shell";

describe("host scripts", () => {
  test("comments and blank lines stay in the template; words and blocks are filled in", () => {
    const script = hostScript("firewall-open.apply", { STATE_DIR: "/var/lib/x", STATE_FILE: "/var/lib/x/f", HTTP_PORT: 8080 });
    assert.doesNotMatch(script, /^\s*#|^$/m);
    assert.match(script, /--add-port=8080\/tcp/);
    assert.doesNotMatch(script, /@[A-Z_]+@/);
  });

  test("a block replaces its line, indented like it; an empty block removes the line", () => {
    const words = { STATE_DIR: "/s", KEEPALIVED_DIR: "/etc/keepalived", MANAGED: "/s/m", ORIGINAL: "/s/o", NODE_NAME: "n1" };
    const bundle = { INSTALL_BUNDLE: ["f() {", "  :", "}"] };
    const two = hostScript("keepalived-config.apply", words, { ...bundle, HOLDS_VIP_TESTS: ["a && holds=yes", "b && holds=yes"] });
    assert.match(two, /\n {2}a && holds=yes\n {2}b && holds=yes\n/);
    assert.match(two, /\nf\(\) \{\n {2}:\n\}\n/);
    const none = hostScript("keepalived-config.apply", words, { ...bundle, HOLDS_VIP_TESTS: [] });
    assert.equal(none.split("\n").length, two.split("\n").length - 2);
  });

  test("a value that would need quoting, a missing value and an unused one are refused", () => {
    const words = { STATE_FILE: "/var/lib/x/f", HTTP_PORT: 80 };
    assert.throws(() => hostScript("firewall-open.restore", { ...words, STATE_FILE: "/tmp/a b" }), /not a plain shell word/);
    assert.throws(() => hostScript("firewall-open.restore", { ...words, STATE_FILE: "$(reboot)" }), /not a plain shell word/);
    assert.throws(() => hostScript("firewall-open.restore", { STATE_FILE: "/f" }), /no value for @HTTP_PORT@/);
    assert.throws(() => hostScript("firewall-open.restore", { ...words, EXTRA: "x" }), /no placeholder for EXTRA/);
  });

  test("plain words are the ones the shell reads the same in every context", () => {
    for (const word of ["/etc/keepalived", "apache2", "a=b", "web-1", "80"]) assert.ok(isPlainShellWord(word), word);
    for (const word of ["", "a b", "'", '"', "$x", "a*", "`id`", "a;b", "~root"]) assert.ok(!isPlainShellWord(word), word);
  });

  test("every template is read by some step (no template left behind)", () => {
    const dir = path.join(__dirname, "..", "..", "core", "host-scripts");
    const sources = ["core/deploy-steps.ts", "core/os.ts", "core/preflight.ts"].map((f) => fs.readFileSync(path.join(__dirname, "..", "..", f), "utf8")).join("\n");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".sh"))) {
      assert.ok(sources.includes(`"${path.basename(file, ".sh")}"`), `${file} is not loaded by any step builder`);
    }
  });
});
