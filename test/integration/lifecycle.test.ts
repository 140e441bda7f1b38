/**
 * Node lifecycle on the lab, on one boot of four hosts: add a node to a running cluster, remove the live VIP
 * holder, remove a dead node (through forget-node), replace a dead node at a new address. Every change is
 * watched every 100 ms: exactly one node holds the VIP and HTTP through it answers, apart from the one
 * handover a removal of the holder makes, whose length is reported. Each case ends with `status` HEALTHY.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseDocument } from "yaml";
import {
  curlVip, lab, labStackConfig, npmRun, npmRunWith, onNode, serviceGaps, ServiceWatch, vipHolders, watchService,
} from "../support/lab";
import { REPO, TestStack } from "../support/pulumi";

interface LabNode { name: string; address: string; priority: number; hostKey: string; os: string }

describe("node lifecycle on the lab", { timeout: 40 * 60_000 }, () => {
  let stack: TestStack;
  let all: LabNode[];

  /** Sets the stack's nodes (keeping the rest of its file, including its encryption salt). */
  const setNodes = (nodes: readonly LabNode[]) => {
    const doc = parseDocument(fs.readFileSync(stack.configFile, "utf8"));
    doc.setIn(["config", "keepalived-ha:nodes"], doc.createNode(nodes.map((n) => ({ ...n }))));
    fs.writeFileSync(stack.configFile, String(doc));
  };
  const lab4 = (name: string) => all.find((n) => n.name === name)!;
  const healthy = () => {
    const status = npmRun("status", "--stack", stack.name);
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /HEALTHY/);
  };
  /** Runs `during` under a service watch of `nodes`; returns the gaps it saw (and prints them). */
  const watched = async (what: string, nodes: readonly string[], during: () => void): Promise<ReturnType<typeof serviceGaps>> => {
    const watch = watchService(nodes);
    let seen: ServiceWatch;
    try {
      await new Promise((r) => setTimeout(r, 1000));
      during();
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      seen = await watch.stop();
    }
    assert.ok(seen.http.length > 20, `too few HTTP probes: ${seen.http.length}`);
    // Kept for a look at what happened (git-ignored): every sample of every node and every probe.
    fs.mkdirSync(path.join(REPO, "out", "lifecycle"), { recursive: true });
    fs.writeFileSync(path.join(REPO, "out", "lifecycle", `${what.replace(/\W+/g, "-")}.json`), JSON.stringify(seen));
    const gaps = serviceGaps(seen);
    console.log(`# ${what}: ${seen.http.length} probes, gaps: ${gaps.map((g) => `${g.ms} ms`).join(", ") || "none"}`);
    return gaps;
  };
  const forget = (node: string) => npmRunWith({ PULUMI_BACKEND_URL: `file://${stack.backendDir}` },
    "forget-node", "--stack", stack.name, node, "--yes");

  before(() => {
    lab("down");
    lab("up", "--nodes", "4");
    const doc = parseDocument(labStackConfig());
    all = (doc.getIn(["config", "keepalived-ha:nodes"]) as { toJSON(): LabNode[] }).toJSON();
    doc.setIn(["config", "keepalived-ha:ssh", "connectTimeout"], 10); // a dead host is given up on after 10 s
    stack = new TestStack("lifecycle", String(doc));
    setNodes(["node1", "node2", "node3"].map(lab4));
    stack.ok(["up", "--yes"]);
    assert.deepEqual(vipHolders(["node1", "node2", "node3"]), ["node1"]);
  });
  after(() => {
    stack?.run(["destroy", "--yes"]);
    stack?.remove();
    lab("down");
  });

  test("add a node: it converges and joins as a backup, the others' files stay, the VIP stays served", async () => {
    setNodes(["node1", "node2", "node3", "node4"].map(lab4));
    let out = "";
    const gaps = await watched("add node4", ["node1", "node2", "node3", "node4"], () => { out = stack.ok(["up", "--yes"]).all; });
    assert.deepEqual(gaps, []);
    assert.match(out, /cluster-node4-keepalived\s+created/);
    assert.doesNotMatch(out, /cluster-node[123]-\S+\s+updated/, "an existing node's step ran again");
    assert.deepEqual(vipHolders(["node1", "node2", "node3", "node4"]), ["node1"]);
    assert.match(onNode("node4", "journalctl -u keepalived -o cat --no-pager | tail -n 20").out, /Entering BACKUP STATE/);
    // Joining a running cluster, its keepalived waited for its web server.
    const [keepalived, web] = onNode("node4", "systemctl show -p ActiveEnterTimestampMonotonic --value keepalived apache2").out
      .split(/\s+/).map(Number); // one block per unit, a blank line between
    assert.ok(keepalived > 0 && web > 0 && web < keepalived, `node4: apache2 active at ${web} µs, keepalived at ${keepalived} µs`);
    healthy();
  });

  test("remove the live VIP holder: its host is given back, the VIP moves once to the next node", async () => {
    setNodes(["node2", "node3", "node4"].map(lab4));
    const gaps = await watched("remove the holder node1", ["node1", "node2", "node3", "node4"], () => stack.ok(["up", "--yes"]));
    assert.ok(gaps.length <= 1, `more than one interruption: ${JSON.stringify(gaps)}`);
    console.log(`# handover when the holder was removed: ${gaps[0]?.ms ?? 0} ms`);
    assert.ok((gaps[0]?.ms ?? 0) <= 5000, `handover took ${gaps[0]?.ms} ms`);
    assert.deepEqual(vipHolders(["node1", "node2", "node3", "node4"]), ["node2"]);
    assert.equal(onNode("node1", "systemctl is-enabled keepalived; systemctl is-active keepalived || true").out, "disabled\ninactive");
    assert.equal(onNode("node1", "ls /etc/keepalived | grep -v '\\.sample$' | wc -l").out, "0", "files left on node1");
    healthy();
  });

  test("a dead node removed: up names forget-node and stops; after forget-node, up converges the rest", async () => {
    lab("stop-node", "node4", "--kill");
    setNodes(["node2", "node3"].map(lab4));
    const gaps = await watched("remove the dead node4", ["node2", "node3"], () => {
      const failed = stack.run(["up", "--yes"]);
      assert.notEqual(failed.code, 0);
      assert.match(failed.all, /cannot reach root@10\.213\.151\.14:22 over SSH/);
      assert.match(failed.all, new RegExp(`npm run forget-node -- --stack ${stack.name} node4`));
      const forgotten = forget("node4");
      assert.equal(forgotten.code, 0, forgotten.out);
      assert.match(forgotten.out, /keepalived stays enabled there with its old configuration \(virtual_router_id 51/);
      stack.ok(["up", "--yes"]);
    });
    assert.deepEqual(gaps, []);
    assert.doesNotMatch(stack.ok(["stack", "--show-urns"]).all, /cluster-node4/);
    assert.deepEqual(vipHolders(["node2", "node3"]), ["node2"]);
    healthy();
  });

  test("a dead node replaced at a new address: after forget-node, up converges the new host as that node", async () => {
    lab("stop-node", "node3", "--kill");
    // node3 comes back on the machine node1 was (given back above): another address and host key.
    const moved = { ...lab4("node3"), address: lab4("node1").address, hostKey: lab4("node1").hostKey };
    setNodes([lab4("node2"), moved]);
    const gaps = await watched("replace the dead node3", ["node2", "node1"], () => {
      const failed = stack.run(["up", "--yes"]);
      assert.notEqual(failed.code, 0);
      assert.match(failed.all, new RegExp(`npm run forget-node -- --stack ${stack.name} node3`));
      assert.equal(forget("node3").code, 0);
      stack.ok(["up", "--yes"]);
    });
    assert.deepEqual(gaps, []);
    assert.deepEqual(vipHolders(["node2", "node1"]), ["node2"]);
    // The machine named node1 in the lab now serves as node3.
    assert.equal(onNode("node1", "systemctl is-active keepalived apache2 | sort -u").out, "active");
    assert.match(onNode("node1", "cat /var/www/html/index.html").out, /node3/);
    assert.equal(curlVip().code, 0);
    healthy();
  });
});
