import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessCluster, formatStatus, nodeProbeScript, NodeStatus, parseNodeProbe, VERDICT_EXIT_CODE } from "../../core/status";

const up = (name: string, holdsVip: boolean, extra: Partial<NodeStatus> = {}): NodeStatus => ({
  name, address: `10.0.0.${name.slice(-1)}`, reachable: true, keepalivedActive: true, webActive: true,
  vrrpStates: { VI_1: holdsVip ? "MASTER" : "BACKUP" }, holds: holdsVip ? ["VI_1"] : [], ...extra,
});
const one = (httpOk: boolean, httpDetail = httpOk ? "200 ok" : "ECONNREFUSED") => [{ name: "VI_1", vip: "10.0.0.100", httpOk, httpDetail }];

describe("status verdict", () => {
  const cases: { name: string; nodes: NodeStatus[]; http: boolean; verdict: string; reason?: RegExp }[] = [
    { name: "one holder, all up, HTTP ok", nodes: [up("n1", true), up("n2", false)], http: true, verdict: "healthy" },
    { name: "backup unreachable but VIP served", nodes: [up("n1", true), { name: "n2", address: "x", reachable: false, error: "timeout" }],
      http: true, verdict: "degraded", reason: /n2 unreachable/ },
    { name: "web server down on the backup", nodes: [up("n1", true), up("n2", false, { webActive: false })],
      http: true, verdict: "degraded", reason: /n2: the web server/ },
    { name: "instance in FAULT", nodes: [up("n1", true), up("n2", false, { vrrpStates: { VI_1: "FAULT" } })],
      http: true, verdict: "degraded", reason: /FAULT/ },
    { name: "nobody holds the VIP", nodes: [up("n1", false), up("n2", false)], http: false, verdict: "broken", reason: /no node holds/ },
    { name: "two holders is split brain", nodes: [up("n1", true), up("n2", true)], http: true, verdict: "broken", reason: /split brain: n1 and n2/ },
    { name: "holder but no HTTP", nodes: [up("n1", true), up("n2", false)], http: false, verdict: "broken", reason: /HTTP through the VIP failed/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const status = assessCluster(c.nodes, one(c.http));
      assert.equal(status.verdict, c.verdict);
      if (c.reason) assert.match(status.reasons.join("\n"), c.reason);
      else assert.deepEqual(status.reasons, []);
      assert.match(formatStatus(status), new RegExp(`verdict: ${c.verdict.toUpperCase()}`));
    });
  }
  test("exit codes are 0, 1, 2", () => assert.deepEqual(VERDICT_EXIT_CODE, { healthy: 0, degraded: 1, broken: 2 }));
  test("split brain is named in the table", () => {
    assert.match(formatStatus(assessCluster([up("n1", true), up("n2", true)], one(true))), /SPLIT BRAIN/);
  });
});

describe("node probe parsing", () => {
  test("reads every field", () => {
    const s = parseNodeProbe("n1", "10.0.0.1", "keepalived=active\nweb=active\nvrrp.VI_1=MASTER\nvip.VI_1=yes\n" +
      "vrrp.VI_2=BACKUP\nvip.VI_2=no\nnotify=[Master] Fri Nov 27\n");
    assert.deepEqual(s, { name: "n1", address: "10.0.0.1", reachable: true, keepalivedActive: true, webActive: true,
      vrrpStates: { VI_1: "MASTER", VI_2: "BACKUP" }, holds: ["VI_1"], lastNotify: "[Master] Fri Nov 27" });
  });
  test("inactive services and empty fields", () => {
    const s = parseNodeProbe("n2", "a", "keepalived=inactive\nweb=failed\nvrrp.VI_1=\nvip.VI_1=no\nnotify=\n");
    assert.equal(s.keepalivedActive, false);
    assert.equal(s.webActive, false);
    assert.deepEqual(s.vrrpStates, {});
    assert.deepEqual(s.holds, []);
    assert.equal(s.lastNotify, undefined);
  });
});

describe("status with several VRRP instances", () => {
  const two = (http = [true, true]) => [
    { name: "VI_1", vip: "10.0.0.100", httpOk: http[0], httpDetail: http[0] ? "200 n1" : "timeout" },
    { name: "VI_2", vip: "10.0.0.101", httpOk: http[1], httpDetail: http[1] ? "200 n2" : "timeout" },
  ];
  const node = (name: string, holds: string[], states: Record<string, string>, extra: Partial<NodeStatus> = {}): NodeStatus => ({
    name, address: `10.0.0.${name.slice(-1)}`, reachable: true, keepalivedActive: true, webActive: true,
    vrrpStates: states, holds, ...extra,
  });
  test("active/active: each instance has its own holder, healthy", () => {
    const status = assessCluster([node("n1", ["VI_1"], { VI_1: "MASTER", VI_2: "BACKUP" }),
      node("n2", ["VI_2"], { VI_1: "BACKUP", VI_2: "MASTER" })], two());
    assert.equal(status.verdict, "healthy");
    assert.deepEqual(status.instances.map((i) => i.holders), [["n1"], ["n2"]]);
    assert.deepEqual(status.holders, ["n1"]);
    const text = formatStatus(status);
    assert.match(text, /VI_1=MASTER VI_2=BACKUP/);
    assert.match(text, /VIP 10\.0\.0\.101 \(VI_2\) held by: n2/);
  });
  test("a split brain in the second instance alone is broken and names the instance", () => {
    const status = assessCluster([node("n1", ["VI_1", "VI_2"], { VI_1: "MASTER", VI_2: "MASTER" }),
      node("n2", ["VI_2"], { VI_1: "BACKUP", VI_2: "MASTER" })], two());
    assert.equal(status.verdict, "broken");
    assert.match(status.reasons.join("\n"), /split brain: n1 and n2 all hold the VIP 10\.0\.0\.101 \(VI_2\)/);
    assert.doesNotMatch(status.reasons.join("\n"), /10\.0\.0\.100/);
  });
  test("one VIP not answering HTTP is broken even when the other serves", () => {
    const status = assessCluster([node("n1", ["VI_1"], {}), node("n2", ["VI_2"], {})], two([true, false]));
    assert.equal(status.verdict, "broken");
    assert.match(status.reasons.join("\n"), /HTTP through the VIP 10\.0\.0\.101 \(VI_2\) failed: timeout/);
  });
  test("FAULT in one instance is degraded and named", () => {
    const status = assessCluster([node("n1", ["VI_1", "VI_2"], { VI_1: "MASTER", VI_2: "MASTER" }),
      node("n2", [], { VI_1: "FAULT", VI_2: "BACKUP" })], two());
    assert.equal(status.verdict, "degraded");
    assert.match(status.reasons.join("\n"), /n2: VRRP instance VI_1 in FAULT/);
  });
  test("the probe script asks for each instance's state and VIP", () => {
    const script = nodeProbeScript([{ name: "VI_1", vip: "10.0.0.100" }, { name: "web_b", vip: "10.0.0.101" }], ["apache2"], "/var/log/k.log");
    assert.match(script, /vrrp\.VI_1=.*\\\(VI_1\\\) Entering/);
    assert.match(script, /vip\.web_b=.* inet 10\.0\.0\.101\//);
  });
});
