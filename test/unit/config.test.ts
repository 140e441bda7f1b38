/** Parsing the raw `keepalived-ha:` object: shapes, secrets, unknown keys. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closestKey, editDistance, foldKey, isSecureValue, parseStackConfig, VrrpConfig } from "../../core";
import { seedConfig, seedWith } from "./fixtures";

describe("parseStackConfig", () => {
  it("reads the seed config without problems", () => {
    const { config, problems } = parseStackConfig(seedConfig());
    assert.deepEqual(problems, []);
    assert.equal(config.nodes?.[1].priority, 80);
    assert.deepEqual((config.vrrp as VrrpConfig | undefined)?.vips, ["192.168.0.130/24"]);
  });

  it("accepts numeric strings and boolean strings (pulumi config set --path stores text)", () => {
    const { config, problems } = parseStackConfig(seedWith((c) => { c.vrrp.virtualRouterId = "151"; c.vrrp.nopreempt = "false"; }));
    assert.deepEqual(problems, []);
    assert.equal((config.vrrp as VrrpConfig | undefined)?.virtualRouterId, 151);
    assert.equal((config.vrrp as VrrpConfig | undefined)?.nopreempt, false);
  });

  it("keeps secure values opaque where secrets are allowed", () => {
    const { config, problems } = parseStackConfig(seedWith((c) => { c.vrrp.authPass = { secure: "v1:xyz" }; c.sshPrivateKey = { secure: "v1:abc" }; }));
    assert.deepEqual(problems, []);
    assert.ok(isSecureValue((config.vrrp as VrrpConfig | undefined)?.authPass));
    assert.ok(isSecureValue(config.sshPrivateKey));
  });

  it("treats `key:` with no value as unset", () => {
    const { config, problems } = parseStackConfig(seedWith((c) => { c.site = null; }));
    assert.deepEqual(problems, []);
    assert.equal(config.site, undefined);
  });

  it("a single string where a list is expected becomes a one-item list", () => {
    assert.deepEqual((parseStackConfig(seedWith((c) => { c.vrrp.vips = "192.168.0.130/24"; })).config.vrrp as VrrpConfig | undefined)?.vips, ["192.168.0.130/24"]);
  });

  it("reports non-mapping list items", () => {
    const { problems } = parseStackConfig(seedWith((c) => { c.nodes.push("web3"); }));
    assert.equal(problems[0].key, "nodes[2]");
  });

  const UNKNOWN: [string, (c: Record<string, any>) => void, string, RegExp][] = [
    ["seed typo route_id", (c) => { c.globalDefs.route_id = "x"; }, "globalDefs.route_id", /did you mean "routerId"\?/],
    ["keepalived spelling router_id", (c) => { c.globalDefs.router_id = "x"; }, "globalDefs.router_id", /did you mean "routerId"\?/],
    ["case slip virtualRouterID", (c) => { c.vrrp.virtualRouterID = 1; }, "vrrp.virtualRouterID", /did you mean "virtualRouterId"\?/],
    ["keepalived spelling advert_int", (c) => { c.vrrp.advert_int = 1; }, "vrrp.advert_int", /did you mean "advertInt"\?/],
    ["misplaced routerId under vrrp", (c) => { c.vrrp.routerId = "x"; }, "vrrp.routerId", /did you mean "globalDefs.routerId"\?/],
    ["node key typo", (c) => { c.nodes[0].priorty = 1; }, "nodes[0].priorty", /did you mean "priority"\?/],
    ["check key typo", (c) => { c.checks[0].wieght = 1; }, "checks[0].wieght", /did you mean "weight"\?/],
    ["notify commands typo", (c) => { c.notify = { commands: { mastr: [] } }; }, "notify.commands.mastr", /did you mean "master"\?/],
    ["nothing close", (c) => { c.zzzzzz = 1; }, "zzzzzz", /known keys here: nodes, vrrp/],
  ];
  for (const [name, change, key, message] of UNKNOWN) {
    it(`unknown key: ${name}`, () => {
      const { problems } = parseStackConfig(seedWith(change));
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0].key, key);
      assert.match(problems[0].message, message);
    });
  }
});

describe("suggestions", () => {
  it("folds case, '_' and '-'", () => assert.equal(foldKey("Virtual_Router-ID"), "virtualrouterid"));
  it("edit distance", () => {
    assert.equal(editDistance("routeid", "routerid"), 1);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("wieght", "weight"), 1);
  });
  it("no suggestion for unrelated keys", () => assert.equal(closestKey("colour", ["nodes", "vrrp"]), undefined));
});
