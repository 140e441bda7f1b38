/**
 * Runs the project's pinned Pulumi against a throwaway file backend, for tests and benchmarks.
 * Each TestStack has its own backend folder, so tests never see (or damage) an operator's stacks.
 */
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT as REPO } from "./repo";

/** The repository root. */
export { REPO };

let cachedEnv: NodeJS.ProcessEnv | undefined;

/** The environment scripts/toolchain.sh sets up (building the toolchain first if needed). */
export function toolchainEnv(): NodeJS.ProcessEnv {
  if (cachedEnv) return cachedEnv;
  const out = spawnSync("bash", ["-c", 'eval "$(bash scripts/toolchain.sh)" && env -0'], {
    cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 << 20,
  });
  if (out.status !== 0) throw new Error("scripts/toolchain.sh failed");
  cachedEnv = Object.fromEntries(out.stdout.split("\0").filter((l) => l.includes("=")).map((l) => {
    const i = l.indexOf("=");
    return [l.slice(0, i), l.slice(i + 1)];
  }));
  return cachedEnv;
}

/** Result of one pulumi command. */
export interface RunResult {
  /** Exit status. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** Both, for searching. */
  readonly all: string;
}

/** A stack on its own temporary file backend. */
export class TestStack {
  /** The backend folder (holds the state files). */
  public readonly backendDir: string;
  /** Everything every command printed, for secret-leak checks. */
  public transcript = "";

  /** The stack's config file in the project folder (in the repo git-ignored: `Pulumi.test-*.yaml`). */
  public readonly configFile: string;

  /** The Pulumi project the stack belongs to: the repo, or another program (examples, a consumer of the package). */
  public readonly projectDir: string;

  /**
   * Creates the stack `test-<suffix>` with the given `Pulumi.<stack>.yaml` text, on a backend of its own or on
   * `backendDir` (for several stacks one tool sees together). With `configYaml` undefined no file is written
   * first: the stack is what a newcomer's `pulumi stack init` makes (a file with only its encryption salt).
   * `projectDir` is the folder of the program's Pulumi.yaml; default the repo.
   */
  constructor(suffix: string, configYaml: string | undefined, backendDir?: string, projectDir: string = REPO) {
    this.name = `test-${suffix}`;
    this.projectDir = projectDir;
    this.backendDir = backendDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `kaha-state-${suffix}-`));
    this.configFile = path.join(projectDir, `Pulumi.${this.name}.yaml`);
    if (configYaml === undefined) fs.rmSync(this.configFile, { force: true });
    else fs.writeFileSync(this.configFile, configYaml);
    this.ok(["stack", "init"]);
  }

  /** The stack name. */
  public readonly name: string;

  /** Runs `pulumi ARGS --stack NAME` in the project folder; never throws on a non-zero exit. */
  run(args: string[], options: { input?: string; timeoutMs?: number } = {}): RunResult {
    const result: SpawnSyncReturns<string> = spawnSync("pulumi", [...args, "--stack", this.name], {
      cwd: this.projectDir,
      encoding: "utf8",
      input: options.input,
      timeout: options.timeoutMs ?? 15 * 60_000,
      maxBuffer: 64 << 20,
      env: { ...toolchainEnv(), PULUMI_BACKEND_URL: `file://${this.backendDir}`, NO_COLOR: "1" },
    });
    const stdout = result.stdout ?? "";
    const stderr = result.stderr ?? "";
    this.transcript += `\n$ pulumi ${args.join(" ")}\n${stdout}${stderr}`;
    return { code: result.status ?? -1, stdout, stderr, all: stdout + stderr };
  }

  /** Like run, but throws with the output when the command fails. */
  ok(args: string[], options: { input?: string; timeoutMs?: number } = {}): RunResult {
    const r = this.run(args, options);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.code}):\n${r.all.slice(-6000)}`);
    return r;
  }

  /** Every state file's text (checkpoints and backups), for plaintext-secret checks. */
  stateText(): string {
    const texts: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else texts.push(fs.readFileSync(p, "utf8"));
      }
    };
    walk(this.backendDir);
    return texts.join("\n");
  }

  /** Removes the stack, its config file and its backend folder. */
  remove(): void {
    this.run(["stack", "rm", "--yes", "--force"]);
    fs.rmSync(this.configFile, { force: true });
    fs.rmSync(this.backendDir, { recursive: true, force: true });
  }
}
