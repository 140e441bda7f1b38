import * as pulumi from "@pulumi/pulumi";
import {
  checkClusterConfig, ConfigError, ConfigProblem, NAMESPACE as CONFIG_NAMESPACE, namespaceTypo, parseStackConfig, sshKeySourceConflict,
} from "../core";
import { HaWebClusterArgs } from "./args";

/** The stack's config split into what validation may see and the secrets it must not. */
export interface StackInputs {
  /** Every `keepalived-ha:` key without its prefix, parsed from JSON where it is structured; secrets masked. */
  readonly raw: Record<string, unknown>;
  /** `sshPrivateKey`, when set, as a secret. */
  readonly sshPrivateKey?: pulumi.Output<string>;
  /** Keys whose namespace looks like a misspelt `keepalived-ha` (they would be ignored otherwise). */
  readonly namespaceProblems: ConfigProblem[];
}

/** Stands for a secret in the validated config: present, value not visible to validation or messages. */
const MASKED = { secure: "masked" };

/**
 * Reads all `keepalived-ha:` keys, including unknown ones so that typos are reported. The engine hands
 * secrets to the program decrypted; they are lifted out here and wrapped with pulumi.secret. The SSH key
 * is replaced by a marker; the VRRP passwords stay for validation, whose messages never quote them.
 */
export function readStackInputs(): StackInputs {
  const raw: Record<string, unknown> = {};
  const namespaceProblems: ConfigProblem[] = [];
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    const prefix = `${CONFIG_NAMESPACE}:`;
    if (!fullKey.startsWith(prefix)) {
      const typo = namespaceTypo(fullKey);
      if (typo) namespaceProblems.push(typo);
      continue;
    }
    const key = fullKey.slice(prefix.length);
    try {
      raw[key] = JSON.parse(value);
    } catch {
      raw[key] = value;
    }
  }
  // The VRRP passwords stay in `raw`: validation checks their length and characters (its messages never
  // quote them) and the component wraps them as secrets.
  let sshPrivateKey: pulumi.Output<string> | undefined;
  if (typeof raw.sshPrivateKey === "string") {
    sshPrivateKey = pulumi.secret(raw.sshPrivateKey);
    raw.sshPrivateKey = MASKED;
  }
  return { raw, sshPrivateKey, namespaceProblems };
}

/**
 * The stack config as HaWebCluster's typed args (the same keys and shapes), everything known. What only a
 * stack config can get wrong (keys outside the namespace, unknown or misspelt keys, values of the wrong shape,
 * a key file named together with the secret key) stops here, reported together with every rule's problems;
 * otherwise the component validates, once.
 */
export function clusterArgsFromStack(inputs: StackInputs, readFile: (path: string) => string):
  Omit<HaWebClusterArgs, "sshPrivateKey"> {
  const parsed = parseStackConfig(inputs.raw);
  if (inputs.namespaceProblems.length > 0 || parsed.problems.length > 0 || sshKeySourceConflict(parsed.config)) {
    const { problems } = checkClusterConfig(inputs.raw, { readFile });
    throw new pulumi.RunError(new ConfigError([...inputs.namespaceProblems, ...problems]).message);
  }
  // The key (sshPrivateKey, or the file ssh.privateKeyPath names) is read by the caller.
  const { ssh, ...rest } = parsed.config;
  const cluster: Record<string, unknown> = { ...rest };
  delete cluster.sshPrivateKey;
  const sshArgs = ssh === undefined ? undefined : Object.fromEntries(Object.entries({
    user: ssh.user, bastion: ssh.bastion, connectTimeout: ssh.connectTimeout,
  }).filter(([, v]) => v !== undefined));
  // Parsing checked the shapes; the component's validation checks the values (names, ranges, enums).
  return { ...(cluster as unknown as Omit<HaWebClusterArgs, "sshPrivateKey" | "ssh" | "readFile">),
    ...(sshArgs !== undefined ? { ssh: sshArgs } : {}), readFile };
}
