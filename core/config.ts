/**
 * Raw stack config: the `keepalived-ha:` namespace of `Pulumi.<stack>.yaml`, keys without the prefix.
 *
 * Parsing checks shapes only (object, list, string, number, boolean) and reports unknown keys with a
 * "did you mean" hint. Ranges, syntax and cross-field rules live in validate.ts. A value of the wrong shape
 * is reported and dropped, so later rules see `undefined` rather than garbage.
 */
import { ConfigProblem, show } from "./problem";
import { closestKey } from "./suggest";

/** A Pulumi `secure:` value as it appears in a stack file: present, but its plaintext is unknown here. */
export interface SecureValue {
  /** Ciphertext written by `pulumi config set --secret`. */
  readonly secure: string;
}

/** A string that may also be an encrypted Pulumi value. */
export type MaybeSecret = string | SecureValue;

/** True for `{ secure: "..." }`. */
export function isSecureValue(value: unknown): value is SecureValue {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as { secure?: unknown }).secure === "string" && Object.keys(value).length === 1;
}

/** One host of the cluster (`nodes[i]`). */
export interface NodeConfig {
  /** Host name used in resource names and outputs: `[a-z0-9-]`, unique. */
  name?: string;
  /** IPv4 address: SSH target and VRRP source address. Unique. */
  address?: string;
  /** VRRP priority 1..254 (255 = address owner, only without check weights). */
  priority?: number;
  /** Initial VRRP state `MASTER` | `BACKUP`; default from priority, all BACKUP with `vrrp.nopreempt`. */
  state?: string;
  /** SSH port (default 22). */
  port?: number;
  /** SSH user for this node; overrides `ssh.user`. */
  user?: string;
  /** Network interface for VRRP on this node; overrides `vrrp.interface`. */
  interface?: string;
  /** Pinned SSH host key (`ssh-ed25519 AAAA...`); without it any host key is accepted. */
  hostKey?: string;
  /** OS family `debian` | `rhel`; detected from /etc/os-release at deploy time when absent. */
  os?: string;
  /** Index page for this node; overrides the global `site`. */
  site?: string;
}

/** One VRRP instance (`vrrp`, or each item of `vrrp` when it is a list). */
export interface VrrpConfig {
  /** Default network interface for VRRP and the VIPs. */
  interface?: string;
  /** `virtual_router_id` 1..255; must be unique on the LAN segment. */
  virtualRouterId?: number;
  /** Virtual addresses in CIDR form, e.g. `192.168.0.130/24`. */
  vips?: string[];
  /** Advertisement interval in seconds (whole seconds for v2; 0.01 steps for v3). Default 1. */
  advertInt?: number;
  /** Do not take the VIP back from a live master; every node then starts as BACKUP. Default false. */
  nopreempt?: boolean;
  /** Seconds a BACKUP waits before preempting (0..1000). */
  preemptDelay?: number;
  /** VRRP protocol version 2 | 3. Default 2. */
  version?: number;
  /** Send adverts by unicast to the other nodes' addresses instead of multicast. Default false. */
  unicast?: boolean;
  /** Explicit unicast peers; if given, must be exactly the node addresses (each node skips its own). */
  unicastPeers?: string[];
  /** VRRPv2 PASS authentication password, ≤ 8 printable characters; generated when absent. */
  authPass?: MaybeSecret;
  /** Name of the `vrrp_instance`. Default `VI_1` (`VI_<n>` for the n-th item of a list). Unique. */
  instanceName?: string;
  /** Per-node priorities of this instance, node name → 1..254 (255 = address owner); a node not listed uses `nodes[].priority`. */
  priorities?: Record<string, number>;
  /** Names of the checks this instance tracks. Default: every check. */
  track?: string[];
}

/** One health check (`checks[i]`), rendered as a `vrrp_script` and tracked by the instance. */
export interface CheckConfig {
  /** `vrrp_script` name and file name part (`check_<name>.sh`): `[A-Za-z0-9_-]`, unique. */
  name?: string;
  /** `process` | `tcp` | `http` | `pidfile` | `script` | `track-process`. */
  type?: string;
  /** process, track-process: process name (default: the OS's web server process). */
  process?: string;
  /** track-process: how many processes of that name must run (default 1). */
  quorum?: number;
  /** track-process: seconds a lost (or regained) quorum must last before it counts (default: none). */
  delay?: number;
  /** tcp: port (default 80). */
  port?: number;
  /** tcp: host to connect to (default 127.0.0.1). */
  host?: string;
  /** http: URL to fetch (default `http://127.0.0.1/`). */
  url?: string;
  /** http: expected HTTP status (default 200). */
  expectStatus?: number;
  /** pidfile: pid file whose process must be alive (default: the OS's web server pid file). */
  path?: string;
  /** script: inline script body (a `#!/bin/bash` line is added when it has no shebang). */
  body?: string;
  /** script: local file whose content becomes the check script. */
  file?: string;
  /** Seconds between runs (≥ 1). Default 2. */
  interval?: number;
  /** Seconds before a run counts as failed (≥ 1). Default: keepalived's (= interval). */
  timeout?: number;
  /** Failures in a row before the check counts as failed (≥ 1). Default 2. */
  fall?: number;
  /** Successes in a row before it counts as passing again (≥ 1). Default 1. */
  rise?: number;
  /** -253..253: > 0 adds to priority while passing, < 0 subtracts while failing, 0 = FAULT on failure. Default 0. */
  weight?: number;
}

/** Extra shell commands per notify script (`notify.commands`). */
export interface NotifyCommandsConfig {
  /** Appended to master.sh. */
  master?: string[];
  /** Appended to backup.sh. */
  backup?: string[];
  /** Appended to fault.sh. */
  fault?: string[];
  /** Appended to stop.sh. */
  stop?: string[];
}

/** Notify scripts (`notify`). */
export interface NotifyConfig {
  /** File the notify scripts append the state and date to. Default `/var/log/keepalived-state.log`. */
  logFile?: string;
  /** Extra commands per state. */
  commands?: NotifyCommandsConfig;
}

/** keepalived `global_defs` (`globalDefs`). */
export interface GlobalDefsConfig {
  /** `notification_email` addresses. */
  notificationEmails?: string[];
  /** `notification_email_from`. */
  notificationEmailFrom?: string;
  /** `smtp_server` (IPv4 address or host name). */
  smtpServer?: string;
  /** `smtp_connect_timeout` in seconds. */
  smtpConnectTimeout?: number;
  /** `router_id` (the seed's `route_id` is a typo keepalived rejects). */
  routerId?: string;
  /** `script_user` for check and notify scripts. Default root. */
  scriptUser?: string;
  /** `enable_script_security`. Default true. */
  enableScriptSecurity?: boolean;
}

/** SSH access (`ssh`). */
export interface SshConfig {
  /** Default SSH user. Default root. */
  user?: string;
  /** Local private key file; alternative to the secret `sshPrivateKey`. */
  privateKeyPath?: string;
  /** Jump host every node is reached through, `[user@]host[:port]` (same key as the nodes). */
  bastion?: string;
  /** Seconds to keep trying to reach a host before failing with its name. Default 60. */
  connectTimeout?: number;
}

/** The whole `keepalived-ha:` namespace. */
export interface StackConfig {
  /** Cluster hosts, N ≥ 2. */
  nodes?: NodeConfig[];
  /** The VRRP instance, or a list of instances (several VIPs, e.g. active/active across the nodes). */
  vrrp?: VrrpConfig | VrrpConfig[];
  /** Health checks, at least one. */
  checks?: CheckConfig[];
  /** Notify scripts. */
  notify?: NotifyConfig;
  /** keepalived global_defs. */
  globalDefs?: GlobalDefsConfig;
  /** `disable` | `open` | `skip`. */
  firewall?: string;
  /** Index page for all nodes. */
  site?: string;
  /** SSH access. */
  ssh?: SshConfig;
  /** Secret SSH private key (PEM/OpenSSH text). */
  sshPrivateKey?: MaybeSecret;
  /** Remove keepalived and the web server on destroy. Default false. */
  purgePackages?: boolean;
  /** Run the LAN pre-flight checks before a change. Default true. */
  preflight?: boolean;
  /** Raw text appended to keepalived.conf; not validated. */
  extraConfig?: string;
}

/** Result of parsing: the typed config (bad-shaped values dropped) and the shape problems found. */
export interface ParsedConfig {
  /** What could be read. */
  readonly config: StackConfig;
  /** Shape problems and unknown keys. */
  readonly problems: ConfigProblem[];
}

// Known keys per section, in documentation order; also used for "did you mean".
export const NODE_KEYS = ["name", "address", "priority", "state", "port", "user", "interface", "hostKey", "os", "site"] as const;
export const VRRP_KEYS = ["interface", "virtualRouterId", "vips", "advertInt", "nopreempt", "preemptDelay", "version", "unicast", "unicastPeers", "authPass", "instanceName", "priorities", "track"] as const;
export const CHECK_KEYS = ["name", "type", "process", "quorum", "delay", "port", "host", "url", "expectStatus", "path", "body", "file", "interval", "timeout", "fall", "rise", "weight"] as const;
export const NOTIFY_KEYS = ["logFile", "commands"] as const;
export const NOTIFY_STATES = ["master", "backup", "fault", "stop"] as const;
export const GLOBAL_DEFS_KEYS = ["notificationEmails", "notificationEmailFrom", "smtpServer", "smtpConnectTimeout", "routerId", "scriptUser", "enableScriptSecurity"] as const;
export const SSH_KEYS = ["user", "privateKeyPath", "bastion", "connectTimeout"] as const;
export const TOP_LEVEL_KEYS = ["nodes", "vrrp", "checks", "notify", "globalDefs", "firewall", "site", "ssh", "sshPrivateKey", "purgePackages", "preflight", "extraConfig"] as const;

/** Every known key as a dotted path, to point a misplaced key at its section. */
const ALL_KEY_PATHS: readonly string[] = [
  ...TOP_LEVEL_KEYS,
  ...NODE_KEYS.map((k) => `nodes[].${k}`),
  ...VRRP_KEYS.map((k) => `vrrp.${k}`),
  ...CHECK_KEYS.map((k) => `checks[].${k}`),
  ...NOTIFY_KEYS.map((k) => `notify.${k}`),
  ...GLOBAL_DEFS_KEYS.map((k) => `globalDefs.${k}`),
  ...SSH_KEYS.map((k) => `ssh.${k}`),
];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads typed fields from one object, remembering which keys were used to report the rest. */
class ObjectReader {
  private readonly used = new Set<string>();

  constructor(
    private readonly fields: Record<string, unknown>,
    private readonly path: string,
    private readonly known: readonly string[],
    private readonly problems: ConfigProblem[],
  ) {}

  private keyPath(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  private take(key: string): unknown {
    this.used.add(key);
    const value = this.fields[key];
    if (value === null) return undefined; // `key:` with nothing after it means "not set"
    if (isSecureValue(value)) {
      this.problems.push({
        key: this.keyPath(key),
        message: "is a Pulumi secret, but only vrrp.authPass and sshPrivateKey may be secret; set it as plain config",
      });
      return undefined;
    }
    return value;
  }

  private wrongType(key: string, value: unknown, expected: string): undefined {
    this.problems.push({ key: this.keyPath(key), message: `must be ${expected}, got ${show(value)}` });
    return undefined;
  }

  string(key: string): string | undefined {
    const value = this.take(key);
    if (value === undefined || typeof value === "string") return value;
    // YAML turns `state: 1` or `name: 123` into numbers; the text is still what the user meant.
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return this.wrongType(key, value, "a string");
  }

  number(key: string): number | undefined {
    const value = this.take(key);
    if (value === undefined || (typeof value === "number" && Number.isFinite(value))) return value;
    // `pulumi config set --path` stores plain strings; accept "100" as 100.
    if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
    return this.wrongType(key, value, "a number");
  }

  boolean(key: string): boolean | undefined {
    const value = this.take(key);
    if (value === undefined || typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    return this.wrongType(key, value, "true or false");
  }

  strings(key: string): string[] | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value === "string") return [value]; // a single item written without a list
    if (!Array.isArray(value)) return this.wrongType(key, value, "a list of strings");
    const items: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === "string" || typeof item === "number") items.push(String(item));
      else this.problems.push({ key: `${this.keyPath(key)}[${i}]`, message: `must be a string, got ${show(item)}` });
    });
    return items;
  }

  /** A mapping of names to numbers, e.g. `{ web1: 200, web2: 100 }`. */
  numberMap(key: string): Record<string, number> | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) return this.wrongType(key, value, "a mapping of node names to numbers, e.g. { web1: 200, web2: 100 }");
    const result: Record<string, number> = {};
    for (const [name, item] of Object.entries(value)) {
      if (typeof item === "number" && Number.isFinite(item)) result[name] = item;
      else if (typeof item === "string" && /^-?\d+$/.test(item.trim())) result[name] = Number(item);
      else this.problems.push({ key: `${this.keyPath(key)}.${name}`, message: `must be a number, got ${show(item)}` });
    }
    return result;
  }

  /** A string or an opaque `{ secure }` value. */
  secret(key: string): MaybeSecret | undefined {
    this.used.add(key);
    const value = this.fields[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" || isSecureValue(value)) return value;
    if (typeof value === "number") return String(value); // `authPass: 1111` as in the seed
    return this.wrongType(key, value, "a string or a Pulumi secret");
  }

  object(key: string): ObjectReader | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) return this.wrongType(key, value, "a mapping of keys to values");
    return new ObjectReader(value, this.keyPath(key), [], this.problems);
  }

  /** Each item of a list of mappings, with its own path `key[i]`. */
  list(key: string): { reader: ObjectReader | undefined }[] | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.wrongType(key, value, "a list");
    return value.map((item, i) => {
      const itemPath = `${this.keyPath(key)}[${i}]`;
      if (!isPlainObject(item)) {
        this.problems.push({ key: itemPath, message: `must be a mapping of keys to values, got ${show(item)}` });
        return { reader: undefined };
      }
      return { reader: new ObjectReader(item, itemPath, [], this.problems) };
    });
  }

  /** Sets the known keys of a nested reader (they are only known once the caller picks the section). */
  withKnown(known: readonly string[]): ObjectReader {
    return new ObjectReader(this.fields, this.path, known, this.problems);
  }

  /** Reports every key that no reader call used. */
  reportUnknownKeys(): void {
    for (const key of Object.keys(this.fields).sort()) {
      if (this.used.has(key)) continue;
      this.problems.push({ key: this.keyPath(key), message: unknownKeyMessage(key, this.known, this.path) });
    }
  }
}

function sectionPattern(path: string): string {
  return path.replace(/\[\d+\]/g, "[]");
}

function unknownKeyMessage(key: string, known: readonly string[], path: string): string {
  const local = closestKey(key, known);
  if (local !== undefined) return `unknown key ${show(key)}; did you mean ${show(local)}?`;
  // A key that belongs to another section (e.g. `routerId` under `vrrp`).
  const here = sectionPattern(path);
  const elsewhere = closestKey(key, ALL_KEY_PATHS.map((p) => p.slice(p.lastIndexOf(".") + 1)));
  if (elsewhere !== undefined) {
    const full = ALL_KEY_PATHS.find((p) => p.endsWith(`.${elsewhere}`) || p === elsewhere);
    if (full !== undefined && !full.startsWith(`${here}.`) && full !== here) {
      return `unknown key ${show(key)} here; did you mean ${show(full)}?`;
    }
  }
  return `unknown key ${show(key)}; known keys here: ${known.join(", ")}`;
}

function readNode(reader: ObjectReader): NodeConfig {
  const r = reader.withKnown(NODE_KEYS);
  const node: NodeConfig = {
    name: r.string("name"),
    address: r.string("address"),
    priority: r.number("priority"),
    state: r.string("state"),
    port: r.number("port"),
    user: r.string("user"),
    interface: r.string("interface"),
    hostKey: r.string("hostKey"),
    os: r.string("os"),
    site: r.string("site"),
  };
  r.reportUnknownKeys();
  return node;
}

function readVrrp(reader: ObjectReader): VrrpConfig {
  const r = reader.withKnown(VRRP_KEYS);
  const vrrp: VrrpConfig = {
    interface: r.string("interface"),
    virtualRouterId: r.number("virtualRouterId"),
    vips: r.strings("vips"),
    advertInt: r.number("advertInt"),
    nopreempt: r.boolean("nopreempt"),
    preemptDelay: r.number("preemptDelay"),
    version: r.number("version"),
    unicast: r.boolean("unicast"),
    unicastPeers: r.strings("unicastPeers"),
    authPass: r.secret("authPass"),
    instanceName: r.string("instanceName"),
    priorities: r.numberMap("priorities"),
    track: r.strings("track"),
  };
  r.reportUnknownKeys();
  return vrrp;
}

function readCheck(reader: ObjectReader): CheckConfig {
  const r = reader.withKnown(CHECK_KEYS);
  const check: CheckConfig = {
    name: r.string("name"),
    type: r.string("type"),
    process: r.string("process"),
    quorum: r.number("quorum"),
    delay: r.number("delay"),
    port: r.number("port"),
    host: r.string("host"),
    url: r.string("url"),
    expectStatus: r.number("expectStatus"),
    path: r.string("path"),
    body: r.string("body"),
    file: r.string("file"),
    interval: r.number("interval"),
    timeout: r.number("timeout"),
    fall: r.number("fall"),
    rise: r.number("rise"),
    weight: r.number("weight"),
  };
  r.reportUnknownKeys();
  return check;
}

function readNotify(reader: ObjectReader): NotifyConfig {
  const r = reader.withKnown(NOTIFY_KEYS);
  const logFile = r.string("logFile");
  const commandsReader = r.object("commands")?.withKnown(NOTIFY_STATES);
  let commands: NotifyCommandsConfig | undefined;
  if (commandsReader !== undefined) {
    commands = {
      master: commandsReader.strings("master"),
      backup: commandsReader.strings("backup"),
      fault: commandsReader.strings("fault"),
      stop: commandsReader.strings("stop"),
    };
    commandsReader.reportUnknownKeys();
  }
  r.reportUnknownKeys();
  return { logFile, commands };
}

function readGlobalDefs(reader: ObjectReader): GlobalDefsConfig {
  const r = reader.withKnown(GLOBAL_DEFS_KEYS);
  const defs: GlobalDefsConfig = {
    notificationEmails: r.strings("notificationEmails"),
    notificationEmailFrom: r.string("notificationEmailFrom"),
    smtpServer: r.string("smtpServer"),
    smtpConnectTimeout: r.number("smtpConnectTimeout"),
    routerId: r.string("routerId"),
    scriptUser: r.string("scriptUser"),
    enableScriptSecurity: r.boolean("enableScriptSecurity"),
  };
  r.reportUnknownKeys();
  return defs;
}

function readSsh(reader: ObjectReader): SshConfig {
  const r = reader.withKnown(SSH_KEYS);
  const ssh: SshConfig = {
    user: r.string("user"), privateKeyPath: r.string("privateKeyPath"), bastion: r.string("bastion"),
    connectTimeout: r.number("connectTimeout"),
  };
  r.reportUnknownKeys();
  return ssh;
}

/** Drops keys whose value is undefined so configs compare and print cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Parses the `keepalived-ha:` namespace (keys without the prefix) from a plain object, e.g. the result of
 * `config.requireObject` calls or a parsed stack file. Never throws.
 */
export function parseStackConfig(raw: unknown): ParsedConfig {
  const problems: ConfigProblem[] = [];
  if (raw === undefined || raw === null) raw = {};
  if (!isPlainObject(raw)) {
    return { config: {}, problems: [{ key: "(config)", message: `must be a mapping of keepalived-ha keys, got ${show(raw)}` }] };
  }
  const top = new ObjectReader(raw, "", TOP_LEVEL_KEYS, problems);
  const config: StackConfig = {
    nodes: top.list("nodes")?.map(({ reader }) => (reader ? compact(readNode(reader)) : {})),
    vrrp: Array.isArray(raw.vrrp)
      ? top.list("vrrp")?.map(({ reader }) => (reader ? compact(readVrrp(reader)) : {}))
      : mapOptional(top.object("vrrp"), (r) => compact(readVrrp(r))),
    checks: top.list("checks")?.map(({ reader }) => (reader ? compact(readCheck(reader)) : {})),
    notify: mapOptional(top.object("notify"), (r) => compact(readNotify(r))),
    globalDefs: mapOptional(top.object("globalDefs"), (r) => compact(readGlobalDefs(r))),
    firewall: top.string("firewall"),
    site: top.string("site"),
    ssh: mapOptional(top.object("ssh"), (r) => compact(readSsh(r))),
    sshPrivateKey: top.secret("sshPrivateKey"),
    purgePackages: top.boolean("purgePackages"),
    preflight: top.boolean("preflight"),
    extraConfig: top.string("extraConfig"),
  };
  top.reportUnknownKeys();
  return { config: compact(config), problems };
}

/** One VRRP instance with the key path its messages use: `vrrp` for a single mapping, `vrrp[i]` in a list. */
export interface KeyedVrrpConfig {
  /** Config path of the instance, e.g. `vrrp` or `vrrp[1]`. */
  readonly key: string;
  /** Position in the list (0 for a single mapping). */
  readonly index: number;
  /** The instance's config. */
  readonly vrrp: VrrpConfig;
}

/** The configured VRRP instances in order, whichever form `vrrp` has. */
export function vrrpInstances(config: StackConfig): KeyedVrrpConfig[] {
  if (config.vrrp === undefined) return [];
  if (Array.isArray(config.vrrp)) return config.vrrp.map((vrrp, index) => ({ key: `vrrp[${index}]`, index, vrrp }));
  return [{ key: "vrrp", index: 0, vrrp: config.vrrp }];
}

function mapOptional<A, B>(value: A | undefined, f: (a: A) => B): B | undefined {
  return value === undefined ? undefined : f(value);
}
