/** The model of several VRRP instances: per-instance priorities and states, tracked checks, rolling order. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  electsBeforeWebServer, expectedHolder, loadClusterModel, memberOf, primaryVipAddress, rollingOrder, rollingWaves, settleSeconds, stableSeconds,
} from "../../core";
import { seedConfig, seedWith } from "./fixtures";

/** Three nodes, two instances: web1 leads A, web2 leads B, web3 backs both. */
function activeActive(): Record<string, any> {
  return seedWith((c) => {
    c.nodes = [
      { name: "web1", address: "192.168.0.11", priority: 50 },
      { name: "web2", address: "192.168.0.12", priority: 50 },
      { name: "web3", address: "192.168.0.13", priority: 50 },
    ];
    c.checks.push({ name: "chk_port", type: "tcp", port: 80, weight: 0 });
    c.vrrp = [
      { interface: "ens32", virtualRouterId: 31, vips: ["192.168.0.101/24"], priorities: { web1: 150 } },
      { interface: "ens32", virtualRouterId: 32, vips: ["192.168.0.102/24", "192.168.0.103/24"], priorities: { web2: 150 },
        track: ["chk_port"], advertInt: 4, unicast: true, instanceName: "web_b" },
    ];
  });
}

describe("model of several instances", () => {
  const model = loadClusterModel(activeActive());
  it("names instances VI_<n> by position unless named", () => {
    assert.deepEqual(model.instances.map((i) => [i.key, i.instanceName]), [["vrrp[0]", "VI_1"], ["vrrp[1]", "web_b"]]);
  });
  it("takes each node's priority from the instance, else from the node", () => {
    assert.deepEqual(model.instances.map((i) => i.members.map((m) => m.priority)), [[150, 50, 50], [50, 150, 50]]);
  });
  it("starts the top node of each instance as MASTER and the others as BACKUP", () => {
    assert.deepEqual(model.instances.map((i) => i.members.map((m) => m.state)),
      [["MASTER", "BACKUP", "BACKUP"], ["BACKUP", "MASTER", "BACKUP"]]);
  });
  it("tracks every check unless the instance lists some", () => {
    assert.deepEqual(model.instances.map((i) => i.track), [["chk_httpd", "chk_port"], ["chk_port"]]);
  });
  it("keeps per-instance settings apart", () => {
    assert.deepEqual(model.instances.map((i) => [i.advertInt, i.unicast, i.vips.length]), [[1, false, 1], [4, true, 2]]);
    assert.equal(settleSeconds(model), 40, "ten adverts of the slowest instance");
    // 3 adverts of 4 s + 1 s skew, the slowest check's recovery (chk_httpd: interval 5 × rise 1), one advert.
    assert.equal(stableSeconds(model), 22, "a master-down interval after the slowest check recovers, plus an advert");
    assert.equal(primaryVipAddress(model), "192.168.0.101");
  });
  it("rolls nodes that hold nothing first, holders last, one at a time", () => {
    assert.equal(rollingOrder(model)[0].name, "web3");
    assert.deepEqual(rollingWaves(model).map((w) => w.map((n) => n.name)), [["web3"], ["web2"], ["web1"]]);
  });
  it("with nopreempt every node starts BACKUP in that instance only", () => {
    const m = loadClusterModel(seedWith((c) => {
      c.vrrp = [{ ...c.vrrp, nopreempt: true }, { ...c.vrrp, nopreempt: false, virtualRouterId: 152, vips: ["192.168.0.131/24"] }];
    }));
    assert.deepEqual(m.instances.map((i) => i.members.map((x) => x.state)), [["BACKUP", "BACKUP"], ["MASTER", "BACKUP"]]);
  });
});

describe("model of one instance (a vrrp mapping)", () => {
  const model = loadClusterModel(seedConfig());
  it("is one instance named VI_1 keyed vrrp", () => {
    assert.deepEqual(model.instances.map((i) => [i.key, i.instanceName]), [["vrrp", "VI_1"]]);
  });
  it("rolls the backup before the master, lowest priority first", () => {
    const m = loadClusterModel(seedWith((c) => {
      c.vrrp.nopreempt = false;
      c.nodes.push({ name: "third", address: "192.168.0.131", priority: 90 });
    }));
    assert.deepEqual(rollingOrder(m).map((n) => n.name), ["keepalived-backup", "third", "keepalived-master"]);
    assert.deepEqual(rollingWaves(m).map((w) => w.map((n) => n.name)), [["keepalived-backup", "third"], ["keepalived-master"]]);
    assert.equal(memberOf(m.instances[0], "keepalived-master").state, "MASTER");
  });
  it("holds its election before the web server runs only when no tracked check has weight 0 (FAULT)", () => {
    assert.equal(electsBeforeWebServer(loadClusterModel(seedConfig())), false, "the seed's check has weight 0");
    assert.equal(electsBeforeWebServer(loadClusterModel(seedWith((c) => { c.checks[0].weight = -30; c.vrrp.nopreempt = false; }))), true);
    const untracked = loadClusterModel(seedWith((c) => {
      c.checks[0].weight = -30;
      c.vrrp.nopreempt = false;
      c.checks.push({ name: "chk_port", type: "tcp", port: 80, weight: 0 });
      c.vrrp.track = ["chk_httpd"];
    }));
    assert.equal(electsBeforeWebServer(untracked), true, "a weight-0 check no instance tracks does not count");
    assert.equal(electsBeforeWebServer(loadClusterModel(activeActive())), false);
  });
  it("with nopreempt (all BACKUP) the top priority node is still the one expected to hold the VIP", () => {
    const m = loadClusterModel(seedConfig());
    assert.deepEqual(m.instances[0].members.map((x) => x.state), ["BACKUP", "BACKUP"]);
    assert.equal(expectedHolder(m.instances[0]), "keepalived-master");
    assert.deepEqual(rollingWaves(m).map((w) => w.map((n) => n.name)), [["keepalived-backup"], ["keepalived-master"]]);
  });
});
