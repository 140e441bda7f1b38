/**
 * npm run render -- --stack NAME [--out DIR] [--os debian|rhel] [--container NAME]
 *
 * Reads Pulumi.NAME.yaml from the repo root, validates it and prints (or writes under DIR/<node>/) every file
 * each node gets. Exit 0 when valid, 1 with all problems when not, 2 on bad usage. The VRRP password is a
 * placeholder keepalived accepts (scripts/lib/render-passwords.ts) unless the stack file gives it in plain text. `--container NAME` (e.g. systemd-nspawn) renders
 * for hosts that are containers, where track-process checks get their substitute (docs/config.md).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  BARE_METAL, checkClusterConfig, ClusterModel, emptyConfigMessage, formatProblems, HostPlatform, isEmptyConfig, isOsFamily, localFileReader, OsFamily, readStackFile,
  RenderedFile, renderNode,
} from "../core";
import { REPO_ROOT } from "./lib/repo";
import { placeholderNote, renderPasswords } from "./lib/render-passwords";

const USAGE = "usage: npm run render -- --stack NAME [--out DIR] [--os debian|rhel] [--container NAME]";

interface Options {
  stack: string;
  out?: string;
  os?: OsFamily;
  platform?: HostPlatform;
}

function parseArgs(argv: readonly string[]): Options | string {
  const options: Partial<Options> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--stack": options.stack = value(); break;
      case "--out": options.out = value(); break;
      case "--container": {
        const kind = value();
        if (kind === undefined || !/^[a-z0-9-]+$/.test(kind)) return `--container needs a container kind such as systemd-nspawn, got ${JSON.stringify(kind)}`;
        options.platform = kind === "none" ? BARE_METAL : { container: kind };
        break;
      }
      case "--os": {
        const family = value();
        if (!isOsFamily(family)) return `--os must be debian or rhel, got ${JSON.stringify(family)}`;
        options.os = family;
        break;
      }
      case "-h": case "--help": return USAGE;
      default: return `unknown argument ${JSON.stringify(arg)}`;
    }
  }
  if (!options.stack) return "--stack NAME is required";
  return options as Options;
}

/** OS family per node: --os overrides, then the node's `os`, then debian (said on stderr). */
function familyFor(model: ClusterModel, nodeName: string, override: OsFamily | undefined): OsFamily {
  if (override) return override;
  const configured = model.nodes.find((n) => n.name === nodeName)?.os;
  if (configured) return configured;
  process.stderr.write(`render: ${nodeName} has no os in the config; rendering for debian (use --os to choose)\n`);
  return "debian";
}

function writeTree(outDir: string, nodeName: string, files: readonly RenderedFile[]): void {
  for (const file of files) {
    const target = path.join(outDir, nodeName, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
    fs.chmodSync(target, parseInt(file.mode, 8));
  }
}

function printTree(nodeName: string, family: OsFamily, files: readonly RenderedFile[], placeholder: boolean): void {
  for (const file of files) {
    // The password is in the secret file (keepalived.conf): say there that it is not the real one.
    const flags = [file.mode, family, ...(file.secret ? ["secret"] : []), ...(file.secret && placeholder ? ["placeholder auth_pass"] : [])].join(", ");
    process.stdout.write(`==> ${nodeName}:${file.path} (${flags})\n${file.content}\n`);
  }
}

function main(argv: readonly string[]): number {
  const options = parseArgs(argv);
  if (typeof options === "string") {
    process.stderr.write(`render: ${options}\n${USAGE}\n`);
    return options === USAGE ? 0 : 2;
  }
  const fileName = `Pulumi.${options.stack}.yaml`;
  const filePath = path.join(REPO_ROOT, fileName);
  if (!fs.existsSync(filePath)) {
    process.stderr.write(`render: ${fileName} not found in ${REPO_ROOT}; create it or pick another --stack\n`);
    return 1;
  }
  const stackFile = readStackFile(fs.readFileSync(filePath, "utf8"), fileName);
  if (stackFile.problems.length === 0 && isEmptyConfig(stackFile.values)) {
    process.stderr.write(`render: ${emptyConfigMessage(options.stack)}\n`);
    return 1;
  }
  const { problems, build } = checkClusterConfig(stackFile.values, {
    readFile: localFileReader(REPO_ROOT, os.homedir()),
  });
  const all = [...stackFile.problems, ...(stackFile.problems.some((p) => p.key.startsWith(fileName)) ? [] : problems)];
  if (all.length > 0) {
    process.stderr.write(formatProblems(all, `${fileName} is not valid`) + "\n");
    return 1;
  }
  const model = build();
  const passwords = renderPasswords(model);
  for (const node of model.nodes) {
    const family = familyFor(model, node.name, options.os);
    const files = renderNode(model, node.name, family, passwords.authPasses, options.platform ?? BARE_METAL);
    if (options.out) writeTree(options.out, node.name, files);
    else printTree(node.name, family, files, passwords.placeholders.length > 0);
  }
  const note = placeholderNote(passwords);
  if (note !== undefined) process.stderr.write(`render: ${note}\n`);
  if (options.out) {
    process.stderr.write(`render: wrote ${model.nodes.map((n) => `${options.out}/${n.name}/`).join(", ")}\n`);
  }
  return 0;
}

// `npm run render -- --stack dev | head` closes the pipe early; that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = main(process.argv.slice(2));
