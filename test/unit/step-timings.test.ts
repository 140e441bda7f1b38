import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { durationsByKind, overlap, stepTimings } from "../../scripts/lib/step-timings";

const urn = (name: string) => `urn:pulumi:test::keepalived-ha::keepalived-ha:index:HaWebCluster$keepalived-ha:index:ClusterNode$pulumi-nodejs:dynamic:Resource::${name}`;
const pre = (t: number, name: string, op = "create") => JSON.stringify({ timestamp: t, resourcePreEvent: { metadata: { urn: urn(name), op } } });
const out = (t: number, name: string) => JSON.stringify({ timestamp: t, resOutputsEvent: { metadata: { urn: urn(name) } } });
const failed = (t: number, name: string) => JSON.stringify({ timestamp: t, resOpFailedEvent: { metadata: { urn: urn(name) } } });

describe("step timings from the engine's event log", () => {
  const log = [
    JSON.stringify({ timestamp: 100, preludeEvent: {} }),
    pre(100, "cluster-node1-packages"), pre(101, "cluster-node2-packages"),
    "not json",
    out(110, "cluster-node1-packages"), out(113, "cluster-node2-packages"),
    pre(113, "cluster-node1-keepalived"), failed(115, "cluster-node1-keepalived"),
    pre(115, "cluster-node2-site", "same"), out(115, "cluster-node2-site"),
  ].join("\n");

  it("pairs each working operation's start with its end, failures included, and skips same-steps", () => {
    assert.deepEqual(stepTimings(log).map((t) => [t.name, t.end - t.start]),
      [["cluster-node1-packages", 10], ["cluster-node2-packages", 12], ["cluster-node1-keepalived", 2]]);
  });
  it("summarizes by step kind", () => {
    assert.deepEqual(durationsByKind(stepTimings(log), ["packages", "keepalived", "site"]), {
      packages: { count: 2, mean: 11, max: 12 }, keepalived: { count: 1, mean: 2, max: 2 }, site: { count: 0, mean: 0, max: 0 },
    });
  });
  it("overlap is busy time over the span", () => {
    assert.equal(overlap(stepTimings(log)), (10 + 12 + 2) / 15);
    assert.equal(overlap([]), 0);
  });
});
