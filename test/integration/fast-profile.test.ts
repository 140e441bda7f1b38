/**
 * The fast profile on the lab (bench's profileConfig("fast"): VRRPv3, 0.1 s adverts, a track-process check of the
 * web server with weight 0 and a slower HTTP check). The lab's hosts are systemd-nspawn containers, so the
 * track-process check must be rendered as its substitute (track_file + systemd hooks of apache2). Stopping apache2
 * on the master moves the VIP and HTTP recovers through it; destroy removes the hooks.
 * Generous time-outs: these tests assert behaviour; `npm run drill` / `npm run bench` measure the timings.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { profileConfig } from "../../scripts/bench";
import { curlVip, lab, onNode, vipHolders, waitUntil } from "../support/lab";
import { TestStack } from "../support/pulumi";

const NODES = ["node1", "node2"];
const HOOK = "/etc/systemd/system/apache2.service.d/keepalived-ha-chk_web.conf";
const STATE = "/run/keepalived-ha/chk_web.state";

describe("fast profile with an event-driven web server check", { timeout: 20 * 60_000 }, () => {
  let stack: TestStack;

  before(() => {
    lab("down");
    lab("up", "--nodes", "2");
    stack = new TestStack("fast", profileConfig("fast"));
    stack.ok(["up", "--yes"]);
  });
  after(() => {
    stack?.run(["destroy", "--yes"]);
    stack?.remove();
    lab("down");
  });

  test("in a container the check is a track_file fed by apache2's systemd hooks, and keepalived is not in FAULT", async () => {
    for (const node of NODES) {
      const conf = onNode(node, "cat /etc/keepalived/keepalived.conf").out;
      assert.match(conf, /track_file chk_web \{/, node);
      assert.doesNotMatch(conf, /track_process/, node);
      assert.match(onNode(node, `cat ${HOOK}`).out, /ExecStopPost=/, node);
      assert.equal(onNode(node, `cat ${STATE}`).out, "0", `${node}: apache2 runs, so the state file says 0`);
    }
    await waitUntil("one VIP holder", () => vipHolders(NODES).length === 1, 30_000);
    assert.equal(curlVip().code, 0);
    const journal = onNode(NODES[0], "journalctl -u keepalived --no-pager -o cat").out;
    assert.doesNotMatch(journal, /process event listen/);
  });

  test("stopping apache2 on the master moves the VIP and HTTP recovers through it; starting it brings it back", async () => {
    const [master] = vipHolders(NODES);
    assert.ok(master, "a node holds the VIP");
    const other = NODES.find((n) => n !== master)!;
    assert.equal(onNode(master, "systemctl stop apache2").code, 0);
    try {
      assert.equal(onNode(master, `cat ${STATE}`).out, "1", "ExecStopPost wrote 'stopped'");
      await waitUntil(`the VIP on ${other}`, () => vipHolders(NODES).join() === other, 30_000);
      await waitUntil("HTTP through the VIP from the new master", () => {
        const r = curlVip();
        return r.code === 0 && r.body.includes(other);
      }, 30_000);
    } finally {
      onNode(master, "systemctl start apache2");
    }
    assert.equal(onNode(master, `cat ${STATE}`).out, "0", "ExecStartPost wrote 'running'");
    // Preemption: the higher-priority node takes the VIP back once its web server runs again.
    await waitUntil(`the VIP back on ${master}`, () => vipHolders(NODES).join() === master, 30_000);
    await waitUntil("HTTP through the VIP", () => curlVip().code === 0, 30_000);
  });

  test("destroy removes the hooks, the tmpfiles entry and the state folder", () => {
    stack.ok(["destroy", "--yes"]);
    for (const node of NODES) {
      const left = onNode(node, `ls -d ${HOOK} /etc/tmpfiles.d/keepalived-ha.conf /run/keepalived-ha /etc/systemd/system/apache2.service.d 2>/dev/null`).out;
      assert.equal(left, "", `${node} still has: ${left}`);
      assert.doesNotMatch(onNode(node, "systemctl cat apache2").out, /keepalived-ha/, node);
    }
  });
});
