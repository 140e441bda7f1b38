/**
 * keepalived-ha: two or more Linux hosts, reached over SSH, serving one web site behind a keepalived VRRP
 * floating IP. Stack config (Pulumi.<stack>.yaml, namespace `keepalived-ha:`) → validated model →
 * rendered files → remote steps → these outputs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { HaWebCluster, readStackInputs } from "./components";

const inputs = readStackInputs();

/** The SSH key: the secret `sshPrivateKey`, else the file `ssh.privateKeyPath` (read here, kept secret). */
function sshPrivateKey(): pulumi.Output<string> {
  if (inputs.sshPrivateKey) return inputs.sshPrivateKey;
  const ssh = inputs.raw.ssh as { privateKeyPath?: unknown } | undefined;
  const keyPath = typeof ssh?.privateKeyPath === "string" ? ssh.privateKeyPath : "~/.ssh/id_ed25519";
  const resolved = keyPath.startsWith("~/") ? path.join(os.homedir(), keyPath.slice(2)) : keyPath;
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

// Validate before reading the key, so a broken config reports its own problems first.
HaWebCluster.validate(inputs.raw, (p) => fs.readFileSync(p, "utf8"), inputs.namespaceProblems);

const cluster = new HaWebCluster("cluster", {
  config: inputs.raw,
  authPasses: inputs.authPasses,
  sshPrivateKey: sshPrivateKey(),
  readFile: (p) => fs.readFileSync(p, "utf8"),
});

export const vip = cluster.vip;
export const url = cluster.url;
export const master = cluster.master;
export const nodes = cluster.nodes;
export const instances = cluster.instances;
