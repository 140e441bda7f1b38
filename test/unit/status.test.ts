import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessCluster, formatStatus, NodeStatus, parseNodeProbe, VERDICT_EXIT_CODE } from "../../core/status";

const up = (name: string, holdsVip: boolean, extra: Partial<NodeStatus> = {}): NodeStatus => ({
  name, address: `10.0.0.${name.slice(-1)}`, reachable: true, keepalivedActive: true, webActive: true,
  vrrpState: holdsVip ? "MASTER" : "BACKUP", holdsVip, ...extra,
});

describe("status verdict", () => {
  const cases: { name: string; nodes: NodeStatus[]; http: boolean; verdict: string; reason?: RegExp }[] = [
    { name: "one holder, all up, HTTP ok", nodes: [up("n1", true), up("n2", false)], http: true, verdict: "healthy" },
    { name: "backup unreachable but VIP served", nodes: [up("n1", true), { name: "n2", address: "x", reachable: false, error: "timeout" }],
      http: true, verdict: "degraded", reason: /n2 unreachable/ },
    { name: "web server down on the backup", nodes: [up("n1", true), up("n2", false, { webActive: false })],
      http: true, verdict: "degraded", reason: /n2: the web server/ },
    { name: "instance in FAULT", nodes: [up("n1", true), up("n2", false, { vrrpState: "FAULT" })],
      http: true, verdict: "degraded", reason: /FAULT/ },
    { name: "nobody holds the VIP", nodes: [up("n1", false), up("n2", false)], http: false, verdict: "broken", reason: /no node holds/ },
    { name: "two holders is split brain", nodes: [up("n1", true), up("n2", true)], http: true, verdict: "broken", reason: /split brain: n1 and n2/ },
    { name: "holder but no HTTP", nodes: [up("n1", true), up("n2", false)], http: false, verdict: "broken", reason: /HTTP through the VIP failed/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const status = assessCluster(c.nodes, "10.0.0.100", c.http, c.http ? "200 ok" : "ECONNREFUSED");
      assert.equal(status.verdict, c.verdict);
      if (c.reason) assert.match(status.reasons.join("\n"), c.reason);
      else assert.deepEqual(status.reasons, []);
      assert.match(formatStatus(status), new RegExp(`verdict: ${c.verdict.toUpperCase()}`));
    });
  }
  test("exit codes are 0, 1, 2", () => assert.deepEqual(VERDICT_EXIT_CODE, { healthy: 0, degraded: 1, broken: 2 }));
  test("split brain is named in the table", () => {
    assert.match(formatStatus(assessCluster([up("n1", true), up("n2", true)], "v", true, "200")), /SPLIT BRAIN/);
  });
});

describe("node probe parsing", () => {
  test("reads every field", () => {
    const s = parseNodeProbe("n1", "10.0.0.1", "keepalived=active\nweb=active\nvrrp=MASTER\nvip=yes\nnotify=[Master] Fri Nov 27\n");
    assert.deepEqual(s, { name: "n1", address: "10.0.0.1", reachable: true, keepalivedActive: true, webActive: true,
      vrrpState: "MASTER", holdsVip: true, lastNotify: "[Master] Fri Nov 27" });
  });
  test("inactive services and empty fields", () => {
    const s = parseNodeProbe("n2", "a", "keepalived=inactive\nweb=failed\nvrrp=\nvip=no\nnotify=\n");
    assert.equal(s.keepalivedActive, false);
    assert.equal(s.webActive, false);
    assert.equal(s.vrrpState, undefined);
    assert.equal(s.holdsVip, false);
    assert.equal(s.lastNotify, undefined);
  });
});
