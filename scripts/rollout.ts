/**
 * npm run rollout -- --stacks dev,staging,prod [--yes] [--preview-only] [--drill SCENARIO --max-outage SECONDS]
 *                    [--healthy-within SECONDS] [--json]
 *
 * Rolls the program out stack by stack through Pulumi's Automation API (a LocalWorkspace on this project):
 * preview, `up`, then the health gate (the checks of `npm run status` must say HEALTHY within the bounded wait,
 * and with --drill that drill must pass with its outage at or under --max-outage). The first stack that fails
 * its preview, its `up` or its gate stops the rollout; the stacks after it are not touched. Ctrl-C cancels the
 * running operation and starts nothing after it. Exit 0 when every stack passed, 1 when one failed (or the
 * question was answered no), 2 on bad usage, 130 when interrupted.
 */
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { SCENARIOS, Scenario } from "../core/drill";
import { runDrill } from "./drill";
import {
  changeCount, describeChanges, formatSummary, parseRolloutArgs, ROLLOUT_USAGE, RolloutOptions, StackOutcome,
} from "./lib/rollout";
import { askYesNo } from "./lib/ask";
import { loadToolStack, REPO_ROOT } from "./lib/stack";
import { toolchainEnv } from "./lib/throwaway-stack";
import { probeCluster } from "./status";

const started = Date.now();
/** Progress on stderr, so that --json output stays clean. */
const progress = (stack: string, phase: string) =>
  process.stderr.write(`rollout: [${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${stack}: ${phase}\n`);

/** The last lines of an error, which name what failed (the engine's own output comes before them). */
function reasonOf(err: unknown): string {
  const text = (err as Error).message ?? String(err);
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^(stdout|stderr|code):/.test(l));
  const errors = lines.filter((l) => /error|failed|refus|cannot|never moves/i.test(l));
  return (errors.length > 0 ? errors : lines).slice(-3).join(" | ").slice(0, 600);
}

/** The health gate: HEALTHY within the wait, then the drill if asked for; `failure` says why it did not pass. */
async function gate(name: string, options: RolloutOptions): Promise<{ failure?: string; verdict: string; outageSeconds?: number }> {
  const tools = loadToolStack(name);
  const deadline = Date.now() + options.healthySeconds * 1000;
  let status = await probeCluster(tools);
  while (status.verdict !== "healthy" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2000));
    status = await probeCluster(tools);
  }
  if (status.verdict !== "healthy") {
    return { verdict: status.verdict.toUpperCase(),
      failure: `status gate: ${status.verdict.toUpperCase()} after ${options.healthySeconds} s: ${status.reasons.join("; ")}` };
  }
  if (options.drill === undefined) return { verdict: "HEALTHY" };
  progress(name, `gate: drill ${options.drill.scenario}`);
  const [run] = await runDrill(name, options.drill.scenario as Scenario, 1, 30, path.join(REPO_ROOT, "out", "rollout"),
    (line) => progress(name, line));
  const outageSeconds = run.outageMs === undefined ? undefined : run.outageMs / 1000;
  if (outageSeconds === undefined || outageSeconds > options.drill.maxOutageSeconds) {
    return { verdict: "HEALTHY", outageSeconds, failure: `drill gate: ${options.drill.scenario} outage ` +
      `${outageSeconds === undefined ? "never ended" : `${outageSeconds.toFixed(2)} s`}, above --max-outage ${options.drill.maxOutageSeconds} s` };
  }
  return { verdict: `HEALTHY, drill ok`, outageSeconds };
}

async function main(): Promise<number> {
  const options = parseRolloutArgs(process.argv.slice(2), SCENARIOS);
  if (typeof options === "string") {
    console.error(`rollout: ${options}\n${ROLLOUT_USAGE}`);
    return 2;
  }
  const envVars = Object.fromEntries(Object.entries({
    ...toolchainEnv(),
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_DEBUG_COMMANDS: "true", // the CLI accepts the --event-log the Automation API reads its summaries from
  }).filter((e): e is [string, string] => e[1] !== undefined));
  for (const [k, v] of Object.entries(envVars)) process.env[k] = v; // the Automation API finds `pulumi` on PATH

  const abort = new AbortController();
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) return;
    interrupted = true;
    progress("rollout", "interrupted: cancelling the running operation, starting nothing after it");
    abort.abort();
  });

  const outcomes: StackOutcome[] = [];
  let failed = false;
  let confirmed = options.yes;
  for (const name of options.stacks) {
    if (failed || interrupted) {
      outcomes.push({ stack: name, changes: "-", seconds: 0, result: "skipped" });
      continue;
    }
    const t0 = Date.now();
    const seconds = () => (Date.now() - t0) / 1000;
    let stack: Stack;
    let changes = "-";
    try {
      progress(name, "preview");
      stack = await LocalWorkspace.selectStack({ stackName: name, workDir: REPO_ROOT }, { envVars });
      const preview = await stack.preview({ signal: abort.signal });
      changes = describeChanges(preview.changeSummary);
      progress(name, `preview: ${changes}`);
      if (options.previewOnly) {
        outcomes.push({ stack: name, changes, seconds: seconds(), result: "previewed" });
        continue;
      }
      if (!confirmed && changeCount(preview.changeSummary) > 0) {
        if (!(await askYesNo(`rollout: ${name} will change (${changes}); roll out ${options.stacks.join(", ")}? [y/N] `))) {
          console.error(process.stdin.isTTY ? "rollout: nothing changed" : "rollout: nothing changed: not a terminal, pass --yes");
          outcomes.push({ stack: name, changes, seconds: seconds(), result: "skipped", gate: "not confirmed" });
          failed = true;
          continue;
        }
        confirmed = true;
      }
    } catch (err) {
      outcomes.push({ stack: name, changes, seconds: seconds(), result: interrupted ? "cancelled" : "preview failed", gate: reasonOf(err) });
      failed = true;
      continue;
    }
    try {
      progress(name, "up");
      const up = await stack.up({ signal: abort.signal });
      progress(name, `up: ${describeChanges(up.summary.resourceChanges)}`);
    } catch (err) {
      outcomes.push({ stack: name, changes, seconds: seconds(), result: interrupted ? "cancelled" : "up failed", gate: reasonOf(err) });
      failed = true;
      continue;
    }
    if (interrupted) {
      outcomes.push({ stack: name, changes, seconds: seconds(), result: "cancelled" });
      continue;
    }
    progress(name, `gate: HEALTHY within ${options.healthySeconds} s`);
    const result = await gate(name, options);
    outcomes.push({ stack: name, changes, seconds: seconds(), result: result.failure ? "gate failed" : "done",
      gate: result.failure ?? result.verdict, ...(result.outageSeconds !== undefined ? { outageSeconds: result.outageSeconds } : {}) });
    if (result.failure) failed = true;
  }

  const stopped = outcomes.find((o) => o.result !== "done" && o.result !== "previewed" && o.result !== "skipped");
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok: !failed && !interrupted, interrupted, stacks: outcomes }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatSummary(outcomes)}\n`);
  }
  if (stopped !== undefined) {
    console.error(`rollout: stopped at stack ${stopped.stack} (${stopped.result}): ${stopped.gate ?? ""}; the stacks after it were not touched`);
  }
  if (interrupted) return 130;
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err: Error) => {
  console.error(`rollout: ${err.message}`);
  process.exit(2);
});
