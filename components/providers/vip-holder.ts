import * as pulumi from "@pulumi/pulumi";
import { ElectionRole, NodeVrrpReport, parseVrrpReport, settledHolder } from "../../core/vrrp-settle";
import { runOverSsh, SshConnection } from "../ssh/run-over-ssh";
import { withoutReasonsOnCreate } from "./reasons-on-create";

/**
 * Which node holds the VIP, measured on the hosts: after a change it waits (bounded) until exactly one node
 * holds the address, and `pulumi refresh` measures again. A probe that changes nothing on the hosts, with one
 * exception: a node that leaves the cluster is asked to stop keepalived first, so the VIP moves to the nodes
 * that stay (in one handover) before they are measured; the engine undoes the leaving node's steps only later.
 */

/** One node as the probe sees it. */
export interface ProbedNode {
  /** Node name reported as the holder. */
  readonly name: string;
  /** How to reach it. */
  readonly connection: SshConnection;
  /** Command printing `holds=yes|no` and keepalived's data dump (core/vrrp-settle.ts, vrrpReportCommand). */
  readonly reportCommand: string;
  /**
   * Command printing `holds=yes|no` only (vrrpHoldsCommand), asked while the VIP has no sole holder; absent in
   * states written before it existed, where every round asks `reportCommand`.
   */
  readonly holdsCommand?: string;
  /** Command that makes this node give up the VIP (stops keepalived), run if it leaves the cluster. */
  readonly stepDownCommand?: string;
}

/** Inputs of a VipHolder. */
export interface VipHolderArgs {
  /** The nodes to ask. */
  readonly nodes: pulumi.Input<pulumi.Input<ProbedNode>[]>;
  /** The VIP (without prefix), for messages. */
  readonly vip: pulumi.Input<string>;
  /** The vrrp_instance whose VIP this is, as named in the nodes' data dumps. */
  readonly instanceName: pulumi.Input<string>;
  /** What each node can do in the election: with these and the dumps the probe sees an election that is over. */
  readonly roles: pulumi.Input<ElectionRole[]>;
  /** How long to wait for exactly one holder, in seconds. */
  readonly settleSeconds: pulumi.Input<number>;
  /**
   * How long the same node must hold the VIP alone before it counts, in seconds: a node that started first
   * holds the VIP until the higher-priority node, started moments later, takes it over.
   */
  readonly stableSeconds?: pulumi.Input<number>;
  /** Values whose change means "measure again" (e.g. the rendered configs' digests). */
  readonly triggers: pulumi.Input<unknown[]>;
  /**
   * The nodes that held the VIP when the program observed the hosts before this run; undefined when not
   * observed. Anything but the stored holder alone means "measure again".
   */
  readonly observedHolders?: pulumi.Input<string[] | undefined>;
  /** Steps this run repairs on the hosts ("node2 keepalived"); any means "measure again" once they ran. */
  readonly repairs?: pulumi.Input<string[]>;
}

interface HolderState {
  nodes: ProbedNode[];
  vip: string;
  instanceName?: string;
  roles?: ElectionRole[];
  settleSeconds: number;
  stableSeconds?: number;
  triggers: unknown[];
  observedHolders?: string[];
  repairs?: string[];
  holder?: string;
  /** The provider's own code as the engine serialized it (set by the SDK). */
  __provider?: string;
}

/**
 * The holder output must tell the truth now: measure again when the cluster changed, when the VIP moved since
 * the last run, or when this run repairs a host (the VIP may move once it is repaired).
 */
function measureAgain(olds: HolderState, news: HolderState): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const moved = Array.isArray(news.observedHolders) && news.observedHolders.join(" and ") !== olds.holder;
  return !same(olds.triggers, news.triggers) || !same(olds.vip, news.vip) ||
    !same(olds.nodes.map((n) => [n.name, n.connection.host]), news.nodes.map((n) => [n.name, n.connection.host])) || moved ||
    (Array.isArray(news.repairs) && news.repairs.length > 0);
}

/**
 * Polls every node until the election is over: at once when the nodes' data dumps show it
 * (core/vrrp-settle.ts), else once one node alone has held the VIP for `stableSeconds`. Rejects naming the
 * holders when it does not settle within `settleSeconds`. While no node or several hold the VIP, a round only
 * asks who holds it, every 100 ms: a new master is seen within about 0.2 s (on the lab), and keepalived is asked
 * for its dump (and logs it) only when the dump can settle the election.
 */
async function measureHolder(state: HolderState, settleSeconds: number, stableSeconds = state.stableSeconds ?? 0): Promise<string> {
  const deadline = Date.now() + settleSeconds * 1000;
  const ask = (command: (node: ProbedNode) => string) => Promise.all(state.nodes.map(async (node): Promise<NodeVrrpReport> => {
    try {
      const { stdout } = await runOverSsh({ ...node.connection, dialTimeoutSeconds: 10 },
        `ask ${node.name} about ${state.vip}`, command(node), undefined, { reuse: true });
      return parseVrrpReport(node.name, state.instanceName ?? "", stdout);
    } catch {
      return { name: node.name, reachable: false, holds: false }; // holds nothing we can serve from
    }
  }));
  const cheap = state.nodes.every((n) => n.holdsCommand !== undefined);
  let holders: string[] = [];
  let sole: { name: string; since: number } | undefined;
  for (;;) {
    // The dumps can settle the election only while one node holds the VIP: asked for at once while one did in
    // the round before, else right after the cheap question finds one.
    const full = !cheap || sole !== undefined;
    let reports = await ask((n) => (full ? n.reportCommand : n.holdsCommand!));
    if (!full && reports.filter((r) => r.holds).length === 1) reports = await ask((n) => n.reportCommand);
    holders = reports.filter((r) => r.holds).map((r) => r.name);
    const now = Date.now();
    if (holders.length !== 1) sole = undefined;
    else if (sole?.name !== holders[0]) sole = { name: holders[0], since: now };
    const settled = state.roles !== undefined ? settledHolder(state.roles, reports) : undefined;
    if (settled !== undefined && "holder" in settled) return settled.holder;
    if (sole !== undefined && now - sole.since >= stableSeconds * 1000) return sole.name;
    if (now >= deadline) {
      if (sole !== undefined) return sole.name; // alone, if not for long: still the best answer there is
      break;
    }
    await new Promise((r) => setTimeout(r, cheap && sole === undefined ? 100 : 250));
  }
  throw new Error(holders.length === 0
    ? `no node holds the VIP ${state.vip} after ${settleSeconds} s: check \`npm run status\` and the nodes' keepalived logs`
    : `split brain: ${holders.join(" and ")} all hold the VIP ${state.vip} after ${settleSeconds} s ` +
      `(VRRP adverts do not reach each other: firewall, multicast filtering, or a different virtualRouterId/authPass)`);
}

/** The provider (exported for its unit tests). */
export const vipHolderProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: HolderState, news: HolderState) {
    return { inputs: withoutReasonsOnCreate(olds, news, "repairs") };
  },
  async diff(_id: string, olds: HolderState, news: HolderState) {
    // New provider code alone is an update that measures nothing: the state just takes the new code.
    return { changes: measureAgain(olds, news) || olds.__provider !== news.__provider };
  },
  async create(inputs: HolderState) {
    const holder = await measureHolder(inputs, inputs.settleSeconds);
    return { id: (require("crypto") as typeof import("crypto")).randomBytes(8).toString("hex"), outs: { ...inputs, holder } };
  },
  async update(_id: string, olds: HolderState, news: HolderState) {
    if (!measureAgain(olds, news)) return { outs: { ...news, holder: olds.holder } };
    // Nodes that leave (removed, or moved to another host): hand their VIP over now. One that cannot be
    // reached holds nothing we could serve from; its undo step will say so.
    const stays = (n: ProbedNode) => news.nodes.some((m) => m.name === n.name && m.connection.host === n.connection.host);
    await Promise.all(olds.nodes.filter((n) => !stays(n) && n.stepDownCommand !== undefined).map((n) =>
      runOverSsh({ ...n.connection, dialTimeoutSeconds: 5 }, `hand ${news.vip} over from ${n.name}`, n.stepDownCommand!, undefined, { reuse: true })
        .catch(() => undefined)));
    return { outs: { ...news, holder: await measureHolder(news, news.settleSeconds) } };
  },
  // `pulumi refresh` measures once more, briefly: it reports the cluster as it is now.
  async read(id: string, props: HolderState) {
    let holder: string;
    try {
      holder = await measureHolder(props, 5, 0);
    } catch (err) {
      holder = `none (${(err as Error).message})`;
    }
    return { id, props: { ...props, holder } };
  },
};

/** The node holding the VIP, measured again whenever the VIP moved, the cluster changed or a host was repaired. */
export class VipHolder extends pulumi.dynamic.Resource {
  /** Name of the node that holds the VIP. */
  public readonly holder!: pulumi.Output<string>;

  constructor(name: string, args: VipHolderArgs, opts?: pulumi.CustomResourceOptions) {
    super(vipHolderProvider, name, { holder: undefined, ...args }, {
      ...opts,
      additionalSecretOutputs: ["nodes", ...(opts?.additionalSecretOutputs ?? [])],
    }, "keepalived-ha", "VipHolder");
  }
}
