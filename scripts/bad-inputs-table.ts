/**
 * npm-less entry point: node --import tsx scripts/bad-inputs-table.ts [--engine] [--write]
 *
 * The bad-input catalogue (test/bad-inputs/NN-short-name.yaml, one invalid Pulumi.<stack>.yaml per file).
 * Prints the "## Bad input" table of docs/reliability.md: case file, what is wrong, the first problem the
 * core reports (what `npm run render` prints) and, with --engine, the first problem line of a real
 * `pulumi preview` (the pinned toolchain on throwaway file backends, in a network namespace with only
 * loopback: nothing can be dialled). With --write the section replaces the one in docs/reliability.md (other sections are kept).
 *
 * Also the library the bad-input tests use: loading cases, the core check, and the preview runner with its
 * connection accounting.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkClusterConfig, ConfigProblem, formatProblems, localFileReader, readStackFile } from "../core";
import { REPO_ROOT as REPO } from "./lib/repo";

/** The repository root. */
export { REPO };

/** Where the cases live. */
export const CASES_DIR = path.join(REPO, "test", "bad-inputs");
/** File name the core's messages use for a case (syntax errors are reported as `FILE:LINE:COL`). */
export const CASE_LABEL = "Pulumi.bad-input.yaml";

/** One checked-in invalid stack config. */
export interface BadInputCase {
  /** File name, e.g. `01-vip-without-prefix.yaml`. */
  readonly file: string;
  /** `NN` of the file name. */
  readonly number: string;
  /** The whole Pulumi.<stack>.yaml text. */
  readonly text: string;
  /** `# expect:` regexes: each must match the core's formatted problems (and the preview's output). */
  readonly expect: readonly RegExp[];
  /** `# engine-expect:` regexes: replace `expect` for `pulumi preview` where the engine words it its own way. */
  readonly engineExpect: readonly RegExp[];
  /** `# what:` one line on what is wrong. */
  readonly what: string;
}

/** Reads every case, sorted by file name. Header comments: `# expect:`, `# engine-expect:`, `# what:`. */
export function loadCases(dir = CASES_DIR): BadInputCase[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort().map((file) => {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const header = (tag: string) => text.split("\n")
      .map((line) => new RegExp(`^# ${tag}: (.*)$`).exec(line)?.[1])
      .filter((v): v is string => v !== undefined);
    return {
      file,
      number: /^(\d+)-/.exec(file)?.[1] ?? "",
      text,
      expect: header("expect").map((e) => new RegExp(e)),
      engineExpect: header("engine-expect").map((e) => new RegExp(e)),
      what: header("what").join(" "),
    };
  });
}

/** What the core (and so `npm run render`) reports for a case. */
export interface CoreResult {
  /** Every problem, stack-file problems first (config rules are skipped when the file is not YAML). */
  readonly problems: readonly ConfigProblem[];
  /** formatProblems of them: the text `# expect:` is matched against. */
  readonly formatted: string;
}

/** Runs the pure core on a case exactly like scripts/render.ts does (script files read relative to the repo). */
export function coreCheck(text: string): CoreResult {
  const stackFile = readStackFile(text, CASE_LABEL);
  const syntaxBroken = stackFile.problems.some((p) => p.key.startsWith(CASE_LABEL));
  const { problems } = checkClusterConfig(stackFile.values, {
    readFile: localFileReader(REPO, os.homedir()),
  });
  const all = [...stackFile.problems, ...(syntaxBroken ? [] : problems)];
  return { problems: all, formatted: formatProblems(all) };
}

/** An IP connect() seen by strace. */
export interface TracedConnect {
  /** Address. */
  readonly address: string;
  /** Port. */
  readonly port: number;
  /** The strace line. */
  readonly line: string;
}

/** Parses `strace -e trace=connect` output: AF_INET / AF_INET6 connects only (Unix sockets are local IPC). */
export function parseConnects(trace: string): TracedConnect[] {
  const found: TracedConnect[] = [];
  for (const line of trace.split("\n")) {
    if (!line.includes("connect(")) continue;
    const v4 = /sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/.exec(line);
    const v6 = /sin6_port=htons\((\d+)\).*inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    const m = v4 ?? v6;
    if (m) found.push({ address: m[2], port: Number(m[1]), line });
    else if (/AF_INET/.test(line)) found.push({ address: "?", port: -1, line });
  }
  return found;
}

/** Result of one preview. */
export interface PreviewResult {
  /** Exit status. */
  readonly code: number;
  /** stdout + stderr. */
  readonly output: string;
  /** Every IP connect() the engine, language host and providers made (empty when strace is not used). */
  readonly connects: readonly TracedConnect[];
  /** Wall time in ms. */
  readonly ms: number;
}

/** The first problem line of a preview's output (or its first error line when there is no problem list). */
export function firstEngineProblem(output: string): string {
  const lines = output.split("\n");
  const diag = lines.findIndex((l) => /^Diagnostics:/.test(l));
  const from = diag >= 0 ? diag : 0;
  const problem = lines.slice(from).find((l) => /^\s+- \S/.test(l));
  if (problem) return problem.trim().replace(/^- /, "");
  const error = lines.find((l) => /^\s*error: /.test(l));
  return (error ?? lines.find((l) => l.trim() !== "") ?? "").trim();
}

/** The first problem line of the core's report. */
export function firstCoreProblem(result: CoreResult): string {
  const p = result.problems[0];
  return p ? `${p.key}: ${p.message}` : "(no problem: the case is valid)";
}

/** How connect() calls are recorded: strace arguments, or none when strace cannot run here. */
export type TraceMode = readonly string[] | undefined;

/**
 * strace arguments that work here: `--seccomp-bpf` stops only on connect() (about as fast as no tracing),
 * plain `-f` otherwise; undefined when strace is missing or not allowed to trace.
 */
export function straceMode(): TraceMode {
  for (const args of [["-f", "--seccomp-bpf"], ["-f"]]) {
    const r = spawnSync("strace", [...args, "-qq", "-e", "trace=connect", "-o", "/dev/null", "true"], { stdio: "ignore" });
    if (r.status === 0) return args;
  }
  return undefined;
}

/**
 * Runs `pulumi preview` for each stack-file text, `parallel` at a time, under strace when `trace` is set.
 * Each worker has one throwaway stack `test-<prefix>-<worker>` (own file backend) created with an empty
 * config; the case's text is written to its Pulumi.<stack>.yaml before each preview, so a case whose file is
 * not YAML can be previewed too. Results keep the order of `texts`.
 */
export async function runPreviews(prefix: string, texts: readonly string[], parallel: number, trace: TraceMode): Promise<PreviewResult[]> {
  // Lazily: the table without --engine must not build or look for the toolchain.
  const { TestStack, toolchainEnv } = await import("../test/support/pulumi");
  const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-trace-"));
  const stacks: InstanceType<typeof TestStack>[] = [];
  const results = new Array<PreviewResult>(texts.length);
  let next = 0;
  const worker = async (w: number) => {
    const stack = new TestStack(`${prefix}-${w}`, "config: {}\n");
    stacks.push(stack);
    while (next < texts.length) {
      const i = next++;
      fs.writeFileSync(stack.configFile, texts[i]);
      const traceFile = path.join(traceDir, `connect-${i}.txt`);
      const pulumiArgs = ["pulumi", "preview", "--stack", stack.name];
      const traced = trace ? ["strace", ...trace, "-qq", "-e", "trace=connect", "-e", "signal=none", "-o", traceFile, ...pulumiArgs] : pulumiArgs;
      // A private network namespace with only loopback: the engine's own gRPC works, nothing can leave.
      const argv = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...traced];
      const started = Date.now();
      const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), {
          cwd: REPO,
          env: { ...toolchainEnv(), PULUMI_BACKEND_URL: `file://${stack.backendDir}`, NO_COLOR: "1" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
        child.on("error", reject);
        child.on("close", (status) => {
          clearTimeout(timer);
          resolve({ code: status ?? -1, output: out });
        });
      });
      const connects = trace && fs.existsSync(traceFile) ? parseConnects(fs.readFileSync(traceFile, "utf8")) : [];
      results[i] = { code, output, connects, ms: Date.now() - started };
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, texts.length) }, (_, w) => worker(w)));
  } finally {
    stacks.forEach((s) => s.remove());
    fs.rmSync(traceDir, { recursive: true, force: true });
  }
  return results;
}

function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\s+/g, " ").trim();
}

const SECTION_HEADING = "## Bad input";

function sectionText(rows: string[], engine: boolean, summary: string): string {
  const head = engine
    ? ["| Case | What is wrong | `render` (core): first problem | `pulumi preview`: exit, first problem |", "|---|---|---|---|"]
    : ["| Case | What is wrong | `render` (core): first problem |", "|---|---|---|"];
  return [
    SECTION_HEADING,
    "",
    "Each file in [`test/bad-inputs/`](../test/bad-inputs/) is a whole `Pulumi.<stack>.yaml` that must be refused",
    "before any host is touched. `test/unit/bad-inputs.test.ts` runs the core on every file (what",
    "`npm run render` does) and checks each `# expect:` line and that no two cases give the same messages;",
    "`test/integration/bad-inputs.test.ts` runs a real `pulumi preview` per file, unchanged, in a private",
    "network namespace that has only loopback (nothing can leave), and proves from every `connect()` recorded",
    "with strace that it tried no connection other than the engine's own gRPC on 127.0.0.1.",
    "Generated by `node --import tsx scripts/bad-inputs-table.ts --engine --write`.",
    "",
    summary,
    "",
    ...head,
    ...rows,
    "",
  ].join("\n");
}

/** Replaces (or appends) the `## Bad input` section of docs/reliability.md, keeping other sections. */
export function writeSection(section: string, file = path.join(REPO, "docs", "reliability.md")): void {
  const title = "# Reliability\n\nWhat was tried against keepalived-ha and what happened. Every table is generated from a run.\n";
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : title;
  const start = old.indexOf(`${SECTION_HEADING}\n`);
  let updated: string;
  if (start < 0) updated = `${old.trimEnd()}\n\n${section}`;
  else {
    const after = old.slice(start + SECTION_HEADING.length);
    const nextHeading = after.search(/\n## /);
    const rest = nextHeading < 0 ? "" : after.slice(nextHeading + 1);
    updated = `${old.slice(0, start)}${section}${rest ? `\n${rest}` : ""}`;
  }
  fs.writeFileSync(file, updated.trimEnd() + "\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const engine = argv.includes("--engine");
  const write = argv.includes("--write");
  const cases = loadCases();
  const core = cases.map((c) => coreCheck(c.text));
  let previews: (PreviewResult | undefined)[] = cases.map(() => undefined);
  let summary = `${cases.length} cases; the core refuses ${core.filter((r) => r.problems.length > 0).length}.`;
  if (engine) {
    const traced = straceMode();
    previews = await runPreviews(`bad-table-${process.pid}`, cases.map((c) => c.text), 2, traced);
    const failed = previews.filter((p) => p!.code !== 0).length;
    const nodeConnects = previews.flatMap((p) => p!.connects.filter((x) => x.address !== "127.0.0.1"));
    summary += ` \`pulumi preview\` exits non-zero on ${failed} of ${cases.length}; connect() calls to anything but ` +
      `the engine's own gRPC: ${nodeConnects.length} ${traced ? "(recorded by strace)" : "(strace not available: not recorded)"}.`;
  }
  const rows = cases.map((c, i) => {
    const link = `[${c.file}](../test/bad-inputs/${c.file})`;
    const base = `| ${link} | ${cell(c.what)} | ${cell(firstCoreProblem(core[i]))} |`;
    const p = previews[i];
    const engineLine = p ? firstEngineProblem(p.output) : "";
    return p ? `${base} ${p.code}: ${cell(engineLine)} |` : base;
  });
  const section = sectionText(rows, engine, summary);
  if (write) {
    writeSection(section);
    process.stderr.write(`bad-inputs-table: wrote the "${SECTION_HEADING}" section of docs/reliability.md (${cases.length} cases)\n`);
  } else process.stdout.write(section);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code), (err) => {
    process.stderr.write(`bad-inputs-table: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
