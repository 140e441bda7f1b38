/**
 * Validated config → per-node desired state with every default applied. Pure; assumes validate.ts found no
 * problems (loadClusterModel in core/index.ts enforces that).
 */
import { CheckConfig, isSecureValue, KeyedVrrpConfig, NodeConfig, StackConfig, VrrpConfig, vrrpInstances } from "./config";
import { FirewallMode, OsFamily, PackageNeeds } from "./os";
import { CheckType, defaultInstanceName, EVENT_CHECK_TYPE, parseBastion } from "./validate";

/** Defaults, in one place so docs/config.md and the code agree. */
export const DEFAULTS = {
  advertInt: 1,
  version: 2 as 2 | 3,
  preemptDelay: 0,
  logFile: "/var/log/keepalived-state.log",
  notificationEmails: ["root@localhost"],
  notificationEmailFrom: "keepalived@localhost",
  smtpServer: "127.0.0.1",
  smtpConnectTimeout: 30,
  routerId: "keepalived_ha",
  scriptUser: "root",
  enableScriptSecurity: true,
  firewall: "disable" as FirewallMode,
  sshUser: "root",
  sshPort: 22,
  sshConnectTimeout: 60,
  /** The SSH key read when neither `sshPrivateKey` nor `ssh.privateKeyPath` is set. */
  sshPrivateKeyPath: "~/.ssh/id_ed25519",
  checkInterval: 2,
  checkFall: 2,
  checkRise: 1,
  checkWeight: 0,
  trackProcessQuorum: 1,
  tcpPort: 80,
  tcpHost: "127.0.0.1",
  httpUrl: "http://127.0.0.1/",
  httpStatus: 200,
} as const;

/** Where the VRRP password comes from. */
export type AuthPassSource =
  /** Given in plain text in the config. */
  | { readonly kind: "plain"; readonly value: string }
  /** Given as an encrypted Pulumi value the caller cannot read here (e.g. the offline render command). */
  | { readonly kind: "secure" }
  /** Not given: the caller generates one (the Pulumi program keeps it in a GeneratedSecret resource). */
  | { readonly kind: "generate" };

/** A health check with defaults applied. */
export interface CheckModel {
  /** vrrp_script name. */
  readonly name: string;
  /** Check style. */
  readonly type: CheckType;
  /** process, track-process: process name; undefined = the OS's web server process (known only per node). */
  readonly process?: string;
  /** track-process: processes of that name that must run. */
  readonly quorum: number;
  /** track-process: seconds a lost or regained quorum must last before it counts; undefined = none. */
  readonly delay?: number;
  /** tcp: port. */
  readonly port: number;
  /** tcp: host. */
  readonly host: string;
  /** http: URL. */
  readonly url: string;
  /** http: expected status. */
  readonly expectStatus: number;
  /** pidfile: path; undefined = the OS's web server pid file. */
  readonly path?: string;
  /** script: full script text (inline body, or the content of `file` read by the caller). */
  readonly body?: string;
  /** script: the local file it came from, if any (for messages). */
  readonly file?: string;
  /** Seconds between runs. */
  readonly interval: number;
  /** Seconds before a run counts as failed; undefined = keepalived default (= interval). */
  readonly timeout?: number;
  /** Failures before failed. */
  readonly fall: number;
  /** Successes before passing. */
  readonly rise: number;
  /** Priority weight; 0 = FAULT on failure. */
  readonly weight: number;
}

/** One node's desired state. */
export interface NodeModel {
  /** Node name. */
  readonly name: string;
  /** IPv4 address (SSH target, VRRP source). */
  readonly address: string;
  /** SSH port. */
  readonly port: number;
  /** SSH user. */
  readonly user: string;
  /** Pinned SSH host key, if any. */
  readonly hostKey?: string;
  /** OS family if configured; otherwise detected at deploy time. */
  readonly os?: OsFamily;
  /** Index page content (without trailing newline). */
  readonly site: string;
  /** The other nodes' addresses, sorted: the unicast peers of instances that use unicast. */
  readonly peers: readonly string[];
}

/** A node as one VRRP instance sees it. */
export interface InstanceMemberModel {
  /** Node name. */
  readonly node: string;
  /** Base VRRP priority in this instance. */
  readonly priority: number;
  /** Initial VRRP state written to keepalived.conf. */
  readonly state: "MASTER" | "BACKUP";
  /** Network interface of this instance on this node. */
  readonly interface: string;
}

/** One VRRP instance with defaults applied. */
export interface VrrpInstanceModel {
  /** Config path, for messages: `vrrp` or `vrrp[i]`. */
  readonly key: string;
  /** vrrp_instance name, unique. */
  readonly instanceName: string;
  /** virtual_router_id. */
  readonly virtualRouterId: number;
  /** VIPs in CIDR form, config order. */
  readonly vips: readonly string[];
  /** Advert interval in seconds. */
  readonly advertInt: number;
  /** All nodes start BACKUP and never preempt a live master. */
  readonly nopreempt: boolean;
  /** Seconds before preempting (0 = none). */
  readonly preemptDelay: number;
  /** VRRP version (the same for every instance). */
  readonly version: 2 | 3;
  /** Unicast adverts. */
  readonly unicast: boolean;
  /** The password's source (never the password of a secure value). */
  readonly authPass: AuthPassSource;
  /** Every node, in config order, with its priority, initial state and interface in this instance. */
  readonly members: readonly InstanceMemberModel[];
  /** Names of the checks this instance tracks, in check order. */
  readonly track: readonly string[];
}

/** Notify scripts with defaults applied. */
export interface NotifyModel {
  /** Log file the notify scripts append to. */
  readonly logFile: string;
  /** Extra commands per state. */
  readonly commands: Readonly<Record<"master" | "backup" | "fault" | "stop", readonly string[]>>;
}

/** global_defs with defaults applied. */
export interface GlobalDefsModel {
  /** notification_email. */
  readonly notificationEmails: readonly string[];
  /** notification_email_from. */
  readonly notificationEmailFrom: string;
  /** smtp_server. */
  readonly smtpServer: string;
  /** smtp_connect_timeout. */
  readonly smtpConnectTimeout: number;
  /** router_id. */
  readonly routerId: string;
  /** script_user. */
  readonly scriptUser: string;
  /** enable_script_security. */
  readonly enableScriptSecurity: boolean;
}

/** SSH access with defaults applied (per-node user/port are on NodeModel). */
export interface SshModel {
  /** Default user. */
  readonly user: string;
  /** Jump host, if any (its user defaults to the node's). */
  readonly bastion?: { readonly user?: string; readonly host: string; readonly port: number };
  /** Seconds to keep trying to reach a host. */
  readonly connectTimeout: number;
}

/** The whole cluster's desired state. */
export interface ClusterModel {
  /** Nodes in config order. */
  readonly nodes: readonly NodeModel[];
  /** VRRP instances in config order (one for a `vrrp` mapping); the first holds the primary VIP. */
  readonly instances: readonly VrrpInstanceModel[];
  /** Tracked checks in config order. */
  readonly checks: readonly CheckModel[];
  /** Notify scripts. */
  readonly notify: NotifyModel;
  /** global_defs. */
  readonly globalDefs: GlobalDefsModel;
  /** Firewall mode. */
  readonly firewall: FirewallMode;
  /** Remove packages on destroy. */
  readonly purgePackages: boolean;
  /** Run the LAN pre-flight checks (core/preflight.ts) before a change reaches traffic. */
  readonly preflight: boolean;
  /** Raw text appended to keepalived.conf. */
  readonly extraConfig: string;
  /** SSH access. */
  readonly ssh: SshModel;
}

/**
 * Initial state per node in one instance: all BACKUP with nopreempt or a preempt delay (keepalived ignores
 * both on a MASTER, and the delay matters most on the top node when it comes back); otherwise an explicit
 * state wins, and when no node is explicitly MASTER the highest-priority node without an explicit state
 * (first on a tie) becomes MASTER.
 */
function initialStates(nodes: readonly NodeConfig[], priorities: readonly number[], vrrp: VrrpConfig): ("MASTER" | "BACKUP")[] {
  if (vrrp.nopreempt === true || (vrrp.preemptDelay ?? 0) > 0) return nodes.map(() => "BACKUP");
  const explicitMaster = nodes.some((n) => n.state === "MASTER");
  const free = nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.state === undefined);
  const top = Math.max(...free.map(({ i }) => priorities[i]));
  const elected = explicitMaster ? undefined : free.find(({ i }) => priorities[i] === top)?.n;
  return nodes.map((n) => (n.state === "MASTER" || n === elected ? "MASTER" : "BACKUP"));
}

function instanceModel({ key, index, vrrp }: KeyedVrrpConfig, config: StackConfig, version: 2 | 3): VrrpInstanceModel {
  const nodes = config.nodes!;
  const priorities = nodes.map((n) => vrrp.priorities?.[n.name!] ?? n.priority!);
  const states = initialStates(nodes, priorities, vrrp);
  const checkNames = config.checks!.map((c) => c.name!);
  const authPass: AuthPassSource =
    vrrp.authPass === undefined ? { kind: "generate" }
      : isSecureValue(vrrp.authPass) ? { kind: "secure" }
        : { kind: "plain", value: vrrp.authPass };
  return {
    key,
    instanceName: vrrp.instanceName ?? defaultInstanceName(index),
    virtualRouterId: vrrp.virtualRouterId!,
    vips: [...vrrp.vips!],
    advertInt: vrrp.advertInt ?? DEFAULTS.advertInt,
    nopreempt: vrrp.nopreempt === true,
    preemptDelay: vrrp.preemptDelay ?? DEFAULTS.preemptDelay,
    version,
    unicast: vrrp.unicast === true,
    authPass,
    members: nodes.map((n, i) => ({
      node: n.name!, priority: priorities[i], state: states[i], interface: n.interface ?? vrrp.interface!,
    })),
    track: vrrp.track === undefined ? checkNames : checkNames.filter((name) => vrrp.track!.includes(name)),
  };
}

function checkModel(check: CheckConfig, body: string | undefined): CheckModel {
  return {
    name: check.name!,
    type: check.type as CheckType,
    process: check.process,
    quorum: check.quorum ?? DEFAULTS.trackProcessQuorum,
    ...(check.delay !== undefined ? { delay: check.delay } : {}),
    port: check.port ?? DEFAULTS.tcpPort,
    host: check.host ?? DEFAULTS.tcpHost,
    url: check.url ?? DEFAULTS.httpUrl,
    expectStatus: check.expectStatus ?? DEFAULTS.httpStatus,
    path: check.path,
    body,
    file: check.file,
    interval: check.interval ?? DEFAULTS.checkInterval,
    timeout: check.timeout,
    fall: check.fall ?? DEFAULTS.checkFall,
    rise: check.rise ?? DEFAULTS.checkRise,
    weight: check.weight ?? DEFAULTS.checkWeight,
  };
}

/**
 * Builds the model from a validated config. `scriptBodies[i]` is the text of `checks[i].file` when that check
 * uses a local file (read by the caller, so this stays pure).
 */
export function buildClusterModel(config: StackConfig, scriptBodies: ReadonlyMap<number, string> = new Map()): ClusterModel {
  const nodes = config.nodes!;
  const instances = vrrpInstances(config);
  const version = (instances[0].vrrp.version ?? DEFAULTS.version) as 2 | 3;
  const sshUser = config.ssh?.user ?? DEFAULTS.sshUser;
  const commands = config.notify?.commands;
  return {
    nodes: nodes.map((n) => ({
      name: n.name!,
      address: n.address!,
      port: n.port ?? DEFAULTS.sshPort,
      user: n.user ?? sshUser,
      ...(n.hostKey !== undefined ? { hostKey: n.hostKey } : {}),
      ...(n.os !== undefined ? { os: n.os as OsFamily } : {}),
      // Default page names the node so a curl through the VIP shows who serves it.
      site: n.site ?? config.site ?? `<h1> hello from ${n.name} </h1>`,
      peers: nodes.filter((o) => o !== n).map((o) => o.address!).sort(compareAddresses),
    })),
    instances: instances.map((instance) => instanceModel(instance, config, version)),
    checks: config.checks!.map((c, i) => checkModel(c, c.file !== undefined ? scriptBodies.get(i) : c.body)),
    notify: {
      logFile: config.notify?.logFile ?? DEFAULTS.logFile,
      commands: {
        master: commands?.master ?? [],
        backup: commands?.backup ?? [],
        fault: commands?.fault ?? [],
        stop: commands?.stop ?? [],
      },
    },
    globalDefs: {
      notificationEmails: config.globalDefs?.notificationEmails ?? DEFAULTS.notificationEmails,
      notificationEmailFrom: config.globalDefs?.notificationEmailFrom ?? DEFAULTS.notificationEmailFrom,
      smtpServer: config.globalDefs?.smtpServer ?? DEFAULTS.smtpServer,
      smtpConnectTimeout: config.globalDefs?.smtpConnectTimeout ?? DEFAULTS.smtpConnectTimeout,
      routerId: config.globalDefs?.routerId ?? DEFAULTS.routerId,
      scriptUser: config.globalDefs?.scriptUser ?? DEFAULTS.scriptUser,
      enableScriptSecurity: config.globalDefs?.enableScriptSecurity ?? DEFAULTS.enableScriptSecurity,
    },
    firewall: (config.firewall ?? DEFAULTS.firewall) as FirewallMode,
    purgePackages: config.purgePackages === true,
    preflight: config.preflight !== false,
    extraConfig: config.extraConfig ?? "",
    ssh: {
      user: sshUser,
      ...(config.ssh?.bastion !== undefined ? { bastion: parseBastion(config.ssh.bastion)! } : {}),
      connectTimeout: config.ssh?.connectTimeout ?? DEFAULTS.sshConnectTimeout,
    },
  };
}

/** Numeric order of dotted quads, so 192.168.0.9 sorts before 192.168.0.10. */
export function compareAddresses(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** A VIP without its prefix length. */
export function vipAddress(cidr: string): string {
  return cidr.split("/")[0];
}

/** The first instance's first VIP without its prefix length: the address the outputs, probes and tools use. */
export function primaryVipAddress(model: ClusterModel): string {
  return vipAddress(model.instances[0].vips[0]);
}

/** What every node needs installed beyond keepalived and the web server. */
export function packageNeeds(model: ClusterModel): PackageNeeds {
  return { curl: model.checks.some((c) => c.type === "http"), preflightTools: model.preflight };
}

/** The node with this name, or throws (a programming error, not a config error). */
export function findNode(model: ClusterModel, name: string): NodeModel {
  const node = model.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node named ${JSON.stringify(name)}; nodes are ${model.nodes.map((n) => n.name).join(", ")}`);
  return node;
}

/** A node's membership in an instance (every node is a member of every instance). */
export function memberOf(instance: VrrpInstanceModel, nodeName: string): InstanceMemberModel {
  const member = instance.members.find((m) => m.node === nodeName);
  if (member === undefined) throw new Error(`no node named ${JSON.stringify(nodeName)} in ${instance.instanceName}`);
  return member;
}

/** The node an instance's VIP settles on when every node is healthy: the highest priority, first on a tie. */
export function expectedHolder(instance: VrrpInstanceModel): string {
  return instance.members.reduce((best, m) => (m.priority > best.priority ? m : best)).node;
}

/**
 * The order keepalived configs change in: nodes expected to hold fewer VIPs first, then by ascending
 * priority in the first instance, so backups reload before the masters.
 */
export function rollingOrder(model: ClusterModel): NodeModel[] {
  const holds = (name: string) => model.instances.filter((i) => expectedHolder(i) === name).length;
  const primaryPriority = (name: string) => memberOf(model.instances[0], name).priority;
  return [...model.nodes].sort((a, b) => holds(a.name) - holds(b.name) || primaryPriority(a.name) - primaryPriority(b.name));
}

/**
 * The rolling order as waves: every node expected to hold no VIP changes at once (a backup's reload
 * cannot move a VIP), then each expected holder alone, in rollingOrder. Each wave waits for the previous one.
 */
export function rollingWaves(model: ClusterModel): NodeModel[][] {
  const holders = new Set(model.instances.map(expectedHolder));
  const order = rollingOrder(model);
  const backups = order.filter((n) => !holders.has(n.name));
  return [...(backups.length > 0 ? [backups] : []), ...order.filter((n) => holders.has(n.name)).map((n) => [n])];
}

/**
 * Whether keepalived can hold its election while the web server is still being installed: when no check an
 * instance tracks has weight 0. A failing check of weight 0 puts the instance in FAULT, and leaving FAULT starts
 * the master-down timer anew, so there keepalived started early would win nothing.
 */
export function electsBeforeWebServer(model: ClusterModel): boolean {
  return model.instances.every((i) => model.checks.every((c) => !i.track.includes(c.name) || c.weight !== 0));
}

/**
 * Seconds one node must hold a VIP alone before the probe believes it, after a change or a repair: long enough
 * for a higher-priority node whose checks are only now passing again (up to interval × rise of the slowest
 * polled check; event checks are immediate) to let its master-down interval run out (3 adverts of the slowest
 * instance, plus a second of skew) and take the VIP over, plus one advert of margin.
 */
export function stableSeconds(model: ClusterModel): number {
  const advert = Math.max(...model.instances.map((i) => i.advertInt));
  const recovery = Math.max(0, ...model.checks.filter((c) => c.type !== EVENT_CHECK_TYPE).map((c) => c.interval * c.rise));
  return 3 * advert + 1 + recovery + advert;
}

/** Seconds to wait for every instance to settle after a change: ten adverts of the slowest, at least 30 s. */
export function settleSeconds(model: ClusterModel): number {
  return Math.max(30, ...model.instances.map((i) => 10 * i.advertInt));
}
