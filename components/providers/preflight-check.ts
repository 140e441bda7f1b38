import * as pulumi from "@pulumi/pulumi";
import { parsePreflightOutput, PreflightPlan, preflightProblems, PreflightReport, preflightRefusal } from "../../core/preflight";
import { runOverSsh, SshConnection } from "../ssh/run-over-ssh";
import { withoutReasonsOnCreate } from "./reasons-on-create";

/**
 * The LAN pre-flight checks (core/preflight.ts) as a resource between the pre-flight tools step and everything that
 * affects traffic: it runs whenever the cluster's desired state changes or a host is repaired, on every node
 * at once, and fails with every problem found, so the steps after it run on no host. A failed check is not
 * stored, so the next `up` checks again. A run that changes nothing checks nothing.
 */

/** One node the checks run on. */
export interface PreflightNode {
  /** Node name. */
  readonly name: string;
  /** How to reach it. */
  readonly connection: SshConnection;
  /** The node's check script, wrapped to run as root. */
  readonly script: string;
}

/** Inputs of a PreflightCheck. */
export interface PreflightCheckArgs {
  /** The nodes, each with its script. */
  readonly nodes: pulumi.Input<pulumi.Input<PreflightNode>[]>;
  /** What the verdict needs to know about the cluster. */
  readonly plan: pulumi.Input<PreflightPlan>;
  /** Values whose change means "check again" (the nodes' desired-state digests). */
  readonly triggers: pulumi.Input<unknown[]>;
  /** Steps this run repairs on the hosts; any means "check again" before they run. */
  readonly repairs?: pulumi.Input<string[]>;
}

interface PreflightState {
  nodes: PreflightNode[];
  plan: PreflightPlan;
  triggers: unknown[];
  repairs?: string[];
  checkedAt?: string;
  /** The provider's own code as the engine serialized it (set by the SDK). */
  __provider?: string;
}

/** Check again when what the cluster wants changed, its nodes changed, or a host is repaired in this run. */
function checkAgain(olds: PreflightState, news: PreflightState): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return !same(olds.triggers, news.triggers) || !same(olds.plan, news.plan) ||
    !same(olds.nodes.map((n) => [n.name, n.connection.host]), news.nodes.map((n) => [n.name, n.connection.host])) ||
    (Array.isArray(news.repairs) && news.repairs.length > 0);
}

/** Runs every node's script at once and throws the refusal when anything is wrong. */
async function runChecks(state: PreflightState, formerNodes: readonly string[]): Promise<void> {
  const reports = await Promise.all(state.nodes.map(async (node): Promise<[string, PreflightReport | { error: string }]> => {
    try {
      const { stdout } = await runOverSsh(node.connection, `pre-flight checks on ${node.name}`, node.script, undefined, { reuse: true });
      return [node.name, parsePreflightOutput(stdout)];
    } catch (err) {
      return [node.name, { error: (err as Error).message }];
    }
  }));
  const problems = preflightProblems(state.plan, Object.fromEntries(reports), formerNodes);
  if (problems.length > 0) throw new Error(preflightRefusal(problems));
}

/** The provider (exported for its unit tests). */
export const preflightProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: PreflightState, news: PreflightState) {
    return { inputs: withoutReasonsOnCreate(olds, news, "repairs") };
  },
  async diff(_id: string, olds: PreflightState, news: PreflightState) {
    // New provider code alone is an update that checks nothing: the state just takes the new code.
    return { changes: checkAgain(olds, news) || olds.__provider !== news.__provider };
  },
  async create(inputs: PreflightState) {
    await runChecks(inputs, []);
    return { id: (require("crypto") as typeof import("crypto")).randomBytes(8).toString("hex"), outs: { ...inputs, checkedAt: new Date().toISOString() } };
  },
  async update(_id: string, olds: PreflightState, news: PreflightState) {
    if (!checkAgain(olds, news)) return { outs: { ...news, checkedAt: olds.checkedAt } };
    // Nodes leaving in this run still advertise and may hold the VIP until their undo runs: not foreign.
    const staying = new Set(Object.values(news.plan.nodes));
    await runChecks(news, Object.values(olds.plan.nodes).filter((address) => !staying.has(address)));
    return { outs: { ...news, checkedAt: new Date().toISOString() } };
  },
};

/** The LAN pre-flight checks of a cluster; the steps that affect traffic depend on it. */
export class PreflightCheck extends pulumi.dynamic.Resource {
  /** When the checks last passed (ISO time). */
  public readonly checkedAt!: pulumi.Output<string>;

  constructor(name: string, args: PreflightCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(preflightProvider, name, { checkedAt: undefined, ...args }, {
      ...opts,
      additionalSecretOutputs: ["nodes", ...(opts?.additionalSecretOutputs ?? [])],
    }, "keepalived-ha", "PreflightCheck");
  }
}
