/**
 * What the operator tools need from a stack: its validated model (from Pulumi.<stack>.yaml), the SSH key,
 * and a connection per node. Shared by status and drill; no Pulumi engine run is needed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  ClusterModel, DEFAULTS, formatProblems, loadClusterModel, localFileReader, primaryVipAddress, readStackFile, resolveLocalPath,
} from "../../core";
import { REPO_ROOT } from "./repo";
import { nodeConnection } from "../../components/connection";
import { SshConnection } from "../../components/ssh/run-over-ssh";

export { REPO_ROOT } from "./repo";

/** A stack as the tools see it. */
export interface ToolStack {
  /** Stack name. */
  readonly name: string;
  /** Validated model. */
  readonly model: ClusterModel;
  /** The first VIP without prefix. */
  readonly vip: string;
  /** SSH connection per node name. */
  readonly connections: ReadonlyMap<string, SshConnection>;
}

/** The key from `ssh.privateKeyPath`, else the secret `sshPrivateKey` through the project's pulumi. */
export function stackPrivateKey(stack: string, values: Record<string, unknown>): string {
  const ssh = values.ssh as { privateKeyPath?: string } | undefined;
  if (values.sshPrivateKey !== undefined) {
    const r = spawnSync("bash", ["scripts/pulumi.sh", "config", "get", "sshPrivateKey", "--stack", stack],
      { cwd: REPO_ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cannot read the secret sshPrivateKey of stack ${stack}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  return fs.readFileSync(resolveLocalPath(ssh?.privateKeyPath ?? DEFAULTS.sshPrivateKeyPath, REPO_ROOT, os.homedir()), "utf8");
}

/** Reads and validates Pulumi.<stack>.yaml: its `keepalived-ha:` values and model; throws with every problem. */
export function loadStackModel(stack: string): { values: Record<string, unknown>; model: ClusterModel } {
  const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`no stack file ${file}; is --stack right?`);
  const { values, problems } = readStackFile(fs.readFileSync(file, "utf8"), path.basename(file));
  if (problems.length > 0) throw new Error(formatProblems(problems));
  return { values, model: loadClusterModel(values, { readFile: localFileReader(REPO_ROOT, os.homedir()) }) };
}

/** Loads Pulumi.<stack>.yaml; throws with every problem when it is not valid. */
export function loadToolStack(stack: string, dialTimeoutSeconds = 5): ToolStack {
  const { values, model } = loadStackModel(stack);
  const key = stackPrivateKey(stack, values);
  return {
    name: stack,
    model,
    vip: primaryVipAddress(model),
    connections: new Map(model.nodes.map((n) => [n.name, nodeConnection(model, n, key, dialTimeoutSeconds)])),
  };
}

/** Reads `--flag value` / `--flag=value` / `--switch` arguments and the words that are not flags. */
export function parseArgs(argv: readonly string[], switches: readonly string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(name, arg.slice(eq + 1));
    else if (switches.includes(name)) flags.set(name, "true");
    else flags.set(name, argv[++i] ?? "");
  }
  return { flags, positional };
}

/** Reads `--flag value` / `--flag=value` / `--switch` arguments; any other word is an error. */
export function parseFlags(argv: readonly string[], switches: readonly string[]): Map<string, string> {
  const { flags, positional } = parseArgs(argv, switches);
  if (positional.length > 0) throw new Error(`unexpected argument ${JSON.stringify(positional[0])}`);
  return flags;
}
