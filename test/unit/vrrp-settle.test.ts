import { strict as assert } from "assert";
import { describe, it } from "node:test";
import { loadClusterModel } from "../../core";
import { execFileSync } from "child_process";
import {
  ElectionRole, electionRoles, NodeVrrpReport, parseVrrpReport, settledHolder, vrrpHoldsCommand, vrrpReportCommand,
} from "../../core/vrrp-settle";

// What keepalived 2.2.7 wrote on a lab backup (trimmed to the lines the report command keeps).
const BACKUP_DUMP = [
  "holds=no",
  " VRRP Instance = VI_1",
  "   State = BACKUP",
  "   Master priority = 100",
  "   Effective priority = 90",
  "   State = idle",
  "   State = UP, RUNNING, no broadcast, loopback, no multicast",
  " VRRP Instance = VI_2",
  "   State = MASTER",
  "   Master priority = 0",
  "   Effective priority = 120",
].join("\n");

const MASTER_DUMP = ["holds=yes", " VRRP Instance = VI_1", "   State = MASTER", "   Master priority = 0", "   Effective priority = 100"].join("\n");

const roles: ElectionRole[] = [
  { name: "node1", address: "10.0.0.11", bestPriority: 100, preempts: true },
  { name: "node2", address: "10.0.0.12", bestPriority: 90, preempts: true },
];

const report = (name: string, holds: boolean, state: string, effectivePriority: number, masterPriority: number): NodeVrrpReport =>
  ({ name, reachable: true, holds, dump: { state, effectivePriority, masterPriority } });

describe("vrrp settle", () => {
  it("reads one instance's own lines from the dump", () => {
    assert.deepEqual(parseVrrpReport("node2", "VI_1", BACKUP_DUMP),
      { name: "node2", reachable: true, holds: false, dump: { state: "BACKUP", effectivePriority: 90, masterPriority: 100 } });
    assert.deepEqual(parseVrrpReport("node2", "VI_2", BACKUP_DUMP).dump, { state: "MASTER", effectivePriority: 120, masterPriority: 0 });
    assert.deepEqual(parseVrrpReport("node1", "VI_1", "holds=yes\n"), { name: "node1", reachable: true, holds: true }, "no keepalived: no dump");
  });

  it("settles at once when the master is the node no backup can preempt and every backup hears it", () => {
    const reports = [parseVrrpReport("node1", "VI_1", MASTER_DUMP), parseVrrpReport("node2", "VI_1", BACKUP_DUMP)];
    assert.deepEqual(settledHolder(roles, reports), { holder: "node1" });
  });

  it("does not settle on a node about to lose the VIP to a preempting higher-priority backup", () => {
    // node2 started first and holds the VIP; node1 (100) is still BACKUP, with its check not yet passing.
    const reports = [report("node1", false, "BACKUP", 70, 90), report("node2", true, "MASTER", 90, 0)];
    assert.match(JSON.stringify(settledHolder(roles, reports)), /node1 may still preempt node2/);
    // Under nopreempt the same picture is final.
    const nopreempt = roles.map((r) => ({ ...r, preempts: false }));
    assert.deepEqual(settledHolder(nopreempt, reports), { holder: "node2" });
  });

  it("waits while a backup has not heard the master's adverts, is not BACKUP, or a node did not answer", () => {
    assert.match(JSON.stringify(settledHolder(roles, [report("node1", true, "MASTER", 100, 0), report("node2", false, "BACKUP", 90, 0)])),
      /does not hear node1's adverts/);
    assert.match(JSON.stringify(settledHolder(roles, [report("node1", true, "MASTER", 100, 0), report("node2", false, "FAULT", 90, 100)])),
      /node2 is FAULT/);
    assert.match(JSON.stringify(settledHolder(roles, [report("node1", true, "MASTER", 100, 0), { name: "node2", reachable: false, holds: false }])),
      /not every node answered/);
    assert.match(JSON.stringify(settledHolder(roles, [report("node1", true, "MASTER", 100, 0), report("node2", true, "MASTER", 90, 0)])),
      /2 nodes hold/);
    assert.match(JSON.stringify(settledHolder(roles, [report("node1", true, "BACKUP", 100, 0), report("node2", false, "BACKUP", 90, 100)])),
      /node1 is not MASTER/);
  });

  it("a holder whose check has just passed counts before its raised priority reaches the backups", () => {
    // A new cluster: node1 won while its web server was still installing (100 - 30); its check now passes.
    assert.deepEqual(settledHolder(roles, [report("node1", true, "MASTER", 100, 0), report("node2", false, "BACKUP", 60, 70)]),
      { holder: "node1" }, "node2 takes priority-70 adverts at 60, so it takes the next one at 100");
    // node2's own check passed first: at 90 it no longer takes node1's priority-70 adverts, and its down timer runs.
    assert.match(JSON.stringify(settledHolder(roles, [report("node1", true, "MASTER", 100, 0), report("node2", false, "BACKUP", 90, 70)])),
      /node2 \(priority 90\) no longer takes the adverts it hears \(priority 70\)/);
    // Under nopreempt a backup takes every advert.
    const nopreempt = roles.map((r) => ({ ...r, preempts: false }));
    assert.deepEqual(settledHolder(nopreempt, [report("node1", true, "MASTER", 100, 0), report("node2", false, "BACKUP", 90, 70)]),
      { holder: "node1" });
    // The holder's priority now still has to beat every backup's best.
    assert.match(JSON.stringify(settledHolder(roles, [report("node1", true, "MASTER", 70, 0), report("node2", false, "BACKUP", 60, 70)])),
      /node2 may still preempt node1/);
  });

  it("at equal priority the higher address wins: settled only when the holder has it", () => {
    const equal: ElectionRole[] = roles.map((r) => ({ ...r, bestPriority: 100 }));
    assert.deepEqual(settledHolder(equal, [report("node1", false, "BACKUP", 100, 100), report("node2", true, "MASTER", 100, 0)]), { holder: "node2" });
    assert.match(JSON.stringify(settledHolder(equal, [report("node1", true, "MASTER", 100, 0), report("node2", false, "BACKUP", 100, 100)])),
      /node2 may still preempt/);
  });

  it("a backup's best priority counts every positive weight it tracks", () => {
    const model = loadClusterModel({
      nodes: [{ name: "a", address: "10.0.0.11", priority: 100 }, { name: "b", address: "10.0.0.12", priority: 90 }],
      vrrp: { interface: "eth0", virtualRouterId: 51, vips: ["10.0.0.100/24"] },
      checks: [{ name: "up", type: "tcp", port: 80, weight: 20 }, { name: "down", type: "tcp", port: 81, weight: -30 }],
    });
    assert.deepEqual(electionRoles(model, model.instances[0]).map((r) => [r.name, r.bestPriority, r.preempts]),
      [["a", 120, true], ["b", 110, true]]);
  });

  it("the holds command, run here, tells an address this machine has from one it has not, and asks no dump", () => {
    const ask = (vip: string) => parseVrrpReport("here", "VI_1", execFileSync("bash", ["-c", vrrpHoldsCommand(vip)], { encoding: "utf8" }));
    assert.deepEqual(ask("127.0.0.1"), { name: "here", reachable: true, holds: true });
    assert.deepEqual(ask("192.0.2.1"), { name: "here", reachable: true, holds: false });
    assert.doesNotMatch(vrrpHoldsCommand("127.0.0.1"), /keepalived/);
  });

  it("the report command asks keepalived for its dump, one dump at a time", () => {
    const command = vrrpReportCommand("10.0.0.100");
    assert.match(command, /holds=/);
    assert.match(command, /flock/);
    assert.match(command, /keepalived --signum=DATA/);
  });
});
