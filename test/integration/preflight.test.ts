/**
 * The LAN pre-flight checks on the lab (issue 14): a third lab host outside the stack makes each fault (it
 * answers ARP for the VIP, it advertises the stack's router id), the bridge drops multicast VRRP, a node lacks
 * the configured interface. The checks run on perl, with no tool installed for them. Each is refused with its
 * message before any firewall, keepalived or service change on any node; with the faults gone `up` converges,
 * and a later change on the live cluster (its own nodes holding the VIP and advertising) passes the checks. One
 * lab boot for all of it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { curlVip, lab, LAB_VIP, labStackConfig, onNode, vipHolders, waitUntil } from "../support/lab";
import { REPO, TestStack } from "../support/pulumi";

const NODES = ["node1", "node2"];
const FOREIGN = "node3";

/** The lab's stack config with node3 left out: node3 plays the machine outside the cluster. */
function twoNodeConfig(): string {
  return labStackConfig().replace(/\n {4}- name: node3\n(?: {6}.*\n)+/, "\n");
}

/** What the refused runs must not have changed on any node: no keepalived files, firewalld still running. */
function assertNothingAffectingTraffic(): void {
  for (const n of NODES) {
    assert.equal(onNode(n, "test -e /etc/keepalived/keepalived.conf").code, 1, `${n} got a keepalived.conf`);
    assert.equal(onNode(n, "systemctl is-active firewalld").out, "active", `${n}'s firewall was changed`);
  }
}

describe("LAN pre-flight checks on the lab", { timeout: 30 * 60_000 }, () => {
  let stack: TestStack;
  let foreignMac: string;

  before(() => {
    lab("down");
    lab("up", "--nodes", "3");
    stack = new TestStack("preflight", twoNodeConfig());
    foreignMac = onNode(FOREIGN, "cat /sys/class/net/host0/address").out;
  });
  after(() => {
    for (const verb of [["heal"], ["release-address", FOREIGN, LAB_VIP], ["foreign-vrrp", FOREIGN, "--stop"]]) {
      spawnSync("bash", ["scripts/lab.sh", ...verb], { cwd: REPO });
    }
    stack?.run(["destroy", "--yes"]);
    stack?.remove();
    lab("down");
  });

  test("a machine outside the cluster answering ARP for the VIP and advertising the router id: refused, both named", () => {
    assert.doesNotMatch(twoNodeConfig(), /node3/);
    lab("claim-address", FOREIGN, LAB_VIP);
    lab("foreign-vrrp", FOREIGN, "51");
    try {
      const r = stack.run(["up", "--yes"]);
      assert.notEqual(r.code, 0, r.all.slice(-3000));
      assert.match(r.all, /the pre-flight checks on the LAN found 2 problems, so no firewall, keepalived or service change was made on any host/);
      assert.match(r.all, new RegExp(`VIP 10\\.213\\.151\\.100 is already in use on the LAN: a machine with MAC ${foreignMac}, ` +
        `not a node of this cluster, answers ARP for it \\(seen from node1 on host0, node2 on host0\\)`));
      assert.match(r.all, new RegExp(`virtual_router_id 51 of VI_1 is already used on the LAN: VRRP adverts for it come from ` +
        `10\\.213\\.151\\.13 \\(MAC ${foreignMac}\\), not a node of this cluster`));
      assert.match(r.all, /Set vrrp\.virtualRouterId to an id no other router uses \(ids heard on the LAN: 51\)/);
      assertNothingAffectingTraffic();
    } finally {
      lab("foreign-vrrp", FOREIGN, "--stop");
      lab("release-address", FOREIGN, LAB_VIP);
    }
  });

  test("multicast VRRP dropped between the nodes: refused, suggesting vrrp.unicast", () => {
    lab("partition", "--multicast-only");
    try {
      const r = stack.run(["up", "--yes"]);
      assert.notEqual(r.code, 0, r.all.slice(-3000));
      assert.match(r.all, /multicast VRRP does not get through for VI_1: packets to 224\.0\.0\.18 \(IP protocol 112\) did not arrive within 4 s \(sender → receiver: node1 → node2, node2 → node1\)/);
      assert.match(r.all, /or set vrrp\.unicast: true/);
      assertNothingAffectingTraffic();
    } finally {
      lab("heal");
    }
  });

  test("an interface the nodes do not have: refused, naming the interfaces they have", () => {
    stack.ok(["config", "set", "--path", "keepalived-ha:vrrp.interface", "eth7"]);
    try {
      const r = stack.run(["up", "--yes"]);
      assert.notEqual(r.code, 0, r.all.slice(-3000));
      for (const n of NODES) {
        assert.match(r.all, new RegExp(`${n} \\(10\\.213\\.151\\.1${n.slice(-1)}\\): interface eth7 of VI_1 does not exist on the host \\(it has host0\\); set vrrp\\.interface`));
      }
      assertNothingAffectingTraffic();
    } finally {
      stack.ok(["config", "set", "--path", "keepalived-ha:vrrp.interface", "host0"]);
    }
  });

  test("with the faults gone, up converges; a change on the live cluster passes the checks", async () => {
    stack.ok(["up", "--yes"]);
    await waitUntil("one VIP holder", () => vipHolders(NODES).length === 1, 30_000);
    assert.equal(curlVip().code, 0);
    // The checks ran on Debian's perl: none of the tools a host without it needs was installed for them.
    for (const n of NODES) {
      assert.equal(onNode(n, "dpkg-query -W -f='${Status}\\n' tcpdump socat iputils-arping 2>/dev/null | grep -c 'install ok installed'").out, "0", n);
    }
    // Its own nodes now hold the VIP and advertise router id 51: not foreign.
    stack.ok(["config", "set", "keepalived-ha:site", "<h1>changed on a live cluster</h1>"]);
    const r = stack.ok(["up", "--yes"]);
    assert.match(r.all, /cluster-preflight\s+updated|preflight.*updated/);
    assert.match(curlVip().body, /changed on a live cluster/);
    // A run that changes nothing checks nothing.
    const quiet = stack.ok(["up", "--yes"]);
    assert.doesNotMatch(quiet.all, /preflight\s+updat/);
  });

  test("preflight: false skips the checks (the stage is gone from the plan)", () => {
    stack.ok(["config", "set", "keepalived-ha:preflight", "false"]);
    stack.ok(["config", "set", "keepalived-ha:site", "<h1>checks skipped</h1>"]);
    const r = stack.ok(["up", "--yes"]);
    assert.match(r.all, /preflight\s+deleted|preflight.*deleted/);
    assert.match(curlVip().body, /checks skipped/);
  });
});
