import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Deployment, forgetNode, nodesInState, StateResource } from "../../scripts/lib/forget-node";

const P = "urn:pulumi:lab::keepalived-ha::";
const STACK = `${P}pulumi:pulumi:Stack::keepalived-ha-lab`;
const CLUSTER = `${P}keepalived-ha:index:HaWebCluster::cluster`;
const node = (n: string) => `${P}keepalived-ha:index:HaWebCluster$keepalived-ha:index:ClusterNode::cluster-${n}`;
const step = (n: string, s: string) =>
  `${P}keepalived-ha:index:HaWebCluster$keepalived-ha:index:ClusterNode$pulumi-nodejs:dynamic:Resource::cluster-${n}-${s}`;
const HOLDER = `${P}keepalived-ha:index:HaWebCluster$pulumi-nodejs:dynamic:Resource::cluster-vip-holder`;

/** A state like the lab's: three nodes (node1 and node11 to catch prefix matches), a holder depending on all. */
function deployment(): Deployment {
  const resources: StateResource[] = [
    { urn: STACK, type: "pulumi:pulumi:Stack" },
    { urn: CLUSTER, type: "keepalived-ha:index:HaWebCluster", parent: STACK },
  ];
  for (const n of ["node1", "node11", "node3"]) {
    resources.push({ urn: node(n), type: "keepalived-ha:index:ClusterNode", parent: CLUSTER });
    resources.push({ urn: step(n, "identify"), type: "pulumi-nodejs:dynamic:Resource", parent: node(n) });
    resources.push({ urn: step(n, "keepalived"), type: "pulumi-nodejs:dynamic:Resource", parent: node(n),
      dependencies: [step(n, "identify"), ...(n === "node1" ? [step("node3", "keepalived")] : [])],
      propertyDependencies: { connection: [step(n, "identify")] } });
    resources.push({ urn: step(n, "services"), type: "pulumi-nodejs:dynamic:Resource", parent: node(n),
      dependencies: [step(n, "keepalived")], deletedWith: node(n) });
  }
  resources.push({ urn: HOLDER, type: "pulumi-nodejs:dynamic:Resource", parent: CLUSTER,
    dependencies: ["node1", "node11", "node3"].map((n) => step(n, "services")),
    propertyDependencies: { nodes: ["node1", "node11", "node3"].map((n) => step(n, "services")) } });
  return { manifest: {}, resources, pending_operations: [{ resource: resources[resources.length - 2], type: "deleting" }] };
}

describe("forget-node state surgery", () => {
  test("lists the nodes of the state by their component names", () => {
    assert.deepEqual(nodesInState(deployment()), ["node1", "node11", "node3"]);
  });

  test("removes the node and everything below it, and nothing else", () => {
    const { deployment: after, removed } = forgetNode(deployment(), "node3");
    assert.deepEqual(removed, [node("node3"), step("node3", "identify"), step("node3", "keepalived"), step("node3", "services")]);
    assert.deepEqual(nodesInState(after), ["node1", "node11"]);
    assert.equal(after.resources!.length, deployment().resources!.length - 4);
  });

  test("other resources keep no reference to what was removed, so import accepts the state", () => {
    const { deployment: after } = forgetNode(deployment(), "node3");
    const urns = new Set(after.resources!.map((r) => r.urn));
    for (const r of after.resources!) {
      for (const d of [...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()]) {
        assert.ok(urns.has(d), `${r.urn} still depends on ${d}`);
      }
      if (r.parent !== undefined) assert.ok(urns.has(r.parent), `${r.urn} has a removed parent`);
      if (r.deletedWith !== undefined) assert.ok(urns.has(r.deletedWith), `${r.urn} deletedWith a removed resource`);
    }
    const holder = after.resources!.find((r) => r.urn === HOLDER)!;
    assert.deepEqual(holder.dependencies, [step("node1", "services"), step("node11", "services")]);
    assert.deepEqual(after.pending_operations, []);
  });

  test("node1 is not node11: names match whole", () => {
    const { removed } = forgetNode(deployment(), "node1");
    assert.ok(removed.every((u) => !u.includes("node11")), removed.join("\n"));
    assert.equal(removed.length, 4);
  });

  test("an unknown node is refused, naming the ones there are", () => {
    assert.throws(() => forgetNode(deployment(), "node9"), /has no node "node9"; it has node1, node11, node3/);
  });
});
