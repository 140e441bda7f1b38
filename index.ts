/**
 * keepalived-ha: two or more Linux hosts, reached over SSH, serving one web site behind a keepalived VRRP
 * floating IP. Stack config (Pulumi.<stack>.yaml, namespace `keepalived-ha:`) → validated model →
 * rendered files → remote steps → these outputs.
 */
import * as fs from "fs";
import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, emptyConfigMessage, isEmptyConfig, localFileReader, resolveLocalPath } from "./core";
import { clusterArgsFromStack, HaWebCluster, readStackInputs } from "./components";
import { skipPromiseDebugStacks } from "./components/promise-stacks";

skipPromiseDebugStacks();

const inputs = readStackInputs();
// Local files named by the config (checks[].file, ssh.privateKeyPath): relative to this project's folder.
const readLocalFile = localFileReader(__dirname, os.homedir());

/** The SSH key: the secret `sshPrivateKey`, else the file `ssh.privateKeyPath` (read here, kept secret). */
function sshPrivateKey(): pulumi.Output<string> {
  if (inputs.sshPrivateKey) return inputs.sshPrivateKey;
  const ssh = inputs.raw.ssh as { privateKeyPath?: unknown } | undefined;
  const keyPath = typeof ssh?.privateKeyPath === "string" ? ssh.privateKeyPath : DEFAULTS.sshPrivateKeyPath;
  const resolved = resolveLocalPath(keyPath, __dirname, os.homedir());
  try {
    return pulumi.secret(fs.readFileSync(resolved, "utf8"));
  } catch (err) {
    const problem = `ssh.privateKeyPath: cannot read the SSH private key ${resolved} ` +
      `(${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    // A preview runs no remote command, so it can still show the plan; `up` cannot go on without the key.
    if (pulumi.runtime.isDryRun()) {
      pulumi.log.warn(`${problem}; \`pulumi up\` will fail until it exists`);
      return pulumi.secret("");
    }
    throw new pulumi.RunError(`${problem}; set ssh.privateKeyPath to an existing key ` +
      `or store the key with \`pulumi config set --secret sshPrivateKey < KEYFILE\``);
  }
}

// A stack without any keepalived-ha key is new, not broken: say what to set and how, instead of three problems.
if (isEmptyConfig(inputs.raw) && inputs.namespaceProblems.length === 0) {
  throw new pulumi.RunError(emptyConfigMessage(pulumi.getStack()));
}

// Stack config → typed args → the component, which validates them. The key is read once that has passed,
// so a broken config reports its own problems first.
const cluster = new HaWebCluster("cluster", {
  ...clusterArgsFromStack(inputs, readLocalFile),
  sshPrivateKey: pulumi.output(null).apply(() => sshPrivateKey()),
});

export const vip = cluster.vip;
export const url = cluster.url;
export const master = cluster.master;
export const nodes = cluster.nodes;
export const instances = cluster.instances;
