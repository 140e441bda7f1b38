/**
 * HaWebCluster's two-stage validation of its typed args: what is known is validated at once (every problem,
 * the stack config's messages), what comes from another resource once it resolves, with every rule.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { HaWebClusterArgs } from "../../components";
import { argsView, completeModel, validateClusterArgs } from "../../components/cluster-args";

/** A later value, as another resource's output would be. */
const later = <T>(value: T) => pulumi.output(new Promise<T>((resolve) => setTimeout(() => resolve(value), 5)));
/** What an Output resolves to, or its error. */
const settle = (o: pulumi.Output<unknown>) => (o as unknown as { promise(): Promise<unknown> }).promise();

function args(nodes: HaWebClusterArgs["nodes"], extra: Partial<HaWebClusterArgs> = {}): HaWebClusterArgs {
  return {
    nodes,
    vrrp: { interface: "eth0", virtualRouterId: 51, vips: ["10.0.0.100/24"] },
    checks: [{ name: "chk_web", type: "tcp", port: 80, weight: -30 }],
    sshPrivateKey: pulumi.secret("not a key"),
    ...extra,
  };
}

describe("typed args, validated in two stages", () => {
  before(async () => {
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, "keepalived-ha", "unit", false);
  });

  test("addresses from another resource: left for later, not 'required'; the shape has the names and the rolling order", async () => {
    const { shape, model } = validateClusterArgs(args([
      { name: "web1", address: later("10.0.0.11"), priority: 100 },
      { name: "web2", address: later("10.0.0.12"), priority: 90, hostKey: later("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7X8eIa9CtXOIfJ9h4seitgo1yQ2wq6n3nSYzy+3V/q") },
    ]));
    assert.deepEqual(shape.nodes.map((n) => n.name), ["web1", "web2"]);
    const m = await settle(model) as { nodes: { address: string; hostKey?: string }[] };
    assert.deepEqual(m.nodes.map((n) => n.address), ["10.0.0.11", "10.0.0.12"]);
    assert.match(m.nodes[1].hostKey!, /^ssh-ed25519 /);
  });

  test("what is known is refused at once, every problem together, with the stack config's messages", () => {
    assert.throws(() => validateClusterArgs(args([
      { name: "web1", address: later("10.0.0.11"), priority: 100 },
      { name: "web2", address: later("10.0.0.12"), priority: 300 },
    ], { checks: [{ name: "chk_web", type: "tcp", port: 80, weight: 10 }] })), (err: Error) => {
      assert.match(err.message, /nodes\[1\]\.priority: 300 is out of range/);
      assert.doesNotMatch(err.message, /nodes\[\d\]\.address/, "a later address is not 'required'");
      return true;
    });
  });

  // Stage two on its own (in a program, the model Output then fails and no step runs).
  test("a rule that needs the later values refuses when they resolve: a VIP outside the nodes' subnet", () => {
    const view = argsView(args([
      { name: "web1", address: later("192.168.7.11"), priority: 100 },
      { name: "web2", address: later("192.168.7.12"), priority: 90 },
    ]));
    assert.deepEqual(view.deferred.map((d) => d.key), ["nodes[0].address", "nodes[1].address"]);
    assert.throws(() => completeModel(view, ["192.168.7.11", "192.168.7.12"]),
      /vrrp\.vips\[0\]: "10\.0\.0\.100\/24" is outside the subnet of nodes\[0\] 192\.168\.7\.11, nodes\[1\] 192\.168\.7\.12/);
    assert.throws(() => completeModel(view, ["10.0.0.11", "10.0.0.11"]), /nodes\[1\]\.address: "10\.0\.0\.11" is already used by nodes\[0\]/);
  });

  test("a password from a secret: checked when it resolves, kept out of the model", async () => {
    const nodes = [{ name: "web1", address: "10.0.0.11", priority: 100 }, { name: "web2", address: "10.0.0.12", priority: 90 }];
    const view = argsView(args(nodes, { vrrp: { interface: "eth0", virtualRouterId: 51, vips: ["10.0.0.100/24"], authPass: pulumi.secret("x") } }));
    assert.deepEqual(view.deferred.map((d) => d.key), ["vrrp.authPass"]);
    assert.throws(() => completeModel(view, ["ninechars"]), (err: Error) =>
      /vrrp\.authPass: is 9 characters long/.test(err.message) && !err.message.includes("ninechars"));
    const ok = validateClusterArgs(args(nodes, { vrrp: { interface: "eth0", virtualRouterId: 51, vips: ["10.0.0.100/24"], authPass: pulumi.secret("s3cret") } }));
    const m = await settle(ok.model);
    assert.ok(!JSON.stringify(m).includes("s3cret"), "the password is in the model");
  });

  test("a value that decides the shape must be known: a priority from another resource is refused naming it", () => {
    const view = argsView(args([
      { name: "web1", address: "10.0.0.11", priority: later(100) as unknown as number },
      { name: "web2", address: "10.0.0.12", priority: 90 },
    ]));
    assert.deepEqual(view.problems.map((p) => p.key), ["nodes[0].priority"]);
    assert.match(view.problems[0].message, /must be known when the cluster is constructed/);
  });

  test("all known (a stack config): one validation, the model is the shape", async () => {
    const { shape, model } = validateClusterArgs(args([{ name: "web1", address: "10.0.0.11", priority: 100 }, { name: "web2", address: "10.0.0.12", priority: 90 }]));
    assert.deepEqual(await settle(model), shape);
  });
});
