import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import {
  ClusterModel, desiredHost, detectOsFamily, detectPlatform, DriftStep, driftRepairs, driftWarning, electsBeforeWebServer,
  eventChecks, findNode, firewallCommands, groupNodeFiles, HostObservation, HostPlatform, installPackagesCommand,
  NO_DRIFT, NodeDrift, nodeDrift, OsFamily, OS_FAMILIES, osProfile, packageNeeds, packagesFor,
  preflightToolPackages, removePackagesCommand, renderNode, webServerHookStates,
} from "../core";
import {
  asRoot, encodeBundle, identifyHostStep, keepalivedConfigStep, servicesStep, siteStep,
  StepScripts, webServerHooksStep,
} from "../core/deploy-steps";
import { nodeConnection } from "./connection";
import { ClusterObservation, ObservationResult, observeHost, unobservedWarning } from "./observe-hosts";
import { RemoteCommand } from "./providers/remote-command";
import { SshConnection } from "./ssh/run-over-ssh";

/** The step that installs a part of the packages first: keepalived's. */
type PackageStep = "keepalived-package";

/**
 * What a step repairs when the host drifted: its own entry, except that the keepalived package step repairs
 * its own missing package (the packages step installs it too, but the keepalived step must not run without it).
 */
function stepDrift(drift: NodeDrift, suffix: PackageStep | DriftStep): readonly string[] {
  if (suffix !== "keepalived-package") return drift[suffix];
  return drift.packages.filter((reason) => KEEPALIVED_PACKAGE_NAMES.some((name) => reason === `package ${name} not installed`));
}

/** When this run's program started: a step created after it is new in this run. */
const RUN_STARTED = Date.now();

/** Every family's keepalived package. */
const KEEPALIVED_PACKAGE_NAMES = [...new Set(OS_FAMILIES.map((family) => osProfile(family).keepalivedPackage))];

/** Arguments of a ClusterNode. */
export interface ClusterNodeArgs {
  /**
   * What is known of the cluster at construction (names, priorities, checks, instances): the steps are made
   * from it. Addresses, ports, users, host keys and pages in it may be placeholders.
   */
  readonly shape: ClusterModel;
  /** The complete, validated model every file, script and connection comes from. */
  readonly model: pulumi.Input<ClusterModel>;
  /** This node's name in the model. */
  readonly nodeName: string;
  /** The VRRP password of each instance, in `model.instances` order (secret). */
  readonly authPasses: readonly pulumi.Input<string>[];
  /** The SSH private key text (secret). */
  readonly sshPrivateKey: pulumi.Input<string>;
  /**
   * Resources this node's keepalived update must wait for: the rolling order (backups before master); none
   * while no node runs keepalived yet.
   */
  readonly configAfter?: pulumi.Input<pulumi.Resource[]>;
  /**
   * Every node's observation (`observation` of each ClusterNode, combined). In an `up` every step that changes
   * the host waits for it, so a host that cannot be observed stops all of them; a preview uses its own.
   */
  readonly observations: pulumi.Input<ClusterObservation>;
  /**
   * What every step that affects traffic (firewall, page, hooks, keepalived) waits for: the cluster's LAN
   * pre-flight checks, which run once every node can run them (`preflightAfter`). Absent when the stack skips them.
   */
  readonly trafficGate?: pulumi.Input<pulumi.Resource>;
  /**
   * True on a cluster where no node runs keepalived yet (and no tracked check has weight 0): the keepalived step
   * then starts it as soon as its files are installed, while the web server may still be installing. Otherwise
   * (and by default) the services step starts it after the web server. How this run goes, not what it converges
   * to: a new value changes nothing.
   */
  readonly startKeepalivedEarly?: pulumi.Input<boolean>;
  /**
   * Resources this node's services step (the web server's start) must wait for; none by default. On a new
   * cluster whose keepalived starts early, a backup's waits for the expected masters' services steps.
   */
  readonly servicesAfter?: pulumi.Input<pulumi.Resource[]>;
}

/**
 * One host of the cluster, converged in order: identify the OS, (keepalived's package,) the other packages
 * (while the cluster's pre-flight checks run, where the host has perl), firewall, index page, keepalived files (tested
 * by keepalived before they replace the running ones; on a new cluster keepalived starts with them), services.
 * Every step is idempotent and knows how to undo itself on destroy.
 */
export class ClusterNode extends pulumi.ComponentResource {
  /** The OS family the node's files were rendered for. */
  public readonly osFamily: pulumi.Output<OsFamily>;
  /** The platform detected on the host (container or not) the node's files were rendered for. */
  public readonly platform: pulumi.Output<HostPlatform>;
  /** Digest of everything pushed to the host; changes when the node's desired state changes. */
  public readonly desiredStateDigest: pulumi.Output<string>;
  /** The packages step: every package the node needs. */
  public readonly packagesStep: RemoteCommand;
  /**
   * What the cluster's pre-flight checks wait for on this node: the identify step where the host has perl for
   * them (Debian: perl-base is essential), so they run while the packages install; elsewhere the packages step,
   * which installs their tools (tcpdump, socat, arping).
   */
  public readonly preflightAfter: pulumi.Output<RemoteCommand[]>;
  /** The keepalived step; the next node in the rolling order waits for it. */
  public readonly keepalivedStep: RemoteCommand;
  /** The last step: services enabled and running. */
  public readonly servicesStep: RemoteCommand;
  /** The node's name in the model. */
  public readonly nodeName: string;
  /** The host as observed before this run's steps (once the identify step is known), or why it could not be. */
  public readonly observation: pulumi.Output<ObservationResult>;
  /** The steps this run repairs because the host drifted ("node2 keepalived"); empty when in sync. */
  public readonly repairs: pulumi.Output<string[]>;

  constructor(name: string, args: ClusterNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keepalived-ha:index:ClusterNode", name, {}, opts);
    // The shape gives the name and what decides the steps; everything about the host comes from the model.
    const shape = args.shape;
    const nodeName = findNode(shape, args.nodeName).name;
    this.nodeName = nodeName;
    const model = pulumi.output(args.model);
    const node = model.apply((m) => findNode(m, nodeName));

    node.apply((n) => {
      if (n.hostKey === undefined) {
        pulumi.log.warn(`${n.name} (${n.address}): no hostKey pinned in the stack config, so the SSH connection is ` +
          `unverified; pin every node's key with: npm run pin-host-keys -- --stack ${pulumi.getStack()}`, this);
      }
    });
    const connection = pulumi.secret(pulumi.all([model, node, args.sshPrivateKey])
      .apply(([m, n, privateKey]) => nodeConnection(m, n, privateKey)));
    // A new address is another machine: undo on the old one, then converge the new one.
    const replaceOnNewHost = { triggers: node.apply((n) => [n.address, n.port]), connection };
    const stepOptions = (dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>): pulumi.CustomResourceOptions =>
      ({ parent: this, dependsOn, deleteBeforeReplace: true });
    // Set once the files are rendered (they need the identify step's answer), before any step but identify.
    let drift: pulumi.Output<NodeDrift> | undefined;
    const step = (suffix: "identify" | PackageStep | DriftStep, description: string, scripts: pulumi.Input<StepScripts>,
      dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>, stdin?: pulumi.Input<string>,
      runParameters?: pulumi.Input<Record<string, pulumi.Input<string>>>) => {
      const s = pulumi.output(scripts);
      return new RemoteCommand(`${name}-${suffix}`, {
        ...replaceOnNewHost,
        description: `${description} on ${nodeName}`,
        create: pulumi.all([s, node]).apply(([x, n]) => asRoot(x.apply, n.user)),
        delete: pulumi.all([s, node]).apply(([x, n]) => (x.undo !== undefined ? asRoot(x.undo, n.user) : "")),
        ...(stdin !== undefined ? { stdin } : {}),
        ...(runParameters !== undefined ? { runParameters } : {}),
        ...(suffix !== "identify" ? { drift: drift!.apply((d) => [...stepDrift(d, suffix)]) } : {}),
        forgetCommand: `npm run forget-node -- --stack ${pulumi.getStack()} ${nodeName}`,
      }, stepOptions(dependsOn));
    };

    const identify = step("identify", "identify the OS", identifyHostStep(), []);
    // Used only once the stack knows the host: a preview of a new node dials nobody (its identify step's answer
    // is unknown). An `up` dials at once, while the engine still registers the steps, and abandons the
    // (read-only) observation of a node a targeted `up` leaves out (its identify step gives no answer at all).
    let early: { readonly abandon: AbortController; readonly result: Promise<ObservationResult> } | undefined;
    const observeOnce = (m: ClusterModel, target: SshConnection) => {
      if (early === undefined) {
        const abandon = new AbortController();
        early = { abandon, result: observeHost(m, nodeName, target, abandon.signal) };
      }
      return early;
    };
    if (!pulumi.runtime.isDryRun()) pulumi.all([connection, model]).apply(([target, m]) => { observeOnce(m, target); });
    this.observation = pulumi.all([identify.stdout, connection, model]).apply(([identity, target, m]):
      Promise<ObservationResult> => {
      if (typeof identity === "string" && identity !== "") return observeOnce(m, target).result;
      early?.abandon.abort();
      return Promise.resolve({ notDeployed: true });
    });
    this.osFamily = pulumi.all([identify.stdout, node]).apply(([osRelease, n]) => {
      const family = n.os ?? detectOsFamily(osRelease);
      if (family === undefined) {
        throw new Error(`cannot tell the OS family of ${nodeName} from /etc/os-release (${osRelease.trim().replace(/\n/g, ", ")}); ` +
          `set nodes[].os to debian or rhel in the stack config`);
      }
      return family;
    });
    const os = this.osFamily.apply(osProfile);
    this.platform = identify.stdout.apply(detectPlatform);

    // Rendering needs the OS (process names, docroot), the platform (event checks) and the passwords: all outputs.
    const authPasses = pulumi.secret(pulumi.all([...args.authPasses]));
    const files = pulumi.all([model, this.osFamily, this.platform, authPasses])
      .apply(([m, family, platform, passwords]) => renderNode(m, nodeName, family, passwords, platform));
    const groups = pulumi.all([files, this.osFamily]).apply(([all, family]) => groupNodeFiles(all, family));

    // What must run again because the host drifted. An `up` takes this node's entry of the combined
    // observations (so it waits for, and fails with, every host); a preview takes its own and warns.
    const observed: pulumi.Output<HostObservation | undefined> = pulumi.runtime.isDryRun()
      ? this.observation.apply((r) => {
        if ("error" in r) pulumi.log.warn(unobservedWarning(r.error), this);
        return "observed" in r ? r.observed : undefined;
      })
      : pulumi.output(args.observations).apply((all) => all[nodeName]);
    // A node whose identify step this `up` creates is new to the stack: its host has not drifted from anything, every
    // step runs anyway (a preview creates nothing).
    const newInThisRun = pulumi.runtime.isDryRun() ? pulumi.output(false)
      : identify.createdAt.apply((at) => at !== undefined && Date.parse(at) >= RUN_STARTED);
    // The reasons name files and units only, so they need not be secret like the files they come from.
    drift = pulumi.unsecret(pulumi.all([observed, newInThisRun, groups, this.osFamily, model]).apply(([observation, isNew, g, family, m]) =>
      (observation === undefined || isNew ? NO_DRIFT : nodeDrift(desiredHost(m, family, g), observation))));
    this.repairs = drift.apply((d) => {
      const warning = driftWarning(nodeName, d, pulumi.runtime.isDryRun());
      if (warning !== undefined) pulumi.log.warn(warning, this);
      return driftRepairs(nodeName, d);
    });

    // Packages first: they change nothing on the LAN. keepalived before the web server, where its election can run
    // while the web server installs (a new cluster, no check of weight 0): then the keepalived step needs only this
    // package. Elsewhere a second apt run would only cost time. The packages step's undo removes it with the others.
    const keepalivedPackage = !electsBeforeWebServer(shape) ? undefined : step("keepalived-package", "install keepalived",
      this.osFamily.apply((family) => ({ apply: installPackagesCommand(family, [osProfile(family).keepalivedPackage]) })), [identify]);
    const packages = this.packagesStep = step("packages", "install packages", this.osFamily.apply((family) => ({
      apply: installPackagesCommand(family, packagesFor(family, packageNeeds(shape))),
      // Only what the product is for: the checking tools may have been there before, and stay.
      ...(shape.purgePackages ? { undo: removePackagesCommand(family, packagesFor(family, { ...packageNeeds(shape), preflightTools: false })) } : {}),
    })), [identify, ...(keepalivedPackage !== undefined ? [keepalivedPackage] : [])]);
    this.preflightAfter = this.osFamily.apply((family) => (preflightToolPackages(family).length > 0 ? [packages] : [identify]));
    const gate = args.trafficGate !== undefined ? [args.trafficGate] : [];

    const firewall = step("firewall", `firewall (${shape.firewall})`, this.osFamily.apply(() => {
      const commands = firewallCommands(shape.firewall);
      return { apply: commands.apply, undo: commands.restore };
      // It needs no package (firewalld is the host's own), so it runs while the packages install.
    }), [identify, ...gate]);

    const site = step("site", "write the index page", os.apply(siteStep), [packages, ...gate],
      groups.apply((g) => g.site.content));
    // Only stacks with a track-process check get this step: in a container it installs the web server's hooks
    // that stand in for keepalived's track_process; elsewhere it has nothing to install.
    const hooks = eventChecks(shape).length === 0 ? undefined : step("web-server-hooks", "install the web server hooks",
      pulumi.all([os, this.platform]).apply(([profile, platform]) =>
        webServerHooksStep(profile, webServerHookStates(shape, { os: profile, platform }))),
      [packages, ...gate], groups.apply((g) => encodeBundle(g.webServerHooks)));
    const keepalivedBundle = pulumi.secret(groups.apply((g) => encodeBundle(g.keepalived)));
    // keepalived starts only once the firewall lets VRRP through (else every node would claim the VIP).
    this.keepalivedStep = step("keepalived", "install the keepalived configuration",
      keepalivedConfigStep(nodeName, shape.instances.flatMap((i) => i.vips)),
      pulumi.output(args.configAfter ?? []).apply((after) => [keepalivedPackage ?? packages, firewall, ...(hooks ? [hooks] : []), ...after]),
      keepalivedBundle,
      { START_KEEPALIVED: pulumi.output(args.startKeepalivedEarly ?? false).apply((early) => (early ? "now" : "later")) });
    this.desiredStateDigest = pulumi.secret(files.apply((all) =>
      crypto.createHash("sha256").update(encodeBundle(all)).digest("hex")));
    // The services step re-runs when a VRRP password changes (the keepalived step may have stopped
    // keepalived for the rotation), and only then: other config changes are reloads.
    const passwordDigest = pulumi.secret(authPasses.apply((passwords) =>
      crypto.createHash("sha256").update([nodeName, ...passwords].join("\0")).digest("hex")));
    this.servicesStep = step("services", "enable and start the services",
      pulumi.all([os, passwordDigest]).apply(([profile, digest]) => servicesStep(profile, digest)),
      pulumi.output(args.servicesAfter ?? []).apply((after) => [site, this.keepalivedStep, ...after]));

    this.registerOutputs({ osFamily: this.osFamily, platform: this.platform });
  }
}
