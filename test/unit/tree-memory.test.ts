import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runMeasured } from "../../scripts/lib/tree-memory";

const idleNode = (ms: number) => `node -e "setTimeout(() => {}, ${ms})"`;

describe("process-tree memory", () => {
  it("sums a child and a grandchild next to the shell and keeps the largest apart", async () => {
    // bash -> node (child) and bash -> bash -> node (grandchild: `; true` keeps the inner bash from exec-ing node).
    const script = `bash -c '${idleNode(800)}; true' & ${idleNode(800)}; wait; echo done`;
    const r = await runMeasured("bash", ["-c", script]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "done\n");
    assert.ok(r.peakProcesses >= 4, `bash, bash, node, node: saw ${r.peakProcesses}`);
    assert.ok(r.peakLargestMiB > 10, `a node process is tens of MiB, got ${r.peakLargestMiB}`);
    // Two node processes of about the same size: the sum is near twice the largest, not just the largest.
    assert.ok(r.peakTreeMiB > 1.6 * r.peakLargestMiB, `tree ${r.peakTreeMiB} vs largest ${r.peakLargestMiB}`);
    assert.ok(r.seconds >= 0.8 && r.seconds < 30, `wall ${r.seconds}`);
  });

  it("returns a failing command's exit code and output instead of throwing", async () => {
    const r = await runMeasured("bash", ["-c", "echo out; echo err >&2; exit 3"]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [3, "out\n", "err\n"]);
  });

  it("times the exit, not a background descendant that keeps the output pipe open", async () => {
    const t0 = performance.now();
    const r = await runMeasured("bash", ["-c", "sleep 4 & echo hi"]);
    assert.equal(r.stdout, "hi\n");
    assert.ok(r.seconds < 1, `wall ${r.seconds}`);
    assert.ok(performance.now() - t0 < 3500, "resolved after the drain time-out, before sleep ended");
  });

  it("rejects a command that cannot start", async () => {
    await assert.rejects(runMeasured("/nonexistent/command", []), /ENOENT/);
  });
});
