/**
 * The lab's address plan and the files derived from it (Pulumi.lab.yaml, known_hosts), plus the check that
 * the lab subnet is free. Pure: no I/O, so test/unit/lab-plan.test.ts covers it directly.
 */

/** Constants from scripts/lab/lab.env. */
export interface LabEnv {
  readonly bridge: string;
  readonly prefix: string; // first three octets, e.g. "10.213.151"
  readonly prefixLen: number;
  readonly hostOctet: number;
  readonly nodeOctetBase: number;
  readonly vipOctet: number;
  readonly maxNodes: number;
  readonly defaultNodes: number;
}

export interface LabNode {
  readonly name: string;
  readonly address: string;
  readonly priority: number;
}

export interface LabPlan {
  readonly env: LabEnv;
  readonly subnet: string;
  readonly hostAddress: string;
  readonly vip: string;
  readonly nodes: readonly LabNode[];
}

/** Parses lab.env (KEY=VALUE lines, `#` comments). */
export function parseLabEnv(text: string): LabEnv {
  const kv = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 1) throw new Error(`lab.env: not KEY=VALUE: ${line}`);
    kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const str = (k: string): string => {
    const v = kv.get(k);
    if (v === undefined) throw new Error(`lab.env: missing ${k}`);
    return v;
  };
  const int = (k: string): number => {
    const v = Number(str(k));
    if (!Number.isInteger(v)) throw new Error(`lab.env: ${k} must be an integer`);
    return v;
  };
  return {
    bridge: str("LAB_BRIDGE"),
    prefix: str("LAB_PREFIX"),
    prefixLen: int("LAB_PREFIX_LEN"),
    hostOctet: int("LAB_HOST_OCTET"),
    nodeOctetBase: int("LAB_NODE_OCTET_BASE"),
    vipOctet: int("LAB_VIP_OCTET"),
    maxNodes: int("LAB_MAX_NODES"),
    defaultNodes: int("LAB_DEFAULT_NODES"),
  };
}

/**
 * Priorities: node1 is the preferred master at 100, the others 90, 89, 88, ... so that the lab stack's
 * check weight of -30 always lets the master fail over (100 - 30 < 90) and the backups stay ordered.
 */
export function nodePriority(index: number): number {
  return index === 1 ? 100 : 91 - (index - 1);
}

export function labPlan(env: LabEnv, count: number): LabPlan {
  if (!Number.isInteger(count) || count < 2 || count > env.maxNodes) {
    throw new Error(`--nodes must be an integer from 2 to ${env.maxNodes} (got ${count})`);
  }
  const nodes: LabNode[] = [];
  for (let i = 1; i <= count; i++) {
    nodes.push({ name: `node${i}`, address: `${env.prefix}.${env.nodeOctetBase + i}`, priority: nodePriority(i) });
  }
  return {
    env,
    subnet: `${env.prefix}.0/${env.prefixLen}`,
    hostAddress: `${env.prefix}.${env.hostOctet}`,
    vip: `${env.prefix}.${env.vipOctet}`,
    nodes,
  };
}

/** A public key line as found in a .pub file, without its comment. */
export function normalizeHostKey(pub: string): string {
  const [type, key] = pub.trim().split(/\s+/);
  if (!type || !key || !/^ssh-ed25519$/.test(type) || !/^[A-Za-z0-9+/=]+$/.test(key)) {
    throw new Error(`not an ssh-ed25519 public key: ${pub.slice(0, 40)}`);
  }
  return `${type} ${key}`;
}

/** Pulumi.lab.yaml: the stack config that points the product at the lab's hosts. */
export function renderPulumiLabYaml(
  plan: LabPlan,
  hostKeys: Readonly<Record<string, string>>,
  privateKeyPath: string,
): string {
  const q = (s: string): string => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
  const lines = ["config:", "  keepalived-ha:nodes:"];
  for (const n of plan.nodes) {
    const key = hostKeys[n.name];
    if (!key) throw new Error(`no host key for ${n.name}`);
    lines.push(
      `    - name: ${n.name}`,
      `      address: ${n.address}`,
      `      priority: ${n.priority}`,
      `      hostKey: ${q(normalizeHostKey(key))}`,
      `      os: debian`,
    );
  }
  lines.push(
    "  keepalived-ha:vrrp:",
    "    interface: host0",
    "    virtualRouterId: 51",
    `    vips: [${q(`${plan.vip}/${plan.env.prefixLen}`)}]`,
    "    advertInt: 1",
    "  keepalived-ha:checks:",
    "    - name: chk_web",
    "      type: tcp",
    "      port: 80",
    "      interval: 1",
    "      fall: 2",
    "      rise: 1",
    "      weight: -30",
    "  keepalived-ha:firewall: disable",
    "  keepalived-ha:ssh:",
    "    user: root",
    `    privateKeyPath: ${privateKeyPath}`,
  );
  return lines.join("\n") + "\n";
}

/** known_hosts for ssh -o StrictHostKeyChecking=yes: each node by name and address. */
export function renderKnownHosts(plan: LabPlan, hostKeys: Readonly<Record<string, string>>): string {
  return plan.nodes
    .map((n) => {
      const key = hostKeys[n.name];
      if (!key) throw new Error(`no host key for ${n.name}`);
      return `${n.name},${n.address} ${normalizeHostKey(key)}\n`;
    })
    .join("");
}

/** One entry of `ip -j -4 route show table all`. */
export interface IpRoute {
  readonly dst: string;
  readonly dev?: string;
  readonly table?: string;
  readonly type?: string;
}

function toInt(addr: string): number {
  const parts = addr.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${addr}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** [first, last] addresses of a prefix; a bare address is a /32. */
export function prefixRange(cidr: string): [number, number] {
  const [addr, lenText] = cidr.split("/");
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > 32) throw new Error(`bad prefix length: ${cidr}`);
  const size = 2 ** (32 - len);
  const first = Math.floor(toInt(addr) / size) * size;
  return [first, first + size - 1];
}

export function prefixesOverlap(a: string, b: string): boolean {
  const [a0, a1] = prefixRange(a);
  const [b0, b1] = prefixRange(b);
  return a0 <= b1 && b0 <= a1;
}

/**
 * Routes that overlap the lab subnet and are not the lab's own (on its bridge). A default route is not a
 * collision (the lab's /24 is more specific and only on the bridge); any other overlap, wider or narrower,
 * means the subnet is in use on this machine and the lab must not take it.
 */
export function routeCollisions(routes: readonly IpRoute[], subnet: string, bridge: string): IpRoute[] {
  return routes.filter((r) => {
    if (!r.dst || r.dst === "default" || r.dst === "0.0.0.0/0") return false;
    if (r.dev === bridge) return false;
    if (!/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(r.dst)) return false; // e.g. multicast or unreachable forms
    return prefixesOverlap(r.dst, subnet);
  });
}
