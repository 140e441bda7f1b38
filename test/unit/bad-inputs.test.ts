/**
 * The bad-input catalogue against the pure core: every file in test/bad-inputs/ is read with readStackFile and
 * checked with checkClusterConfig exactly as `npm run render` does, and must be refused with its own messages.
 *
 * Each case file starts with one or more `# expect: <regex>` lines (the config key and a fragment of the fix),
 * optional `# engine-expect:` lines (used by the integration test instead, where `pulumi preview` words a
 * problem its own way) and a `# what:` line (the docs/reliability.md table).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { coreCheck, loadCases } from "../../scripts/bad-inputs-table";

const cases = loadCases();

describe("bad inputs: the core refuses every case with its own message", () => {
  test("the catalogue has at least 32 cases named NN-short-name.yaml with unique numbers", () => {
    assert.ok(cases.length >= 32, `only ${cases.length} cases`);
    for (const c of cases) assert.match(c.file, /^\d{2}-[a-z0-9]+(-[a-zA-Z0-9]+)*\.yaml$/, c.file);
    const numbers = cases.map((c) => c.number);
    assert.equal(new Set(numbers).size, numbers.length, "two cases share a number");
  });

  for (const c of cases) {
    test(c.file, () => {
      assert.match(c.text, /^# expect: /, "the first line must be a `# expect:` comment");
      assert.ok(c.expect.length > 0, "no # expect: line");
      assert.ok(c.what.length > 0, "no # what: line");
      const result = coreCheck(c.text);
      assert.ok(result.problems.length > 0, "the core accepts this config");
      for (const expected of c.expect) assert.match(result.formatted, expected);
      for (const p of result.problems) {
        assert.ok(p.key.length > 0 && p.message.length > 0, `empty key or message: ${JSON.stringify(p)}`);
      }
    });
  }

  test("no two cases give the identical set of messages", () => {
    const seen = new Map<string, string>();
    for (const c of cases) {
      const messages = coreCheck(c.text).problems.map((p) => `${p.key}: ${p.message}`).sort().join("\n");
      const other = seen.get(messages);
      assert.equal(other, undefined, `${c.file} fails with exactly the messages of ${other}:\n${messages}`);
      seen.set(messages, c.file);
    }
  });
});
