/** The seed's election rule: does a failing check move the VIP? */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkElection, effectivePriority, ElectionInput } from "../../core";

const pair = (weight: number, nopreempt = false, priorities = [100, 80]): ElectionInput => ({
  nodes: priorities.map((priority, i) => ({ name: `n${i + 1}`, priority })),
  checks: [{ name: "chk", weight }],
  nopreempt,
});

const CASES: { name: string; input: ElectionInput; moves: boolean; explanation?: RegExp }[] = [
  { name: "seed example: 100/80, weight +10 is refused", input: pair(10), moves: false,
    explanation: /n1 has effective priority 100 \(chk failing\) and n2 has 80 \+ 10 = 90 \(chk passing\); 100 > 90.*weight 21/ },
  { name: "100/80, weight +30 moves (110 vs 100)", input: pair(30), moves: true },
  { name: "100/80, weight -30 moves (70 vs 80)", input: pair(-30), moves: true },
  { name: "100/80, weight -10 is refused", input: pair(-10), moves: false, explanation: /100 - 10 = 90.*weight -21/ },
  { name: "100/80, weight 0 (FAULT) moves", input: pair(0), moves: true },
  { name: "100/80, weight +20 ties and is refused", input: pair(20), moves: false, explanation: /tie is not a guaranteed move/ },
  { name: "100/80, weight -20 ties and is refused", input: pair(-20), moves: false, explanation: /tie/ },
  { name: "100/80, weight +21 moves", input: pair(21), moves: true },
  { name: "nopreempt, weight -30 is refused", input: pair(-30, true), moves: false, explanation: /nopreempt a BACKUP never takes over/ },
  { name: "nopreempt, weight +30 is refused", input: pair(30, true), moves: false },
  { name: "nopreempt, weight 0 moves", input: pair(0, true), moves: true },
  { name: "equal priorities, weight -1 moves", input: pair(-1, false, [100, 100]), moves: true },
  { name: "3 nodes 100/90/80, weight -30 moves from every node", input: pair(-30, false, [100, 90, 80]), moves: true },
  { name: "3 nodes 100/90/80, weight -5 is refused", input: pair(-5, false, [100, 90, 80]), moves: false, explanation: /n1.*n2 has 90/ },
  { name: "clamping: 250 + 10 is 254, not 260, so it ties with 254", input: pair(10, false, [254, 250]), moves: false, explanation: /250 \+ 10 = 254/ },
  { name: "clamping still allows a move: 245 + 10 = 254 > 250", input: pair(10, false, [250, 245]), moves: true },
  {
    name: "two checks: each must move the VIP on its own",
    input: { nodes: [{ name: "a", priority: 100 }, { name: "b", priority: 80 }], checks: [{ name: "c1", weight: -30 }, { name: "c2", weight: -10 }], nopreempt: false },
    moves: false, explanation: /c2 fails on a/,
  },
  {
    name: "two checks: positive bonus on the failing node counts",
    input: { nodes: [{ name: "a", priority: 100 }, { name: "b", priority: 80 }], checks: [{ name: "c1", weight: 30 }, { name: "c2", weight: 0 }], nopreempt: false },
    moves: true,
  },
];

describe("election check", () => {
  for (const { name, input, moves, explanation } of CASES) {
    it(name, () => {
      const failures = checkElection(input);
      assert.equal(failures.length === 0, moves, failures.map((f) => f.explanation).join("\n"));
      if (explanation) assert.ok(failures.some((f) => explanation.test(f.explanation)), failures.map((f) => f.explanation).join("\n"));
    });
  }
});

describe("effectivePriority", () => {
  const checks = [{ name: "pos", weight: 10 }, { name: "neg", weight: -30 }, { name: "fault", weight: 0 }];
  it("adds positive weights of passing checks", () => assert.equal(effectivePriority(80, checks, ["pass", "pass", "pass"]), 90));
  it("subtracts negative weights of failing checks", () => assert.equal(effectivePriority(100, checks, ["fail", "fail", "pass"]), 70));
  it("weight 0 failing is FAULT", () => assert.equal(effectivePriority(100, checks, ["pass", "pass", "fail"]), "FAULT"));
  it("clamps to 1..254", () => {
    assert.equal(effectivePriority(20, [{ name: "n", weight: -100 }], ["fail"]), 1);
    assert.equal(effectivePriority(250, [{ name: "p", weight: 100 }], ["pass"]), 254);
  });
  it("address owner stays 255", () => assert.equal(effectivePriority(255, [], []), 255));
});
