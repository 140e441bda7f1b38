/**
 * Every rule a stack config must pass before any host is touched. All problems are returned at once, each
 * naming the key, the bad value and the fix.
 */
import { CheckConfig, isSecureValue, KeyedVrrpConfig, NodeConfig, ParsedConfig, parseStackConfig, StackConfig, vrrpInstances } from "./config";
import { checkElection } from "./election";
import { FIREWALL_MODES, isOsFamily, OS_FAMILIES } from "./os";
import { ConfigError, ConfigProblem, show } from "./problem";

export { ConfigError, ConfigProblem };

/** Check types and the fields each one may use. */
export const CHECK_TYPES = ["process", "tcp", "http", "pidfile", "script", "track-process"] as const;
/** A check type. */
export type CheckType = (typeof CHECK_TYPES)[number];

/** The event-driven check type: no script, no polling (keepalived's track_process, or its substitute). */
export const EVENT_CHECK_TYPE = "track-process";

const COMMON_CHECK_FIELDS = ["name", "type", "weight"];
/** Fields of the polled checks (a script keepalived runs every `interval`). */
const POLLING_CHECK_FIELDS = ["interval", "timeout", "fall", "rise"];
const CHECK_TYPE_FIELDS: Readonly<Record<CheckType, readonly string[]>> = {
  process: ["process"],
  tcp: ["port", "host"],
  http: ["url", "expectStatus"],
  pidfile: ["path"],
  script: ["body", "file"],
  "track-process": ["process", "quorum", "delay"],
};

/** Dotted-quad IPv4 without leading zeros (which some tools read as octal). */
export function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** `a.b.c.d/nn` → address and prefix length, or undefined. */
export function parseCidr(text: string): { address: string; prefix: number } | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match || !isIPv4(match[1])) return undefined;
  const prefix = Number(match[2]);
  return prefix <= 32 ? { address: match[1], prefix } : undefined;
}

/** IPv4 dotted quad → 32-bit unsigned number. */
function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** True when `address` lies in `network/prefix`. */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(ipv4ToNumber(address) / size) === Math.floor(ipv4ToNumber(network) / size);
}

/** Why an address cannot be a host's (or a VIP's) unicast address, or undefined when it can. */
export function unusableAddressReason(address: string, prefix?: number): string | undefined {
  const first = Number(address.split(".")[0]);
  if (first === 0) return "is in 0.0.0.0/8 (\"this network\"), not a host address";
  if (first === 127) return "is a loopback address, which never leaves the host";
  if (first >= 224 && first <= 239) return "is a multicast address";
  if (first >= 240) return "is a reserved or broadcast address";
  if (prefix !== undefined && prefix <= 30) {
    const size = 2 ** (32 - prefix);
    const offset = ipv4ToNumber(address) % size;
    if (offset === 0) return `is the network address of its /${prefix}`;
    if (offset === size - 1) return `is the broadcast address of its /${prefix}`;
  }
  return undefined;
}

/** `[user@]host[:port]` → its parts, or undefined when it is not of that form. */
export function parseBastion(text: string): { user?: string; host: string; port: number } | undefined {
  const match = /^(?:([a-z_][a-z0-9_-]{0,31})@)?([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  const port = match[3] === undefined ? 22 : Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  if (!isIPv4(match[2]) && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(match[2])) return undefined;
  return { ...(match[1] !== undefined ? { user: match[1] } : {}), host: match[2], port };
}

/** Node names become resource names and file folders: keep them DNS-label-like. */
const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Check names become vrrp_script names and file names. */
const CHECK_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Linux interface names: 1..15 characters, no slash, colon or whitespace. */
const INTERFACE_NAME = /^[A-Za-z0-9_.@-]{1,15}$/;
/** Words that go unquoted into keepalived.conf or a shell script. */
const PLAIN_WORD = /^[A-Za-z0-9_.@+-]+$/;
/** Absolute paths safe to put in scripts unquoted. */
const SAFE_PATH = /^\/[A-Za-z0-9_./+-]*$/;
const EMAIL = /^[^\s@"]+@[^\s@"]+$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Collects problems with the key prefix of one section. */
class Problems {
  readonly list: ConfigProblem[] = [];

  add(key: string, message: string): void {
    this.list.push({ key, message });
  }

  /** Integer in [min, max], optional. */
  integer(key: string, value: number | undefined, min: number, max: number, fix = ""): void {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(key, `${show(value)} is out of range: use a whole number from ${min} to ${max}${fix ? `; ${fix}` : ""}`);
    }
  }

  /** Required value present. */
  required(key: string, value: unknown, example: string): boolean {
    if (value !== undefined) return true;
    this.add(key, `is required; add it, e.g. ${example}`);
    return false;
  }
}

function validateNodes(config: StackConfig, p: Problems): void {
  const nodes = config.nodes;
  if (nodes === undefined) {
    p.add("nodes", "is required: list at least two hosts, e.g. [{ name: web1, address: 192.168.0.128, priority: 100 }, ...]");
    return;
  }
  if (nodes.length < 2) {
    p.add("nodes", `has ${nodes.length} node(s); a VIP needs at least 2 nodes to fail over between`);
  }
  // Name and address → index of the first node that has it.
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  nodes.forEach((node: NodeConfig, i) => {
    validateNodeIdentity(node, i, { names, addresses }, p);
    validateNodeSettings(node, `nodes[${i}]`, config, p);
  });

  const explicitMasters = nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.state === "MASTER");
  if (explicitMasters.length > 1) {
    p.add(`nodes[${explicitMasters[1].i}].state`, `more than one node has state MASTER (${explicitMasters.map(({ n }) => n.name).join(", ")}); set MASTER on at most one node`);
  }
}

/** A node's name and address: present, well-formed, and not taken by an earlier node (recorded in `seen`). */
function validateNodeIdentity(node: NodeConfig, i: number,
  { names, addresses }: { readonly names: Map<string, number>; readonly addresses: Map<string, number> }, p: Problems): void {
  const at = `nodes[${i}]`;
  if (p.required(`${at}.name`, node.name, "name: web1")) {
    if (!NODE_NAME.test(node.name!)) {
      p.add(`${at}.name`, `${show(node.name)} is not a valid node name: use lower-case letters, digits and '-', e.g. "keepalived-master"`);
    } else if (names.has(node.name!)) {
      p.add(`${at}.name`, `${show(node.name)} is already used by nodes[${names.get(node.name!)}]; node names must be unique`);
    } else names.set(node.name!, i);
  }
  if (p.required(`${at}.address`, node.address, "address: 192.168.0.128")) {
    if (!isIPv4(node.address!)) {
      p.add(`${at}.address`, `${show(node.address)} is not an IPv4 address: write it like 192.168.0.128 (no prefix length)`);
    } else if (unusableAddressReason(node.address!) !== undefined) {
      p.add(`${at}.address`, `${show(node.address)} ${unusableAddressReason(node.address!)}; use the host's own address on the LAN`);
    } else if (addresses.has(node.address!)) {
      p.add(`${at}.address`, `${show(node.address)} is already used by nodes[${addresses.get(node.address!)}]; node addresses must be unique`);
    } else addresses.set(node.address!, i);
  }
}

/** A node's priority, state and connection settings. */
function validateNodeSettings(node: NodeConfig, at: string, config: StackConfig, p: Problems): void {
  // With instance priorities for this node everywhere, nodes[].priority is only the fallback.
  const instances = vrrpInstances(config);
  const setPerInstance = node.name !== undefined && instances.length > 0 &&
    instances.every(({ vrrp }) => vrrp.priorities?.[node.name!] !== undefined);
  if (setPerInstance || p.required(`${at}.priority`, node.priority, "priority: 100 (or per instance in vrrp[].priorities)")) {
    p.integer(`${at}.priority`, node.priority, 1, 255, "255 means address owner and is only allowed without check weights");
  }
  if (node.state !== undefined && node.state !== "MASTER" && node.state !== "BACKUP") {
    p.add(`${at}.state`, `${show(node.state)} is not a VRRP state: use MASTER or BACKUP (upper case), or leave it out to derive it from priority`);
  }
  p.integer(`${at}.port`, node.port, 1, 65535);
  if (node.user !== undefined && !USER_NAME.test(node.user)) {
    p.add(`${at}.user`, `${show(node.user)} is not a valid user name: use e.g. "root" or "deploy"`);
  }
  if (node.interface !== undefined && !INTERFACE_NAME.test(node.interface)) {
    p.add(`${at}.interface`, `${show(node.interface)} is not a network interface name: 1-15 characters like ens32 or eth0`);
  }
  if (node.hostKey !== undefined && !/^(ssh-|ecdsa-)[A-Za-z0-9-]+ [A-Za-z0-9+/=]+( .*)?$/.test(node.hostKey)) {
    p.add(`${at}.hostKey`, `is not an SSH public host key: use the "ssh-ed25519 AAAA..." line from ssh-keyscan`);
  }
  if (node.os !== undefined && !isOsFamily(node.os)) {
    p.add(`${at}.os`, `${show(node.os)} is not a supported OS family: use ${OS_FAMILIES.join(" or ")}, or leave it out to detect it on the host`);
  }
}

/** Defaults of an instance's name: `VI_1`, `VI_2`, ... by position. */
export function defaultInstanceName(index: number): string {
  return `VI_${index + 1}`;
}

function validateVrrp(config: StackConfig, p: Problems): void {
  if (config.vrrp === undefined) {
    p.add("vrrp", "is required: give at least interface, virtualRouterId and vips, e.g. { interface: ens32, virtualRouterId: 151, vips: [192.168.0.130/24] }");
    return;
  }
  const instances = vrrpInstances(config);
  if (instances.length === 0) {
    p.add("vrrp", "is an empty list: give one instance (a mapping) or a list of instances, each with virtualRouterId and vips");
    return;
  }
  instances.forEach((instance) => validateVrrpInstance(instance, config, p));
  if (instances.length < 2) return;

  // Several instances on one LAN: VRRP tells groups apart only by router id, so ids, names and VIPs must differ.
  const routerIds = new Map<string, string>();
  const names = new Map<string, string>();
  const vips = new Map<string, string>();
  for (const { key, index, vrrp } of instances) {
    if (vrrp.virtualRouterId !== undefined) {
      const scope = `${vrrp.interface ?? ""}/${vrrp.virtualRouterId}`;
      const other = routerIds.get(scope);
      if (other !== undefined) {
        p.add(`${key}.virtualRouterId`, `${vrrp.virtualRouterId} is already used by ${other} on the same interface; ` +
          `each instance needs its own virtual_router_id, otherwise their adverts mix (one VIP set flaps or both nodes hold it): pick another id`);
      } else routerIds.set(scope, key);
    }
    const name = vrrp.instanceName ?? defaultInstanceName(index);
    const sameName = names.get(name);
    if (sameName !== undefined) {
      p.add(`${key}.instanceName`, `${show(name)} is already the name of ${sameName}; instance names must be unique (they default to VI_1, VI_2, ... by position)`);
    } else names.set(name, key);
    (vrrp.vips ?? []).forEach((vip, i) => {
      const address = parseCidr(vip)?.address;
      if (address === undefined) return;
      const owner = vips.get(address);
      if (owner !== undefined) p.add(`${key}.vips[${i}]`, `${show(vip)} is already a VIP of ${owner}; a VIP belongs to exactly one instance`);
      else vips.set(address, key);
    });
  }
  const versions = new Set(instances.map(({ vrrp }) => vrrp.version ?? 2));
  if (versions.size > 1) {
    const differing = instances.find(({ vrrp }) => (vrrp.version ?? 2) !== (instances[0].vrrp.version ?? 2))!;
    p.add(`${differing.key}.version`, `differs from ${instances[0].key}'s; all instances of a cluster use the same VRRP version (keepalived's vrrp_version is global here): set the same version on every instance`);
  }
  (config.nodes ?? []).forEach((n, i) => {
    if (n.state !== undefined) {
      p.add(`nodes[${i}].state`, "with several vrrp instances the initial state is derived per instance from its priorities (highest starts as MASTER); remove state, or use vrrp[].priorities");
    }
  });
}

/** One VRRP instance's own settings (those between instances: validateVrrp). */
function validateVrrpInstance(instance: KeyedVrrpConfig, config: StackConfig, p: Problems): void {
  const nodes = config.nodes ?? [];
  const { key, vrrp } = instance;
  validateInstanceInterface(instance, nodes, p);
  if (p.required(`${key}.virtualRouterId`, vrrp.virtualRouterId, "virtualRouterId: 151")) {
    p.integer(`${key}.virtualRouterId`, vrrp.virtualRouterId, 1, 255, "pick an id no other VRRP group on the LAN uses");
  }
  validateInstanceVips(instance, nodes, p);
  validateInstanceTiming(instance, p);
  validateInstancePreemption(instance, nodes, p);
  validateInstanceAuthPass(instance, p);
  if (vrrp.instanceName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(vrrp.instanceName)) {
    p.add(`${key}.instanceName`, `${show(vrrp.instanceName)} is not a valid instance name: use letters, digits, '_' and '-', e.g. VI_1`);
  }
  validateInstanceUnicastPeers(instance, nodes, p);
  validateInstancePriorities(instance, nodes, p);
  validateInstanceTrack(instance, config, p);
}

/** The interface: the instance's, or every node's own. */
function validateInstanceInterface({ key, vrrp }: KeyedVrrpConfig, nodes: readonly NodeConfig[], p: Problems): void {
  if (vrrp.interface === undefined) {
    const missing = nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.interface === undefined);
    if (missing.length > 0) {
      p.add(`${key}.interface`, `is required unless every node sets its own interface (missing on ${missing.map(({ i }) => `nodes[${i}]`).join(", ")}); e.g. interface: ens32`);
    }
  } else if (!INTERFACE_NAME.test(vrrp.interface)) {
    p.add(`${key}.interface`, `${show(vrrp.interface)} is not a network interface name: 1-15 characters like ens32 or eth0`);
  }
}

/** The VIPs: well-formed, listed once, free, usable, and on the LAN the nodes share. */
function validateInstanceVips({ key, vrrp }: KeyedVrrpConfig, nodes: readonly NodeConfig[], p: Problems): void {
  if (p.required(`${key}.vips`, vrrp.vips, "vips: [192.168.0.130/24]")) {
    if (vrrp.vips!.length === 0) p.add(`${key}.vips`, "is empty: list at least one virtual address, e.g. [192.168.0.130/24]");
    const seen = new Set<string>();
    vrrp.vips!.forEach((vip, i) => {
      const vipKey = `${key}.vips[${i}]`;
      const cidr = parseCidr(vip);
      if (cidr === undefined) {
        p.add(vipKey, `${show(vip)} is not an IPv4 address with prefix length: write it like 192.168.0.130/24`);
        return;
      }
      if (seen.has(cidr.address)) p.add(vipKey, `${show(vip)} is listed twice; list each VIP once`);
      seen.add(cidr.address);
      const owner = nodes.findIndex((n) => n.address === cidr.address);
      if (owner >= 0) {
        p.add(vipKey, `${show(vip)} is the address of nodes[${owner}]; a VIP must be a free address that no host owns`);
      }
      const unusable = unusableAddressReason(cidr.address, cidr.prefix);
      if (unusable !== undefined) {
        p.add(vipKey, `${show(vip)} ${unusable}; pick a free host address in the nodes' subnet`);
        return;
      }
      // The VIP's prefix is the LAN it lives on: every node must be on it to hold and announce the VIP.
      const outside = nodes.map((n, j) => ({ n, j }))
        .filter(({ n }) => n.address !== undefined && isIPv4(n.address) && !inSubnet(n.address, cidr.address, cidr.prefix));
      // A /32 (or /31) VIP says nothing about the LAN, so it is not checked.
      if (cidr.prefix > 0 && cidr.prefix < 31 && outside.length > 0) {
        const names = outside.map(({ n, j }) => `nodes[${j}] ${n.address}`).join(", ");
        p.add(vipKey, `${show(vip)} is outside the subnet of ${names}; a VIP must be in the LAN the nodes share: ` +
          `use an address in the nodes' subnet, or the prefix length of that LAN`);
      }
    });
  }
}

/** The VRRP version and the advert interval it allows, and the preempt delay. */
function validateInstanceTiming({ key, vrrp }: KeyedVrrpConfig, p: Problems): void {
  const version = vrrp.version ?? 2;
  if (vrrp.version !== undefined && vrrp.version !== 2 && vrrp.version !== 3) {
    p.add(`${key}.version`, `${show(vrrp.version)} is not a VRRP version: use 2 or 3`);
  }
  if (vrrp.advertInt !== undefined) {
    if (version === 3) {
      const centis = Math.round(vrrp.advertInt * 100);
      if (vrrp.advertInt < 0.01 || vrrp.advertInt > 40.95 || Math.abs(centis - vrrp.advertInt * 100) > 1e-6) {
        p.add(`${key}.advertInt`, `${show(vrrp.advertInt)} is not valid for VRRP version 3: use 0.01 to 40.95 seconds in steps of 0.01, e.g. 0.1`);
      }
    } else if (!Number.isInteger(vrrp.advertInt) || vrrp.advertInt < 1 || vrrp.advertInt > 255) {
      p.add(`${key}.advertInt`, `${show(vrrp.advertInt)} is not valid for VRRP version 2: use whole seconds 1 to 255, or set vrrp.version: 3 for sub-second adverts`);
    }
  }
  p.integer(`${key}.preemptDelay`, vrrp.preemptDelay, 0, 1000);
}

/** nopreempt and preemptDelay, which keepalived drops for a node that starts as MASTER. */
function validateInstancePreemption({ vrrp }: KeyedVrrpConfig, nodes: readonly NodeConfig[], p: Problems): void {
  if (vrrp.nopreempt === true) {
    nodes.forEach((n, i) => {
      if (n.state === "MASTER") {
        p.add(`nodes[${i}].state`, `MASTER with vrrp.nopreempt: keepalived silently ignores nopreempt when the initial state is MASTER; remove state (all nodes then start as BACKUP) or set it to BACKUP`);
      }
    });
  }
  if (vrrp.preemptDelay !== undefined && vrrp.preemptDelay > 0) {
    nodes.forEach((n, i) => {
      if (n.state === "MASTER") {
        p.add(`nodes[${i}].state`, `MASTER with vrrp.preemptDelay: keepalived ignores preempt_delay when the initial state is MASTER; remove state or set it to BACKUP`);
      }
    });
  }
}

/** A plain authPass must fit keepalived.conf and its 8 characters; version 3 has no authentication at all. */
function validateInstanceAuthPass({ key, vrrp }: KeyedVrrpConfig, p: Problems): void {
  const version = vrrp.version ?? 2;
  if (vrrp.authPass !== undefined && !isSecureValue(vrrp.authPass)) {
    const pass = vrrp.authPass;
    if (version === 3) {
      p.add(`${key}.authPass`, "VRRP version 3 has no authentication (keepalived rejects it); remove authPass or use version 2");
    } else if (pass.length < 1 || pass.length > 8) {
      p.add(`${key}.authPass`, `is ${pass.length} characters long; keepalived keeps only 8 (and fails its config test): use 1 to 8 characters, or leave it out to generate one`);
    } else if (!/^[\x21-\x7e]+$/.test(pass) || /["'#!\\]/.test(pass)) {
      p.add(`${key}.authPass`, `contains spaces, quotes, '#', '!', '\\' or non-ASCII characters that keepalived.conf cannot hold; use letters, digits and simple punctuation`);
    }
  } else if (isSecureValue(vrrp.authPass) && version === 3) {
    p.add(`${key}.authPass`, "VRRP version 3 has no authentication (keepalived rejects it); remove authPass or use version 2");
  }
}

/** Unicast peers, when listed: exactly the nodes' addresses (a missing one splits the brain). */
function validateInstanceUnicastPeers({ key, vrrp }: KeyedVrrpConfig, nodes: readonly NodeConfig[], p: Problems): void {
  if (vrrp.unicastPeers !== undefined) {
    if (vrrp.unicast !== true) {
      p.add(`${key}.unicastPeers`, "is set but vrrp.unicast is not true; set unicast: true or remove unicastPeers");
    }
    const expected = nodes.map((n) => n.address).filter((a): a is string => a !== undefined).sort();
    const given = [...vrrp.unicastPeers].sort();
    vrrp.unicastPeers.forEach((peer, i) => {
      if (!isIPv4(peer)) p.add(`${key}.unicastPeers[${i}]`, `${show(peer)} is not an IPv4 address`);
      else if (!expected.includes(peer)) {
        p.add(`${key}.unicastPeers[${i}]`, `${show(peer)} is not the address of any node; unicast peers must be the nodes' addresses (${expected.join(", ")}); remove unicastPeers to derive them`);
      }
    });
    const missing = expected.filter((a) => !given.includes(a));
    if (missing.length > 0) {
      p.add(`${key}.unicastPeers`, `misses node address(es) ${missing.join(", ")}: a node that is no peer never hears the master and takes the VIP too (split brain); add them or remove unicastPeers to derive them`);
    }
  }
}

/** Per-instance priorities: keyed by node names, each in keepalived's range. */
function validateInstancePriorities({ key, vrrp }: KeyedVrrpConfig, nodes: readonly NodeConfig[], p: Problems): void {
  if (vrrp.priorities !== undefined) {
    const nodeNames = nodes.map((n) => n.name).filter((n): n is string => n !== undefined);
    for (const [name, priority] of Object.entries(vrrp.priorities)) {
      const at = `${key}.priorities.${name}`;
      if (!nodeNames.includes(name)) {
        p.add(at, `${show(name)} is not a node name; priorities are keyed by nodes[].name (${nodeNames.join(", ")})`);
      } else {
        p.integer(at, priority, 1, 255, "255 means address owner and is only allowed without check weights");
      }
    }
  }
}

/** The checks an instance tracks: names of checks, each once, at least one. */
function validateInstanceTrack({ key, vrrp }: KeyedVrrpConfig, config: StackConfig, p: Problems): void {
  if (vrrp.track !== undefined) {
    const checkNames = (config.checks ?? []).map((c) => c.name).filter((n): n is string => n !== undefined);
    if (vrrp.track.length === 0) {
      p.add(`${key}.track`, `is empty: an instance that tracks no check only moves its VIP when a whole host dies; list check names (${checkNames.join(", ")}) or remove track to track every check`);
    }
    const seen = new Set<string>();
    vrrp.track.forEach((name, i) => {
      if (!checkNames.includes(name)) {
        p.add(`${key}.track[${i}]`, `${show(name)} is not the name of a check; use one of ${checkNames.join(", ") || "(no checks defined)"}`);
      } else if (seen.has(name)) {
        p.add(`${key}.track[${i}]`, `${show(name)} is listed twice; list each check once`);
      }
      seen.add(name);
    });
  }
}

function validateCheck(check: CheckConfig, i: number, p: Problems): void {
  const at = `checks[${i}]`;
  if (p.required(`${at}.name`, check.name, "name: chk_httpd") && !CHECK_NAME.test(check.name!)) {
    p.add(`${at}.name`, `${show(check.name)} is not a valid check name: use letters, digits, '_' and '-', e.g. chk_httpd`);
  }
  if (!p.required(`${at}.type`, check.type, `type: process (one of ${CHECK_TYPES.join(", ")})`)) return;
  if (!(CHECK_TYPES as readonly string[]).includes(check.type!)) {
    p.add(`${at}.type`, `${show(check.type)} is not a check type: use one of ${CHECK_TYPES.join(", ")}`);
    return;
  }
  const type = check.type as CheckType;
  const polled = type !== EVENT_CHECK_TYPE;
  validateCheckFields(check, at, type, p);
  validateCheckTypeSettings(check, at, type, p);
  if (!polled) {
    p.integer(`${at}.weight`, check.weight, -253, 253, "0 puts the node in FAULT when the process is gone");
    return;
  }
  p.integer(`${at}.interval`, check.interval, 1, 3600, "keepalived runs a check at most once a second");
  p.integer(`${at}.timeout`, check.timeout, 1, 3600);
  p.integer(`${at}.fall`, check.fall, 1, 255);
  p.integer(`${at}.rise`, check.rise, 1, 255);
  p.integer(`${at}.weight`, check.weight, -253, 253, "0 puts the node in FAULT when the check fails");
}

/** Fields a check of this type does not use, named with the type they belong to. */
function validateCheckFields(check: CheckConfig, at: string, type: CheckType, p: Problems): void {
  const polled = type !== EVENT_CHECK_TYPE;
  const allowed = new Set([...COMMON_CHECK_FIELDS, ...(polled ? POLLING_CHECK_FIELDS : []), ...CHECK_TYPE_FIELDS[type]]);
  for (const field of Object.keys(check).sort()) {
    if (allowed.has(field)) continue;
    if (!polled && POLLING_CHECK_FIELDS.includes(field)) {
      p.add(`${at}.${field}`, `is not used by a ${type} check: keepalived hears of the process's exit at once and polls ` +
        `nothing; remove it (use delay to ride out a restart), or use type process for a polled check`);
      continue;
    }
    const owner = CHECK_TYPES.find((t) => CHECK_TYPE_FIELDS[t].includes(field));
    p.add(`${at}.${field}`, `is not used by a ${type} check${owner ? ` (it belongs to type ${owner})` : ""}; remove it or change the type`);
  }
}

/** The settings only one check type has (process name, port, URL, pid file, script). */
function validateCheckTypeSettings(check: CheckConfig, at: string, type: CheckType, p: Problems): void {
  switch (type) {
    case "track-process":
      if (check.process !== undefined && !/^[A-Za-z0-9_.:+-]{1,15}$/.test(check.process)) {
        p.add(`${at}.process`, `${show(check.process)} is not a process name as the kernel keeps it: use the bare name, ` +
          `at most 15 characters, e.g. apache2 or httpd`);
      }
      p.integer(`${at}.quorum`, check.quorum, 1, 65535, "the number of processes of that name that must run");
      if (check.delay !== undefined && !(check.delay >= 0 && check.delay <= 3600)) {
        p.add(`${at}.delay`, `${show(check.delay)} is out of range: use seconds from 0 to 3600 (fractions allowed, e.g. 0.5)`);
      }
      break;
    case "process":
      if (check.process !== undefined && !/^[A-Za-z0-9_.:+-]{1,64}$/.test(check.process)) {
        p.add(`${at}.process`, `${show(check.process)} is not a process name: use the bare name, e.g. httpd or apache2`);
      }
      break;
    case "tcp":
      p.integer(`${at}.port`, check.port, 1, 65535);
      if (check.host !== undefined && !isIPv4(check.host)) {
        p.add(`${at}.host`, `${show(check.host)} is not an IPv4 address: use e.g. 127.0.0.1`);
      }
      break;
    case "http":
      if (check.url !== undefined && !/^https?:\/\/[^\s'"`$\\]+$/.test(check.url)) {
        p.add(`${at}.url`, `${show(check.url)} is not an http(s) URL without spaces or quotes: use e.g. http://127.0.0.1/`);
      }
      p.integer(`${at}.expectStatus`, check.expectStatus, 100, 599);
      break;
    case "pidfile":
      if (check.path !== undefined && !SAFE_PATH.test(check.path)) {
        p.add(`${at}.path`, `${show(check.path)} is not an absolute path without spaces or quotes: use e.g. /run/httpd/httpd.pid`);
      }
      break;
    case "script":
      if ((check.body === undefined) === (check.file === undefined)) {
        p.add(`${at}`, "a script check needs exactly one of body (inline script) or file (local path)");
      } else if (check.body !== undefined && check.body.trim() === "") {
        p.add(`${at}.body`, "is empty: write the script that exits 0 when healthy");
      }
      break;
  }
}

function validateChecks(config: StackConfig, p: Problems): void {
  const checks = config.checks;
  if (checks === undefined || checks.length === 0) {
    p.add("checks", "needs at least one health check, otherwise the VIP only moves when a whole host dies; e.g. [{ name: chk_httpd, type: process, weight: 0 }]");
    return;
  }
  const names = new Map<string, number>();
  checks.forEach((check, i) => {
    validateCheck(check, i, p);
    if (check.name !== undefined) {
      if (names.has(check.name)) p.add(`checks[${i}].name`, `${show(check.name)} is already used by checks[${names.get(check.name)}]; check names must be unique`);
      else names.set(check.name, i);
    }
  });
}

/** Priority 255 (address owner) rules and the seed's priority/weight election rule, per instance. */
function validateElection(config: StackConfig, p: Problems): void {
  const instances = vrrpInstances(config);
  for (const instance of instances) validateInstanceElection(instance, instances.length > 1, config, p);
}

function validateInstanceElection({ key, vrrp }: KeyedVrrpConfig, several: boolean, config: StackConfig, p: Problems): void {
  const nodes = config.nodes ?? [];
  const allChecks = (config.checks ?? []).map((check, index) => ({ check, index }));
  const checks = vrrp.track === undefined ? allChecks : allChecks.filter(({ check }) => vrrp.track!.includes(check.name ?? ""));
  const nopreempt = vrrp.nopreempt === true;
  const priorityOf = (n: NodeConfig) => (n.name !== undefined ? vrrp.priorities?.[n.name] : undefined) ?? n.priority;
  const priorityKey = (n: NodeConfig, i: number) =>
    n.name !== undefined && vrrp.priorities?.[n.name] !== undefined ? `${key}.priorities.${n.name}` : `nodes[${i}].priority`;
  const inInstance = several ? ` in ${key}` : "";
  nodes.forEach((n, i) => {
    if (priorityOf(n) !== 255) return;
    const weighted = checks.find(({ check }) => (check.weight ?? 0) !== 0);
    if (weighted !== undefined) {
      p.add(priorityKey(n, i), `255 (address owner) ignores check weights, but checks[${weighted.index}] has weight ${weighted.check.weight}${inInstance}; use a priority of 254 or lower`);
    }
    if (nopreempt) {
      p.add(priorityKey(n, i), "255 (address owner) always preempts and keepalived resets nopreempt; use a priority of 254 or lower");
    }
  });

  // The maths only makes sense on well-formed numbers; other rules already report the rest.
  const usableNode = (n: NodeConfig) => n.name !== undefined && Number.isInteger(priorityOf(n)) && priorityOf(n)! >= 1 && priorityOf(n)! <= 255;
  const usableCheck = (c: CheckConfig) => c.name !== undefined && Number.isInteger(c.weight ?? 0) && Math.abs(c.weight ?? 0) <= 253;
  if (nodes.length < 2 || !nodes.every(usableNode) || !checks.every(({ check }) => usableCheck(check))) return;

  const failures = checkElection({
    nodes: nodes.map((n) => ({ name: n.name!, priority: priorityOf(n)! })),
    checks: checks.map(({ check }) => ({ name: check.name!, weight: check.weight ?? 0 })),
    nopreempt,
  });
  // One message per check: the scenario on the highest-priority node is the one that matters first.
  const priorities = new Map(nodes.map((n) => [n.name!, priorityOf(n)!]));
  const worst = new Map<number, (typeof failures)[number]>();
  for (const f of failures) {
    const current = worst.get(f.checkIndex);
    if (current === undefined || priorities.get(f.master)! > priorities.get(current.master)!) worst.set(f.checkIndex, f);
  }
  for (const [tracked, f] of [...worst].sort((a, b) => a[0] - b[0])) {
    const { check, index } = checks[tracked];
    p.add(`checks[${index}].weight`, `weight ${check.weight ?? 0}${inInstance}: ${f.explanation}`);
  }
}

/** The notify log file. */
function validateNotify(config: StackConfig, p: Problems): void {
  const notify = config.notify;
  if (notify?.logFile !== undefined && !SAFE_PATH.test(notify.logFile)) {
    p.add("notify.logFile", `${show(notify.logFile)} is not an absolute path without spaces or quotes: use e.g. /var/log/keepalived-state.log`);
  }
}

/** keepalived's global_defs: mail settings, router id, script user. */
function validateGlobalDefs(config: StackConfig, p: Problems): void {
  const defs = config.globalDefs;
  defs?.notificationEmails?.forEach((email, i) => {
    if (!EMAIL.test(email)) p.add(`globalDefs.notificationEmails[${i}]`, `${show(email)} is not an e-mail address: use e.g. root@localhost`);
  });
  if (defs?.notificationEmailFrom !== undefined && !EMAIL.test(defs.notificationEmailFrom)) {
    p.add("globalDefs.notificationEmailFrom", `${show(defs.notificationEmailFrom)} is not an e-mail address: use e.g. keepalived@localhost`);
  }
  if (defs?.smtpServer !== undefined && !isIPv4(defs.smtpServer) && !HOST_NAME.test(defs.smtpServer)) {
    p.add("globalDefs.smtpServer", `${show(defs.smtpServer)} is not an IPv4 address or host name: use e.g. 127.0.0.1`);
  }
  p.integer("globalDefs.smtpConnectTimeout", defs?.smtpConnectTimeout, 1, 3600);
  if (defs?.routerId !== undefined && !PLAIN_WORD.test(defs.routerId)) {
    p.add("globalDefs.routerId", `${show(defs.routerId)} must be one word (letters, digits, '_', '-', '.'), e.g. httpd_keep`);
  }
  if (defs?.scriptUser !== undefined && !USER_NAME.test(defs.scriptUser)) {
    p.add("globalDefs.scriptUser", `${show(defs.scriptUser)} is not a user name: use e.g. root`);
  }
}

/** The firewall mode. */
function validateFirewall(config: StackConfig, p: Problems): void {
  if (config.firewall !== undefined && !(FIREWALL_MODES as readonly string[]).includes(config.firewall)) {
    p.add("firewall", `${show(config.firewall)} is not a firewall mode: use disable (stop firewalld, as the seed does), open (allow VRRP and HTTP) or skip`);
  }
}

/** SSH access: default user, jump host, time-out, and one source of the private key. */
function validateSsh(config: StackConfig, p: Problems): void {
  if (config.ssh?.user !== undefined && !USER_NAME.test(config.ssh.user)) {
    p.add("ssh.user", `${show(config.ssh.user)} is not a valid user name: use e.g. "root"`);
  }
  if (config.ssh?.bastion !== undefined && parseBastion(config.ssh.bastion) === undefined) {
    p.add("ssh.bastion", `${show(config.ssh.bastion)} is not a jump host: write it as [user@]host[:port], e.g. "jump@bastion.example.com:22"`);
  }
  p.integer("ssh.connectTimeout", config.ssh?.connectTimeout, 1, 600, "seconds to keep trying to reach a host");
  if (sshKeySourceConflict(config)) {
    p.add("ssh.privateKeyPath", "is set together with the secret sshPrivateKey; keep only one of them");
  }
}

/** True when a stack names both a key file and the secret key (only a stack config can: the component takes the key). */
export function sshKeySourceConflict(config: StackConfig): boolean {
  return config.ssh?.privateKeyPath !== undefined && config.sshPrivateKey !== undefined;
}

/** Semantic rules on an already parsed config. */
export function validateStackConfig(config: StackConfig): ConfigProblem[] {
  const p = new Problems();
  validateNodes(config, p);
  validateVrrp(config, p);
  validateChecks(config, p);
  validateElection(config, p);
  validateNotify(config, p);
  validateGlobalDefs(config, p);
  validateFirewall(config, p);
  validateSsh(config, p);
  return p.list;
}

/** Parses and validates a raw `keepalived-ha:` object: shape problems first, then rule problems. */
export function validateConfig(raw: unknown): ParsedConfig {
  const parsed = parseStackConfig(raw);
  return { config: parsed.config, problems: [...parsed.problems, ...validateStackConfig(parsed.config)] };
}
