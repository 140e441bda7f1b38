/**
 * Validated config → per-node desired state with every default applied. Pure; assumes validate.ts found no
 * problems (loadClusterModel in index.ts enforces that).
 */
import { CheckConfig, isSecureValue, StackConfig } from "./config";
import { FirewallMode, OsFamily } from "./os";
import { CheckType, parseBastion } from "./validate";

/** Defaults, in one place so docs/config.md and the code agree. */
export const DEFAULTS = {
  advertInt: 1,
  version: 2 as 2 | 3,
  instanceName: "VI_1",
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
  /** Not given: the caller generates one (the Pulumi program uses @pulumi/random). */
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
  /** Base VRRP priority. */
  readonly priority: number;
  /** Initial VRRP state written to keepalived.conf. */
  readonly state: "MASTER" | "BACKUP";
  /** SSH port. */
  readonly port: number;
  /** SSH user. */
  readonly user: string;
  /** VRRP interface on this node. */
  readonly interface: string;
  /** Pinned SSH host key, if any. */
  readonly hostKey?: string;
  /** OS family if configured; otherwise detected at deploy time. */
  readonly os?: OsFamily;
  /** Index page content (without trailing newline). */
  readonly site: string;
  /** Unicast peers (the other nodes' addresses, sorted); empty for multicast. */
  readonly unicastPeers: readonly string[];
}

/** The VRRP instance with defaults applied. */
export interface VrrpModel {
  /** Default interface (nodes may override). */
  readonly interface?: string;
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
  /** VRRP version. */
  readonly version: 2 | 3;
  /** Unicast adverts. */
  readonly unicast: boolean;
  /** The password's source (never the password of a secure value). */
  readonly authPass: AuthPassSource;
  /** vrrp_instance name. */
  readonly instanceName: string;
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
  /** Local private key path, if configured. */
  readonly privateKeyPath?: string;
  /** True when the secret `sshPrivateKey` is configured (its value is not kept in the model). */
  readonly hasPrivateKey: boolean;
  /** Jump host, if any (its user defaults to the node's). */
  readonly bastion?: { readonly user?: string; readonly host: string; readonly port: number };
  /** Seconds to keep trying to reach a host. */
  readonly connectTimeout: number;
}

/** The whole cluster's desired state. */
export interface ClusterModel {
  /** Nodes in config order. */
  readonly nodes: readonly NodeModel[];
  /** The VRRP instance. */
  readonly vrrp: VrrpModel;
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
  /** Raw text appended to keepalived.conf. */
  readonly extraConfig: string;
  /** SSH access. */
  readonly ssh: SshModel;
}

/**
 * Initial state per node: all BACKUP with nopreempt or a preempt delay (keepalived ignores both on a MASTER,
 * and the delay matters most on the top node when it comes back); otherwise an explicit state wins, and when no node is
 * explicitly MASTER the highest-priority node without an explicit state (first on a tie) becomes MASTER.
 */
function initialStates(config: StackConfig): ("MASTER" | "BACKUP")[] {
  const nodes = config.nodes!;
  if (config.vrrp?.nopreempt === true || (config.vrrp?.preemptDelay ?? 0) > 0) return nodes.map(() => "BACKUP");
  const explicitMaster = nodes.some((n) => n.state === "MASTER");
  const free = nodes.filter((n) => n.state === undefined);
  const top = Math.max(...free.map((n) => n.priority!));
  const elected = explicitMaster ? undefined : free.find((n) => n.priority === top);
  return nodes.map((n) => (n.state === "MASTER" || n === elected ? "MASTER" : "BACKUP"));
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
  const vrrp = config.vrrp!;
  const states = initialStates(config);
  const unicast = vrrp.unicast === true;
  const sshUser = config.ssh?.user ?? DEFAULTS.sshUser;
  const authPass: AuthPassSource =
    vrrp.authPass === undefined ? { kind: "generate" }
      : isSecureValue(vrrp.authPass) ? { kind: "secure" }
        : { kind: "plain", value: vrrp.authPass };
  const commands = config.notify?.commands;
  return {
    nodes: nodes.map((n, i) => ({
      name: n.name!,
      address: n.address!,
      priority: n.priority!,
      state: states[i],
      port: n.port ?? DEFAULTS.sshPort,
      user: n.user ?? sshUser,
      interface: n.interface ?? vrrp.interface!,
      ...(n.hostKey !== undefined ? { hostKey: n.hostKey } : {}),
      ...(n.os !== undefined ? { os: n.os as OsFamily } : {}),
      // Default page names the node so a curl through the VIP shows who serves it.
      site: n.site ?? config.site ?? `<h1> hello from ${n.name} </h1>`,
      unicastPeers: unicast ? nodes.filter((o) => o !== n).map((o) => o.address!).sort(compareAddresses) : [],
    })),
    vrrp: {
      ...(vrrp.interface !== undefined ? { interface: vrrp.interface } : {}),
      virtualRouterId: vrrp.virtualRouterId!,
      vips: [...vrrp.vips!],
      advertInt: vrrp.advertInt ?? DEFAULTS.advertInt,
      nopreempt: vrrp.nopreempt === true,
      preemptDelay: vrrp.preemptDelay ?? DEFAULTS.preemptDelay,
      version: (vrrp.version ?? DEFAULTS.version) as 2 | 3,
      unicast,
      authPass,
      instanceName: vrrp.instanceName ?? DEFAULTS.instanceName,
    },
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
    extraConfig: config.extraConfig ?? "",
    ssh: {
      user: sshUser,
      ...(config.ssh?.privateKeyPath !== undefined ? { privateKeyPath: config.ssh.privateKeyPath } : {}),
      hasPrivateKey: config.sshPrivateKey !== undefined,
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

/** The first VIP without its prefix length: the address the outputs, probes and tools use. */
export function primaryVipAddress(model: ClusterModel): string {
  return model.vrrp.vips[0].split("/")[0];
}

/** The node with this name, or throws (a programming error, not a config error). */
export function findNode(model: ClusterModel, name: string): NodeModel {
  const node = model.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node named ${JSON.stringify(name)}; nodes are ${model.nodes.map((n) => n.name).join(", ")}`);
  return node;
}
