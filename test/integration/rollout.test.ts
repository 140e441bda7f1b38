/**
 * `npm run rollout` on one boot of four lab hosts: two stacks on one backend over disjoint host pairs, each with
 * its own VIP and router id. A rollout of both converges both; one whose first stack is invalid (the seed's
 * weight trap) stops there, one whose first stack fails its health gate (its site answers 403) stops the same
 * way, and so does one whose first stack's `up` finds a split brain (VRRP blocked between its hosts); each time
 * the second stack's update history stays as it was.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseDocument } from "yaml";
import { curlVip, lab, labStackConfig, npmRunWith, onNode, vipHolders } from "../support/lab";
import { TestStack } from "../support/pulumi";

describe("rollout across two stacks on the lab", { timeout: 40 * 60_000 }, () => {
  const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-state-rollout-"));
  const env = { PULUMI_BACKEND_URL: `file://${backendDir}` };
  let first: TestStack;
  let second: TestStack;

  /** The lab's stack config with only `nodes`, and its own VIP and router id. */
  const stackConfig = (nodes: string[], vip: string, routerId: number) => {
    const doc = parseDocument(labStackConfig());
    const all = (doc.getIn(["config", "keepalived-ha:nodes"]) as { toJSON(): { name: string }[] }).toJSON();
    doc.setIn(["config", "keepalived-ha:nodes"], doc.createNode(all.filter((n) => nodes.includes(n.name))));
    doc.setIn(["config", "keepalived-ha:vrrp", "vips"], doc.createNode([`${vip}/24`]));
    doc.setIn(["config", "keepalived-ha:vrrp", "virtualRouterId"], routerId);
    return String(doc);
  };
  const rollout = (...args: string[]) => npmRunWith(env, "rollout", "--stacks", `${first.name},${second.name}`, ...args);
  const history = (stack: TestStack) => JSON.parse(stack.ok(["stack", "history", "--json"]).stdout).length as number;

  before(() => {
    lab("down");
    lab("up", "--nodes", "4");
    first = new TestStack("rollout-a", stackConfig(["node1", "node2"], "10.213.151.100", 51), backendDir);
    second = new TestStack("rollout-b", stackConfig(["node3", "node4"], "10.213.151.101", 52), backendDir);
  });
  after(() => {
    lab("heal");
    for (const s of [first, second]) s?.run(["destroy", "--yes"]);
    second?.remove();
    first?.remove();
    lab("down");
  });

  test("a rollout of both stacks converges both, in order, and both VIPs serve", () => {
    const r = rollout("--yes");
    assert.equal(r.code, 0, r.out.slice(-4000));
    const order = [...r.out.matchAll(/rollout: \[[ \d.]+ s\] (\S+): up$/gm)].map((m) => m[1]);
    assert.deepEqual(order, [first.name, second.name]);
    assert.match(r.out, new RegExp(`${first.name}\\s+\\d+ create\\s+[\\d.]+ s\\s+done\\s+HEALTHY`));
    assert.match(r.out, new RegExp(`${second.name}\\s+\\d+ create\\s+[\\d.]+ s\\s+done\\s+HEALTHY`));
    assert.deepEqual(vipHolders(["node1", "node2"], "10.213.151.100"), ["node1"]);
    assert.deepEqual(vipHolders(["node3", "node4"], "10.213.151.101"), ["node3"]);
    assert.equal(curlVip("10.213.151.100").body, "<h1> hello from node1 </h1>");
    assert.equal(curlVip("10.213.151.101").body, "<h1> hello from node3 </h1>");
  });

  test("--preview-only previews both and changes nothing; --json says the same for machines", () => {
    const before = [history(first), history(second)];
    const r = rollout("--preview-only", "--json");
    assert.equal(r.code, 0, r.out.slice(-4000));
    // stdout (the JSON) comes first in the output, the progress lines of stderr after it.
    const summary = JSON.parse(r.out.slice(r.out.indexOf("{"), r.out.indexOf("\n}") + 2));
    assert.deepEqual(summary.stacks.map((s: { result: string; changes: string }) => [s.result, s.changes]),
      [["previewed", "no changes"], ["previewed", "no changes"]]);
    assert.deepEqual([history(first), history(second)], before);
  });

  test("an invalid first stack (the seed's weight trap) stops the rollout; the second is not touched", () => {
    const good = fs.readFileSync(first.configFile, "utf8");
    const historyBefore = history(second);
    fs.writeFileSync(first.configFile, good.replace("weight: -30", "weight: 5"));
    try {
      const r = rollout("--yes");
      assert.equal(r.code, 1, r.out.slice(-4000));
      assert.match(r.out, new RegExp(`stopped at stack ${first.name} \\(preview failed\\): .*checks\\[0\\]\\.weight`));
      assert.match(r.out, new RegExp(`${second.name}\\s+-\\s+0\\.0 s\\s+skipped`));
      assert.doesNotMatch(r.out, new RegExp(`${second.name}: preview`));
      assert.equal(history(second), historyBefore);
    } finally {
      fs.writeFileSync(first.configFile, good);
    }
  });

  test("a first stack failing its health gate (its site answers 403) stops the rollout; the second is not touched", () => {
    const historyBefore = history(second);
    // Nothing a step owns changes, so up has nothing to do; HTTP through the VIP fails, which only the gate sees.
    for (const n of ["node1", "node2"]) onNode(n, "chmod 000 /var/www/html");
    try {
      const r = rollout("--yes", "--healthy-within", "10");
      assert.equal(r.code, 1, r.out.slice(-4000));
      assert.match(r.out, new RegExp(`stopped at stack ${first.name} \\(gate failed\\): status gate: BROKEN after 10 s: ` +
        `HTTP through the VIP failed: 403`));
      assert.doesNotMatch(r.out, new RegExp(`${second.name}: preview`));
      assert.equal(history(second), historyBefore);
    } finally {
      for (const n of ["node1", "node2"]) onNode(n, "chmod 755 /var/www/html");
    }
  });

  test("VRRP blocked between the first stack's hosts: its up sees the split brain, the rollout stops there", () => {
    const historyBefore = history(second);
    lab("partition", "node1"); // node1 and node2 no longer hear each other: both hold 10.213.151.100
    try {
      const r = rollout("--yes");
      assert.equal(r.code, 1, r.out.slice(-4000));
      assert.match(r.out, new RegExp(`stopped at stack ${first.name} \\(up failed\\): .*split brain: node\\d and node\\d all hold the VIP`));
      assert.equal(history(second), historyBefore);
    } finally {
      lab("heal");
    }
  });
});
