/**
 * Observing the hosts before any step runs: one read-only SSH round trip per host (core/host-observation.ts),
 * all hosts at once. It runs in the program, so it knows whether this is a preview: a preview warns about a
 * host it cannot reach and carries on with the others; an `up` fails, and since every step that changes a
 * host waits for the observations of all hosts, nothing is changed on any of them.
 */
import * as pulumi from "@pulumi/pulumi";
import { asRoot } from "../core/deploy-steps";
import { ClusterModel, findNode, HostObservation, observationTargets, observeHostCommand, parseObservation } from "../core";
import { runOverSsh, SshConnection } from "./ssh/run-over-ssh";

/** One host's observation, why there is none, or that the stack has not deployed to it yet (nothing to observe). */
export type ObservationResult = { readonly observed: HostObservation } | { readonly error: string } | { readonly notDeployed: true };

/** Node name → what its host looks like now; undefined for a host a preview could not observe. */
export type ClusterObservation = Readonly<Record<string, HostObservation | undefined>>;

/** The warning of a preview that could not observe a host. */
export function unobservedWarning(error: string): string {
  return `cannot observe ${error}; its steps are shown as the state has them, and \`pulumi up\` stops before ` +
    `changing any host until it can be observed`;
}

/**
 * Observes one host over its connection; never rejects: a failure comes back as the reason, naming the host.
 * An aborted `signal` abandons it (the result is then of no use).
 */
export async function observeHost(model: ClusterModel, nodeName: string, connection: SshConnection,
  signal?: AbortSignal): Promise<ObservationResult> {
  const node = findNode(model, nodeName);
  const script = asRoot(observeHostCommand(observationTargets(model, node.name)), node.user);
  try {
    const { stdout } = await runOverSsh(connection, `observe ${node.name}`, script, undefined, { signal });
    return { observed: parseObservation(stdout) };
  } catch (err) {
    return { error: `${node.name} (${node.address}): ${(err as Error).message}` };
  }
}

/**
 * All hosts' observations as one value. In an `up` a host that could not be observed fails it, before any
 * step that depends on it; in a preview the host counts as unobserved (its node warns).
 */
export function combineObservations(nodeNames: readonly string[], results: readonly pulumi.Output<ObservationResult>[],
  dryRun: boolean): pulumi.Output<ClusterObservation> {
  return pulumi.all([...results]).apply((all) => {
    const failed = all.flatMap((r) => ("error" in r ? [r.error] : []));
    if (failed.length > 0 && !dryRun) {
      throw new pulumi.RunError(`cannot observe ${failed.length === 1 ? "a host" : "hosts"} of the cluster, so nothing ` +
        `was changed on any host:\n  ${failed.join("\n  ")}\nbring it back or fix its ssh settings, then run \`pulumi up\` again`);
    }
    return Object.fromEntries(nodeNames.map((name, i) => [name, "observed" in all[i] ? all[i].observed : undefined]));
  });
}
