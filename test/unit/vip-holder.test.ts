/**
 * The VIP probe (components/providers/vip-holder.ts) against a local SSH server (ssh2's own, on 127.0.0.1) that
 * plays two nodes of one instance: node a takes the VIP after a few rounds, node b stays BACKUP. The probe only
 * asks who holds the VIP until one node does, and asks for keepalived's data dump (which keepalived logs) then.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { ProbedNode, vipHolderProvider } from "../../components/providers/vip-holder";
import { ElectionRole } from "../../core/vrrp-settle";
import { LocalSshServer, localSshServer, sshKeyPair } from "./fixtures";

const clientKey = sshKeyPair("ed25519");

/** Node a holds the VIP once it has been asked this many times (either question). */
const A_TAKES_OVER_AT = 4;

describe("the VIP probe", () => {
  let server: LocalSshServer;

  const aHolds = () => server.commands.filter((c) => c.endsWith(" a")).length >= A_TAKES_OVER_AT;
  const dump = (state: string, own: number) =>
    `VRRP Instance = VI_1\n State = ${state}\n Effective priority = ${own}\n Master priority = ${aHolds() ? 100 : 0}\n`;
  const answer = (command: string): string => {
    const holds = command.endsWith(" a") && aHolds() ? "yes" : "no";
    if (command.startsWith("holds")) return `holds=${holds}\n`;
    return `holds=${holds}\n${command.endsWith(" a") ? dump(aHolds() ? "MASTER" : "BACKUP", 100) : dump("BACKUP", 90)}`;
  };

  before(async () => {
    server = await localSshServer((command) => ({ stdout: answer(command) }));
  });

  beforeEach(() => {
    server.commands.length = 0;
  });

  after(() => server.close());

  const node = (name: string, cheap: boolean): ProbedNode => ({
    name,
    connection: { host: "127.0.0.1", port: server.port, user: "root", privateKey: clientKey.private },
    reportCommand: `report ${name}`,
    ...(cheap ? { holdsCommand: `holds ${name}` } : {}),
  });
  const roles: ElectionRole[] = [
    { name: "a", address: "10.0.0.11", bestPriority: 100, preempts: true },
    { name: "b", address: "10.0.0.12", bestPriority: 90, preempts: true },
  ];
  const probe = (cheap: boolean) => vipHolderProvider.create({
    nodes: [node("a", cheap), node("b", cheap)], vip: "10.0.0.100", instanceName: "VI_1", roles,
    settleSeconds: 20, stableSeconds: 10, triggers: [],
  });

  it("asks only who holds the VIP until a node does, then for one dump per node, and names the master", async () => {
    const result = await probe(true);
    assert.equal(result.outs.holder, "a");
    const reports = server.commands.filter((c) => c.startsWith("report"));
    assert.deepEqual(reports.sort(), ["report a", "report b"]);
    // Every question before the dumps was the cheap one, on both nodes, round after round.
    const firstReport = server.commands.findIndex((c) => c.startsWith("report"));
    assert.ok(server.commands.slice(0, firstReport).every((c) => c.startsWith("holds")));
    assert.ok(server.commands.slice(0, firstReport).filter((c) => c === "holds b").length >= A_TAKES_OVER_AT - 1);
  });

  it("a state from before the cheap question asks for the dump every round, with the same answer", async () => {
    const result = await probe(false);
    assert.equal(result.outs.holder, "a");
    assert.ok(server.commands.length > 0 && server.commands.every((c) => c.startsWith("report")));
  });
});
