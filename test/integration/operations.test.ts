/**
 * Operations on a converged lab cluster: `status` verdicts and exit codes, every drill scenario moving the
 * VIP with HTTP recovering through it, and a partition reported as split brain until `heal`.
 * Generous time-outs: these tests assert behaviour; `npm run bench` measures the timings.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { curlVip, lab, labStackConfig, npmRun, vipHolders, waitUntil } from "../support/lab";
import { REPO, TestStack } from "../support/pulumi";

const NODES = ["node1", "node2"];

describe("status and drills on the lab", { timeout: 40 * 60_000 }, () => {
  let stack: TestStack;
  const outDir = fs.mkdtempSync(path.join(REPO, ".cache-drill-"));

  before(() => {
    lab("down");
    lab("up", "--nodes", "2");
    stack = new TestStack("ops", labStackConfig());
    stack.ok(["up", "--yes"]);
  });
  after(() => {
    spawnSync("bash", ["scripts/lab.sh", "heal"], { cwd: REPO });
    stack?.run(["destroy", "--yes"]);
    stack?.remove();
    fs.rmSync(outDir, { recursive: true, force: true });
    lab("down");
  });

  test("status reports a healthy cluster with exit 0, as a table and as JSON", () => {
    const table = npmRun("status", "--stack", stack.name);
    assert.equal(table.code, 0, table.out);
    assert.match(table.out, /verdict: HEALTHY/);
    const json = npmRun("status", "--stack", stack.name, "--json");
    const status = JSON.parse(json.out);
    assert.equal(status.verdict, "healthy");
    assert.equal(status.holders.length, 1);
    assert.equal(status.nodes.length, 2);
  });

  for (const scenario of ["httpd-stop", "keepalived-stop", "node-crash", "partition"]) {
    test(`drill ${scenario}: the VIP moves and HTTP recovers through it`, async () => {
      const before_ = vipHolders(NODES);
      assert.equal(before_.length, 1);
      const r = npmRun("drill", "--stack", stack.name, "--scenario", scenario, "--out", outDir);
      assert.equal(r.code, 0, r.out);
      const result = JSON.parse(fs.readFileSync(path.join(outDir, `${stack.name}-${scenario}-run1.json`), "utf8"));
      assert.equal(result.metrics.oldMaster, before_[0]);
      assert.ok(result.metrics.newMaster && result.metrics.newMaster !== before_[0], `new master: ${result.metrics.newMaster}`);
      assert.ok(result.metrics.outageMs > 0, "an outage was measured");
      assert.ok(fs.readFileSync(path.join(outDir, `${stack.name}-${scenario}-run1.svg`), "utf8").includes("<svg"));
      // After the restore the cluster settles on one holder again and serves through the VIP.
      await waitUntil("one VIP holder after the drill", () => vipHolders(NODES).length === 1, 90_000);
      await waitUntil("HTTP through the VIP", () => curlVip().code === 0, 30_000);
    });
  }

  test("a partition is reported as split brain (exit 2) and heal returns to one holder", async () => {
    lab("partition");
    try {
      await waitUntil("both nodes to claim the VIP", () => vipHolders(NODES).length === 2, 30_000);
      const r = npmRun("status", "--stack", stack.name);
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /split brain: node1 and node2/);
    } finally {
      lab("heal");
    }
    await waitUntil("one holder after heal", () => vipHolders(NODES).length === 1, 30_000);
    // The surviving master re-announces the VIP (gratuitous ARP) when it hears the other's lower-priority
    // advert; give the host's neighbour cache that moment.
    await waitUntil("status healthy after heal", () => npmRun("status", "--stack", stack.name).code === 0, 30_000);
  });
});
