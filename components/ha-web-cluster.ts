import * as pulumi from "@pulumi/pulumi";
import {
  electsBeforeWebServer, expectedHolder, findNode, HostObservation, holdersOf, keepalivedRunsAnywhere, memberOf,
  primaryVipAddress, rollingWaves, settleSeconds, stableSeconds, vipAddress,
} from "../core";
import { asRoot, stepDownCommand } from "../core/deploy-steps";
import { preflightPlan, preflightScript } from "../core/preflight";
import { electionRoles, vrrpHoldsCommand, vrrpReportCommand } from "../core/vrrp-settle";
import { HaWebClusterArgs } from "./args";
import { validateClusterArgs } from "./cluster-args";
import { ClusterNode } from "./cluster-node";
import { nodeConnection } from "./connection";
import { ClusterObservation, combineObservations } from "./observe-hosts";
import { GeneratedSecret } from "./providers/generated-secret";
import { PreflightCheck } from "./providers/preflight-check";
import { VipHolder } from "./providers/vip-holder";

/** What each node looks like in the `nodes` output (state and priority in the first instance). */
export interface NodeSummary {
  /** SSH / VRRP address. */
  readonly address: string;
  /** Initial VRRP state in keepalived.conf. */
  readonly state: "MASTER" | "BACKUP";
  /** Base VRRP priority. */
  readonly priority: number;
}

/** What each VRRP instance looks like in the `instances` output. */
export interface InstanceSummary {
  /** Its VIPs in CIDR form. */
  readonly vips: readonly string[];
  /** virtual_router_id. */
  readonly virtualRouterId: number;
  /** The node holding its VIPs, measured on every `up` (again after any change or repair). */
  readonly master: string;
  /** Node name → base priority in this instance. */
  readonly priorities: Readonly<Record<string, number>>;
}

/**
 * Validates the whole config, then turns the nodes into a web service behind one VRRP VIP per instance: a
 * ClusterNode per host, the VRRP passwords, the rolling order of keepalived reloads (backups together,
 * then each VIP holder alone), and a probe per instance of which node holds its VIPs once the cluster has settled.
 */
export class HaWebCluster extends pulumi.ComponentResource {
  /** The first instance's first VIP, without prefix. */
  public readonly vip: pulumi.Output<string>;
  /** `http://VIP/`. */
  public readonly url: pulumi.Output<string>;
  /** The node holding the first instance's VIPs, measured on every `up` (again after any change or repair). */
  public readonly master: pulumi.Output<string>;
  /** Node name → address, configured state and priority (in the first instance). */
  public readonly nodes: pulumi.Output<Record<string, NodeSummary>>;
  /** Instance name → its VIPs, router id, measured master and priorities. */
  public readonly instances: pulumi.Output<Record<string, InstanceSummary>>;

  constructor(name: string, args: HaWebClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validation comes first: a bad config must not create (or touch) anything. What resolves later is
    // validated when it does, before any step runs (`model` fails then).
    const { shape, model } = validateClusterArgs(args, args.readFile !== undefined ? { readFile: args.readFile } : {});
    super("keepalived-ha:index:HaWebCluster", name, {}, opts);

    // The first instance keeps the name a single-instance stack has always used, so its password stays.
    const given = (Array.isArray(args.vrrp) ? args.vrrp : [args.vrrp]) as readonly { authPass?: pulumi.Input<string> }[];
    const authPasses = shape.instances.map((instance, i) => {
      const authPass = given[i]?.authPass;
      return authPass !== undefined ? pulumi.secret(pulumi.output(authPass))
        : new GeneratedSecret(i === 0 ? `${name}-vrrp-password` : `${name}-vrrp-password-${instance.instanceName}`,
          { length: 8 }, { parent: this }).result;
    });
    const sshPrivateKey = pulumi.secret(pulumi.output(args.sshPrivateKey));
    // How the cluster's own probes (pre-flight checks, VIP holders) reach each node; secret: holds the key.
    const connections = new Map(shape.nodes.map((n) => [n.name, pulumi.secret(pulumi.all([model, sshPrivateKey])
      .apply(([m, key]) => nodeConnection(m, findNode(m, n.name), key)))]));
    const connectionOf = (nodeName: string) => connections.get(nodeName)!;

    // Every host is observed before any step changes one; the nodes are made first, so their combined
    // observation is handed to them once they all exist.
    const [observations, resolveObservations] = pulumi.deferredOutput<ClusterObservation>();
    // The pre-flight checks wait until every node can run them (with perl at once, while the packages install;
    // elsewhere once its packages step has installed their tools) and every step that affects traffic waits for
    // them: made after the nodes, handed to them as a promise.
    let openGate: (check: PreflightCheck) => void = () => undefined;
    const trafficGate = shape.preflight ? new Promise<PreflightCheck>((resolve) => { openGate = resolve; }) : undefined;

    // Rolling order: backups converge together, then each VIP holder alone; a wave's keepalived steps wait
    // for the previous wave's, while keepalived runs on some node (a new cluster has no VIP to move yet).
    const nodes: ClusterNode[] = [];
    let previousWave: ClusterNode[] = [];
    // Where keepalived runs nowhere yet, each node starts it with its files, and the election's wait passes
    // while the web servers install; a running cluster gets a node's keepalived only after its web server. Not
    // with a tracked check of weight 0: a node would sit in FAULT until its web server runs, and start over then.
    const early = electsBeforeWebServer(shape);
    const startKeepalivedEarly = observations.apply((all) => early && !keepalivedRunsAnywhere(all));
    // There a backup whose web server came up first would outbid the master, whose check still fails, and take
    // the VIP over: so the backups' web servers start after those of the nodes expected to hold a VIP.
    const [holderServices, resolveHolderServices] = pulumi.deferredOutput<pulumi.Resource[]>();
    const expectedHolders = new Set(shape.instances.map(expectedHolder));
    for (const wave of rollingWaves(shape)) {
      const previous = previousWave;
      const configAfter = observations.apply((all) => (keepalivedRunsAnywhere(all) ? previous.map((n) => n.keepalivedStep) : []));
      previousWave = wave.map((node) => new ClusterNode(`${name}-${node.name}`, {
        shape,
        model,
        nodeName: node.name,
        authPasses,
        sshPrivateKey,
        configAfter,
        startKeepalivedEarly,
        ...(expectedHolders.has(node.name) ? {} : {
          servicesAfter: pulumi.all([startKeepalivedEarly, holderServices]).apply(([now, after]) => (now ? after : [])),
        }),
        observations,
        ...(trafficGate !== undefined ? { trafficGate } : {}),
      }, { parent: this }));
      nodes.push(...previousWave);
    }
    resolveHolderServices(pulumi.output(nodes.filter((n) => expectedHolders.has(n.nodeName)).map((n) => n.servicesStep)));
    resolveObservations(combineObservations(nodes.map((n) => n.nodeName), nodes.map((n) => n.observation),
      pulumi.runtime.isDryRun()));
    const repairs = pulumi.all(nodes.map((n) => n.repairs)).apply((lists) => lists.flat());

    if (shape.preflight) {
      const plan = model.apply(preflightPlan);
      openGate(new PreflightCheck(`${name}-preflight`, {
        nodes: nodes.map((n) => pulumi.all([connectionOf(n.nodeName), plan, model]).apply(([connection, p, m]) => ({
          name: n.nodeName, connection, script: asRoot(preflightScript(p, n.nodeName), findNode(m, n.nodeName).user),
        }))),
        plan,
        triggers: nodes.map((n) => n.desiredStateDigest),
        repairs,
      }, { parent: this, dependsOn: pulumi.all(nodes.map((n) => n.preflightAfter)).apply((after) => after.flat()) }));
    }

    // One probe per instance; the first keeps its historical name.
    const holders = shape.instances.map((instance, i) => {
      const vip = vipAddress(instance.vips[0]);
      return new VipHolder(i === 0 ? `${name}-vip-holder` : `${name}-vip-holder-${instance.instanceName}`, {
        nodes: nodes.map((n) => pulumi.all([connectionOf(n.nodeName), model]).apply(([connection, m]) =>
          ({
            name: n.nodeName, connection, reportCommand: asRoot(vrrpReportCommand(vip), findNode(m, n.nodeName).user),
            holdsCommand: vrrpHoldsCommand(vip),
            stepDownCommand: stepDownCommand(findNode(m, n.nodeName).user),
          }))),
        vip,
        instanceName: instance.instanceName,
        roles: model.apply((m) => electionRoles(m, m.instances[i])),
        settleSeconds: args.settleSeconds ?? settleSeconds(shape),
        stableSeconds: stableSeconds(shape),
        triggers: nodes.map((n) => n.desiredStateDigest),
        observedHolders: observations.apply((all) => (Object.values(all).some((o) => o === undefined) ? undefined
          : holdersOf(vip, all as Record<string, HostObservation>))),
        repairs,
      }, { parent: this, dependsOn: nodes.map((n) => n.servicesStep) });
    });

    this.vip = pulumi.output(primaryVipAddress(shape));
    this.url = this.vip.apply((vip) => `http://${vip}/`);
    this.master = holders[0].holder;
    this.nodes = model.apply((m) => Object.fromEntries(m.nodes.map((n) => {
      const member = memberOf(m.instances[0], n.name);
      return [n.name, { address: n.address, state: member.state, priority: member.priority }];
    })));
    this.instances = pulumi.all(holders.map((h) => h.holder)).apply((masters) => Object.fromEntries(
      shape.instances.map((instance, i) => [instance.instanceName, {
        vips: instance.vips,
        virtualRouterId: instance.virtualRouterId,
        master: masters[i],
        priorities: Object.fromEntries(instance.members.map((m) => [m.node, m.priority])),
      }])));

    this.registerOutputs({ vip: this.vip, url: this.url, master: this.master, nodes: this.nodes, instances: this.instances });
  }
}
