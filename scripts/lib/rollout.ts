/**
 * The pure side of `npm run rollout`: its options, the change count of a preview, and the summary it prints.
 * The stacks, previews, ups and gates themselves are in scripts/rollout.ts.
 */
import { parseArgs } from "./stack";

/** What `npm run rollout` was asked to do. */
export interface RolloutOptions {
  /** The stacks, in rollout order. */
  readonly stacks: readonly string[];
  /** Do not ask before the first change. */
  readonly yes: boolean;
  /** Preview every stack, change nothing. */
  readonly previewOnly: boolean;
  /** A drill every stack must also pass after its `up`. */
  readonly drill?: { readonly scenario: string; readonly maxOutageSeconds: number };
  /** Print the summary as JSON. */
  readonly json: boolean;
  /** How long a stack may take to report HEALTHY after its `up`, in seconds. */
  readonly healthySeconds: number;
}

export const ROLLOUT_USAGE = "usage: npm run rollout -- --stacks dev,staging,prod [--yes] [--preview-only] " +
  "[--drill SCENARIO --max-outage SECONDS] [--healthy-within SECONDS] [--json]";

/** Parses the command line; a string is the error to print with the usage. */
export function parseRolloutArgs(argv: readonly string[], scenarios: readonly string[]): RolloutOptions | string {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv, ["yes", "preview-only", "json"]);
  } catch (err) {
    return (err as Error).message;
  }
  const { flags, positional } = parsed;
  if (positional.length > 0) return `unexpected argument ${JSON.stringify(positional[0])}`;
  const known = ["stacks", "yes", "preview-only", "drill", "max-outage", "json", "healthy-within"];
  const unknown = [...flags.keys()].find((k) => !known.includes(k));
  if (unknown !== undefined) return `unknown option --${unknown}`;
  const stacks = (flags.get("stacks") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (stacks.length === 0) return "--stacks needs at least one stack name";
  const twice = stacks.find((s, i) => stacks.indexOf(s) !== i);
  if (twice !== undefined) return `--stacks names ${twice} twice`;
  const scenario = flags.get("drill");
  const maxOutage = flags.get("max-outage");
  if ((scenario === undefined) !== (maxOutage === undefined)) return "--drill and --max-outage go together";
  if (scenario !== undefined && !scenarios.includes(scenario)) return `--drill must be one of ${scenarios.join(", ")}`;
  const maxOutageSeconds = Number(maxOutage);
  if (maxOutage !== undefined && !(maxOutageSeconds > 0)) return "--max-outage needs a number of seconds above 0";
  const healthySeconds = Number(flags.get("healthy-within") ?? 60);
  if (!(healthySeconds > 0)) return "--healthy-within needs a number of seconds above 0";
  return {
    stacks,
    yes: flags.has("yes"),
    previewOnly: flags.has("preview-only"),
    json: flags.has("json"),
    healthySeconds,
    ...(scenario !== undefined ? { drill: { scenario, maxOutageSeconds } } : {}),
  };
}

/** Resources a preview or an up would change (everything but "same"). */
export function changeCount(summary: Readonly<Record<string, number>> | undefined): number {
  return Object.entries(summary ?? {}).filter(([op]) => op !== "same").reduce((n, [, count]) => n + count, 0);
}

/** "2 update, 1 create" from a change summary; "no changes" when nothing changes. */
export function describeChanges(summary: Readonly<Record<string, number>> | undefined): string {
  const parts = Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n > 0).map(([op, n]) => `${n} ${op}`);
  return parts.length === 0 ? "no changes" : parts.join(", ");
}

/** How one stack fared. */
export interface StackOutcome {
  /** Stack name. */
  readonly stack: string;
  /** What its preview said would change. */
  readonly changes: string;
  /** Wall time of everything done for it, in seconds. */
  readonly seconds: number;
  /** The phase it stopped in, or "done"; "skipped" for a stack after a failed one. */
  readonly result: "done" | "preview failed" | "up failed" | "gate failed" | "cancelled" | "skipped" | "previewed";
  /** The gate's verdict ("HEALTHY", "drill outage 0.9 s", ...) or the reason it failed. */
  readonly gate?: string;
  /** Outage of the drill, seconds, when drilled. */
  readonly outageSeconds?: number;
}

/** The summary table printed at the end. */
export function formatSummary(outcomes: readonly StackOutcome[]): string {
  // A long reason is cut here; the line naming the stopped stack and --json carry it whole.
  const cut = (text: string) => (text.length > 72 ? `${text.slice(0, 71)}…` : text);
  const rows = outcomes.map((o) => [o.stack, o.changes, `${o.seconds.toFixed(1)} s`, o.result, cut(o.gate ?? "-"),
    o.outageSeconds === undefined ? "-" : `${o.outageSeconds.toFixed(2)} s`]);
  const header = ["STACK", "CHANGES", "TIME", "RESULT", "GATE", "OUTAGE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
