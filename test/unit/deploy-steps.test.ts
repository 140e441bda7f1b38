import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
  asRoot, decodeBundle, encodeBundle, identifyHostStep, keepalivedConfigStep, servicesStep, siteStep, StepScripts,
  webServerHooksStep,
} from "../../core/deploy-steps";
import { FIREWALL_MODES, firewallCommands, OS_FAMILIES, osProfile } from "../../core";
import { hostScript } from "../../core/shell";
import { matchSnapshot } from "./snapshot";

/**
 * Every step script as one text. A step whose script text changes runs again on every host of every existing
 * stack at the next `up`, so a change here must be deliberate: the snapshot makes it show in review.
 */
function allStepScripts(): string {
  const steps: [string, StepScripts][] = [];
  for (const mode of FIREWALL_MODES) {
    const c = firewallCommands(mode, 8080);
    steps.push([`firewall ${mode}`, { apply: c.apply, undo: c.restore }]);
  }
  for (const family of OS_FAMILIES) {
    const os = osProfile(family);
    steps.push([`${family} site`, siteStep(os)], [`${family} services`, servicesStep(os, "0123abcd")]);
    steps.push([`${family} web-server-hooks`, webServerHooksStep(os, [
      { file: "/run/keepalived-ha/a.state", running: 0, stopped: 1 },
      { file: "/run/keepalived-ha/b.state", running: 1, stopped: 0 },
    ])], [`${family} web-server-hooks (none)`, webServerHooksStep(os, [])]);
  }
  steps.push(["identify", identifyHostStep()], ["keepalived (no VIP)", keepalivedConfigStep("n1")],
    ["keepalived", keepalivedConfigStep("web1", ["192.168.0.130/24", "10.0.0.7/32"])]);
  return steps.map(([name, s]) => `==> ${name} apply\n${s.apply}\n${s.undo !== undefined ? `==> ${name} undo\n${s.undo}\n` : ""}`)
    .join("");
}

describe("deploy steps", () => {
  const files = [
    { path: "/etc/keepalived/keepalived.conf", mode: "0600", content: "auth_pass s3cr3t!\n", secret: true },
    { path: "/etc/keepalived/check_web.sh", mode: "0755", content: "#!/bin/bash\necho 'quotes' \"and\" $vars\n" },
  ];

  test("the bundle round-trips and is sorted by path", () => {
    const bundle = encodeBundle(files);
    assert.deepEqual(decodeBundle(bundle).map((f) => f.path), ["/etc/keepalived/check_web.sh", "/etc/keepalived/keepalived.conf"]);
    assert.deepEqual(decodeBundle(bundle).map((f) => f.content).sort(), files.map((f) => f.content).sort());
  });

  test("the bundle never carries file text in the clear", () => {
    assert.ok(!encodeBundle(files).includes("s3cr3t"));
  });

  test("no step script contains file content: contents only travel on stdin", () => {
    for (const s of [keepalivedConfigStep("n1"), siteStep(osProfile("debian")), servicesStep(osProfile("rhel"))]) {
      assert.ok(!s.apply.includes("s3cr3t"));
      assert.ok(s.undo !== undefined && s.undo.length > 0);
    }
  });

  test("install_bundle unpacks a bundle under a folder with its modes, cutting a prefix, and lists the paths", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-bundle-"));
    try {
      const bundle = encodeBundle([...files, { path: "/etc/keepalived/sub/dir/x.sh", mode: "0700", content: "x\n" }]);
      // A symlink in the way is replaced, not written through.
      fs.writeFileSync(path.join(dir, "outside"), "keep\n");
      fs.symlinkSync(path.join(dir, "outside"), path.join(dir, "check_web.sh"));
      execFileSync("bash", ["-c", `set -euo pipefail\n${hostScript("install-bundle")}\ninstall_bundle "$1/" /etc/keepalived/ "$1/.files"`,
        "bash", dir], { input: bundle });
      assert.equal(fs.readFileSync(path.join(dir, "keepalived.conf"), "utf8"), files[0].content);
      assert.equal(fs.readFileSync(path.join(dir, "check_web.sh"), "utf8"), files[1].content);
      assert.equal(fs.readFileSync(path.join(dir, "outside"), "utf8"), "keep\n");
      assert.equal(fs.statSync(path.join(dir, "keepalived.conf")).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(dir, "sub/dir/x.sh")).mode & 0o777, 0o700);
      assert.deepEqual(fs.readFileSync(path.join(dir, ".files"), "utf8").trim().split("\n"),
        ["/etc/keepalived/check_web.sh", "/etc/keepalived/keepalived.conf", "/etc/keepalived/sub/dir/x.sh"]);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".keepalived-ha-new")), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("asRoot leaves root alone and wraps other users in sudo -n", () => {
    assert.equal(asRoot("id -u", "root"), "id -u");
    assert.equal(asRoot("echo 'x'", "deploy"), `sudo -n /bin/bash -c 'echo '\\''x'\\'''`);
  });

  test("the step scripts are exactly the pinned ones (a changed script re-runs its step on every host)", () => {
    matchSnapshot("step-scripts.txt", allStepScripts());
  });

  test("every step script is valid bash", () => {
    for (const family of ["debian", "rhel"] as const) {
      for (const s of [keepalivedConfigStep("n1"), siteStep(osProfile(family)), servicesStep(osProfile(family))]) {
        execFileSync("bash", ["-n", "-c", s.apply]);
        execFileSync("bash", ["-n", "-c", s.undo!]);
      }
    }
  });
});
