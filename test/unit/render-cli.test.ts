/** `npm run render` end to end on the repo's Pulumi.dev.yaml. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { AUTH_PASS_PLACEHOLDER } from "../../scripts/lib/render-passwords";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

function render(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/render.ts", ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
}

describe("render command", () => {
  it("prints every node's files with the password as a placeholder keepalived accepts, and says so", () => {
    const result = render("--stack", "dev");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /==> keepalived-master:\/etc\/keepalived\/keepalived.conf \(0600, rhel, secret, placeholder auth_pass\)/);
    assert.match(result.stdout, /==> keepalived-backup:\/var\/www\/html\/index.html/);
    const pass = /^\s*auth_pass (\S+)$/m.exec(result.stdout)?.[1];
    assert.equal(pass, AUTH_PASS_PLACEHOLDER);
    assert.ok(pass.length <= 8, "keepalived keeps 8 characters and warns about more");
    assert.match(result.stderr, new RegExp(`auth_pass ${AUTH_PASS_PLACEHOLDER} in VI_1 is a placeholder: \`pulumi up\` generates the real password`));
  });

  it("a stack file without config (a fresh `stack init`) gets the keys to set, not three problems", () => {
    const name = "test-render-empty";
    const file = path.join(REPO_ROOT, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, "encryptionsalt: v1:AAAA:v1:BBBB:CCCC\n");
    try {
      const result = render("--stack", name);
      assert.equal(result.status, 1);
      assert.match(result.stderr, new RegExp(`stack ${name} has no keepalived-ha configuration yet; it needs at least nodes, vrrp, checks`));
      assert.match(result.stderr, /config set --path 'keepalived-ha:nodes\[0\]\.name'/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("writes DIR/<node>/etc/keepalived/... with the rendered modes", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-out-"));
    try {
      const result = render("--stack", "dev", "--out", out, "--os", "debian");
      assert.equal(result.status, 0, result.stderr);
      const conf = path.join(out, "keepalived-master", "etc", "keepalived", "keepalived.conf");
      assert.equal(fs.statSync(conf).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(out, "keepalived-backup", "etc", "keepalived", "master.sh")).mode & 0o777, 0o755);
      assert.ok(fs.existsSync(path.join(out, "keepalived-backup", "var", "www", "html", "index.html")));
      assert.match(fs.readFileSync(path.join(out, "keepalived-master", "etc", "keepalived", "check_chk_httpd.sh"), "utf8"), /name=httpd/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("fails with a clear message for a missing stack or bad usage", () => {
    const missing = render("--stack", "does-not-exist");
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Pulumi\.does-not-exist\.yaml not found/);
    const usage = render("--os", "windows");
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--os must be debian or rhel/);
  });
});
