/**
 * Two VRRP instances active/active on the lab: each node holds its own VIP, the outputs and `status` name
 * both holders, a node whose web server stops hands its VIP to the other (which then serves both), and
 * the VIP comes back when the web server does. Generous time-outs: behaviour, not speed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { curlVip, lab, LAB_VIP, labStackConfig, npmRun, onNode, vipHolders, waitUntil } from "../support/lab";
import { TestStack } from "../support/pulumi";

const NODES = ["node1", "node2"];
/** The second instance's VIP: a free address on the lab bridge (docs/lab.md). */
const SECOND_VIP = "10.213.151.101";

/** The lab's stack with `vrrp` as two instances of opposite priorities. */
function activeActiveConfig(): string {
  const doc = parse(labStackConfig());
  const c = doc.config;
  const single = c["keepalived-ha:vrrp"];
  c["keepalived-ha:vrrp"] = [
    { ...single, instanceName: "VI_A", priorities: { node1: 100, node2: 90 } },
    { ...single, instanceName: "VI_B", virtualRouterId: single.virtualRouterId + 1, vips: [`${SECOND_VIP}/24`],
      priorities: { node1: 90, node2: 100 } },
  ];
  return stringify(doc);
}

describe("two VRRP instances, active/active", { timeout: 30 * 60_000 }, () => {
  let stack: TestStack;

  before(() => {
    lab("down");
    lab("up", "--nodes", "2");
    stack = new TestStack("multi", activeActiveConfig());
    stack.ok(["up", "--yes"]);
  });
  after(() => {
    try {
      stack?.ok(["destroy", "--yes"]);
    } finally {
      stack?.remove();
      lab("down");
    }
  });

  test("each node holds its own instance's VIP and serves its page through it", () => {
    assert.deepEqual(vipHolders(NODES, LAB_VIP), ["node1"]);
    assert.deepEqual(vipHolders(NODES, SECOND_VIP), ["node2"]);
    assert.equal(curlVip(LAB_VIP).body, "<h1> hello from node1 </h1>");
    assert.equal(curlVip(SECOND_VIP).body, "<h1> hello from node2 </h1>");
    const conf = onNode("node2", "grep -E '^vrrp_instance|^    (state|priority|virtual_router_id) ' /etc/keepalived/keepalived.conf").out;
    assert.equal(conf.replace(/\s+/g, " "), "vrrp_instance VI_A { state BACKUP virtual_router_id 51 priority 90 " +
      "vrrp_instance VI_B { state MASTER virtual_router_id 52 priority 100");
  });

  test("outputs name the master of each instance", () => {
    const outputs = JSON.parse(stack.ok(["stack", "output", "--json"]).stdout);
    assert.equal(outputs.master, "node1");
    assert.equal(outputs.vip, LAB_VIP);
    assert.equal(outputs.instances.VI_A.master, "node1");
    assert.equal(outputs.instances.VI_B.master, "node2");
    assert.deepEqual(outputs.instances.VI_B.vips, [`${SECOND_VIP}/24`]);
    assert.deepEqual(outputs.instances.VI_B.priorities, { node1: 90, node2: 100 });
  });

  test("status is healthy and shows both holders", () => {
    const r = npmRun("status", "--stack", stack.name, "--json");
    assert.equal(r.code, 0, r.out);
    const status = JSON.parse(r.out);
    assert.deepEqual(status.instances.map((i: { name: string; holders: string[]; httpOk: boolean }) => [i.name, i.holders, i.httpOk]),
      [["VI_A", ["node1"], true], ["VI_B", ["node2"], true]]);
    const node2 = status.nodes.find((n: { name: string }) => n.name === "node2");
    assert.deepEqual(node2.vrrpStates, { VI_A: "BACKUP", VI_B: "MASTER" });
    const table = npmRun("status", "--stack", stack.name);
    assert.match(table.out, /VIP 10\.213\.151\.101 \(VI_B\) held by: node2/);
  });

  test("a node whose web server stops hands its VIP over; the other serves both; it comes back", async () => {
    onNode("node2", "systemctl stop apache2");
    await waitUntil("node1 to hold both VIPs", () =>
      vipHolders(NODES, SECOND_VIP).join() === "node1" && vipHolders(NODES, LAB_VIP).join() === "node1", 60_000);
    await waitUntil("the second VIP to serve node1's page", () => curlVip(SECOND_VIP).body === "<h1> hello from node1 </h1>", 30_000);
    const degraded = npmRun("status", "--stack", stack.name);
    assert.equal(degraded.code, 1, degraded.out);
    assert.match(degraded.out, /node2: the web server is not running/);
    assert.match(onNode("node1", "tail -n 20 /var/log/keepalived-state.log").out, /\[Master\] VI_B/);

    onNode("node2", "systemctl start apache2");
    await waitUntil("node2 to take its VIP back", () => vipHolders(NODES, SECOND_VIP).join() === "node2", 60_000);
    await waitUntil("the second VIP to serve node2's page", () => curlVip(SECOND_VIP).body === "<h1> hello from node2 </h1>", 30_000);
    assert.deepEqual(vipHolders(NODES, LAB_VIP), ["node1"], "the first instance never moved");
  });

  test("a second up changes nothing", () => {
    const r = stack.ok(["up", "--yes", "--expect-no-changes"]);
    assert.doesNotMatch(r.all, /\b(created|updated|deleted|replaced)\b/);
  });
});
