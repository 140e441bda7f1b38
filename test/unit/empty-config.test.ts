/** A stack without config: the message names the required keys, and its commands make a valid config. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyConfigMessage, firstConfigCommands, isEmptyConfig, requiredTopLevelKeys, validateConfig } from "../../core";

/** Applies `pulumi config set --path 'keepalived-ha:a[0].b' VALUE` the way the CLI does (values stay text). */
function applyConfigSet(config: Record<string, unknown>, command: string): void {
  const match = /config set --path 'keepalived-ha:([^']+)' (?:(\S+) --stack \S+|--stack \S+ -- (\S+))$/.exec(command);
  assert.ok(match, `not a config set command: ${command}`);
  const value = match[2] ?? match[3];
  const parts = match[1].split(/\.|(?=\[)/).map((p) => (p.startsWith("[") ? Number(p.slice(1, -1)) : p));
  let target: Record<string | number, unknown> = config;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) {
      target[part] = value;
      return;
    }
    target[part] ??= typeof parts[i + 1] === "number" ? [] : {};
    target = target[part] as Record<string | number, unknown>;
  });
}

describe("a stack without config", () => {
  it("is empty only without any keepalived-ha key", () => {
    assert.equal(isEmptyConfig({}), true);
    assert.equal(isEmptyConfig({ site: "x" }), false);
  });

  it("needs nodes, vrrp and checks, as validation says", () => {
    assert.deepEqual(requiredTopLevelKeys(), ["nodes", "vrrp", "checks"]);
  });

  it("is told the required keys, the reference and the commands, for its own stack", () => {
    const message = emptyConfigMessage("prod");
    assert.match(message, /^stack prod has no keepalived-ha configuration yet; it needs at least nodes, vrrp, checks/);
    assert.match(message, /docs\/config\.md/);
    assert.match(message, /npm run pulumi -- config set --path 'keepalived-ha:nodes\[0\]\.address' 192\.168\.0\.128 --stack prod/);
    assert.match(message, /npm run render -- --stack prod/);
  });

  it("the commands it is given make a valid config", () => {
    const config: Record<string, unknown> = {};
    for (const command of firstConfigCommands("prod")) applyConfigSet(config, command);
    assert.deepEqual(validateConfig(config).problems, []);
  });

  it("a negative value comes after `--`, so the CLI does not read it as a flag", () => {
    const commands = firstConfigCommands("prod");
    for (const command of commands) assert.doesNotMatch(command, /' -\d/, command);
    assert.ok(commands.some((c) => / --stack prod -- -\d+$/.test(c)));
  });
});
