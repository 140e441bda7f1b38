/**
 * The components' wiring without an engine, a host or root: Pulumi's mocks stand in for the engine, and a
 * transformation on the cluster records every child's type, name, inputs and options. What is checked is what
 * the lab tests can only see indirectly: names, the rolling order's dependsOn, deleteBeforeReplace, secret
 * outputs, the conditional hooks step. No step runs (the mocks answer for the engine; the identify step has no
 * answer, so no host is observed either: the early observation of an `up` fails on the key, which is not one,
 * before it would dial).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { HaWebClusterArgs } from "../../components";

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly opts: pulumi.CustomResourceOptions;
}

/** A lab-like two-node config; `extra` changes it. */
const config = (extra: Record<string, unknown> = {}) => ({
  nodes: [
    { name: "web1", address: "10.213.151.11", priority: 100, os: "debian", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7X8eIa9CtXOIfJ9h4seitgo1yQ2wq6n3nSYzy+3V/q" },
    { name: "web2", address: "10.213.151.12", priority: 90, os: "debian", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBD1whEYI9v2IsGE9h1yETIwTuPGrXe+WqgNjA86VJRL" },
  ],
  vrrp: { interface: "host0", virtualRouterId: 51, vips: ["10.213.151.100/24"] },
  checks: [{ name: "chk_web", type: "tcp", port: 80, interval: 1, fall: 2, weight: -30 }],
  ...extra,
});

/** Builds a cluster under mocks and returns what it registered, by name. */
async function build(cfg: Record<string, unknown>, clusterName = "cluster"): Promise<Map<string, Recorded>> {
  const { HaWebCluster } = await import("../../components");
  const recorded = new Map<string, Recorded>();
  const args = { ...cfg, sshPrivateKey: pulumi.secret("not a key") } as unknown as HaWebClusterArgs;
  const cluster = new HaWebCluster(clusterName, args, {
    transformations: [(args) => {
      recorded.set(args.name, { type: args.type, name: args.name, props: args.props, opts: args.opts });
      return undefined;
    }],
  });
  // Transformations run as each child is constructed; the cluster's URN resolving means the mocks answered.
  await new Promise<void>((resolve) => cluster.urn.apply(() => resolve()));
  return recorded;
}

const dependsOnNames = (r: Recorded) => ((r.opts.dependsOn ?? []) as pulumi.Resource[]).map((d) =>
  (d as unknown as { __name?: string }).__name);

/** The value an input resolves to (triggers come from the validated model, an Output). */
const valueOf = (input: unknown) => (pulumi.output(input) as unknown as { promise(): Promise<unknown> }).promise();

/** Like dependsOnNames, with promised resources (the pre-flight gate) and a list from an Output (the rolling order) resolved. */
const resolvedDependsOn = async (r: Recorded) => {
  const list = pulumi.Output.isInstance(r.opts.dependsOn) ? await valueOf(r.opts.dependsOn) : r.opts.dependsOn ?? [];
  return (await Promise.all((list as pulumi.Input<pulumi.Resource>[]).map((d) => Promise.resolve(d))))
    .map((d) => (d as unknown as { __name?: string }).__name);
};

describe("component wiring under Pulumi's mocks", () => {
  before(async () => {
    await pulumi.runtime.setMocks({
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: () => ({}),
    }, "keepalived-ha", "unit", false);
  });

  test("each node gets its steps, named from the node; one password and one VIP probe for the cluster", async () => {
    const r = await build(config());
    const steps = ["identify", "firewall", "keepalived-package", "packages", "site", "keepalived", "services"];
    for (const node of ["web1", "web2"]) {
      assert.equal(r.get(`cluster-${node}`)?.type, "keepalived-ha:index:ClusterNode");
      for (const s of steps) assert.ok(r.has(`cluster-${node}-${s}`), `cluster-${node}-${s}`);
      assert.ok(!r.has(`cluster-${node}-web-server-hooks`), "no hooks step without a track-process check");
    }
    assert.ok(r.has("cluster-vrrp-password"));
    assert.ok(r.has("cluster-vip-holder"));
  });

  test("every step is replaced delete-first on a new host and keeps its connection and stdin secret", async () => {
    const r = await build(config());
    for (const rec of [...r.values()].filter((x) => /-(identify|firewall|keepalived-package|packages|site|keepalived|services)$/.test(x.name))) {
      assert.equal(rec.opts.deleteBeforeReplace, true, rec.name);
      assert.ok(rec.opts.additionalSecretOutputs?.includes("connection") && rec.opts.additionalSecretOutputs.includes("stdin"), rec.name);
      assert.deepEqual(await valueOf(rec.props.triggers), [rec.name.startsWith("cluster-web1") ? "10.213.151.11" : "10.213.151.12", 22]);
      assert.match(String(rec.props.forgetCommand), new RegExp(`^npm run forget-node -- --stack unit web[12]$`));
    }
  });

  test("rolling order: the master's keepalived step waits for the backup's (no host observed: it may run keepalived); the probe waits for every node", async () => {
    const r = await build(config());
    const web1 = await resolvedDependsOn(r.get("cluster-web1-keepalived")!);
    assert.ok(web1.includes("cluster-web2-keepalived"), `web1 keepalived depends on ${web1.join(", ")}`);
    assert.ok(!(await resolvedDependsOn(r.get("cluster-web2-keepalived")!)).includes("cluster-web1-keepalived"));
    assert.deepEqual(dependsOnNames(r.get("cluster-vip-holder")!).sort(), ["cluster-web1-services", "cluster-web2-services"]);
    for (const node of ["web1", "web2"]) {
      assert.deepEqual(await valueOf(r.get(`cluster-${node}-keepalived`)!.props.runParameters), { START_KEEPALIVED: "later" },
        `${node}: keepalived may run somewhere, so it starts after the web server`);
    }
    // Only a new cluster's backups start their web servers after the master's.
    assert.deepEqual((await resolvedDependsOn(r.get("cluster-web2-services")!)).sort(), ["cluster-web2-keepalived", "cluster-web2-site"]);
  });

  test("the pre-flight checks need no package on Debian (perl), so they wait for no apt; every step that affects traffic waits for them", async () => {
    const r = await build(config());
    const check = r.get("cluster-preflight");
    assert.equal(check?.type, "pulumi-nodejs:dynamic/keepalived-ha:PreflightCheck");
    assert.ok(check !== undefined);
    assert.deepEqual((await resolvedDependsOn(check)).sort(), ["cluster-web1-identify", "cluster-web2-identify"]);
    for (const node of ["web1", "web2"]) {
      assert.ok(!r.has(`cluster-${node}-preflight-tools`), `${node}: no tools step: nothing to install for the checks`);
      assert.ok(!dependsOnNames(r.get(`cluster-${node}-firewall`)!).includes(`cluster-${node}-packages`),
        `${node}: the firewall step needs no package, so it runs while they install`);
      assert.ok((await resolvedDependsOn(r.get(`cluster-${node}-site`)!)).includes(`cluster-${node}-packages`),
        `${node}: the page waits for the web server's package`);
      const keepalived = await resolvedDependsOn(r.get(`cluster-${node}-keepalived`)!);
      assert.ok(keepalived.includes(`cluster-${node}-keepalived-package`) && !keepalived.includes(`cluster-${node}-packages`),
        `${node}: keepalived's files wait for its package only, not the web server's: ${keepalived.join(", ")}`);
    }
    assert.ok(check.opts.additionalSecretOutputs?.includes("nodes"), "the checks' connections hold the key: secret");
    for (const node of ["web1", "web2"]) {
      for (const s of ["firewall", "site"]) {
        assert.ok((await resolvedDependsOn(r.get(`cluster-${node}-${s}`)!)).includes("cluster-preflight"), `${node} ${s}`);
      }
      assert.ok((await resolvedDependsOn(r.get(`cluster-${node}-keepalived`)!)).includes(`cluster-${node}-firewall`), "keepalived after the firewall");
      assert.deepEqual(dependsOnNames(r.get(`cluster-${node}-keepalived-package`)!), [`cluster-${node}-identify`]);
      assert.deepEqual(dependsOnNames(r.get(`cluster-${node}-packages`)!),
        [`cluster-${node}-identify`, `cluster-${node}-keepalived-package`], "one apt at a time");
    }
  });

  test("on a host that may lack perl (RHEL) the checks wait for the packages step, which installs their tools", async () => {
    const r = await build(config({
      nodes: config().nodes.map((n, i) => (i === 0 ? { ...n, os: "rhel" } : n)),
    }));
    assert.deepEqual((await resolvedDependsOn(r.get("cluster-preflight")!)).sort(), ["cluster-web1-packages", "cluster-web2-identify"]);
    const script = String(await valueOf(r.get("cluster-web1-packages")!.props.create));
    assert.match(script, /for p in keepalived httpd tcpdump socat iputils;/, "the RHEL node's packages step installs the tools");
    assert.doesNotMatch(String(await valueOf(r.get("cluster-web2-packages")!.props.create)), /tcpdump/, "the Debian node's does not");
  });

  test("with a check of weight 0 keepalived comes with the other packages: no keepalived package step of its own", async () => {
    const r = await build(config({ checks: [{ name: "chk_web", type: "tcp", port: 80, interval: 1, fall: 1, weight: 0 }] }));
    for (const node of ["web1", "web2"]) {
      assert.ok(!r.has(`cluster-${node}-keepalived-package`), `${node}: no keepalived-package step`);
      assert.ok((await resolvedDependsOn(r.get(`cluster-${node}-keepalived`)!)).includes(`cluster-${node}-packages`), node);
      assert.deepEqual(await valueOf(r.get(`cluster-${node}-keepalived`)!.props.runParameters), { START_KEEPALIVED: "later" });
    }
  });

  test("preflight: false makes no checks and no gate", async () => {
    const r = await build(config({ preflight: false }));
    assert.ok(!r.has("cluster-preflight"));
    assert.ok(!(await resolvedDependsOn(r.get("cluster-web1-firewall")!)).includes("cluster-preflight"));
  });

  test("a track-process check adds the hooks step, before keepalived; two instances get two passwords and probes", async () => {
    const r = await build(config({
      checks: [{ name: "chk_proc", type: "track-process", weight: 0 }],
      vrrp: [
        { instanceName: "VI_A", interface: "host0", virtualRouterId: 51, vips: ["10.213.151.100/24"], priorities: { web1: 100, web2: 90 } },
        { instanceName: "VI_B", interface: "host0", virtualRouterId: 52, vips: ["10.213.151.101/24"], priorities: { web1: 90, web2: 100 } },
      ],
    }));
    assert.ok(r.has("cluster-web1-web-server-hooks"));
    assert.ok((await resolvedDependsOn(r.get("cluster-web1-keepalived")!)).includes("cluster-web1-web-server-hooks"));
    assert.ok(r.has("cluster-vrrp-password") && r.has("cluster-vrrp-password-VI_B"));
    assert.ok(r.has("cluster-vip-holder") && r.has("cluster-vip-holder-VI_B"));
  });

  test("addresses and host keys from another resource's outputs; two clusters in one program collide nowhere", async () => {
    const later = <T>(v: T) => pulumi.output(new Promise<T>((resolve) => setTimeout(() => resolve(v), 5)));
    const typed = (octet: number, vrid: number) => config({
      nodes: [
        { name: "web1", address: later(`10.213.151.${octet}`), priority: 100, os: "debian", hostKey: later("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7X8eIa9CtXOIfJ9h4seitgo1yQ2wq6n3nSYzy+3V/q") },
        { name: "web2", address: later(`10.213.151.${octet + 1}`), priority: 90, os: "debian" },
      ],
      vrrp: { interface: "host0", virtualRouterId: vrid, vips: [`10.213.151.${octet + 90}/24`] },
    });
    const a = await build(typed(11, 51), "shop");
    const b = await build(typed(21, 52), "blog");
    assert.ok(a.has("shop-web1-keepalived") && b.has("blog-web1-keepalived") && a.has("shop-preflight") && b.has("blog-vip-holder"));
    assert.deepEqual([...a.keys()].filter((n) => b.has(n)), [], "a resource name used by both clusters");
    assert.ok([...a.keys()].every((n) => n.startsWith("shop")) && [...b.keys()].every((n) => n.startsWith("blog")));
    assert.deepEqual(await valueOf(b.get("blog-web2-identify")!.props.triggers), ["10.213.151.22", 22]);
  });
});
