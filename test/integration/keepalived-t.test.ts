/**
 * Runs the real `keepalived -t` on every rendered node of Pulumi.dev.yaml and examples/*.yaml.
 *
 * keepalived checks that the interface exists and that scripts are root-owned and not writable by others,
 * so each test runs in a private mount + network namespace: the rendered /etc/keepalived folder is
 * bind-mounted over /etc/keepalived and a veth pair provides the configured interface (the dummy link type
 * is not available here). Needs root and keepalived (`bash scripts/setup.sh`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it, after } from "node:test";
import { ClusterModel, loadClusterModel, memberOf, readStackFile, RenderedFile, renderNode, OS_FAMILIES } from "../../core";

import { REPO_ROOT } from "../../scripts/lib/repo";
const AUTH_PASS = "Ha7x-pQz"; // 8 characters: the most keepalived keeps

const isRoot = process.getuid?.() === 0;
const keepalivedPath = ["/usr/sbin/keepalived", "/sbin/keepalived", "/usr/local/sbin/keepalived"].find((p) => fs.existsSync(p));
const skipReason = !isRoot
  ? "needs root for unshare --mount --net"
  : keepalivedPath === undefined
    ? "keepalived is not installed; run `bash scripts/setup.sh`"
    : !fs.existsSync("/etc/keepalived")
      ? "/etc/keepalived does not exist to bind-mount over (install keepalived with scripts/setup.sh)"
      : false;

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "keepalived-t-"));
after(() => fs.rmSync(workDir, { recursive: true, force: true }));

function stackConfigs(): { label: string; file: string }[] {
  const examples = fs.readdirSync(path.join(REPO_ROOT, "examples"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ label: `examples/${f}`, file: path.join(REPO_ROOT, "examples", f) }));
  return [{ label: "Pulumi.dev.yaml", file: path.join(REPO_ROOT, "Pulumi.dev.yaml") }, ...examples];
}

function loadModel(file: string): ClusterModel {
  const stack = readStackFile(fs.readFileSync(file, "utf8"), path.basename(file));
  assert.deepEqual(stack.problems, []);
  return loadClusterModel(stack.values, { readFile: (p) => fs.readFileSync(path.resolve(REPO_ROOT, p), "utf8") });
}

/** Writes the /etc/keepalived part of a node's files into a fresh root-owned folder (mode 0755). */
function writeKeepalivedDir(label: string, files: readonly RenderedFile[]): string {
  const dir = fs.mkdtempSync(path.join(workDir, `${label.replace(/[^A-Za-z0-9]+/g, "_")}-`));
  fs.chmodSync(dir, 0o755);
  for (const file of files) {
    if (!file.path.startsWith("/etc/keepalived/")) continue;
    const target = path.join(dir, path.basename(file.path));
    fs.writeFileSync(target, file.content);
    fs.chmodSync(target, parseInt(file.mode, 8));
  }
  return dir;
}

/** Runs `keepalived -t` in a private namespace with `iface` present; returns exit code and output. */
function keepalivedTest(dir: string, iface: string, address: string): { status: number | null; output: string } {
  // The peer name must be unique in the namespace and at most 15 characters.
  const script = [
    "set -e",
    `ip link add ${iface} type veth peer name kt-peer0`,
    `ip addr add ${address}/24 dev ${iface}`,
    `ip link set ${iface} up`,
    `mount --bind ${dir} /etc/keepalived`,
    "set +e",
    `${keepalivedPath} -t -f /etc/keepalived/keepalived.conf 2>&1`,
  ].join("\n");
  const result = spawnSync("unshare", ["--mount", "--net", "bash", "-c", script], { encoding: "utf8", timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

describe("keepalived -t accepts every rendered config", { skip: skipReason }, () => {
  for (const { label, file } of stackConfigs()) {
    const model = loadModel(file);
    for (const node of model.nodes) {
      for (const family of OS_FAMILIES) {
        it(`${label} ${node.name} (${family})`, () => {
          const dir = writeKeepalivedDir(`${label}-${node.name}-${family}`, renderNode(model, node.name, family, model.instances.map(() => AUTH_PASS)));
          const { status, output } = keepalivedTest(dir, memberOf(model.instances[0], node.name).interface, node.address);
          assert.equal(status, 0, `keepalived -t exited ${status}:\n${output}`);
          assert.doesNotMatch(output, /WARNING/i, output);
        });
      }
    }
  }
});

describe("keepalived -t rejects broken configs (so the test above can fail)", { skip: skipReason }, () => {
  const model = loadModel(path.join(REPO_ROOT, "Pulumi.dev.yaml"));
  const node = model.nodes[0];
  const files = renderNode(model, node.name, "rhel", [AUTH_PASS]);
  const conf = files.find((f) => f.path === "/etc/keepalived/keepalived.conf")!;

  function withConf(content: string): RenderedFile[] {
    return files.map((f) => (f === conf ? { ...f, content } : f));
  }

  it("a 9-character auth_pass forced through the renderer", () => {
    const dir = writeKeepalivedDir("bad-authpass", renderNode(model, node.name, "rhel", ["123456789"]));
    const { status, output } = keepalivedTest(dir, memberOf(model.instances[0], node.name).interface, node.address);
    assert.notEqual(status, 0, output);
  });

  it("the seed's route_id typo", () => {
    const dir = writeKeepalivedDir("bad-route-id", withConf(conf.content.replace("router_id", "route_id")));
    const { status, output } = keepalivedTest(dir, memberOf(model.instances[0], node.name).interface, node.address);
    assert.notEqual(status, 0, output);
  });

  it("a missing interface", () => {
    const dir = writeKeepalivedDir("bad-interface", files);
    const { status, output } = keepalivedTest(dir, "other0", node.address);
    assert.notEqual(status, 0, output);
  });

  // Group root may write (keepalived accepts that); others may not.
  it("a world-writable check script (enable_script_security)", () => {
    const dir = writeKeepalivedDir("bad-mode", files);
    const check = fs.readdirSync(dir).find((f) => f.startsWith("check_"))!;
    fs.chmodSync(path.join(dir, check), 0o777);
    const { status, output } = keepalivedTest(dir, memberOf(model.instances[0], node.name).interface, node.address);
    assert.notEqual(status, 0, output);
    assert.match(output, /insecure/, output);
  });
});

describe("npm run render --out without a password: keepalived -t accepts the tree as it is", { skip: skipReason }, () => {
  const model = loadModel(path.join(REPO_ROOT, "Pulumi.dev.yaml"));
  assert.equal(model.instances[0].authPass.kind, "generate", "Pulumi.dev.yaml must leave the password out for this test");
  const out = fs.mkdtempSync(path.join(workDir, "render-out-"));
  const render = spawnSync(process.execPath, ["--import", "tsx", "scripts/render.ts", "--stack", "dev", "--out", out],
    { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });

  it("render says the password is a placeholder", () => {
    assert.equal(render.status, 0, render.stderr);
    assert.match(render.stderr, /auth_pass \S+ in VI_1 is a placeholder: `pulumi up` generates the real password/);
  });

  for (const node of model.nodes) {
    it(`${node.name}: exit 0, no warning, no truncated auth_pass`, () => {
      const dir = path.join(out, node.name, "etc", "keepalived");
      const { status, output } = keepalivedTest(dir, memberOf(model.instances[0], node.name).interface, node.address);
      assert.doesNotMatch(output, /Truncating auth_pass/, output);
      assert.doesNotMatch(output, /WARNING/i, output);
      assert.equal(status, 0, `keepalived -t exited ${status}:\n${output}`);
    });
  }
});
