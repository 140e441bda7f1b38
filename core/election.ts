/**
 * The seed's election rule as pure maths: when a node's tracked check fails while the other nodes' checks
 * pass, does the VIP really leave that node?
 *
 * keepalived facts this relies on (vrrp.c `vrrp_state_backup`, vrrp_track.c):
 * - weight > 0: a passing check adds `weight`; a failing one adds nothing.
 * - weight < 0: a failing check adds `weight` (lowers the priority); a passing one adds nothing.
 * - weight 0: a failing check puts the instance in FAULT; it sends a priority-0 advert and drops the VIP.
 * - The effective priority is clamped to 1..254.
 * - A BACKUP only takes over from a live master whose advert priority is strictly lower than its own
 *   (equal priority: it stays BACKUP), and never when `nopreempt` is set. Only a priority-0 advert (FAULT or
 *   stop) or a silent master makes a nopreempt backup take over.
 */

/** A node as the election sees it. */
export interface ElectionNode {
  /** Node name, for messages. */
  readonly name: string;
  /** Configured (base) priority. */
  readonly priority: number;
}

/** A tracked check as the election sees it. */
export interface ElectionCheck {
  /** Check name, for messages. */
  readonly name: string;
  /** Weight -253..253 (0 = FAULT on failure). */
  readonly weight: number;
}

/** Everything the election rule needs. */
export interface ElectionInput {
  /** All nodes; each tracks every check. */
  readonly nodes: readonly ElectionNode[];
  /** All tracked checks, in config order. */
  readonly checks: readonly ElectionCheck[];
  /** `vrrp.nopreempt`: backups never preempt a live master. */
  readonly nopreempt: boolean;
}

/** A scenario in which the VIP would stay on a node whose check is failing. */
export interface ElectionFailure {
  /** Index of the check in `checks`. */
  readonly checkIndex: number;
  /** The node that holds the VIP while its check fails. */
  readonly master: string;
  /** Its effective priority in that scenario. */
  readonly masterPriority: number;
  /** The best other node (all its checks passing). */
  readonly challenger: string;
  /** The challenger's effective priority. */
  readonly challengerPriority: number;
  /** Why the VIP does not move, with the numbers, and the fix. */
  readonly explanation: string;
}

/** Outcome of one check for one node. */
export type CheckOutcome = "pass" | "fail";

/** Effective priority of a node for the given outcomes, or `"FAULT"` when a weight-0 check fails. */
export function effectivePriority(
  base: number,
  checks: readonly ElectionCheck[],
  outcomes: readonly CheckOutcome[],
): number | "FAULT" {
  let priority = base;
  for (let i = 0; i < checks.length; i++) {
    const { weight } = checks[i];
    const failed = outcomes[i] === "fail";
    if (weight === 0 && failed) return "FAULT";
    if (weight > 0 && !failed) priority += weight;
    if (weight < 0 && failed) priority += weight;
  }
  // An address owner (255) keeps 255; everyone else is clamped like keepalived does.
  if (base === 255) return 255;
  return Math.min(254, Math.max(1, priority));
}

/** Text of how an effective priority came about, e.g. `80 + 10 = 90 (chk_httpd passing)`. */
function describe(base: number, checks: readonly ElectionCheck[], outcomes: readonly CheckOutcome[]): string {
  const terms: string[] = [];
  const notes: string[] = [];
  for (let i = 0; i < checks.length; i++) {
    const { name, weight } = checks[i];
    const failed = outcomes[i] === "fail";
    if (weight > 0 && !failed) terms.push(`+ ${weight}`);
    if (weight < 0 && failed) terms.push(`- ${-weight}`);
    if (weight !== 0) notes.push(`${name} ${failed ? "failing" : "passing"}`);
  }
  const result = effectivePriority(base, checks, outcomes);
  const sum = terms.length === 0 ? `${base}` : `${base} ${terms.join(" ")} = ${result}`;
  return notes.length === 0 ? sum : `${sum} (${notes.join(", ")})`;
}

/** Outcomes with only check `failing` failing. */
function onlyFailing(count: number, failing: number): CheckOutcome[] {
  return Array.from({ length: count }, (_, i) => (i === failing ? "fail" : "pass"));
}

/** Scenarios where check `checkIndex` fails on some node and the VIP stays there. */
function failuresFor(input: ElectionInput, checkIndex: number, explain = true): ElectionFailure[] {
  const { nodes, checks, nopreempt } = input;
  const check = checks[checkIndex];
  const failures: ElectionFailure[] = [];
  const allPass = onlyFailing(checks.length, -1);
  for (const master of nodes) {
    const failing = onlyFailing(checks.length, checkIndex);
    const masterPriority = effectivePriority(master.priority, checks, failing);
    if (masterPriority === "FAULT") continue; // priority-0 advert: any backup takes over after the skew time
    const others = nodes.filter((n) => n !== master);
    if (others.length === 0) continue;
    // The strongest other node, all checks passing; ties broken by config order for stable messages.
    let challenger = others[0];
    let challengerPriority = effectivePriority(challenger.priority, checks, allPass) as number;
    for (const other of others.slice(1)) {
      const p = effectivePriority(other.priority, checks, allPass) as number;
      if (p > challengerPriority) {
        challenger = other;
        challengerPriority = p;
      }
    }
    const masterText = describe(master.priority, checks, failing);
    const challengerText = describe(challenger.priority, checks, allPass);
    const prefix = `when ${check.name} fails on ${master.name} while it passes elsewhere,`;
    if (nopreempt) {
      failures.push({
        checkIndex, master: master.name, masterPriority, challenger: challenger.name, challengerPriority,
        explanation:
          `${prefix} ${master.name} stays MASTER at ${masterText}: with vrrp.nopreempt a BACKUP never takes over ` +
          `from a master that still sends adverts, whatever the priorities. Fix: set weight 0 so a failing check ` +
          `puts the node in FAULT (the VIP moves), or remove vrrp.nopreempt.`,
      });
      continue;
    }
    if (challengerPriority > masterPriority) continue;
    const tie = challengerPriority === masterPriority;
    const needed = explain ? minimalWeight(input, checkIndex) : undefined;
    const fix = needed === undefined
      ? "Fix: set weight 0 so a failing check puts the node in FAULT, or bring the priorities closer."
      : `Fix: use weight ${check.weight > 0 ? "" : "-"}${needed} or beyond (|weight| must exceed the priority gap), ` +
        `or weight 0 so a failing check puts the node in FAULT.`;
    failures.push({
      checkIndex, master: master.name, masterPriority, challenger: challenger.name, challengerPriority,
      explanation:
        `${prefix} ${master.name} has effective priority ${masterText} and ${challenger.name} has ${challengerText}; ` +
        (tie
          ? `a tie is not a guaranteed move (a BACKUP only preempts a strictly lower priority), so the VIP stays on ${master.name}. `
          : `${masterPriority} > ${challengerPriority}, so ${challenger.name} stays BACKUP and the VIP never moves. `) +
        fix,
    });
  }
  return failures;
}

/** Smallest |weight| (same sign as configured) for which check `checkIndex` always moves the VIP. */
function minimalWeight(input: ElectionInput, checkIndex: number): number | undefined {
  const sign = input.checks[checkIndex].weight > 0 ? 1 : -1;
  for (let magnitude = 1; magnitude <= 253; magnitude++) {
    const checks = input.checks.map((c, i) => (i === checkIndex ? { ...c, weight: sign * magnitude } : c));
    if (failuresFor({ ...input, checks }, checkIndex, false).length === 0) return magnitude;
  }
  return undefined;
}

/**
 * Every scenario (node × check) in which a failing check would leave the VIP where it is. Empty means
 * every tracked check, failing alone on any node, moves the VIP.
 */
export function checkElection(input: ElectionInput): ElectionFailure[] {
  const failures: ElectionFailure[] = [];
  for (let i = 0; i < input.checks.length; i++) {
    // With nopreempt there is no maths to do: any non-zero weight keeps the VIP in place.
    if (input.nopreempt && input.checks[i].weight === 0) continue;
    failures.push(...failuresFor(input, i));
  }
  return failures;
}
