/**
 * The pure parts of `npm run bench -- --side-by-side` (keepalived-ha next to the Ansible peer playbook): the
 * lab config it reads, the peer's inventory and known_hosts, the no-change checks of both tools' output,
 * medians and ratios, the targets and the markdown section. No I/O, so test/unit/side-by-side.test.ts covers it.
 */
import { parse } from "yaml";

/** The two tools compared. */
export type Tool = "ansible" | "keepalived-ha";

/** Both tools, in the order the tables list them. */
export const TOOLS: readonly Tool[] = ["ansible", "keepalived-ha"];

/** One timed command: wall time and peak resident memory of its process tree. */
export interface TimedRun {
  /** Wall seconds from spawn to exit. */
  readonly seconds: number;
  /** Peak of the summed VmRSS of the command and all its descendants (MiB). */
  readonly peakTreeMiB: number;
  /** Peak VmRSS of the largest single process in the tree (MiB). */
  readonly peakLargestMiB: number;
}

/** A cold run: the command on fresh hosts, then the wait from its exit until the VIP serves HTTP 200. */
export interface ColdRun extends TimedRun {
  /** Seconds from the command's exit until the first HTTP 200 through the VIP. */
  readonly serveSeconds: number;
}

/** What one tool measured in one round. */
export interface ToolRound {
  /** Cold run on fresh hosts. */
  readonly cold: ColdRun;
  /** The same command again, which must change nothing. */
  readonly noChange: TimedRun;
}

/** One round: both tools, each on hosts of its own. */
export interface Round {
  /** 0-based; ansible goes first in even rounds. */
  readonly index: number;
  /** The order the tools ran in. */
  readonly order: readonly Tool[];
  /** Each tool's runs. */
  readonly runs: Readonly<Record<Tool, ToolRound>>;
}

/** keepalived-ha alone at one cluster size, the packages installed beforehand. */
export interface ScaleRun {
  /** Cluster size. */
  readonly nodes: number;
  /** 0-based round. */
  readonly round: number;
  /** Cold `up --yes` on fresh hosts whose packages are already installed. */
  readonly cold: TimedRun;
  /** No-change `up --yes` right after. */
  readonly noChange: TimedRun;
  /** More no-change runs after that one: samples of the same figure (absent in reports before they were taken). */
  readonly moreNoChange?: readonly TimedRun[];
  /** Resources the no-change runs left unchanged, as the engine counts them (absent in reports before it was kept). */
  readonly resources?: number;
}

/** Every no-change sample of a scale run, in the order taken. */
export function noChangeSamples(run: ScaleRun): readonly TimedRun[] {
  return [run.noChange, ...(run.moreNoChange ?? [])];
}

/** The cluster sizes the scale rows compare. */
export const SCALE_SIZES = [2, 8] as const;

/** The machine a report was measured on. */
export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string | undefined;
  readonly memoryGiB: number;
  readonly kernel: string;
}

/** Versions of everything measured. */
export interface Versions {
  /** First line of `ansible-playbook --version`. */
  readonly ansible: string;
  /** `pulumi version`. */
  readonly pulumi: string;
  /** Node.js running the program. */
  readonly node: string;
  /** The checkout's commit (`-dirty` when it had changes). */
  readonly commit: string;
}

/** A target and whether the measured value meets it. */
export interface TargetResult {
  /** What is compared, e.g. "no-change: keepalived-ha / ansible". */
  readonly what: string;
  /** The measured value (a ratio or seconds). */
  readonly value: number;
  /** Upper bound. */
  readonly limit: number;
  /** "×" for ratios, "s" for seconds. */
  readonly unit: "×" | "s";
  /** value ≤ limit. */
  readonly met: boolean;
}

/** Everything bench/side-by-side.json holds. */
export interface SideBySideReport {
  readonly date: string;
  readonly machine: Machine;
  readonly versions: Versions;
  readonly rounds: readonly Round[];
  /** Undefined with --skip-scale. */
  readonly scale: readonly ScaleRun[] | undefined;
  readonly targets: readonly TargetResult[];
  /** E.g. fewer rounds than 3. */
  readonly warnings: readonly string[];
}

/** Upper bounds the report checks. */
export const TARGETS = {
  /** keepalived-ha's no-change median over ansible's. */
  noChangeRatio: 0.4,
  /** keepalived-ha's no-change median, seconds. */
  noChangeSeconds: 4,
  /** keepalived-ha's cold median (until the VIP serves) over ansible's. */
  coldRatio: 0.6,
  /** keepalived-ha's no-change median at 8 nodes over 2 nodes. */
  noChangeScale: 1.3,
  /** keepalived-ha's cold median without the package step at 8 nodes over 2 nodes. */
  coldScale: 1.5,
} as const;

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A cold run's total: the command plus the wait until the VIP serves. */
export function coldTotal(run: ColdRun): number {
  return run.seconds + run.serveSeconds;
}

/** The node facts the side-by-side run reads from Pulumi.lab.yaml. */
export interface LabConfig {
  /** Nodes in config order. */
  readonly nodes: readonly { readonly name: string; readonly address: string; readonly hostKey: string }[];
  /** The first VIP without its prefix length. */
  readonly vip: string;
  /** `ssh.privateKeyPath` as written (may start with `~`). */
  readonly privateKeyPath: string | undefined;
}

/** Reads the lab's stack file (`lab up` writes it); throws naming what is missing. */
export function readLabConfig(text: string): LabConfig {
  const doc = parse(text) as { config?: Record<string, unknown> } | null;
  const c = doc?.config ?? {};
  const nodes = c["keepalived-ha:nodes"];
  if (!Array.isArray(nodes) || nodes.length === 0) throw new Error("Pulumi.lab.yaml has no keepalived-ha:nodes; run: bash scripts/lab.sh up");
  const parsed = nodes.map((n: Record<string, unknown>, i) => {
    const { name, address, hostKey } = n;
    if (typeof name !== "string" || typeof address !== "string" || typeof hostKey !== "string") {
      throw new Error(`Pulumi.lab.yaml: keepalived-ha:nodes[${i}] needs name, address and hostKey`);
    }
    return { name, address, hostKey: hostKey.trim() };
  });
  const vip = (c["keepalived-ha:vrrp"] as { vips?: unknown[] } | undefined)?.vips?.[0];
  if (typeof vip !== "string") throw new Error("Pulumi.lab.yaml has no keepalived-ha:vrrp.vips[0]");
  const ssh = c["keepalived-ha:ssh"] as { privateKeyPath?: unknown } | undefined;
  return { nodes: parsed, vip: vip.split("/")[0], privateKeyPath: typeof ssh?.privateKeyPath === "string" ? ssh.privateKeyPath : undefined };
}

/**
 * The peer's inventory.ini: inventory.example.ini with each host's `ansible_host` set to the lab node of the
 * same name and the key file set to `keyFile` (an absolute path: the example's `~` is the operator's home).
 * Everything else (priorities, states, the StrictHostKeyChecking=yes ssh arguments) stays as the peer wrote it.
 */
export function renderInventory(example: string, nodes: readonly { name: string; address: string }[], keyFile: string): string {
  const addresses = new Map(nodes.map((n) => [n.name, n.address]));
  const seen: string[] = [];
  let section = "";
  const key = /\s/.test(keyFile) ? `'${keyFile}'` : keyFile;
  const lines = example.split("\n").map((line) => {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) { section = header[1]; return line; }
    const out = line.replace(/\bansible_ssh_private_key_file=\S+/, `ansible_ssh_private_key_file=${key}`);
    const host = /^(\S+)(\s|$)/.exec(out);
    // Host lines: in a group section (not `:vars`), not a comment; the first word is the host's name.
    if (section === "" || section.includes(":") || !host || out.startsWith("#") || out.startsWith(";")) return out;
    const address = addresses.get(host[1]);
    if (address === undefined) throw new Error(`the peer's inventory names ${host[1]}, which the lab does not have (lab nodes: ${[...addresses.keys()].join(", ")})`);
    seen.push(host[1]);
    return /\bansible_host=\S+/.test(out) ? out.replace(/\bansible_host=\S+/, `ansible_host=${address}`) : `${out} ansible_host=${address}`;
  });
  const missing = nodes.filter((n) => !seen.includes(n.name)).map((n) => n.name);
  if (missing.length > 0) throw new Error(`the peer's inventory has no line for ${missing.join(", ")}; the lab has ${nodes.length} nodes`);
  return lines.join("\n");
}

/** known_hosts for the peer's `UserKnownHostsFile=known_hosts`: one `ADDRESS KEY` line per node. */
export function renderKnownHosts(nodes: readonly { address: string; hostKey: string }[]): string {
  return nodes.map((n) => `${n.address} ${n.hostKey}\n`).join("");
}

/** Counters of one host's line in a PLAY RECAP (ok, changed, unreachable, failed, ...). */
export type RecapCounts = Readonly<Record<string, number>>;

/** The last PLAY RECAP of ansible-playbook's output, by host; undefined when there is none. */
export function parsePlayRecap(output: string): Map<string, RecapCounts> | undefined {
  const start = output.lastIndexOf("PLAY RECAP");
  if (start < 0) return undefined;
  const recap = new Map<string, RecapCounts>();
  for (const line of output.slice(start).split("\n").slice(1)) {
    const m = /^(\S+)\s+:\s+(.*\S)\s*$/.exec(line);
    if (!m) {
      if (line.trim() === "") break;
      continue;
    }
    const counts: Record<string, number> = {};
    for (const [, k, v] of m[2].matchAll(/(\w+)=(\d+)/g)) counts[k] = Number(v);
    recap.set(m[1], counts);
  }
  return recap;
}

/** Why a no-change playbook run is not one: a host missing from the recap, changed, failed or unreachable. */
export function recapProblems(recap: Map<string, RecapCounts> | undefined, hosts: readonly string[]): string[] {
  if (recap === undefined) return ["no PLAY RECAP in ansible-playbook's output"];
  return hosts.flatMap((h) => {
    const c = recap.get(h);
    if (c === undefined) return [`${h}: not in the PLAY RECAP`];
    return (["changed", "failed", "unreachable"] as const).filter((k) => (c[k] ?? 0) > 0).map((k) => `${h}: ${k}=${c[k]}`);
  });
}

/** The engine's closing `Resources:` summary: resources unchanged, and the count per kind of change. */
export interface ResourceSummary {
  /** `N unchanged`. */
  readonly unchanged: number;
  /** `+ 1 created`, `~ 14 updated`, `- 2 deleted`, `+-1 replaced`, `3 errored`, ... by past-tense word. */
  readonly changes: Readonly<Record<string, number>>;
}

/**
 * Parses the last `Resources:` block of `pulumi up` output (NO_COLOR): lines like `    + 1 created` or
 * `    15 changes. 4 unchanged`, up to the blank line before `Duration:`. Undefined when there is none.
 */
export function parseResourceSummary(output: string): ResourceSummary | undefined {
  const lines = output.split("\n");
  let start = -1;
  lines.forEach((l, i) => { if (l.trim() === "Resources:") start = i; });
  if (start < 0) return undefined;
  let unchanged = 0;
  const changes: Record<string, number> = {};
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") break;
    for (const piece of line.trim().split(". ")) {
      // The engine's op prefixes are one or two of these characters (deploy.RawPrefix), before the count.
      const m = /^(?:[+\-~<>=]{1,2}\s*)?(\d+) ([a-z-]+)$/.exec(piece.trim());
      if (!m) continue;
      if (m[2] === "unchanged") unchanged = Number(m[1]);
      else if (m[2] !== "changes" && m[2] !== "change") changes[m[2]] = (changes[m[2]] ?? 0) + Number(m[1]);
    }
  }
  return { unchanged, changes };
}

/** Why a no-change `pulumi up` changed something (or cannot be told); empty when it changed nothing. */
export function engineChangeProblems(summary: ResourceSummary | undefined): string[] {
  if (summary === undefined) return ["no `Resources:` summary in pulumi's output"];
  return Object.entries(summary.changes).map(([kind, n]) => `${n} ${kind}`);
}

/** value ≤ limit, as a TargetResult. */
export function checkTarget(what: string, value: number, limit: number, unit: "×" | "s"): TargetResult {
  return { what, value, limit, unit, met: value <= limit };
}

/** keepalived-ha's median over ansible's, for one figure of the rounds. */
function medianRatio(rounds: readonly Round[], pick: (r: ToolRound) => number): number {
  return median(rounds.map((r) => pick(r.runs["keepalived-ha"]))) / median(rounds.map((r) => pick(r.runs.ansible)));
}

/** The median of a scale figure's samples at 2 and at 8 nodes; undefined without runs at both sizes. */
function scaleMedians(scale: readonly ScaleRun[], pick: (s: ScaleRun) => readonly number[]): [number, number] | undefined {
  const at = (n: number) => scale.filter((s) => s.nodes === n).flatMap(pick);
  const [small, large] = [at(SCALE_SIZES[0]), at(SCALE_SIZES[1])];
  return small.length > 0 && large.length > 0 ? [median(small), median(large)] : undefined;
}

/** The median of a scale figure's samples at 8 nodes over that at 2 nodes; undefined without runs at both sizes. */
function scaleRatio(scale: readonly ScaleRun[], pick: (s: ScaleRun) => readonly number[]): number | undefined {
  const medians = scaleMedians(scale, pick);
  return medians === undefined ? undefined : medians[1] / medians[0];
}

/**
 * The scale rows' no-change medians as a straight line through the two sizes: a fixed cost plus a cost per resource
 * the engine handles. From it, the resources per node at which the 8-vs-2 ratio would meet its target with the same
 * costs, which says whether tuning or fewer resources per node can meet it.
 */
export interface PerResourceFit {
  /** Resources at the small and the large size. */
  readonly resources: readonly [number, number];
  /** Resources each node adds. */
  readonly perNode: number;
  /** Seconds each resource adds to a no-change `up`. */
  readonly secondsPerResource: number;
  /** The line at zero resources: seconds of a no-change `up` that no resource adds to (extrapolated). */
  readonly fixedSeconds: number;
  /** Most resources per node (same fixed and per-resource costs, same cluster-wide resources) that meet the target. */
  readonly perNodeForTarget: number;
}

/** The fit, or undefined without resource counts at both sizes or when the large size is not slower. */
export function perResourceFit(scale: readonly ScaleRun[]): PerResourceFit | undefined {
  const [small, large] = SCALE_SIZES;
  const target = TARGETS.noChangeScale;
  const counts = (n: number) => [...new Set(scale.filter((s) => s.nodes === n).map((s) => s.resources))];
  const [rs, rl] = [counts(small), counts(large)];
  if (rs.length !== 1 || rl.length !== 1 || rs[0] === undefined || rl[0] === undefined || rl[0] <= rs[0]) return undefined;
  const medians = scaleMedians(scale, (s) => noChangeSamples(s).map((r) => r.seconds));
  if (medians === undefined) return undefined;
  const [ts, tl] = medians;
  const b = (tl - ts) / (rl[0] - rs[0]);
  if (!(b > 0)) return undefined;
  const fixed = ts - rs[0] * b;
  const perNode = (rl[0] - rs[0]) / (large - small);
  // (A + large·r·b) / (A + small·r·b) ≤ target, where A is the fixed cost plus the cluster-wide resources' cost.
  const clusterWide = fixed + (rs[0] - small * perNode) * b;
  return {
    resources: [rs[0], rl[0]], perNode, secondsPerResource: b, fixedSeconds: fixed,
    perNodeForTarget: ((target - 1) * clusterWide) / ((large - target * small) * b),
  };
}

/** Every target the report checks, from the rounds and (when measured) the scale runs. */
export function evaluateTargets(rounds: readonly Round[], scale: readonly ScaleRun[] | undefined): TargetResult[] {
  const results = [
    checkTarget("no-change: keepalived-ha / ansible", medianRatio(rounds, (r) => r.noChange.seconds), TARGETS.noChangeRatio, "×"),
    checkTarget("no-change: keepalived-ha", median(rounds.map((r) => r.runs["keepalived-ha"].noChange.seconds)), TARGETS.noChangeSeconds, "s"),
    checkTarget("cold until the VIP serves: keepalived-ha / ansible", medianRatio(rounds, (r) => coldTotal(r.cold)), TARGETS.coldRatio, "×"),
  ];
  const noChange = scaleRatio(scale ?? [], (s) => noChangeSamples(s).map((r) => r.seconds));
  if (noChange !== undefined) results.push(checkTarget("no-change: 8 nodes / 2 nodes", noChange, TARGETS.noChangeScale, "×"));
  const cold = scaleRatio(scale ?? [], (s) => [s.cold.seconds]);
  if (cold !== undefined) results.push(checkTarget("cold without the package step: 8 nodes / 2 nodes", cold, TARGETS.coldScale, "×"));
  return results;
}

const fmt = (v: number, unit: "s" | "MiB") => (unit === "s" ? `${v.toFixed(2)} s` : `${v.toFixed(0)} MiB`);
const times = (v: number) => `${v.toFixed(2)} ×`;
const verdict = (t: TargetResult | undefined) =>
  (t === undefined ? "" : ` (target ≤ ${t.limit}${t.unit === "s" ? " s" : " ×"}: ${t.met ? "met" : "not met"})`);

/** One figure's columns: ansible, keepalived-ha, and keepalived-ha / ansible. */
interface Series {
  readonly label: string;
  readonly unit: "s" | "MiB";
  readonly pick: (r: ToolRound) => number;
  /** Shown next to the ratio of the medians. */
  readonly ratioTarget?: TargetResult;
  /** Shown next to keepalived-ha's median. */
  readonly valueTarget?: TargetResult;
}

/** A table of one figure: a row per round (each run and the pair's ratio), then the medians and their ratio. */
function figureTable(title: string, rounds: readonly Round[], series: readonly Series[]): string[] {
  const named = (word: string, label: string) => (label === "" ? word : `${word} ${label}`);
  const head = series.flatMap((s) => ["ansible", "keepalived-ha", "ratio"].map((w) => named(w, s.label)));
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${title}`,
    "",
    row(["round", ...head]),
    row(["---", ...head.map(() => "---")]),
    ...rounds.map((r) => row([`${r.index + 1} (${r.order[0]} first)`, ...series.flatMap((s) => {
      const [a, k] = [s.pick(r.runs.ansible), s.pick(r.runs["keepalived-ha"])];
      return [fmt(a, s.unit), fmt(k, s.unit), times(k / a)];
    })])),
    row(["**median**", ...series.flatMap((s) => {
      const [a, k] = TOOLS.map((t) => median(rounds.map((r) => s.pick(r.runs[t]))));
      return [fmt(a, s.unit), fmt(k, s.unit) + verdict(s.valueTarget), times(k / a) + verdict(s.ratioTarget)];
    })]),
    "",
  ];
}

/** The scale rows: keepalived-ha's medians at 2 and 8 nodes, every run, and the ratio next to its target. */
function scaleTable(scale: readonly ScaleRun[], targets: readonly TargetResult[]): string[] {
  const figures = [
    { label: "no-change `up --yes`", pick: (s: ScaleRun) => noChangeSamples(s).map((r) => r.seconds), target: targets.find((t) => t.what.startsWith("no-change: 8")) },
    { label: "cold `up --yes`, packages installed beforehand", pick: (s: ScaleRun) => [s.cold.seconds], target: targets.find((t) => t.what.startsWith("cold without")) },
  ];
  const [small, large] = SCALE_SIZES;
  const runs = (n: number, pick: (s: ScaleRun) => readonly number[]) => scale.filter((s) => s.nodes === n).flatMap(pick);
  const cell = (v: number[]) => (v.length === 0 ? "-" : `${fmt(median(v), "s")} (${v.map((x) => x.toFixed(2)).join(", ")})`);
  return [
    `### keepalived-ha at ${large} nodes vs ${small} (medians, every run in brackets)`,
    "",
    "Fresh hosts for every run (`lab up --nodes N`) with the default profile's packages installed beforehand (not timed),",
    "so the package step finds nothing to do; the no-change `up --yes` follows each cold one, several times where the",
    "brackets show more runs than the cold row: each is a sample of the same figure, and the median is over all of them.",
    "",
    `| figure | ${small} nodes | ${large} nodes | ${large} / ${small} |`,
    "|---|---|---|---|",
    ...figures.map((f) => `| ${f.label} | ${cell(runs(small, f.pick))} | ${cell(runs(large, f.pick))} | ` +
      `${f.target ? times(f.target.value) + verdict(f.target) : "-"} |`),
    "",
    ...perResourceLines(perResourceFit(scale)),
  ];
}

/** The fit of the no-change medians as a sentence; nothing without resource counts. */
function perResourceLines(fit: PerResourceFit | undefined): string[] {
  if (fit === undefined) return [];
  const [small, large] = SCALE_SIZES;
  return [
    `A no-change \`up\` handles ${fit.resources[0]} resources at ${small} nodes and ${fit.resources[1]} at ${large} ` +
      `(${fit.perNode.toFixed(0)} per node). A straight line through the two medians: ${fit.fixedSeconds.toFixed(2)} s ` +
      `fixed plus ${(fit.secondsPerResource * 1000).toFixed(1)} ms per resource. At those costs the ${large}-vs-${small} ` +
      `ratio meets ≤ ${TARGETS.noChangeScale} × with at most ${fit.perNodeForTarget.toFixed(1)} resources per node.`,
    "",
  ];
}

/** The markdown section bench/side-by-side.md holds (scripts/bench.ts includes it in bench/report.md). */
export function renderSideBySide(report: SideBySideReport): string {
  const m = report.machine;
  const v = report.versions;
  const { rounds, targets } = report;
  const t = (prefix: string) => targets.find((x) => x.what === prefix);
  return [
    "## Side by side with Ansible",
    "",
    `Run ${report.date} on ${m.cpus} × ${m.cpuModel ?? "unknown CPU"}, ${m.memoryGiB} GiB, Linux ${m.kernel}; ` +
      `${v.ansible}, Pulumi ${v.pulumi}, Node.js ${v.node}, commit ${v.commit}. Reproduce with \`npm run bench -- --side-by-side\`.`,
    "",
    `Each of ${rounds.length} rounds runs both tools, each on two fresh lab hosts (\`lab down\`, \`lab up --nodes 2\`), in alternating order:`,
    "the peer playbook of `shared/peers/ansible` (`ansible-playbook -i inventory.ini site.yml`) and `pulumi up --yes` of the",
    "default profile. Cold = the command on fresh hosts plus the time from its exit until the VIP serves HTTP 200 (probes",
    "every 100 ms from this machine); no-change = the same command again (ansible: `changed=0` on every host; keepalived-ha:",
    "nothing created, updated, deleted or replaced). Memory: VmRSS sampled every 50 ms over the command's whole process",
    "tree (summed) and its largest process. Ratios are keepalived-ha / ansible: per round, and of the medians.",
    ...report.warnings.map((w) => `\n**Warning:** ${w}`),
    "",
    ...figureTable("Cold, until the VIP serves", rounds, [
      { label: "total", unit: "s", pick: (r) => coldTotal(r.cold), ratioTarget: t("cold until the VIP serves: keepalived-ha / ansible") },
      { label: "command", unit: "s", pick: (r) => r.cold.seconds },
      { label: "exit → VIP serves", unit: "s", pick: (r) => r.cold.serveSeconds },
    ]),
    ...figureTable("No change (the same command again)", rounds, [
      { label: "", unit: "s", pick: (r) => r.noChange.seconds,
        ratioTarget: t("no-change: keepalived-ha / ansible"), valueTarget: t("no-change: keepalived-ha") },
    ]),
    ...figureTable("Peak memory of the process tree (summed VmRSS)", rounds, [
      { label: "cold", unit: "MiB", pick: (r) => r.cold.peakTreeMiB },
      { label: "no-change", unit: "MiB", pick: (r) => r.noChange.peakTreeMiB },
    ]),
    ...figureTable("Peak memory of the largest process", rounds, [
      { label: "cold", unit: "MiB", pick: (r) => r.cold.peakLargestMiB },
      { label: "no-change", unit: "MiB", pick: (r) => r.noChange.peakLargestMiB },
    ]),
    ...(report.scale === undefined ? ["Scale rows not measured (`--skip-scale`).", ""] : scaleTable(report.scale, targets)),
    "### Targets",
    "",
    "| target | measured | met |",
    "|---|---|---|",
    ...targets.map((x) => `| ${x.what} ≤ ${x.limit}${x.unit === "s" ? " s" : " ×"} | ${x.unit === "s" ? fmt(x.value, "s") : times(x.value)} | ${x.met ? "met" : "not met"} |`),
    "",
  ].join("\n");
}
