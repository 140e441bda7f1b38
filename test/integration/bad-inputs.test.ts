/**
 * The bad-input catalogue against the REAL engine: for every file in test/bad-inputs/ a `pulumi preview` (the
 * pinned toolchain, a throwaway file backend per case, at most 2 at a time) must exit non-zero with the case's
 * expected messages, plan no resource, and make zero connections to any node.
 *
 * How "zero connections" is proven: each preview runs on the case's own text, in a private network namespace
 * (`unshare --net`) with only loopback up, so no packet can leave the machine whatever the program tried; and
 * every `connect()` of the engine, the language host and the providers is recorded with strace: the only IP
 * connections allowed are the engine's own gRPC to 127.0.0.1. DNS lookups would show as connects too.
 * Expected messages: each `# expect:` regex, or the case's `# engine-expect:` regexes where present (the
 * program does not see stack-file problems such as a misspelt namespace, and the engine reports broken YAML
 * itself).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { BadInputCase, loadCases, PreviewResult, runPreviews, straceMode, TraceMode } from "../../scripts/bad-inputs-table";

const cases = loadCases();
/** How connect() calls are recorded (decided up front so the strace test can be skipped when it cannot run). */
const trace: TraceMode = straceMode();

describe("bad inputs: pulumi preview refuses every case and dials nobody", () => {
  const results = new Map<string, PreviewResult>();

  before(async () => {
    const started = Date.now();
    const done = await runPreviews(`bad-${process.pid}`, cases.map((c) => c.text), 2, trace);
    cases.forEach((c, i) => results.set(c.file, done[i]));
    const mean = done.reduce((n, r) => n + r.ms, 0) / done.length / 1000;
    process.stderr.write(`bad inputs: ${cases.length} previews in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${mean.toFixed(1)} s each, 2 at a time), ` +
      `strace ${trace ? trace.join(" ") : "not available"}\n`);
  });

  for (const c of cases) {
    test(c.file, () => {
      const r = results.get(c.file)!;
      assert.notEqual(r.code, 0, `preview succeeded:\n${r.output.slice(-3000)}`);
      const expected: readonly RegExp[] = c.engineExpect.length > 0 ? c.engineExpect : c.expect;
      for (const e of expected) assert.match(r.output, e, r.output.slice(-3000));
      assert.doesNotMatch(r.output, /RemoteCommand|ClusterNode|HaWebCluster/, "a resource was planned");
      assertNoNodeConnects(c, r);
    });
  }

  test("strace saw the engine's own gRPC connections (so it was really recording)", { skip: trace === undefined && "strace cannot run here" }, () => {
    const grpc = [...results.values()].reduce((n, r) => n + r.connects.length, 0);
    assert.ok(grpc > 0, "no connect() recorded at all");
  });

  function assertNoNodeConnects(c: BadInputCase, r: PreviewResult): void {
    if (!trace) return;
    const bad = r.connects.filter((x) => x.address !== "127.0.0.1");
    assert.deepEqual(bad.map((x) => x.line), [], `${c.file}: connect() to something other than the engine's gRPC`);
  }
});
