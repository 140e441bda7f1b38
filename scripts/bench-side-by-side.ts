/**
 * npm run bench -- --side-by-side [--rounds 3] [--peer DIR] [--sizes-rounds 3] [--skip-scale]
 *
 * keepalived-ha next to the Ansible peer playbook (shared/peers/ansible, or --peer DIR) on the lab. Each round
 * runs both tools in alternating order, each on two fresh hosts: the cold run (timed, then the wait until the
 * VIP serves HTTP 200) and the same command again, which must change nothing. Then keepalived-ha alone at 8 vs
 * 2 nodes: no-change `up`, and cold `up` with the packages installed beforehand. Every timed run samples the
 * memory of its whole process tree. Writes bench/side-by-side.json and bench/side-by-side.md (included in
 * bench/report.md); ends with `lab down`.
 */
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { formatProblems, loadClusterModel, localFileReader, packageNeeds, packagesFor, readStackFile, resolveLocalPath, shellQuote } from "../core";
import { profileConfig } from "./bench";
import { ANSIBLE_WORK_DIR, closeControlMasters, ensureAnsible, PLAYBOOK_COMMAND, playbookEnv, prepareWorkDir, resolvePeerDir } from "./lib/ansible-peer";
import {
  ColdRun, engineChangeProblems, evaluateTargets, LabConfig, parsePlayRecap, parseResourceSummary, readLabConfig, recapProblems,
  renderSideBySide, ResourceSummary, Round, SCALE_SIZES, ScaleRun, SideBySideReport, TimedRun, Tool, ToolRound, Versions,
} from "./lib/side-by-side";
import { parseFlags, REPO_ROOT } from "./lib/stack";
import { TestStack, toolchainEnv } from "./lib/throwaway-stack";
import { MeasuredRun, runMeasured } from "./lib/tree-memory";
import { secondsUntilServes } from "./lib/vip-serves";

const log = (line: string) => console.log(`bench: ${line}`);

/** Where each timed run's output is kept, for a failed no-change check to point at. */
const LOG_DIR = path.join(REPO_ROOT, "out", "bench", "side-by-side");

/** The flags this mode reads. */
const FLAGS = ["side-by-side", "rounds", "peer", "sizes-rounds", "skip-scale"];

/** `bash scripts/lab.sh ARGS` (not timed); throws with the end of its output. */
function lab(args: string[]): void {
  const r = spawnSync("bash", ["scripts/lab.sh", ...args], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`lab ${args.join(" ")} failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
}

/** Fresh hosts for a cold run: `lab down`, then `lab up --nodes N`, which rewrites Pulumi.lab.yaml for them. */
function freshLab(nodes: number): LabConfig {
  log(`lab down, lab up --nodes ${nodes} (not timed)`);
  lab(["down"]);
  lab(["up", "--nodes", String(nodes)]);
  return readLabConfig(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.lab.yaml"), "utf8"));
}

/** One timed run with its tree's memory; its output goes to out/bench/side-by-side/NAME.log; throws when it fails. */
async function measured(name: string, command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<MeasuredRun> {
  const r = await runMeasured(command, args, { cwd, env });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  fs.writeFileSync(path.join(LOG_DIR, `${name}.log`), `$ ${[command, ...args].join(" ")}\n${r.stdout}${r.stderr}`);
  if (r.code !== 0) throw new Error(`${name} failed (exit ${r.code}; out/bench/side-by-side/${name}.log):\n${(r.stdout + r.stderr).slice(-3000)}`);
  log(`${name}: ${r.seconds.toFixed(2)} s, peak tree ${r.peakTreeMiB.toFixed(0)} MiB, largest process ${r.peakLargestMiB.toFixed(0)} MiB`);
  return r;
}

/** The numbers the report keeps of a run. */
function timedRun(r: MeasuredRun): TimedRun {
  return { seconds: r.seconds, peakTreeMiB: r.peakTreeMiB, peakLargestMiB: r.peakLargestMiB };
}

/** A cold run's numbers: the run's, plus the time from its exit until the VIP serves. */
async function coldRun(name: string, r: MeasuredRun, vip: string): Promise<ColdRun> {
  const serveSeconds = await secondsUntilServes(`http://${vip}/`, r.exitedAtMs);
  log(`${name}: the VIP serves ${serveSeconds.toFixed(2)} s after the exit`);
  return { ...timedRun(r), serveSeconds };
}

/** Ansible's cold and no-change runs on the hosts the lab just made. */
async function ansibleRuns(peerDir: string, labConfig: LabConfig, tag: string): Promise<ToolRound> {
  // The example inventory's `~/.cache/...` is the lab's key; `lab up` writes where it really is.
  const keyFile = resolveLocalPath(labConfig.privateKeyPath ?? "~/.cache/keepalived-ha/lab/id_ed25519", REPO_ROOT, os.homedir());
  if (!fs.existsSync(keyFile)) throw new Error(`no lab SSH key at ${keyFile}; run: bash scripts/lab.sh up`);
  // The peer writes its VIP into site.yml; waiting for another address would only end at the time limit.
  if (!fs.readFileSync(path.join(peerDir, "site.yml"), "utf8").includes(`vip: ${labConfig.vip}/`)) {
    throw new Error(`the peer's site.yml does not set vip: ${labConfig.vip}/..., the lab's VIP`);
  }
  prepareWorkDir(peerDir, ANSIBLE_WORK_DIR, labConfig, keyFile);
  const controlDir = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-cp-")); // short: a socket path has ~100 bytes
  const env = playbookEnv(controlDir);
  const [command, ...args] = PLAYBOOK_COMMAND;
  try {
    const first = await measured(`${tag}-ansible-cold`, command, args, ANSIBLE_WORK_DIR, env);
    const cold = await coldRun(`${tag}-ansible-cold`, first, labConfig.vip);
    // A no-change run is a run of its own, started later: it does not find the cold run's ssh connections
    // still open (ControlPersist keeps them 60 s), and opens its own as any later run would.
    closeControlMasters(controlDir);
    fs.mkdirSync(controlDir);
    const again = await measured(`${tag}-ansible-no-change`, command, args, ANSIBLE_WORK_DIR, env);
    const problems = recapProblems(parsePlayRecap(again.stdout), labConfig.nodes.map((n) => n.name));
    if (problems.length > 0) {
      throw new Error(`the second ansible-playbook run was not a no-change run: ${problems.join("; ")} (out/bench/side-by-side/${tag}-ansible-no-change.log)`);
    }
    return { cold, noChange: timedRun(again) };
  } finally {
    closeControlMasters(controlDir);
  }
}

/** `pulumi up --yes` as users type it, run the way scripts/bench.ts's timedPulumi runs it, measured. */
function pulumiUp(stack: TestStack, name: string): Promise<MeasuredRun> {
  return measured(name, "pulumi", ["up", "--yes", "--stack", stack.name], REPO_ROOT,
    { ...toolchainEnv(), PULUMI_BACKEND_URL: `file://${stack.backendDir}`, NO_COLOR: "1" });
}

/** Throws unless the engine's summary of a run says nothing was created, updated, deleted or replaced; returns the summary. */
function assertEngineUnchanged(r: MeasuredRun, name: string): ResourceSummary {
  const summary = parseResourceSummary(r.stdout);
  const problems = engineChangeProblems(summary);
  if (problems.length > 0 || summary === undefined) {
    throw new Error(`${name} was not a no-change run: ${problems.join(", ")} (out/bench/side-by-side/${name}.log)`);
  }
  return summary;
}

/** Runs `body` on a throwaway stack of the default profile; destroys (not timed) and removes it afterwards. */
async function withStack<T>(suffix: string, body: (stack: TestStack) => Promise<T>): Promise<T> {
  const stack = new TestStack(suffix, profileConfig("default"));
  try {
    return await body(stack);
  } finally {
    const d = stack.run(["destroy", "--yes"]);
    if (d.code !== 0) log(`warning: pulumi destroy of ${stack.name} failed (exit ${d.code}); the next lab down removes the hosts anyway`);
    stack.remove();
  }
}

/** keepalived-ha's cold and no-change runs on the hosts the lab just made. */
function kahaRuns(labConfig: LabConfig, tag: string): Promise<ToolRound> {
  return withStack("sbs", async (stack) => {
    const first = await pulumiUp(stack, `${tag}-keepalived-ha-cold`);
    const cold = await coldRun(`${tag}-keepalived-ha-cold`, first, labConfig.vip);
    const again = await pulumiUp(stack, `${tag}-keepalived-ha-no-change`);
    assertEngineUnchanged(again, `${tag}-keepalived-ha-no-change`);
    return { cold, noChange: timedRun(again) };
  });
}

/** The default profile's packages as core derives them (packagesFor of the model's needs). */
function defaultProfilePackages(): string[] {
  const { values, problems } = readStackFile(profileConfig("default"), "Pulumi.lab.yaml");
  if (problems.length > 0) throw new Error(formatProblems(problems));
  const model = loadClusterModel(values, { readFile: localFileReader(REPO_ROOT, os.homedir()) });
  return packagesFor("debian", packageNeeds(model));
}

/** Installs the packages on every node at once (not timed), so the cold `up` after it has no package work. */
async function preinstallPackages(labConfig: LabConfig): Promise<void> {
  const packages = defaultProfilePackages();
  log(`installing ${packages.join(" ")} on ${labConfig.nodes.length} nodes (not timed)`);
  const script = `export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends ${packages.map(shellQuote).join(" ")}`;
  await Promise.all(labConfig.nodes.map((n) =>
    promisify(execFile)("bash", ["scripts/lab.sh", "exec", n.name, "--", "bash", "-c", script], { cwd: REPO_ROOT, maxBuffer: 64 << 20 })));
}

/**
 * No-change runs per scale round. A no-change `up` takes 2 to 4 s, and on this shared machine one run at each
 * size gave ratios from 1.3 to 1.8 x for the same code; five samples a round cost little and steady the median.
 */
const NO_CHANGE_SAMPLES = 5;

/** keepalived-ha alone at 2 and 8 nodes, `rounds` times each (the sizes' order alternates). */
async function scaleRuns(rounds: number): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const nodes of round % 2 === 0 ? [...SCALE_SIZES] : [...SCALE_SIZES].reverse()) {
      log(`scale round ${round + 1}/${rounds}: ${nodes} nodes`);
      await preinstallPackages(freshLab(nodes));
      const tag = `scale${nodes}-round${round + 1}`;
      runs.push(await withStack(`sbs${nodes}`, async (stack) => {
        const cold = await pulumiUp(stack, `${tag}-cold`);
        const samples: TimedRun[] = [];
        let resources: number | undefined;
        for (let i = 1; i <= NO_CHANGE_SAMPLES; i++) {
          const name = `${tag}-no-change${i === 1 ? "" : `-${i}`}`;
          const again = await pulumiUp(stack, name);
          resources = assertEngineUnchanged(again, name).unchanged;
          samples.push(timedRun(again));
        }
        return { nodes, round, cold: timedRun(cold), noChange: samples[0], moreNoChange: samples.slice(1), resources };
      }));
    }
  }
  return runs;
}

/** Versions of what is measured: ansible's as given, pulumi's from its CLI, this checkout's commit. */
function versions(ansible: string): Versions {
  const run = (command: string, args: string[], env?: NodeJS.ProcessEnv) =>
    spawnSync(command, args, { cwd: REPO_ROOT, encoding: "utf8", env }).stdout?.trim() ?? "";
  const dirty = run("git", ["status", "--porcelain", "--untracked-files=no"]) !== "";
  return { ansible, pulumi: run("pulumi", ["version"], toolchainEnv()), node: process.version,
    commit: `${run("git", ["rev-parse", "HEAD"])}${dirty ? "-dirty" : ""}` };
}

/** A flag's positive whole number, or its default. */
function count(flags: Map<string, string>, name: string, fallback: number): number {
  const n = Number(flags.get(name) ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1 (got ${JSON.stringify(flags.get(name))})`);
  return n;
}

/** The mode's entry point (scripts/bench.ts dispatches `--side-by-side` here). */
export async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, ["side-by-side", "skip-scale"]);
  const unknown = [...flags.keys()].find((k) => !FLAGS.includes(k));
  if (unknown !== undefined) throw new Error(`--side-by-side does not take --${unknown} (flags: ${FLAGS.map((f) => `--${f}`).join(" ")})`);
  const rounds = count(flags, "rounds", 3);
  const sizesRounds = count(flags, "sizes-rounds", 3);
  const skipScale = flags.has("skip-scale");
  // Fewer rounds are allowed for a quick try, but the report says what its medians are worth.
  const warnings = [
    ...(rounds < 3 ? [`only ${rounds} round(s): a median of fewer than 3 pairs says little (--rounds 3 or more)`] : []),
    ...(!skipScale && sizesRounds < 3 ? [`only ${sizesRounds} scale round(s): a median of fewer than 3 runs says little (--sizes-rounds 3 or more)`] : []),
  ];
  for (const w of warnings) log(`warning: ${w}`);
  const peerDir = resolvePeerDir(flags.get("peer"));
  const v = versions(ensureAnsible(log));
  log(`${v.ansible}; pulumi ${v.pulumi}; Node.js ${v.node}; commit ${v.commit}; peer ${peerDir}`);

  const results: Round[] = [];
  let scale: ScaleRun[] | undefined;
  try {
    for (let i = 0; i < rounds; i++) {
      // Alternating who goes first spreads any drift of the machine (caches, load) over both tools.
      const order: Tool[] = i % 2 === 0 ? ["ansible", "keepalived-ha"] : ["keepalived-ha", "ansible"];
      log(`round ${i + 1}/${rounds}: ${order.join(", then ")}`);
      const runs: Partial<Record<Tool, ToolRound>> = {};
      for (const tool of order) {
        const labConfig = freshLab(2);
        runs[tool] = tool === "ansible" ? await ansibleRuns(peerDir, labConfig, `round${i + 1}`) : await kahaRuns(labConfig, `round${i + 1}`);
      }
      results.push({ index: i, order, runs: runs as Record<Tool, ToolRound> });
    }
    if (!skipScale) scale = await scaleRuns(sizesRounds);
  } finally {
    log("lab down");
    // A failing down must not hide why the run stopped; it fails the run all the same.
    try {
      lab(["down"]);
    } catch (err) {
      log(`error: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  }

  const report: SideBySideReport = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
    versions: v, rounds: results, scale, targets: evaluateTargets(results, scale), warnings,
  };
  const benchDir = path.join(REPO_ROOT, "bench");
  fs.mkdirSync(benchDir, { recursive: true });
  fs.writeFileSync(path.join(benchDir, "side-by-side.json"), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(benchDir, "side-by-side.md"), renderSideBySide(report));
  for (const t of report.targets) log(`${t.what}: ${t.value.toFixed(2)} ${t.unit} (target ≤ ${t.limit} ${t.unit}): ${t.met ? "met" : "NOT met"}`);
  log("wrote bench/side-by-side.md and bench/side-by-side.json");
}
