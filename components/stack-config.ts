import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem, NAMESPACE as CONFIG_NAMESPACE, namespaceTypo } from "../core";

/** The stack's config split into what validation may see and the secrets it must not. */
export interface StackInputs {
  /** Every `keepalived-ha:` key without its prefix, parsed from JSON where it is structured; secrets masked. */
  readonly raw: Record<string, unknown>;
  /** Each instance's `authPass` (`vrrp.authPass` or `vrrp[i].authPass`), when set, as a secret. */
  readonly authPasses: readonly (pulumi.Output<string> | undefined)[];
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
  // Left in `raw` so validation can check their length and characters; its messages never quote them.
  const instances = Array.isArray(raw.vrrp) ? raw.vrrp : [raw.vrrp];
  const authPasses = instances.map((instance) => {
    const pass = typeof instance === "object" && instance !== null ? (instance as Record<string, unknown>).authPass : undefined;
    return typeof pass === "string" ? pulumi.secret(pass) : undefined;
  });
  let sshPrivateKey: pulumi.Output<string> | undefined;
  if (typeof raw.sshPrivateKey === "string") {
    sshPrivateKey = pulumi.secret(raw.sshPrivateKey);
    raw.sshPrivateKey = MASKED;
  }
  return { raw, authPasses, sshPrivateKey, namespaceProblems };
}
