/**
 * npm run bench [-- --runs 10 --sizes 2,4,8 --scenarios httpd-stop,keepalived-stop,node-crash,partition]
 *                [--merge]     (keep the committed report's rows this run does not measure)
 * npm run bench -- --reanalyze   (drill rows recomputed from the runs saved under out/bench; nothing re-measured)
 * npm run bench -- --render      (bench/report.md rewritten from report.json and the sections below; nothing measured)
 * npm run bench -- --side-by-side [--rounds 3] [--peer DIR] [--sizes-rounds 3] [--skip-scale]
 *                  (keepalived-ha next to the Ansible peer playbook on fresh lab hosts, plus 8 vs 2 nodes;
 *                   writes bench/side-by-side.md and .json, which report.md includes: scripts/bench-side-by-side.ts)
 * bash bench/fixed-cost.sh        (where a no-change `up` spends its time; writes bench/fixed-cost.md, included too)
 *
 * On the lab, in one run: lab up timings, cold `pulumi up` on fresh hosts, no-change `up`, `destroy`, peak
 * memory of the engine, drill timings (p50/p95 per scenario and profile), and cold `up` for several cluster
 * sizes. Writes bench/report.md and bench/report.json with the machine it ran on.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { analyzeDrill, DrillEvents, DrillMetrics, percentile, ProbeSample, Scenario, SCENARIOS } from "../core/drill";
import { runDrill } from "./drill";
import { parseFlags, REPO_ROOT } from "./lib/stack";
import { durationsByKind, overlap, stepTimings } from "./lib/step-timings";
import { TestStack, toolchainEnv } from "./lib/throwaway-stack";

const log = (line: string) => console.log(`bench: ${line}`);

/** Wall time of a shell command in seconds; throws with its output when it fails. */
function timed(what: string, command: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command[0], command.slice(1), { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${what} failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
  log(`${what}: ${seconds.toFixed(1)} s`);
  return seconds;
}

/** Runs a pulumi command under GNU time: wall seconds and the peak RSS of the largest process (MiB). */
function timedPulumi(stack: TestStack, args: string[]): { seconds: number; peakMiB: number } {
  const timeFile = path.join(os.tmpdir(), `kaha-bench-time-${process.pid}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", "-o", timeFile, "pulumi", ...args, "--stack", stack.name], {
    cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20,
    // PULUMI_DEBUG_COMMANDS makes the CLI accept --event-log (the size runs read step times from it).
    env: { ...toolchainEnv(), PULUMI_BACKEND_URL: `file://${stack.backendDir}`, NO_COLOR: "1", PULUMI_DEBUG_COMMANDS: "true" },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
  const peakMiB = Number(fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()) / 1024;
  log(`pulumi ${args[0]} (${stack.name}): ${seconds.toFixed(1)} s, peak RSS ${peakMiB.toFixed(0)} MiB`);
  return { seconds, peakMiB };
}

/** The lab's generated stack config, changed per profile. */
export function profileConfig(profile: "default" | "fast"): string {
  const doc = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.lab.yaml"), "utf8")) as { config: Record<string, unknown> };
  const c = doc.config;
  delete c["keepalived-ha:site"]; // per-node pages, so the drill sees who answers
  // Both profiles put a node with a dead web server in FAULT (weight 0): its priority-0 advert hands the VIP
  // over after the backup's skew time, (256 - priority)/256 × advert_int, instead of the full down timer.
  c["keepalived-ha:checks"] = [{ name: "chk_web", type: "tcp", port: 80, interval: 1, fall: 1, rise: 1, weight: 0 }];
  if (profile === "fast") {
    c["keepalived-ha:vrrp"] = { ...(c["keepalived-ha:vrrp"] as Record<string, unknown>), version: 3, advertInt: 0.1 };
    // Event-driven: keepalived hears of the web server's exit at once (track_process, or in the lab's containers
    // its track_file substitute); the slower HTTP check catches a web server that runs but does not answer.
    c["keepalived-ha:checks"] = [
      { name: "chk_web", type: "track-process", weight: 0 },
      { name: "chk_http", type: "http", interval: 2, timeout: 1, fall: 2, rise: 1, weight: 0 },
    ];
  }
  return stringify(doc);
}

/** Steps of a node, in the order they run (components/cluster-node.ts). */
const STEP_KINDS = ["identify", "firewall", "packages", "site", "keepalived", "services"] as const;

/** Cold `up` of one cluster size. */
interface SizeResult {
  nodes: number; labUpSeconds: number; coldUpSeconds: number; peakMiB: number;
  /** Duration per step kind. */
  steps: Record<string, { count: number; mean: number; max: number }>;
  /** Steps running at once, on average. */
  overlap: number;
}

interface DrillSummary { profile: string; scenario: Scenario; runs: number; p50: number | undefined; p95: number | undefined;
  movedP50: number | undefined; failedP50: number | undefined; lostAfterNewMaster: number; failbackP50: number | undefined }

/** The machine a report was measured on. */
interface Machine { cpus: number; cpuModel: string | undefined; memoryGiB: number; kernel: string; node: string }

/** What a drill saved under DRILL_DIR, as far as the re-analysis reads it. */
interface SavedDrill { samples: ProbeSample[]; events: DrillEvents; metrics: { oldMaster: string } }

/** Reads bench/report.json, or a report the bench wrote elsewhere. */
function readReport(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

type EngineRow = { seconds: number; peakMiB: number } | undefined;

/** Where the drills of a bench run keep their per-run JSON (samples, events, metrics). */
const DRILL_DIR = path.join(REPO_ROOT, "out", "bench");

/** One row of the drill table from the runs of a profile and scenario. */
function summarize(profile: string, scenario: Scenario, results: readonly DrillMetrics[]): DrillSummary {
  const ms = (f: (r: DrillMetrics) => number | undefined) => results.flatMap((r) => { const v = f(r); return v === undefined ? [] : [v]; });
  return { profile, scenario, runs: results.length,
    p50: percentile(ms((r) => r.outageMs), 50), p95: percentile(ms((r) => r.outageMs), 95),
    movedP50: percentile(ms((r) => r.vipMovedMs), 50), failedP50: percentile(ms((r) => r.failedRequests), 50),
    lostAfterNewMaster: results.reduce((a, r) => a + r.failedAfterNewMaster, 0),
    failbackP50: percentile(ms((r) => r.failbackMs), 50) };
}

/**
 * `--reanalyze`: recomputes the drill rows of bench/report.json from the per-run JSON the drills saved under
 * out/bench (with the current analyzeDrill) and rewrites the report; nothing else is measured again.
 */
function reanalyze(): void {
  const benchDir = path.join(REPO_ROOT, "bench");
  const report = readReport(path.join(benchDir, "report.json"));
  let newest = 0;
  report.drills = (report.drills as DrillSummary[]).map((row) => {
    const prefix = `test-bench-${row.profile}-${row.scenario}-run`;
    const runs = fs.readdirSync(DRILL_DIR).filter((f) => f.startsWith(prefix) && f.endsWith(".json")).map((f) => {
      newest = Math.max(newest, fs.statSync(path.join(DRILL_DIR, f)).mtimeMs);
      const saved = JSON.parse(fs.readFileSync(path.join(DRILL_DIR, f), "utf8")) as SavedDrill;
      return analyzeDrill(saved.samples, saved.events, saved.metrics.oldMaster);
    });
    return runs.length > 0 ? summarize(row.profile, row.scenario, runs) : row;
  });
  report.reanalyzed = { at: new Date().toISOString(), drillsMeasuredUntil: new Date(newest).toISOString() };
  fs.writeFileSync(path.join(benchDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(benchDir, "report.md"), renderReport(report, report.drills as DrillSummary[], report.bySize as SizeResult[],
    { coldUp2: report.coldUp2 as EngineRow, noChange: report.noChange as EngineRow, destroy: report.destroy as EngineRow }));
  log("re-analyzed the drills from out/bench; wrote bench/report.md and bench/report.json");
}

/** `--render`: rewrites bench/report.md from bench/report.json and the sections other tools wrote; measures nothing. */
function render(): void {
  const benchDir = path.join(REPO_ROOT, "bench");
  const report = readReport(path.join(benchDir, "report.json"));
  fs.writeFileSync(path.join(benchDir, "report.md"), renderReport(report, report.drills as DrillSummary[], report.bySize as SizeResult[],
    { coldUp2: report.coldUp2 as EngineRow, noChange: report.noChange as EngineRow, destroy: report.destroy as EngineRow }));
  log("wrote bench/report.md from bench/report.json and the included sections");
}

async function main(): Promise<void> {
  // Its own mode with its own flags (and a module loaded only for it).
  if (process.argv.includes("--side-by-side")) return (await import("./bench-side-by-side")).main(process.argv.slice(2));
  const flags = parseFlags(process.argv.slice(2), ["reanalyze", "render", "merge"]);
  if (flags.has("reanalyze")) return reanalyze();
  if (flags.has("render")) return render();
  const runs = Number(flags.get("runs") ?? 10);
  // An empty list (`--sizes ""`) skips that part; with --merge the rows measured replace theirs in the report.
  const sizes = (flags.get("sizes") ?? "2,4,8").split(",").filter((x) => x.trim() !== "").map(Number);
  const scenarios = (flags.get("scenarios") ?? SCENARIOS.join(",")).split(",").filter((x) => x.trim() !== "") as Scenario[];
  const previous = flags.has("merge") ? readReport(path.join(REPO_ROOT, "bench", "report.json")) : undefined;
  const machine: Machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(), node: process.version };
  const report: Record<string, unknown> = { date: new Date().toISOString(), machine };

  timed("lab down", ["bash", "scripts/lab.sh", "down"]);
  const labUp2 = timed("lab up --nodes 2 (warm image)", ["bash", "scripts/lab.sh", "up", "--nodes", "2"]);
  const labStats = spawnSync("bash", ["scripts/lab.sh", "stats"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout;

  const drills: DrillSummary[] = [];
  let coldUp2: EngineRow;
  let noChange: EngineRow;
  let destroy: EngineRow;
  for (const profile of ["default", "fast"] as const) {
    const stack = new TestStack(`bench-${profile}`, profileConfig(profile));
    try {
      const up = timedPulumi(stack, ["up", "--yes"]);
      const again = timedPulumi(stack, ["up", "--yes", "--expect-no-changes"]);
      if (profile === "default") { coldUp2 = up; noChange = again; }
      // The drill tools read Pulumi.<stack>.yaml; the throwaway stack's file is one.
      for (const scenario of scenarios) {
        const results = await runDrill(stack.name, scenario, runs, 30, DRILL_DIR, (l) => log(`${profile} ${l}`));
        drills.push(summarize(profile, scenario, results));
      }
      const d = timedPulumi(stack, ["destroy", "--yes"]);
      if (profile === "default") destroy = d;
    } finally {
      stack.remove();
    }
  }

  // Cold `up` by cluster size: fresh hosts each time (lab down removes their disks).
  const bySize: SizeResult[] = [];
  for (const n of sizes) {
    timed("lab down", ["bash", "scripts/lab.sh", "down"]);
    const labUpSeconds = timed(`lab up --nodes ${n}`, ["bash", "scripts/lab.sh", "up", "--nodes", String(n)]);
    const stack = new TestStack(`bench-size${n}`, profileConfig("default"));
    const eventLog = path.join(os.tmpdir(), `kaha-bench-events-${n}.jsonl`);
    try {
      const up = timedPulumi(stack, ["up", "--yes", "--event-log", eventLog]);
      const timings = stepTimings(fs.readFileSync(eventLog, "utf8"));
      bySize.push({ nodes: n, labUpSeconds, coldUpSeconds: up.seconds, peakMiB: up.peakMiB,
        steps: durationsByKind(timings, STEP_KINDS), overlap: overlap(timings) });
    } finally {
      stack.remove();
      fs.rmSync(eventLog, { force: true });
    }
  }
  const labDown = timed("lab down", ["bash", "scripts/lab.sh", "down"]);

  Object.assign(report, { labUp2Seconds: labUp2, labDownSeconds: labDown, labStats, coldUp2, noChange, destroy, drills, bySize });
  if (previous !== undefined) mergeInto(previous, report);
  const benchDir = path.join(REPO_ROOT, "bench");
  fs.mkdirSync(benchDir, { recursive: true });
  fs.writeFileSync(path.join(benchDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(benchDir, "report.md"), renderReport(report, report.drills as DrillSummary[],
    report.bySize as SizeResult[], { coldUp2, noChange, destroy }));
  log("wrote bench/report.md and bench/report.json");
}

/**
 * --merge: keeps the previous report's drill rows and sizes that this run did not measure (a partial rerun,
 * e.g. `--scenarios node-crash --sizes ""`), and records which rows come from which run.
 */
function mergeInto(previous: Record<string, unknown>, report: Record<string, unknown>): void {
  const drills = report.drills as DrillSummary[];
  const measured = new Set(drills.map((d) => `${d.profile}/${d.scenario}`));
  const keptDrills = (previous.drills as DrillSummary[]).filter((d) => !measured.has(`${d.profile}/${d.scenario}`));
  report.drills = [...keptDrills, ...drills].sort((a, b) =>
    a.profile.localeCompare(b.profile) || SCENARIOS.indexOf(a.scenario) - SCENARIOS.indexOf(b.scenario));
  const sized = new Set((report.bySize as SizeResult[]).map((b) => b.nodes));
  report.bySize = [...(previous.bySize as SizeResult[]).filter((b) => !sized.has(b.nodes)), ...(report.bySize as SizeResult[])]
    .sort((a, b) => a.nodes - b.nodes);
  report.merged = { previousRun: previous.date, rowsMeasuredNow: [...measured, ...[...sized].map((n) => `${n} nodes`)] };
}

/** The section bench/observation-cost.sh writes. */
const OBSERVATION_COST = path.join(REPO_ROOT, "bench", "observation-cost.md");

/** The section bench/fixed-cost.sh writes. */
const FIXED_COST = path.join(REPO_ROOT, "bench", "fixed-cost.md");

/** The section `npm run bench -- --side-by-side` writes. */
const SIDE_BY_SIDE = path.join(REPO_ROOT, "bench", "side-by-side.md");

const s = (v: number | undefined, digits = 2) => (v === undefined ? "-" : (v / 1000).toFixed(digits));

function renderReport(report: Record<string, unknown>, drills: DrillSummary[], bySize: SizeResult[],
  engine: Record<string, EngineRow>): string {
  const m = report.machine as Machine;
  const two = bySize.find((b) => b.nodes === 2);
  const eight = bySize.find((b) => b.nodes === 8);
  return [
    "# Benchmark report",
    "",
    `Run ${report.date as string} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node.js ${m.node}; lab hosts are`,
    "systemd-nspawn containers on one bridge of the same machine. Reproduce with `npm run bench`.",
    ...(report.reanalyzed ? [`The drill rows come from the runs saved under out/bench (the last ended ${(report.reanalyzed as Record<string, string>).drillsMeasuredUntil}),`,
      `re-analyzed ${(report.reanalyzed as Record<string, string>).at} (\`npm run bench -- --reanalyze\`); the other rows are from the run above.`] : []),
    ...(report.merged ? [`Partial rerun (\`--merge\`): measured in this run: ${(report.merged as { rowsMeasuredNow: string[] }).rowsMeasuredNow.join(", ")}` +
      ` and the engine rows; the other rows come from the run of ${(report.merged as { previousRun: string }).previousRun}.`] : []),
    "",
    "## Engine",
    "",
    "| what | wall time | peak RSS (largest process) | target |",
    "|---|---|---|---|",
    `| cold \`pulumi up\`, 2 fresh hosts | ${engine.coldUp2?.seconds.toFixed(1)} s | ${engine.coldUp2?.peakMiB.toFixed(0)} MiB | |`,
    `| no-change \`pulumi up\` | ${engine.noChange?.seconds.toFixed(1)} s | ${engine.noChange?.peakMiB.toFixed(0)} MiB | ≤ 10 s |`,
    `| \`pulumi destroy\` | ${engine.destroy?.seconds.toFixed(1)} s | ${engine.destroy?.peakMiB.toFixed(0)} MiB | |`,
    `| \`lab up --nodes 2\` (warm image) | ${(report.labUp2Seconds as number).toFixed(1)} s | | ≤ 20 s |`,
    `| \`lab down\` | ${(report.labDownSeconds as number).toFixed(1)} s | | |`,
    "",
    "## Cold `pulumi up` by cluster size (hosts converge in parallel)",
    "",
    "| nodes | lab up | cold pulumi up | peak RSS | steps at once (mean) | " + STEP_KINDS.map((k) => `${k} step mean / max`).join(" | ") + " |",
    `|---|---|---|---|---|${STEP_KINDS.map(() => "---|").join("")}`,
    ...bySize.map((b) => `| ${b.nodes} | ${b.labUpSeconds.toFixed(1)} s | ${b.coldUpSeconds.toFixed(1)} s | ${b.peakMiB.toFixed(0)} MiB | ` +
      `${b.overlap?.toFixed(1) ?? "-"} | ${STEP_KINDS.map((k) => (b.steps?.[k] ? `${b.steps[k].mean.toFixed(1)} / ${b.steps[k].max} s` : "-")).join(" | ")} |`),
    "",
    two && eight ? `8 nodes / 2 nodes: ${(eight.coldUpSeconds / two.coldUpSeconds).toFixed(2)} × (target ≤ 1.5 ×).` : "",
    "Step times come from the engine's event log (whole seconds). All lab hosts share this machine's cores, so",
    "a step that is CPU work on the host (the package step: apt and dpkg) gets slower as hosts are added; on",
    "separate machines it would not.",
    "",
    "## Failover drills (HTTP probes every 30 ms through the VIP)",
    "",
    "Probes overlap (each has a 1 s time-out and does not hold up the next), so the outage ends with the first new",
    "request that succeeds; a request whose SYN was lost while the VIP moved counts as failed. Reports before",
    "2026-11-27 used serial probes, whose outages include that request's 1 s SYN retransmission.",
    "",
    "Profiles: **default** = VRRPv2, advert 1 s, TCP check of port 80 every 1 s, fall 1, weight 0 (FAULT);",
    "**fast** = VRRPv3, 100 ms adverts, an event-driven check of the web server (track-process; in the lab's containers",
    "its track_file substitute) and an HTTP check every 2 s, fall 2, both weight 0. Outage = last good answer from the old master →",
    "first good answer from the new one.",
    "",
    "| profile | scenario | runs | outage p50 | outage p95 | VIP moved p50 | failed requests p50 | lost after new master | failback p50 |",
    "|---|---|---|---|---|---|---|---|---|",
    ...drills.map((d) => `| ${d.profile} | ${d.scenario} | ${d.runs} | ${s(d.p50)} s | ${s(d.p95)} s | ${s(d.movedP50)} s | ` +
      `${d.failedP50 ?? "-"} | ${d.lostAfterNewMaster} | ${s(d.failbackP50)} s |`),
    "",
    "Targets: httpd-stop p50 ≤ 1.5 s (default), ≤ 0.3 s (fast); node-crash ≤ 4 s (default), ≤ 1 s (fast);",
    "no request lost after the new master answers.",
    "",
    // Written by bench/observation-cost.sh, which measures against an older commit; kept across bench runs.
    ...(fs.existsSync(OBSERVATION_COST) ? [fs.readFileSync(OBSERVATION_COST, "utf8").trim(), ""] : []),
    // Written by `--side-by-side`, a mode of its own, and by bench/fixed-cost.sh; kept across bench runs the same way.
    ...(fs.existsSync(SIDE_BY_SIDE) ? [fs.readFileSync(SIDE_BY_SIDE, "utf8").trim(), ""] : []),
    ...(fs.existsSync(FIXED_COST) ? [fs.readFileSync(FIXED_COST, "utf8").trim(), ""] : []),
    "## Idle lab hosts",
    "",
    "```",
    String(report.labStats).trim(),
    "```",
    "",
  ].join("\n");
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`bench: ${err.message}`);
    process.exit(1);
  });
}
