import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import {
  labPlan,
  nodePriority,
  parseLabEnv,
  prefixesOverlap,
  renderKnownHosts,
  renderPulumiLabYaml,
  routeCollisions,
} from "../../scripts/lab/plan";

const env = parseLabEnv(readFileSync(join(__dirname, "../../scripts/lab/lab.env"), "utf8"));
const key = (n: number): string => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${"A".repeat(40)}${n} node${n}`;
const keys = (count: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`node${i + 1}`, key(i + 1)]));

test("lab.env gives the documented subnet and bridge", () => {
  const plan = labPlan(env, 2);
  assert.equal(plan.subnet, "10.213.151.0/24");
  assert.equal(plan.hostAddress, "10.213.151.1");
  assert.equal(plan.vip, "10.213.151.100");
  assert.equal(env.bridge, "kaha-br0");
  assert.deepEqual(
    plan.nodes.map((n) => [n.name, n.address, n.priority]),
    [
      ["node1", "10.213.151.11", 100],
      ["node2", "10.213.151.12", 90],
    ],
  );
});

test("eight nodes: addresses .11-.18, failover from node1 always possible with weight -30", () => {
  const plan = labPlan(env, 8);
  assert.deepEqual(
    plan.nodes.map((n) => n.address),
    [11, 12, 13, 14, 15, 16, 17, 18].map((o) => `10.213.151.${o}`),
  );
  const prios = plan.nodes.map((n) => n.priority);
  assert.deepEqual(prios, [100, 90, 89, 88, 87, 86, 85, 84]);
  assert.ok(100 - 30 < prios[1]);
  assert.equal(new Set(prios).size, prios.length, "priorities are distinct");
  assert.equal(nodePriority(1), 100);
});

test("node count is bounded", () => {
  assert.throws(() => labPlan(env, 1), /2 to 8/);
  assert.throws(() => labPlan(env, 9), /2 to 8/);
  assert.throws(() => labPlan(env, 2.5), /2 to 8/);
});

test("Pulumi.lab.yaml has the agreed shape", () => {
  const text = renderPulumiLabYaml(labPlan(env, 2), keys(2), "/root/.cache/keepalived-ha/lab/id_ed25519");
  const doc = parse(text) as { config: Record<string, unknown> };
  assert.deepEqual(doc.config, {
    "keepalived-ha:nodes": [
      { name: "node1", address: "10.213.151.11", priority: 100, hostKey: key(1).replace(/ node1$/, ""), os: "debian" },
      { name: "node2", address: "10.213.151.12", priority: 90, hostKey: key(2).replace(/ node2$/, ""), os: "debian" },
    ],
    "keepalived-ha:vrrp": { interface: "host0", virtualRouterId: 51, vips: ["10.213.151.100/24"], advertInt: 1 },
    "keepalived-ha:checks": [
      { name: "chk_web", type: "tcp", port: 80, interval: 1, fall: 2, rise: 1, weight: -30 },
    ],
    "keepalived-ha:firewall": "disable",
    "keepalived-ha:ssh": { user: "root", privateKeyPath: "/root/.cache/keepalived-ha/lab/id_ed25519" },
  });
  assert.match(text, /^ {6}hostKey: "ssh-ed25519 AAAA/m);
  assert.match(text, /^ {4}vips: \["10\.213\.151\.100\/24"\]$/m);
});

test("rendering refuses a missing or foreign host key", () => {
  assert.throws(() => renderPulumiLabYaml(labPlan(env, 2), { node1: key(1) }, "/k"), /no host key for node2/);
  assert.throws(
    () => renderPulumiLabYaml(labPlan(env, 2), { ...keys(2), node2: "ssh-rsa AAAAB3 x" }, "/k"),
    /ssh-ed25519/,
  );
});

test("known_hosts pins each node by name and address", () => {
  const text = renderKnownHosts(labPlan(env, 2), keys(2));
  assert.equal(text.split("\n").length, 3);
  assert.match(text, /^node1,10\.213\.151\.11 ssh-ed25519 AAAA\S+$/m);
  assert.match(text, /^node2,10\.213\.151\.12 ssh-ed25519 AAAA\S+$/m);
});

test("prefix overlap", () => {
  assert.ok(prefixesOverlap("10.213.151.0/24", "10.0.0.0/8"));
  assert.ok(prefixesOverlap("10.213.151.0/24", "10.213.151.128/25"));
  assert.ok(prefixesOverlap("10.213.151.0/24", "10.213.151.7"));
  assert.ok(!prefixesOverlap("10.213.151.0/24", "10.213.152.0/24"));
  assert.ok(!prefixesOverlap("10.213.151.0/24", "192.0.2.0/24"));
});

test("route collisions: the lab's own bridge and the default route are fine, anything else overlapping is not", () => {
  const subnet = "10.213.151.0/24";
  const routes = [
    { dst: "default", dev: "eth0" },
    { dst: "192.0.2.0/24", dev: "eth0" },
    { dst: "10.213.151.0/24", dev: "kaha-br0" },
    { dst: "10.213.151.1", dev: "kaha-br0", table: "local", type: "local" },
    { dst: "224.0.0.0/4", dev: "eth0", type: "multicast" },
  ];
  assert.deepEqual(routeCollisions(routes, subnet, "kaha-br0"), []);
  const vpn = { dst: "10.0.0.0/8", dev: "tun0" };
  const docker = { dst: "10.213.151.0/24", dev: "docker0" };
  const host = { dst: "10.213.151.9", dev: "eth1", table: "local", type: "local" };
  assert.deepEqual(routeCollisions([...routes, vpn, docker, host], subnet, "kaha-br0"), [vpn, docker, host]);
});
