import * as pulumi from "@pulumi/pulumi";
import { checkClusterConfig, ClusterModel, ConfigError, ConfigProblem, primaryVipAddress } from "../core";
import { ClusterNode } from "./cluster-node";
import { GeneratedSecret } from "./providers/generated-secret";
import { VipHolder } from "./providers/vip-holder";

/** Arguments of an HaWebCluster. */
export interface HaWebClusterArgs {
  /** The `keepalived-ha:` stack config, keys without the prefix; validated before anything is created. */
  readonly config: unknown;
  /** The VRRP password (secret); an 8-character one is generated and kept in the state when absent. */
  readonly authPass?: pulumi.Input<string>;
  /** The SSH private key text (secret). */
  readonly sshPrivateKey: pulumi.Input<string>;
  /** Reads local files named by script checks (`checks[].file`). */
  readonly readFile?: (path: string) => string;
  /** Seconds to wait for exactly one node to hold the VIP after a change. */
  readonly settleSeconds?: number;
}

/** What each node looks like in the `nodes` output. */
export interface NodeSummary {
  /** SSH / VRRP address. */
  readonly address: string;
  /** Initial VRRP state in keepalived.conf. */
  readonly state: "MASTER" | "BACKUP";
  /** Base VRRP priority. */
  readonly priority: number;
}

/**
 * Validates the whole config, then turns the nodes into one web service behind a VRRP VIP: a ClusterNode
 * per host, the VRRP password, the rolling order of keepalived reloads (lowest priority first, so backups
 * change before the master), and a probe of which node holds the VIP once the cluster has settled.
 */
export class HaWebCluster extends pulumi.ComponentResource {
  /** The first VIP, without prefix. */
  public readonly vip: pulumi.Output<string>;
  /** `http://VIP/`. */
  public readonly url: pulumi.Output<string>;
  /** The node holding the VIP, measured after the last change (or refresh). */
  public readonly master: pulumi.Output<string>;
  /** Node name → address, configured state and priority. */
  public readonly nodes: pulumi.Output<Record<string, NodeSummary>>;

  constructor(name: string, args: HaWebClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validation comes first: a bad config must not create (or touch) anything.
    const model = HaWebCluster.validate(args.config, args.readFile);
    super("keepalived-ha:index:HaWebCluster", name, {}, opts);

    const authPass = args.authPass ?? new GeneratedSecret(`${name}-vrrp-password`, { length: 8 }, { parent: this }).result;

    // Rolling order: each node's keepalived step waits for the next-lower-priority node's.
    const byPriority = [...model.nodes].sort((a, b) => a.priority - b.priority);
    const nodes: ClusterNode[] = [];
    for (const node of byPriority) {
      const previous = nodes[nodes.length - 1];
      nodes.push(new ClusterNode(`${name}-${node.name}`, {
        model,
        nodeName: node.name,
        authPass,
        sshPrivateKey: args.sshPrivateKey,
        configAfter: previous ? [previous.keepalivedStep] : [],
      }, { parent: this }));
    }

    this.vip = pulumi.output(primaryVipAddress(model));
    this.url = this.vip.apply((vip) => `http://${vip}/`);
    const holder = new VipHolder(`${name}-vip-holder`, {
      nodes: nodes.map((n) => n.probe),
      vip: this.vip,
      settleSeconds: args.settleSeconds ?? Math.max(30, 10 * model.vrrp.advertInt),
      triggers: nodes.map((n) => n.desiredStateDigest),
    }, { parent: this, dependsOn: nodes.map((n) => n.servicesStep) });
    this.master = holder.holder;
    this.nodes = pulumi.output(Object.fromEntries(model.nodes.map((n) =>
      [n.name, { address: n.address, state: n.state, priority: n.priority }])));

    this.registerOutputs({ vip: this.vip, url: this.url, master: this.master, nodes: this.nodes });
  }

  /**
   * Validates a stack config; throws a RunError listing every problem, `extraProblems` (found while reading
   * the stack) included: no stack trace, no resource touched.
   */
  static validate(config: unknown, readFile?: (path: string) => string, extraProblems: readonly ConfigProblem[] = []): ClusterModel {
    const { problems, build } = checkClusterConfig(config, { readFile });
    const all = [...extraProblems, ...problems];
    if (all.length > 0) throw new pulumi.RunError(new ConfigError(all).message);
    return build();
  }
}
