/** Reading Pulumi.<stack>.yaml text. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { loadClusterModel, memberOf, readStackFile } from "../../core";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

describe("readStackFile", () => {
  it("picks keepalived-ha: keys and ignores other namespaces", () => {
    const { values, problems } = readStackFile("config:\n  aws:region: eu-west-1\n  keepalived-ha:firewall: skip\n  site: hi\n", "Pulumi.x.yaml");
    assert.deepEqual(problems, []);
    assert.deepEqual(values, { firewall: "skip", site: "hi" });
  });

  it("reports YAML syntax errors with file and line", () => {
    const { problems } = readStackFile("config:\n  keepalived-ha:nodes: [\n  x: 1\n", "Pulumi.bad.yaml");
    assert.ok(problems.length >= 1);
    assert.match(problems[0].key, /^Pulumi\.bad\.yaml:\d+:\d+$/);
    assert.match(problems[0].message, /^YAML syntax error: /);
  });

  it("reports duplicate keys", () => {
    const { problems } = readStackFile("config:\n  keepalived-ha:site: a\n  keepalived-ha:site: b\n", "P.yaml");
    assert.match(problems[0].key, /^P\.yaml:3:/);
  });

  it("reports a misspelt namespace", () => {
    const { problems } = readStackFile("config:\n  keepalive-ha:site: a\n", "P.yaml");
    assert.equal(problems[0].key, "keepalive-ha:site");
    assert.match(problems[0].message, /did you mean "keepalived-ha:site"/);
  });

  it("keeps secure values opaque", () => {
    const { values } = readStackFile("config:\n  keepalived-ha:sshPrivateKey:\n    secure: v1:abc\n", "P.yaml");
    assert.deepEqual(values.sshPrivateKey, { secure: "v1:abc" });
  });

  it("empty file and missing config section give no values", () => {
    assert.deepEqual(readStackFile("", "P.yaml"), { values: {}, problems: [] });
    assert.deepEqual(readStackFile("encryptionsalt: x\n", "P.yaml"), { values: {}, problems: [] });
  });

  it("Pulumi.dev.yaml reproduces the seed and is valid", () => {
    const { values, problems } = readStackFile(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8"), "Pulumi.dev.yaml");
    assert.deepEqual(problems, []);
    const model = loadClusterModel(values);
    assert.deepEqual(model.nodes.map((n) => [n.name, n.address, memberOf(model.instances[0], n.name).priority,
      memberOf(model.instances[0], n.name).state, n.os]), [
      ["keepalived-master", "192.168.0.128", 100, "BACKUP", "rhel"],
      ["keepalived-backup", "192.168.0.129", 80, "BACKUP", "rhel"],
    ]);
    assert.deepEqual(model.instances[0].vips, ["192.168.0.130/24"]);
    assert.equal(model.instances[0].virtualRouterId, 151);
    assert.equal(model.instances[0].nopreempt, true);
    assert.equal(model.firewall, "disable");
  });

  for (const file of fs.readdirSync(path.join(REPO_ROOT, "examples")).filter((f) => f.endsWith(".yaml")).sort()) {
    it(`examples/${file} is valid`, () => {
      const { values, problems } = readStackFile(fs.readFileSync(path.join(REPO_ROOT, "examples", file), "utf8"), file);
      assert.deepEqual(problems, []);
      assert.doesNotThrow(() => loadClusterModel(values));
    });
  }
});
