/**
 * npm run drill -- --stack S --scenario httpd-stop|keepalived-stop|node-crash|partition [--runs N]
 *                  [--probe-ms 30] [--serial-probes] [--out DIR]
 *
 * Probes http://VIP/ every few tens of milliseconds, injects the fault on the current master, measures how
 * long until another node answers, the outage and the failed requests, undoes the fault and measures the
 * failback (or its absence under nopreempt). Prints a table, writes JSON and an SVG timeline per run.
 * node-crash and partition act on lab hosts (power off a container, drop VRRP on the lab bridge).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { analyzeDrill, DrillEvents, DrillMetrics, percentile, ProbeSample, renderTimelineSvg, Scenario, SCENARIOS } from "../core/drill";
import { asRoot } from "../core/deploy-steps";
import { WEB_SERVER_SERVICES } from "../core";
import { runOverSsh } from "../components/ssh/run-over-ssh";
import { loadToolStack, parseFlags, REPO_ROOT, ToolStack } from "./lib/stack";
import { httpGet, probeCluster } from "./status";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Commands that inject and undo each fault on a node. */
function faultActions(stack: ToolStack, scenario: Scenario, node: string): { inject: () => Promise<void>; restore: () => Promise<void> } {
  const onNode = (what: string, script: string) => async () => {
    const user = stack.model.nodes.find((n) => n.name === node)!.user;
    await runOverSsh(stack.connections.get(node)!, `${what} on ${node}`, asRoot(script, user), undefined);
  };
  // Asynchronous on purpose: a blocking call would stop the prober for as long as the verb runs (powering a
  // node off takes about a second) and count that pause as outage.
  const labVerb = (...args: string[]) => () => new Promise<void>((resolve, reject) => {
    const child = spawn("bash", ["scripts/lab.sh", ...args], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`lab ${args.join(" ")} failed: ${stderr.trim()}`))));
  });
  const webUnits = (verb: string) => `for s in ${WEB_SERVER_SERVICES.join(" ")}; do if systemctl cat "$s" >/dev/null 2>&1; then systemctl ${verb} "$s"; fi; done`;
  switch (scenario) {
    case "httpd-stop": return { inject: onNode("stop the web server", webUnits("stop")), restore: onNode("start the web server", webUnits("start")) };
    case "keepalived-stop": return { inject: onNode("stop keepalived", "systemctl stop keepalived"), restore: onNode("start keepalived", "systemctl start keepalived") };
    case "node-crash": return { inject: labVerb("stop-node", node, "--kill"), restore: labVerb("start-node", node) };
    case "partition": return { inject: labVerb("partition"), restore: labVerb("heal") };
  }
}

/**
 * Sends a probe every `periodMs` until stopped; each is one fresh connection, so ARP changes show at once.
 * Probes overlap: one that hangs (a SYN sent to the old master's MAC in the moment between the old master
 * dropping the VIP and the new one's gratuitous ARP waits for TCP's 1 s SYN retransmission) does not hold up
 * the next ones, so the outage measures when a new request succeeds again; the hung one counts as failed.
 * `serial` sends the next probe only after the previous one ended (the drill before overlapping probes).
 */
function startProber(url: string, pageOwner: (body: string) => string | undefined, periodMs: number, t0: number, serial = false) {
  const samples: ProbeSample[] = [];
  const inFlight = new Set<Promise<void>>();
  let running = true;
  const probe = async (started: number) => {
    // A generous time-out: a slow answer on a busy machine is not an outage.
    const [ok, detail] = await httpGet(url, 1000);
    const body = detail.replace(/^\d+ /, "");
    samples.push(ok ? { t: started - t0, node: pageOwner(body) ?? "unknown" } : { t: started - t0, error: detail });
  };
  const done = (async () => {
    while (running) {
      const started = Date.now();
      if (serial) await probe(started);
      else if (inFlight.size < 64) {
        const p = probe(started).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await sleep(Math.max(0, periodMs - (Date.now() - started)));
    }
    await Promise.all([...inFlight]);
  })();
  return {
    samples,
    /** Stops probing, waits for the probes in flight and sorts the samples by send time. */
    stop: async () => { running = false; await done; samples.sort((a, b) => a.t - b.t); },
  };
}

/** Waits until `predicate` holds for the recent samples or the deadline passes. */
async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await sleep(50);
  }
  return predicate();
}

interface RunResult extends DrillMetrics {
  readonly run: number;
  readonly scenario: Scenario;
  readonly events: DrillEvents;
}

async function drillOnce(stack: ToolStack, scenario: Scenario, run: number, periodMs: number, outDir: string, serial: boolean): Promise<RunResult> {
  // Start from a settled cluster: after a previous run the failback may still be under way.
  let status = await probeCluster(stack);
  for (let tries = 0; tries < 30 && (status.holders.length !== 1 || !status.httpOk); tries++) {
    await sleep(2000);
    status = await probeCluster(stack);
  }
  if (status.holders.length !== 1 || !status.httpOk) {
    throw new Error(`cluster not healthy before the drill (${status.reasons.join("; ")}); run npm run status -- --stack ${stack.name}`);
  }
  const oldMaster = status.holders[0];
  const pages = new Map(stack.model.nodes.map((n) => [n.site.trim(), n.name]));
  const t0 = Date.now();
  const prober = startProber(`http://${stack.vip}/`, (body) => pages.get(body.trim()), periodMs, t0, serial);
  const recent = (ms: number) => prober.samples.filter((s) => s.t >= Date.now() - t0 - ms);
  const actions = faultActions(stack, scenario, oldMaster);
  try {
    await sleep(1000);
    // The fault starts when its command starts (powering a node off takes a while to return).
    const faultAt = Date.now() - t0;
    await actions.inject();
    // Moved: another node has answered every probe for the last second.
    await waitFor(() => { const r = recent(1000); return r.length > 5 && r.every((s) => s.node && s.node !== oldMaster); }, 30_000);
    await sleep(1000);
    const restoreAt = Date.now() - t0;
    await actions.restore();
    const nopreempt = stack.model.instances[0].nopreempt;
    // Failback: the old master answers again (unless nopreempt, where its absence is the expected result).
    await waitFor(() => !nopreempt && recent(1000).length > 5 && recent(1000).every((s) => s.node === oldMaster),
      nopreempt ? 8_000 : 45_000);
    await sleep(500);
    await prober.stop();
    const events = { faultAt, restoreAt };
    const metrics = analyzeDrill(prober.samples, events, oldMaster);
    const base = path.join(outDir, `${stack.name}-${scenario}-run${run}`);
    fs.writeFileSync(`${base}.json`, `${JSON.stringify({ scenario, run, events, metrics, samples: prober.samples }, null, 1)}\n`);
    fs.writeFileSync(`${base}.svg`, renderTimelineSvg(prober.samples, events, stack.model.nodes.map((n) => n.name),
      `${stack.name}: ${scenario} on ${oldMaster} (run ${run})`));
    return { run, scenario, events, ...metrics };
  } finally {
    await prober.stop();
  }
}

const fmt = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);

/** Runs a scenario N times; returns the results (also used by the benchmark). */
export async function runDrill(stackName: string, scenario: Scenario, runs: number, periodMs: number, outDir: string,
  log: (line: string) => void = console.log, options: { serialProbes?: boolean } = {}): Promise<RunResult[]> {
  const stack = loadToolStack(stackName);
  fs.mkdirSync(outDir, { recursive: true });
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    let r: RunResult;
    try {
      r = await drillOnce(stack, scenario, run, periodMs, outDir, options.serialProbes === true);
    } catch (err) {
      // One broken run (e.g. a node slow to boot) should not lose the others' measurements.
      log(`${scenario} run ${run}: FAILED: ${(err as Error).message}`);
      if (runs === 1) throw err;
      continue;
    }
    results.push(r);
    log(`${scenario} run ${run}: ${r.oldMaster} -> ${r.newMaster ?? "nobody"}  moved ${fmt(r.vipMovedMs)}  ` +
      `outage ${fmt(r.outageMs)}  failed ${r.failedRequests}  lost after new master ${r.failedAfterNewMaster}  ` +
      `failback ${stack.model.instances[0].nopreempt ? "none (nopreempt)" : fmt(r.failbackMs)}`);
    // Let the cluster settle (failback, adverts) before the next run.
    if (run < runs) await sleep(3000);
  }
  return results;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ["serial-probes"]);
  const scenario = flags.get("scenario") as Scenario;
  const stackName = flags.get("stack");
  if (!stackName || !SCENARIOS.includes(scenario)) {
    console.error(`usage: npm run drill -- --stack NAME --scenario ${SCENARIOS.join("|")} [--runs N] [--probe-ms 30] [--serial-probes] [--out DIR]`);
    return 2;
  }
  const outDir = path.resolve(flags.get("out") ?? path.join(REPO_ROOT, "out", "drill"));
  const results = await runDrill(stackName, scenario, Number(flags.get("runs") ?? 1), Number(flags.get("probe-ms") ?? 30), outDir,
    undefined, { serialProbes: flags.has("serial-probes") });
  const outages = results.flatMap((r) => (r.outageMs === undefined ? [] : [r.outageMs]));
  console.log(`\n${scenario}: ${results.length} run(s); outage p50 ${fmt(percentile(outages, 50))}, p95 ${fmt(percentile(outages, 95))}; ` +
    `JSON and SVG timelines in ${outDir}`);
  // The drill fails when the VIP did not move; lost requests are measurements, reported above.
  const failed = results.filter((r) => r.newMaster === undefined);
  return failed.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => process.exit(code), (err: Error) => {
    console.error(`drill: ${err.message}`);
    process.exit(2);
  });
}
