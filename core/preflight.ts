/**
 * Pre-flight checks on the LAN, run on every node at once before a change reaches traffic: the VRRP interface
 * exists and has an address in the VIP's subnet; no machine outside the cluster answers ARP for a VIP; no VRRP
 * router outside the cluster advertises one of the cluster's router ids; multicast VRRP gets from every node
 * to every other (when unicast is off). Pure: the plan, the script each node runs, the parser of its answer
 * and the verdict. The verdict runs inside a dynamic provider, so the verdict's functions use nothing but this
 * module's own code (only the script reads a host script's text).
 */
import type { ClusterModel } from "./model";
import { hostScript } from "./shell";

/** The VRRP multicast group (RFC 5798). */
export const VRRP_GROUP = "224.0.0.18";

/**
 * The router id of our probes. Ids run 1..255, so keepalived (and any conforming router) drops a packet for
 * id 0 without a log line, even on a live cluster; the capture still sees it.
 */
export const PROBE_ROUTER_ID = 0;

/** One VRRP instance as the checks see it. */
export interface PreflightInstance {
  /** Config path of the instance (`vrrp` or `vrrp[1]`), for the fix. */
  readonly key: string;
  /** keepalived's instance name. */
  readonly name: string;
  /** virtual_router_id. */
  readonly virtualRouterId: number;
  /** Unicast VRRP (then multicast is not needed). */
  readonly unicast: boolean;
  /** VIPs in CIDR form. */
  readonly vips: readonly string[];
  /** Node name → the interface that carries this instance on it. */
  readonly interfaces: Readonly<Record<string, string>>;
}

/** What the checks need to know about the cluster. */
export interface PreflightPlan {
  /** How long every node listens for adverts, in seconds (a few advert intervals). */
  readonly listenSeconds: number;
  /** Node name → its address in the config. */
  readonly nodes: Readonly<Record<string, string>>;
  /** The VRRP instances. */
  readonly instances: readonly PreflightInstance[];
}

/** What one node saw. */
export interface PreflightReport {
  /** Checking tools that are not installed (on a host without perl). */
  readonly missingTools: readonly string[];
  /** Why the perl listener could not do its part (a socket it could not open). */
  readonly checkerErrors: readonly string[];
  /** Every interface of the host. */
  readonly hostInterfaces: readonly string[];
  /** Interface → its MAC and IPv4 addresses (CIDR), or undefined when it does not exist. */
  readonly interfaces: Readonly<Record<string, { readonly mac: string; readonly addresses: readonly string[] } | undefined>>;
  /** ARP duplicate address detection of each VIP from this node. */
  readonly dad: readonly DadResult[];
  /** VRRP packets received. */
  readonly packets: readonly VrrpPacket[];
}

/** One VIP's duplicate address detection from one node. */
export interface DadResult {
  /** The VIP, without prefix. */
  readonly vip: string;
  /** The interface probed. */
  readonly interface: string;
  /** `held`: this node has the address (nothing to probe); `free`; `answered` by `mac`; `failed` (arping's exit code). */
  readonly outcome: "held" | "free" | "answered" | "failed";
  /** The MAC that answered. */
  readonly mac?: string;
  /** arping's exit code when it failed. */
  readonly exitCode?: number;
}

/** One VRRP packet as captured. */
export interface VrrpPacket {
  /** Interface it came in on. */
  readonly interface: string;
  /** Source MAC. */
  readonly mac: string;
  /** Source IPv4 address. */
  readonly source: string;
  /** Destination IPv4 address (the group, or a unicast peer). */
  readonly destination: string;
  /** The router id it carries. */
  readonly routerId: number;
}

/** The plan from the model: node addresses, and each instance's router id, VIPs and interface per node. */
export function preflightPlan(model: ClusterModel): PreflightPlan {
  const advert = Math.max(...model.instances.map((i) => i.advertInt));
  return {
    listenSeconds: Math.max(3, Math.ceil(3 * advert + 1)),
    nodes: Object.fromEntries(model.nodes.map((n) => [n.name, n.address])),
    instances: model.instances.map((i) => ({
      key: i.key,
      name: i.instanceName,
      virtualRouterId: i.virtualRouterId,
      unicast: i.unicast,
      vips: i.vips.filter((v) => !v.includes(":")),
      interfaces: Object.fromEntries(i.members.map((m) => [m.node, m.interface])),
    })),
  };
}

/** What the checks run on a host without perl (RHEL's minimal installs): the pre-flight tools. */
const TOOLS = ["tcpdump", "socat", "arping"];

/** A word safe in the script as it is (interface names and addresses come validated; this keeps it so). */
function word(value: string): string {
  if (!/^[A-Za-z0-9_.:@-]+$/.test(value)) throw new Error(`unexpected character in ${JSON.stringify(value)}`);
  return value;
}

/** A VRRPv2 advert for router id 0 (8 header bytes + 8 of authentication data), in hex. */
const PROBE_HEX = "21000000" + "0001defe" + "00".repeat(8);
/** The same advert as printf escapes, for the tool path. */
const PROBE_BYTES = PROBE_HEX.replace(/../g, "\\x$&");

/**
 * The script one node runs (as root; read-only on the host): it lists its interfaces, captures VRRP on each
 * of its interfaces for `listenSeconds`, meanwhile sends four probes to the VRRP group on the interfaces of
 * multicast instances and runs ARP duplicate address detection for each VIP it does not hold itself. Where
 * perl is (always on Debian: perl-base is essential) it does so with perl's sockets
 * (host-scripts/preflight-listen.sh), so no package has to be installed first; elsewhere with tcpdump, socat and arping.
 */
export function preflightScript(plan: PreflightPlan, nodeName: string): string {
  const interfaces = [...new Set(plan.instances.map((i) => i.interfaces[nodeName]).filter((i) => i !== undefined))].map(word);
  const probeOn = [...new Set(plan.instances.filter((i) => !i.unicast).map((i) => i.interfaces[nodeName]))].map(word);
  const dad = plan.instances.flatMap((i) => i.vips.map((v) => ({ vip: word(v.split("/")[0]), iface: word(i.interfaces[nodeName]) })));
  const addressesOf = (iface: string) => `ip -o -4 addr show dev ${iface} | awk '{ print $4 }'`;
  const exists = (iface: string) => `[ -e /sys/class/net/${iface} ]`;
  const holds = (vip: string, iface: string) => `${addressesOf(iface)} | cut -d/ -f1 | grep -qxF ${vip}`;
  const withPerl = [
    "  specs=()",
    ...interfaces.map((iface) => `  ${exists(iface)} && specs+=(capture:${iface})`),
    ...probeOn.map((iface) => `  ${exists(iface)} && specs+=(probe:${iface})`),
    ...dad.map(({ vip, iface }) =>
      `  if ${exists(iface)}; then if ${holds(vip, iface)}; then echo "dad ${vip} ${iface} held"; else specs+=(dad:${vip}:${iface}); fi; fi`),
    `  preflight_listen ${plan.listenSeconds} "\${specs[@]}"`,
  ];
  const withTools = [
    // Only the tools need a folder for their output.
    "  work=$(mktemp -d)",
    "  trap 'rm -rf \"$work\"' EXIT",
    `  for tool in ${TOOLS.join(" ")}; do command -v "$tool" >/dev/null 2>&1 || echo "missing-tool $tool"; done`,
    // -Q in: what reaches this node from others; -p off: a NIC filters multicast groups it has not joined.
    ...interfaces.map((iface) =>
      `  ${exists(iface)} && { timeout ${plan.listenSeconds} tcpdump -i ${iface} -Q in -n -e -l 'ip proto 112' > "$work/capture.${iface}" 2>/dev/null & }`),
    // tcpdump needs a moment to open its socket; the other nodes start within about as long.
    "  sleep 1",
    ...probeOn.map((iface) => [
      `  if ${exists(iface)}; then (`,
      `    from=$(${addressesOf(iface)} | head -n 1 | cut -d/ -f1)`,
      `    for _ in 1 2 3 4; do printf '${PROBE_BYTES}' | socat -u STDIN IP4-SENDTO:${VRRP_GROUP}:112,ip-multicast-if="$from",ip-multicast-ttl=255 2>/dev/null; sleep 0.5; done`,
      "  ) & fi",
    ].join("\n")),
    ...dad.map(({ vip, iface }, n) => [
      `  if ${exists(iface)}; then (`,
      `    if ${holds(vip, iface)}; then echo "dad ${vip} ${iface} held"`,
      `    else out=$(arping -D -I ${iface} -c 2 -w 3 ${vip} 2>&1); rc=$?`,
      `      mac=$(printf '%s\\n' "$out" | grep -o 'reply from [0-9.]* \\[[0-9A-Fa-f:]*\\]' | head -n 1 | sed 's/.*\\[\\(.*\\)\\]/\\1/')`,
      `      echo "dad ${vip} ${iface} $rc \${mac:--}"`,
      "    fi",
      `  ) > "$work/dad.${n}" & fi`,
    ].join("\n")),
    "  wait",
    ...interfaces.map((iface) => `  [ -f "$work/capture.${iface}" ] && sed 's/^/packet ${iface} /' "$work/capture.${iface}"`),
    `  cat "$work"/dad.* 2>/dev/null`,
  ];
  return [
    "set -uo pipefail",
    hostScript("preflight-listen", { VRRP_GROUP, PROBE_HEX }),
    `echo "host-interfaces $(ls /sys/class/net | tr '\\n' ' ')"`,
    ...interfaces.map((iface) =>
      `if ${exists(iface)}; then echo "interface ${iface} $(cat /sys/class/net/${iface}/address) $(${addressesOf(iface)} | tr '\\n' ' ')"; ` +
      `else echo "interface ${iface} missing"; fi`),
    "if perl -MSocket -e 1 2>/dev/null; then",
    ...withPerl,
    "else",
    ...withTools,
    "fi",
    "echo end",
    "exit 0",
  ].join("\n");
}

// tcpdump -e -n: "TIME SRCMAC > DSTMAC, ethertype IPv4 (0x0800), length N: SRC > DST: VRRPv2, Advertisement, vrid 151, prio 100, ..."
const PACKET = /^packet (\S+) \S+ ([0-9a-f:]{17}) > [0-9a-f:]{17}, .*?: (\d+\.\d+\.\d+\.\d+) > (\d+\.\d+\.\d+\.\d+): VRRPv\d, [^,]+, vrid (\d+)/i;

/** Parses a node's answer; throws when it is cut short. */
export function parsePreflightOutput(stdout: string): PreflightReport {
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (!lines.includes("end")) throw new Error("the host's answer to the pre-flight checks is cut short");
  const missingTools: string[] = [];
  const checkerErrors: string[] = [];
  let hostInterfaces: string[] = [];
  const interfaces: Record<string, { mac: string; addresses: string[] } | undefined> = {};
  const dad: DadResult[] = [];
  const packets: VrrpPacket[] = [];
  for (const line of lines) {
    const [kind, ...rest] = line.split(/\s+/);
    if (kind === "missing-tool") missingTools.push(rest[0]);
    else if (kind === "checker-error") checkerErrors.push(rest.join(" "));
    else if (kind === "host-interfaces") hostInterfaces = rest;
    else if (kind === "interface") {
      interfaces[rest[0]] = rest[1] === "missing" ? undefined : { mac: rest[1].toLowerCase(), addresses: rest.slice(2) };
    } else if (kind === "dad") {
      const [vip, iface, code, mac] = rest;
      if (code === "held") dad.push({ vip, interface: iface, outcome: "held" });
      else if (code === "0") dad.push({ vip, interface: iface, outcome: "free" });
      else if (code === "1" && mac !== undefined && mac !== "-") dad.push({ vip, interface: iface, outcome: "answered", mac: mac.toLowerCase() });
      else dad.push({ vip, interface: iface, outcome: "failed", exitCode: Number(code) });
    } else if (kind === "vrrp") {
      // The perl listener's own line: vrrp IFACE SOURCE-MAC SOURCE-IP DESTINATION-IP ROUTER-ID.
      const [iface, mac, source, destination, routerId] = rest;
      if (routerId !== undefined) packets.push({ interface: iface, mac: mac.toLowerCase(), source, destination, routerId: Number(routerId) });
    } else if (kind === "packet") {
      const m = PACKET.exec(line);
      if (m) packets.push({ interface: m[1], mac: m[2].toLowerCase(), source: m[3], destination: m[4], routerId: Number(m[5]) });
    }
  }
  return { missingTools, checkerErrors, hostInterfaces, interfaces, dad, packets };
}

function toInt(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function sameSubnet(a: string, b: string, prefix: number): boolean {
  const size = Math.pow(2, 32 - prefix);
  return Math.floor(toInt(a) / size) === Math.floor(toInt(b) / size);
}

/** The MAC keepalived uses with use_vmac for a router id (RFC 5798's virtual router MAC). */
function virtualRouterMac(routerId: number): string {
  return `00:00:5e:00:01:${routerId.toString(16).padStart(2, "0")}`;
}

/**
 * The verdict: every problem found, each naming the host, what was seen and the fix; empty when the LAN is fit.
 * `reports` has every node's report or why it could not run; `formerNodes` are addresses of nodes that are
 * leaving the cluster in this run (still running keepalived, so not foreign).
 */
export function preflightProblems(plan: PreflightPlan, reports: Readonly<Record<string, PreflightReport | { readonly error: string }>>,
  formerNodes: readonly string[] = []): string[] {
  const problems: string[] = [];
  const seen: Record<string, PreflightReport> = {};
  for (const [name, report] of Object.entries(reports)) {
    if ("error" in report) problems.push(`${name} (${plan.nodes[name]}): cannot run the checks: ${report.error}`);
    else seen[name] = report;
  }
  const ownAddresses = new Set([...Object.values(plan.nodes), ...formerNodes,
    ...Object.values(seen).flatMap((r) => Object.values(r.interfaces).flatMap((i) => (i ? i.addresses.map((a) => a.split("/")[0]) : [])))]);
  // A node's MAC as it reports it, or as its adverts show it (a leaving node is not asked, but may hold the VIP).
  const ownMacs = new Set([
    ...Object.values(seen).flatMap((r) => Object.values(r.interfaces).flatMap((i) => (i ? [i.mac] : []))),
    ...Object.values(seen).flatMap((r) => r.packets.filter((p) => ownAddresses.has(p.source)).map((p) => p.mac)),
  ]);
  const ownRouterIds = new Set(plan.instances.map((i) => i.virtualRouterId));
  const at = (name: string) => `${name} (${plan.nodes[name]})`;

  for (const [name, report] of Object.entries(seen)) {
    if (report.missingTools.length > 0) {
      problems.push(`${at(name)}: ${report.missingTools.join(", ")} not installed (a host without perl needs them; the packages ` +
        `step installs them: tcpdump, socat and arping; see docs/config.md \`preflight\`)`);
    }
    for (const error of report.checkerErrors) {
      problems.push(`${at(name)}: the checks could not listen on the LAN: ${error} (they need root and raw sockets; ` +
        `\`preflight: false\` skips them, see docs/config.md)`);
    }
  }

  // The interface and its address in each VIP's subnet.
  for (const instance of plan.instances) {
    for (const [name, iface] of Object.entries(instance.interfaces)) {
      const report = seen[name];
      if (report === undefined) continue;
      const found = report.interfaces[iface];
      if (found === undefined) {
        problems.push(`${at(name)}: interface ${iface} of ${instance.name} does not exist on the host (it has ` +
          `${report.hostInterfaces.filter((i) => i !== "lo").join(", ") || "none"}); set ${instance.key}.interface ` +
          `(or nodes[].interface for this node) to the interface on the VIP's subnet`);
        continue;
      }
      for (const vip of instance.vips) {
        const [address, prefix] = vip.split("/");
        const inSubnet = found.addresses.some((a) => a.split("/")[0] !== address && sameSubnet(a.split("/")[0], address, Number(prefix)));
        if (!inSubnet) {
          problems.push(`${at(name)}: interface ${iface} has no address in the subnet of the VIP ${vip} ` +
            `(it has ${found.addresses.join(", ") || "no IPv4 address"}); VRRP adverts and gratuitous ARP would leave ` +
            `from the wrong network: give ${iface} an address in that subnet or set ${instance.key}.interface to the interface that has one`);
        }
      }
    }
  }

  // ARP duplicate address detection: an answer from a MAC that is not a node's means another machine has the VIP.
  const foreignOwners = new Map<string, Set<string>>();
  for (const [name, report] of Object.entries(seen)) {
    for (const d of report.dad) {
      if (d.outcome === "answered" && d.mac !== undefined && !ownMacs.has(d.mac) &&
        ![...ownRouterIds].some((id) => virtualRouterMac(id) === d.mac)) {
        const key = `${d.vip} ${d.mac}`;
        foreignOwners.set(key, (foreignOwners.get(key) ?? new Set()).add(`${name} on ${d.interface}`));
      } else if (d.outcome === "failed") {
        problems.push(`${at(name)}: ARP duplicate address detection for ${d.vip} on ${d.interface} failed (arping exit ${d.exitCode})`);
      }
    }
  }
  for (const [key, from] of foreignOwners) {
    const [vip, mac] = key.split(" ");
    const instance = plan.instances.find((i) => i.vips.some((v) => v.split("/")[0] === vip));
    problems.push(`VIP ${vip} is already in use on the LAN: a machine with MAC ${mac}, not a node of this cluster, ` +
      `answers ARP for it (seen from ${[...from].sort().join(", ")}); two owners would split the traffic. Remove the address ` +
      `from that machine, or pick a free address for ${instance?.key ?? "vrrp"}.vips`);
  }

  // Foreign VRRP routers with one of our router ids.
  const foreign = new Map<string, { instance: PreflightInstance; from: Set<string>; seenBy: Set<string> }>();
  const foreignIdsSeen = new Set<number>();
  for (const [name, report] of Object.entries(seen)) {
    for (const p of report.packets) {
      if (p.routerId === PROBE_ROUTER_ID || ownAddresses.has(p.source) || ownMacs.has(p.mac)) continue;
      foreignIdsSeen.add(p.routerId);
      const instance = plan.instances.find((i) => i.virtualRouterId === p.routerId);
      if (instance === undefined) continue;
      const key = String(p.routerId);
      const entry = foreign.get(key) ?? { instance, from: new Set<string>(), seenBy: new Set<string>() };
      entry.from.add(`${p.source} (MAC ${p.mac})`);
      entry.seenBy.add(`${name} on ${p.interface}`);
      foreign.set(key, entry);
    }
  }
  for (const [id, { instance, from, seenBy }] of foreign) {
    const taken = [...foreignIdsSeen].sort((a, b) => a - b).join(", ");
    problems.push(`virtual_router_id ${id} of ${instance.name} is already used on the LAN: VRRP adverts for it come from ` +
      `${[...from].sort().join(", ")}, not a node of this cluster (seen by ${[...seenBy].sort().join(", ")}); two groups with one id ` +
      `mix their adverts and the VIP flaps or is claimed twice. Set ${instance.key}.virtualRouterId to an id no other ` +
      `router uses (ids heard on the LAN: ${taken})`);
  }

  // Multicast: every node must hear every other node's packets to the group on each multicast instance's interface.
  for (const instance of plan.instances.filter((i) => !i.unicast)) {
    const missing: string[] = [];
    for (const [receiver, iface] of Object.entries(instance.interfaces)) {
      const report = seen[receiver];
      if (report === undefined || report.interfaces[iface] === undefined) continue;
      for (const [sender, senderIface] of Object.entries(instance.interfaces)) {
        const from = seen[sender]?.interfaces[senderIface];
        if (sender === receiver || from === undefined) continue;
        const senderAddresses = new Set([plan.nodes[sender], ...from.addresses.map((a) => a.split("/")[0])]);
        const heard = report.packets.some((p) => p.interface === iface && p.destination === VRRP_GROUP &&
          (p.mac === from.mac || senderAddresses.has(p.source)));
        if (!heard) missing.push(`${sender} → ${receiver}`);
      }
    }
    if (missing.length > 0) {
      problems.push(`multicast VRRP does not get through for ${instance.name}: packets to ${VRRP_GROUP} (IP protocol 112) ` +
        `did not arrive within ${plan.listenSeconds} s (sender → receiver: ${missing.sort().join(", ")}); every node would ` +
        `become master (split brain). Let the network pass multicast to ${VRRP_GROUP} between the nodes, or set ${instance.key}.unicast: true`);
    }
  }
  return problems;
}

/** The refusal that stops the run, listing every problem. */
export function preflightRefusal(problems: readonly string[]): string {
  return `the pre-flight checks on the LAN found ${problems.length === 1 ? "a problem" : `${problems.length} problems`}, ` +
    `so no firewall, keepalived or service change was made on any host:\n  - ${problems.join("\n  - ")}\n` +
    `fix them and run \`pulumi up\` again (the checks can be skipped with \`preflight: false\` in the stack config; see docs/config.md)`;
}
