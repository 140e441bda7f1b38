/**
 * examples/compose end to end on the lab: a Pulumi program of its own that installs the packed package, creates
 * its hosts as a resource (LabHosts boots the lab), feeds their outputs into HaWebCluster, and serves the page
 * through the VIP. Preview on a fresh stack (the hosts do not exist yet, so their addresses are unknown), up,
 * HTTP through the VIP, destroy (which takes the lab down through LabHosts' delete).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { packInto } from "../../scripts/lib/package";
import { curlVip, lab, LAB_VIP, vipHolders } from "../support/lab";
import { npmInstall, typecheck } from "../support/package";
import { REPO, TestStack } from "../support/pulumi";

const EXAMPLE = path.join(REPO, "examples", "compose");
/** Where the example's package.json expects the tarball (`file:.cache/keepalived-ha.tgz`). */
const TARBALL = path.join(EXAMPLE, ".cache", "keepalived-ha.tgz");
const NODES = ["node1", "node2"];
/** The same defaults as scripts/lab/common.sh. */
const LAB_STATE = process.env.KAHA_LAB_STATE ?? "/var/lib/keepalived-ha-lab";
const LAB_KEY = path.join(process.env.KAHA_LAB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"),
  "keepalived-ha", "lab"), "id_ed25519");

/** True while the lab's bridge exists, i.e. the lab is up (or partly up). */
function labBridgeExists(): boolean {
  return spawnSync("ip", ["link", "show", "kaha-br0"], { stdio: "ignore" }).status === 0;
}

describe("examples/compose: the packed component on hosts the program creates", { timeout: 60 * 60_000 }, () => {
  let stack: TestStack | undefined;

  before(() => {
    lab("down"); // LabHosts must boot the hosts itself
    // Pack (npm pack builds first) to where the example's package.json points, then install it afresh: a
    // file: tarball whose content changed is not reinstalled over an older copy.
    const packed = packInto(path.dirname(TARBALL));
    fs.renameSync(packed, TARBALL);
    fs.rmSync(path.join(EXAMPLE, "node_modules", "keepalived-ha"), { recursive: true, force: true });
    fs.rmSync(path.join(EXAMPLE, "package-lock.json"), { force: true });
    npmInstall(EXAMPLE);
    stack = new TestStack("compose", "config:\n  kaha-compose:nodeCount: 2\n", undefined, EXAMPLE);
  });
  after(() => {
    stack?.remove();
    lab("down");
  });

  test("the example type-checks against the package's declarations", () => {
    const r = typecheck(EXAMPLE);
    assert.equal(r.code, 0, r.out);
  });

  test("preview of a fresh stack plans the hosts and the cluster with the addresses unknown, booting nothing", () => {
    const r = stack!.ok(["preview"]);
    assert.match(r.all, /LabHosts\s+hosts\s+create|dynamic[:/]\S*\s+hosts\s+create/);
    assert.match(r.all, /keepalived-ha:index:HaWebCluster\s+web\s+create/);
    for (const node of NODES) {
      assert.match(r.all, new RegExp(`keepalived-ha:index:ClusterNode\\s+web-${node}\\s+create`), node);
      for (const step of ["identify", "packages", "keepalived", "services"]) {
        assert.match(r.all, new RegExp(`RemoteCommand\\s+web-${node}-${step}\\s+create`), `${node} ${step}`);
      }
    }
    assert.match(r.all, /VipHolder\s+web-vip-holder\s+create/);
    assert.ok(!labBridgeExists(), "the preview booted the lab");
    assert.ok(!fs.existsSync(path.join(LAB_STATE, "known_hosts")), "the preview ran lab up");
  });

  test("up boots the hosts and converges them: one VIP holder, its page through the VIP, outputs to match", () => {
    const t0 = Date.now();
    stack!.ok(["up", "--yes"]);
    console.log(`# compose up (lab boot included): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const outputs = JSON.parse(stack!.ok(["stack", "output", "--json"]).stdout) as { vip: string; url: string; master: string };
    assert.equal(outputs.vip, LAB_VIP);
    assert.equal(outputs.url, `http://${LAB_VIP}/`);
    const holders = vipHolders(NODES);
    assert.deepEqual(holders, [outputs.master]);
    const page = curlVip();
    assert.equal(page.code, 0);
    assert.equal(page.body, `<h1> hello from ${outputs.master} </h1>`);
    // The SSH key came out of LabHosts as a secret: never printed, never in plain text in the state.
    const key = fs.readFileSync(LAB_KEY, "utf8").trim().split("\n").slice(1, -1).join("");
    assert.ok(key.length > 40);
    assert.ok(!stack!.transcript.includes(key.slice(0, 40)), "the SSH key in the console output");
    assert.ok(!stack!.stateText().includes(key.slice(0, 40)), "the SSH key in plain text in the state");
  });

  test("destroy gives the hosts back, then takes the lab down through LabHosts' delete", () => {
    stack!.ok(["destroy", "--yes"]);
    assert.ok(!labBridgeExists(), "the lab's bridge is still there");
    assert.ok(!fs.existsSync(path.join(LAB_STATE, "known_hosts")), "the lab's known_hosts is still there");
    const outputs = JSON.parse(stack!.ok(["stack", "output", "--json"]).stdout) as Record<string, unknown>;
    assert.deepEqual(outputs, {});
  });
});
