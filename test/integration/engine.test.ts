/**
 * The real Pulumi engine, offline, on a throwaway file backend: the pinned toolchain, a preview of the seed's
 * stack, an `up` of the generated VRRP password alone, validation stopping a preview, and a new stack without
 * config. No test here connects to any host (previews and the password run no remote command).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { REPO, TestStack } from "../support/pulumi";
import { spawnSync } from "node:child_process";
import { toolchainEnv } from "../support/pulumi";

const pinned = /PULUMI_VERSION=(\S+)/.exec(fs.readFileSync(path.join(REPO, "toolchain/versions.env"), "utf8"))![1];

/** A valid two-node config on the lab's subnet (nothing is contacted). */
const labLikeConfig = `config:
  keepalived-ha:nodes:
    - { name: web1, address: 10.213.151.11, priority: 100, os: debian }
    - { name: web2, address: 10.213.151.12, priority: 90, os: debian }
  keepalived-ha:vrrp: { interface: host0, virtualRouterId: 51, vips: ["10.213.151.100/24"] }
  keepalived-ha:checks:
    - { name: chk_web, type: tcp, port: 80, interval: 1, fall: 2, weight: -30 }
  keepalived-ha:ssh: { user: root, privateKeyPath: ${JSON.stringify(dummyKeyFile())} }
`;

/** `up` reads the key file even when no step will use it; a dummy is enough here. */
function dummyKeyFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kaha-key-")), "id_test");
  fs.writeFileSync(file, "not a real key\n", { mode: 0o600 });
  return file;
}

describe("Pulumi engine, offline", () => {
  const stacks: TestStack[] = [];
  after(() => stacks.forEach((s) => s.remove()));

  test("the toolchain's pulumi is the pinned version", () => {
    const out = spawnSync("pulumi", ["version"], { env: toolchainEnv(), encoding: "utf8" });
    assert.equal(out.stdout.trim(), `v${pinned}`);
  });

  test("the program, its providers and these tests run on the pinned Node.js", () => {
    const pinnedNode = /NODE_VERSION=(\S+)/.exec(fs.readFileSync(path.join(REPO, "toolchain/node.env"), "utf8"))![1];
    // The exact build unless the machine's own node is of the pinned major (scripts/node-env.sh uses it then).
    const machinePath = (process.env.PATH ?? "").split(":").filter((d) => !d.includes("keepalived-ha/node/")).join(":");
    const machineMajor = spawnSync("node", ["-p", "process.versions.node.split('.')[0]"],
      { encoding: "utf8", env: { PATH: machinePath } }).stdout?.trim();
    const expected = machineMajor === pinnedNode.split(".")[0] ? undefined : `v${pinnedNode}`;
    assert.equal(process.versions.node.split(".")[0], pinnedNode.split(".")[0], "the test runner's major");
    if (expected !== undefined) assert.equal(process.version, expected, "the test runner");
    // `pulumi about` asks the language host which node it starts the program (and the dynamic providers) with.
    const about = spawnSync("pulumi", ["about", "--json"], { cwd: REPO, env: toolchainEnv(), encoding: "utf8" });
    const runtime = JSON.parse(about.stdout).runtime;
    assert.equal(runtime.version, process.version, `the language host's node: ${runtime.executable}`);
  });

  test("preview of the seed stack lists the cluster, both nodes and every step", () => {
    const stack = new TestStack("seed-preview", fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8"));
    stacks.push(stack);
    const r = stack.ok(["preview"]);
    assert.match(r.all, /keepalived-ha:index:HaWebCluster\s+cluster\s+create/);
    for (const node of ["keepalived-master", "keepalived-backup"]) {
      assert.match(r.all, new RegExp(`keepalived-ha:index:ClusterNode\\s+cluster-${node}\\s+create`));
      for (const step of ["identify", "firewall", "packages", "site", "keepalived", "services"]) {
        assert.match(r.all, new RegExp(`RemoteCommand\\s+cluster-${node}-${step}\\s+create`), `${node} ${step}`);
      }
    }
    assert.match(r.all, /GeneratedSecret\s+cluster-vrrp-password\s+create/);
    assert.match(r.all, /VipHolder\s+cluster-vip-holder\s+create/);
    assert.match(r.all, /url\s*:\s*"http:\/\/192\.168\.0\.130\/"/);
  });

  test("up of the generated VRRP password stores it encrypted, and outputs are readable", () => {
    const stack = new TestStack("password-up", labLikeConfig);
    stacks.push(stack);
    const urn = `urn:pulumi:${stack.name}::keepalived-ha::keepalived-ha:index:HaWebCluster$` +
      "pulumi-nodejs:dynamic/keepalived-ha:GeneratedSecret::cluster-vrrp-password";
    const parents = [`urn:pulumi:${stack.name}::keepalived-ha::pulumi:pulumi:Stack::keepalived-ha-${stack.name}`,
      `urn:pulumi:${stack.name}::keepalived-ha::keepalived-ha:index:HaWebCluster::cluster`];
    stack.ok(["up", "--yes", ...[urn, ...parents].flatMap((u) => ["--target", u])]);
    const outputs = JSON.parse(stack.ok(["stack", "output", "--json"]).stdout);
    assert.equal(outputs.vip, "10.213.151.100");
    assert.equal(outputs.url, "http://10.213.151.100/");
    assert.deepEqual(outputs.nodes.web1, { address: "10.213.151.11", state: "MASTER", priority: 100 });

    // Read the password the way an operator could, outside the transcript, then look for it everywhere else.
    const exported = spawnSync("pulumi", ["stack", "export", "--show-secrets", "--stack", stack.name], {
      cwd: REPO, encoding: "utf8", env: { ...toolchainEnv(), PULUMI_BACKEND_URL: `file://${stack.backendDir}` },
    });
    const resource = JSON.parse(exported.stdout).deployment.resources
      .find((r: { urn: string }) => r.urn === urn);
    // --show-secrets exports a secret as { <sig>: ..., plaintext: "<JSON>" }.
    const password: string = JSON.parse(resource.outputs.result.plaintext);
    assert.match(password, /^[A-Za-z0-9]{8}$/);
    assert.ok(!stack.stateText().includes(password), "password in plain text in the state");
    assert.ok(!stack.transcript.includes(password), "password in the console output");
    assert.ok(stack.stateText().includes("4dabf18193072939515e22adb298388d"), "state holds a secret marker");
  });

  test("a new stack without any config fails preview with the project's own message, not a stack trace", () => {
    const stack = new TestStack("no-config", undefined);
    stacks.push(stack);
    const r = stack.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.match(r.all, new RegExp(`stack ${stack.name} has no keepalived-ha configuration yet; it needs at least nodes, vrrp, checks`));
    assert.match(r.all, new RegExp(`npm run pulumi -- config set --path 'keepalived-ha:nodes\\[0\\]\\.address' \\S+ --stack ${stack.name}`));
    assert.match(r.all, /docs\/config\.md/);
    assert.doesNotMatch(r.all, /TypeError/);
    assert.doesNotMatch(r.all, /^\s+at \S/m, "a stack trace frame");
    assert.doesNotMatch(r.all, /RemoteCommand/);
  });

  test("an invalid config fails preview with every problem named, and creates nothing", () => {
    const bad = labLikeConfig
      .replace("priority: 90", "priority: 80")
      .replace("weight: -30", "weight: 10")
      .replace("virtualRouterId: 51", "virtualRouterId: 300, route_id: x");
    const stack = new TestStack("invalid", bad);
    stacks.push(stack);
    const r = stack.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.match(r.all, /vrrp\.virtualRouterId/);
    assert.match(r.all, /route_id/);
    assert.match(r.all, /the VIP never moves/);
    assert.doesNotMatch(r.all, /RemoteCommand/);
  });
});
