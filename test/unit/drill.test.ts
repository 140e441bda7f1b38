import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeDrill, percentile, ProbeSample, renderTimelineSvg } from "../../core/drill";

/** Probes every 50 ms from `from` to `to` answered by `node` (undefined = failed). */
const span = (from: number, to: number, node?: string): ProbeSample[] => {
  const out: ProbeSample[] = [];
  for (let t = from; t < to; t += 50) out.push(node ? { t, node } : { t, error: "ECONNREFUSED" });
  return out;
};

describe("drill analysis", () => {
  test("a clean failover and failback", () => {
    const samples = [...span(0, 1200, "n1"), ...span(1200, 2000), ...span(2000, 5000, "n2"), ...span(5000, 6000, "n2"), ...span(6000, 7000, "n1")];
    const m = analyzeDrill(samples, { faultAt: 1000, restoreAt: 5000 }, "n1");
    assert.equal(m.newMaster, "n2");
    assert.equal(m.vipMovedMs, 1000);
    assert.equal(m.outageMs, 2000 - 1150);
    assert.equal(m.failedRequests, 16);
    assert.equal(m.failedAfterNewMaster, 0);
    assert.equal(m.failbackMs, 1000);
    assert.equal(m.failedAfterRestore, 0);
    assert.equal(m.probes, samples.length);
  });
  test("requests lost after the new master answered are counted", () => {
    const samples = [...span(0, 1000, "n1"), ...span(1000, 1500, "n2"), ...span(1500, 1600), ...span(1600, 3000, "n2")];
    const m = analyzeDrill(samples, { faultAt: 1000 }, "n1");
    assert.equal(m.failedAfterNewMaster, 2);
    assert.equal(m.failbackMs, undefined);
  });
  test("split brain: old-master answers after the new master's first do not make the outage negative", () => {
    const samples = [...span(0, 1000, "n1"), ...span(1000, 1100), ...span(1100, 2000, "n2"), ...span(2000, 2500, "n1"), ...span(2500, 4000, "n2")];
    const m = analyzeDrill(samples, { faultAt: 1000 }, "n1");
    assert.equal(m.outageMs, 1100 - 950);
  });
  test("no failover at all", () => {
    const m = analyzeDrill([...span(0, 1000, "n1"), ...span(1000, 4000)], { faultAt: 1000, restoreAt: 3000 }, "n1");
    assert.equal(m.newMaster, undefined);
    assert.equal(m.vipMovedMs, undefined);
    assert.equal(m.outageMs, undefined);
  });
  test("percentiles by nearest rank", () => {
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
    assert.equal(percentile([], 50), undefined);
  });
  test("the SVG has a lane per node, a dot per probe and the fault mark", () => {
    const samples = [...span(0, 500, "n1"), ...span(500, 700), ...span(700, 1000, "n2")];
    const svg = renderTimelineSvg(samples, { faultAt: 500, restoreAt: 900 }, ["n1", "n2"], "t <1>");
    assert.equal((svg.match(/<circle /g) ?? []).length, samples.length);
    assert.match(svg, />n1</);
    assert.match(svg, />failed</);
    assert.match(svg, />fault</);
    assert.match(svg, />restore</);
    assert.match(svg, /t &lt;1&gt;/);
  });
});
