/**
 * The bad-input catalogue against the REAL engine: for every file in test/bad-inputs/ a `pulumi preview` (the
 * pinned toolchain, a throwaway file backend per case, at most 2 at a time) must exit non-zero with the case's
 * expected messages, plan no resource, and make zero connections to any node.
 *
 * How "zero connections" is proven, without changing what a case is about:
 * 1. Counting listeners. The test opens TCP listeners on 127.0.0.1, 127.0.0.2, ... sharing one port P and
 *    counting every accepted connection. The engine copy of each case (scripts/bad-inputs-table.ts
 *    `engineCopy`) maps each distinct valid node address to its own loopback address and replaces the same
 *    literal wherever else it occurs (VIPs `ADDR/prefix`, unicast peers), so duplicate addresses stay
 *    duplicate, a VIP equal to a node address stays equal, and peers stay the node addresses. Every node's SSH
 *    `port` becomes P unless the port itself is the invalid part. Whatever the program would dial for a node
 *    lands on a listener; after all cases the listeners must have accepted 0 connections.
 * 2. Addresses that are the subject of their case (e.g. `192.168.0.128/24`) are left as they are: they are not
 *    IPv4 addresses and cannot be dialled. Files that are not YAML are left as they are: the engine stops
 *    reading the stack file before the program runs.
 * 3. Every `connect()` of the engine, the language host and the providers is recorded with strace (when
 *    strace can run here): the only IP connections allowed are the engine's own gRPC to 127.0.0.1 on ports
 *    other than P. This also covers addresses the listeners cannot see (2.) and DNS lookups.
 * Expected messages: each `# expect:` regex, or the case's `# engine-expect:` regexes where present (the
 * program does not see stack-file problems such as a misspelt namespace, and the engine reports broken YAML
 * itself).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  BadInputCase, ConnectionCounter, engineCopy, hostsNeeded, loadCases, openConnectionCounter, PreviewResult,
  runPreviews, straceMode, TraceMode,
} from "../../scripts/bad-inputs-table";

const cases = loadCases();
/** How connect() calls are recorded (decided up front so the strace test can be skipped when it cannot run). */
const trace: TraceMode = straceMode();

/** Node addresses written as `address: a.b.c.d` in a case (valid dotted quads only). */
function nodeAddresses(text: string): string[] {
  return [...text.matchAll(/address:\s*"?(\d{1,3}(?:\.\d{1,3}){3})"?\s*[,}\n]/g)].map((m) => m[1]);
}

describe("bad inputs: pulumi preview refuses every case and dials nobody", () => {
  let counter: ConnectionCounter;
  const results = new Map<string, PreviewResult>();

  before(async () => {
    counter = await openConnectionCounter(hostsNeeded(cases));
    const started = Date.now();
    const done = await runPreviews(`bad-${process.pid}`, cases.map((c) => engineCopy(c.text, counter.port).text), 2, trace);
    cases.forEach((c, i) => results.set(c.file, done[i]));
    const mean = done.reduce((n, r) => n + r.ms, 0) / done.length / 1000;
    process.stderr.write(`bad inputs: ${cases.length} previews in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${mean.toFixed(1)} s each, 2 at a time), ` +
      `strace ${trace ? trace.join(" ") : "not available"}\n`);
  });

  after(async () => {
    await counter?.close();
  });

  test("the engine copies point every node at the listeners", () => {
    for (const c of cases) {
      const copy = engineCopy(c.text, counter.port);
      if (copy.text === c.text) continue; // not YAML: never reaches the program
      for (const address of nodeAddresses(c.text)) {
        if (Number(address.split(".").pop()) > 255 || address.split(".").some((o) => Number(o) > 255)) continue;
        assert.ok(copy.addresses.has(address), `${c.file}: node address ${address} not mapped`);
        assert.ok(!copy.text.includes(`address: ${address}`), `${c.file}: node address ${address} left in place`);
      }
    }
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

  test("the listeners accepted zero connections over all cases", () => {
    assert.deepEqual(counter.accepted, []);
  });

  test("strace saw the engine's own gRPC connections (so it was really recording)", { skip: trace === undefined && "strace cannot run here" }, () => {
    const grpc = [...results.values()].reduce((n, r) => n + r.connects.length, 0);
    assert.ok(grpc > 0, "no connect() recorded at all");
  });

  function assertNoNodeConnects(c: BadInputCase, r: PreviewResult): void {
    if (!trace) return;
    const bad = r.connects.filter((x) => x.address !== "127.0.0.1" || x.port === counter.port);
    assert.deepEqual(bad.map((x) => x.line), [], `${c.file}: connect() to something other than the engine's gRPC`);
  }
});
