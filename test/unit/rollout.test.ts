import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { changeCount, describeChanges, formatSummary, parseRolloutArgs } from "../../scripts/lib/rollout";

const SCENARIOS = ["httpd-stop", "node-crash"];

describe("rollout options and summary", () => {
  test("stacks in order, switches, a drill with its limit", () => {
    assert.deepEqual(parseRolloutArgs(["--stacks", "dev,staging, prod", "--yes", "--drill", "httpd-stop", "--max-outage", "1.5"], SCENARIOS), {
      stacks: ["dev", "staging", "prod"], yes: true, previewOnly: false, json: false, healthySeconds: 60,
      drill: { scenario: "httpd-stop", maxOutageSeconds: 1.5 },
    });
    assert.equal((parseRolloutArgs(["--stacks=dev", "--preview-only", "--json"], SCENARIOS) as { previewOnly: boolean }).previewOnly, true);
  });

  test("bad usage is named", () => {
    assert.equal(parseRolloutArgs([], SCENARIOS), "--stacks needs at least one stack name");
    assert.equal(parseRolloutArgs(["--stacks", "dev,dev"], SCENARIOS), "--stacks names dev twice");
    assert.equal(parseRolloutArgs(["--stacks", "dev", "--drill", "httpd-stop"], SCENARIOS), "--drill and --max-outage go together");
    assert.match(parseRolloutArgs(["--stacks", "dev", "--drill", "fire", "--max-outage", "1"], SCENARIOS) as string, /one of httpd-stop, node-crash/);
    assert.equal(parseRolloutArgs(["--stacks", "dev", "--max-outage", "x", "--drill", "node-crash"], SCENARIOS), "--max-outage needs a number of seconds above 0");
    assert.equal(parseRolloutArgs(["--stacks", "dev", "--stack", "x"], SCENARIOS), "unknown option --stack");
    assert.equal(parseRolloutArgs(["--stacks", "dev", "prod"], SCENARIOS), 'unexpected argument "prod"');
  });

  test("changes: everything but same", () => {
    assert.equal(changeCount({ same: 17, update: 2, create: 1 }), 3);
    assert.equal(describeChanges({ same: 17, update: 2, create: 1 }), "2 update, 1 create");
    assert.equal(describeChanges({ same: 17 }), "no changes");
    assert.equal(changeCount(undefined), 0);
  });

  test("the summary is a table with one row per stack", () => {
    const table = formatSummary([
      { stack: "dev", changes: "2 update", seconds: 12.34, result: "done", gate: "HEALTHY, drill ok", outageSeconds: 0.91 },
      { stack: "prod", changes: "-", seconds: 0, result: "skipped" },
    ]).split("\n");
    assert.equal(table.length, 3);
    assert.match(table[0], /^STACK\s+CHANGES\s+TIME\s+RESULT\s+GATE\s+OUTAGE$/);
    assert.match(table[1], /^dev\s+2 update\s+12\.3 s\s+done\s+HEALTHY, drill ok\s+0\.91 s$/);
    assert.match(table[2], /^prod\s+-\s+0\.0 s\s+skipped\s+-\s+-$/);
  });
});
