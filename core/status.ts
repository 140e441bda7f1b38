/**
 * Cluster health from per-node probes: the script each node runs, how its answer is read, and the verdict
 * (healthy / degraded / broken, split brain named as such), per VRRP instance. Pure; scripts/status.ts does
 * the I/O.
 */
import { holdsAddressCommand } from "./deploy-steps";

/** A VRRP instance as the probe sees it: its name and the VIP (without prefix) that shows who holds it. */
export interface ProbedInstance {
  /** vrrp_instance name. */
  readonly name: string;
  /** Its first VIP, without prefix. */
  readonly vip: string;
}

/** What one node reported (or that it could not be reached). */
export interface NodeStatus {
  /** Node name. */
  readonly name: string;
  /** Node address. */
  readonly address: string;
  /** The probe ran over SSH. */
  readonly reachable: boolean;
  /** Why it was not reachable. */
  readonly error?: string;
  /** `systemctl is-active keepalived` said active. */
  readonly keepalivedActive?: boolean;
  /** The web server unit is active. */
  readonly webActive?: boolean;
  /** Instance name → last VRRP state keepalived logged for it (MASTER, BACKUP, FAULT); absent if none. */
  readonly vrrpStates?: Readonly<Record<string, string>>;
  /** Names of the instances whose VIP is on one of the node's interfaces. */
  readonly holds?: readonly string[];
  /** Last line the notify scripts appended to the state log. */
  readonly lastNotify?: string;
}

/** One instance's picture. */
export interface InstanceStatus {
  /** vrrp_instance name. */
  readonly name: string;
  /** Its first VIP (without prefix). */
  readonly vip: string;
  /** Nodes holding it. */
  readonly holders: readonly string[];
  /** An HTTP GET through the VIP answered 2xx. */
  readonly httpOk: boolean;
  /** First line of the page served through the VIP (or the error). */
  readonly httpDetail: string;
}

/** The verdict and its exit code. */
export type Verdict = "healthy" | "degraded" | "broken";

/** The whole picture. */
export interface ClusterStatus {
  /** Per node. */
  readonly nodes: readonly NodeStatus[];
  /** Per instance, in config order. */
  readonly instances: readonly InstanceStatus[];
  /** The first instance's VIP (the one a single-instance cluster has). */
  readonly vip: string;
  /** Nodes holding the first instance's VIP. */
  readonly holders: readonly string[];
  /** HTTP through the first instance's VIP answered 2xx. */
  readonly httpOk: boolean;
  /** healthy: every node up, one holder per instance, HTTP ok; degraded: a node or service down but every VIP served; broken otherwise. */
  readonly verdict: Verdict;
  /** Why the verdict is not healthy. */
  readonly reasons: readonly string[];
}

/** Exit code per verdict: 0 healthy, 1 degraded, 2 broken. */
export const VERDICT_EXIT_CODE: Readonly<Record<Verdict, number>> = { healthy: 0, degraded: 1, broken: 2 };

/**
 * Script a node runs for the probe: `key=value` lines only, nothing secret. The web server is the first of
 * `webServices` (unit names) that exists on the node, so one script serves every OS family.
 */
export function nodeProbeScript(instances: readonly ProbedInstance[], webServices: readonly string[], logFile: string): string {
  return [
    `echo "keepalived=$(systemctl is-active keepalived 2>/dev/null || true)"`,
    `web=""; for s in ${webServices.join(" ")}; do if [ -z "$web" ] && systemctl cat "$s" >/dev/null 2>&1; then web=$s; fi; done`,
    `echo "web=$( [ -n "$web" ] && systemctl is-active "$web" 2>/dev/null || true)"`,
    `log=$(journalctl -u keepalived -o cat --no-pager 2>/dev/null || true)`,
    // keepalived logs "(VI_1) Entering MASTER STATE"; instance names are [A-Za-z0-9_-], safe in the pattern.
    ...instances.flatMap(({ name, vip }) => [
      `echo "vrrp.${name}=$(printf '%s\\n' "$log" | grep -oE '\\(${name}\\) Entering (MASTER|BACKUP|FAULT) STATE' | tail -n1 | cut -d' ' -f3)"`,
      `echo "vip.${name}=$(${holdsAddressCommand(vip)})"`,
    ]),
    `echo "notify=$(tail -n 2 ${logFile} 2>/dev/null | tr '\\n' ' ')"`,
  ].join("\n");
}

/** Reads the probe's answer. */
export function parseNodeProbe(name: string, address: string, output: string): NodeStatus {
  const fields = new Map<string, string>();
  for (const line of output.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const perInstance = (prefix: string) => [...fields].filter(([k]) => k.startsWith(prefix))
    .map(([k, v]): [string, string] => [k.slice(prefix.length), v]);
  return {
    name,
    address,
    reachable: true,
    keepalivedActive: fields.get("keepalived") === "active",
    webActive: fields.get("web") === "active",
    vrrpStates: Object.fromEntries(perInstance("vrrp.").filter(([, v]) => v !== "")),
    holds: perInstance("vip.").filter(([, v]) => v === "yes").map(([k]) => k),
    lastNotify: fields.get("notify") || undefined,
  };
}

/** Combines node probes and the HTTP checks (one per instance, in order) into a verdict. */
export function assessCluster(nodes: readonly NodeStatus[], instances: readonly (ProbedInstance & { httpOk: boolean; httpDetail: string })[]): ClusterStatus {
  const broken: string[] = [];
  const degraded: string[] = [];
  const several = instances.length > 1;
  const statuses: InstanceStatus[] = instances.map(({ name, vip, httpOk, httpDetail }) => {
    const holders = nodes.filter((n) => n.holds?.includes(name)).map((n) => n.name);
    const which = several ? ` ${vip} (${name})` : ` ${vip}`;
    if (holders.length === 0) broken.push(`no node holds the VIP${which}`);
    if (holders.length > 1) broken.push(`split brain: ${holders.join(" and ")} all hold the VIP${which}`);
    if (!httpOk) broken.push(`HTTP through the VIP${several ? which : ""} failed: ${httpDetail}`);
    return { name, vip, holders, httpOk, httpDetail };
  });
  for (const n of nodes) {
    if (!n.reachable) degraded.push(`${n.name} unreachable (${n.error ?? "no answer"})`);
    else {
      if (!n.keepalivedActive) degraded.push(`${n.name}: keepalived is not running`);
      if (!n.webActive) degraded.push(`${n.name}: the web server is not running`);
      const faults = Object.entries(n.vrrpStates ?? {}).filter(([, state]) => state === "FAULT").map(([name]) => name);
      if (faults.length > 0) degraded.push(`${n.name}: VRRP instance ${faults.join(", ")} in FAULT`);
    }
  }
  const verdict: Verdict = broken.length > 0 ? "broken" : degraded.length > 0 ? "degraded" : "healthy";
  const primary = statuses[0];
  return {
    nodes, instances: statuses, vip: primary.vip, holders: primary.holders, httpOk: primary.httpOk,
    verdict, reasons: [...broken, ...degraded],
  };
}

/** A fixed-width table and summary for people. */
export function formatStatus(status: ClusterStatus): string {
  const yesNo = (v: boolean | undefined) => (v === undefined ? "-" : v ? "yes" : "no");
  const several = status.instances.length > 1;
  // One instance: the bare state and HOLDS, as before; several: each named.
  const states = (n: NodeStatus) => status.instances
    .map(({ name }) => (n.vrrpStates?.[name] === undefined ? undefined : several ? `${name}=${n.vrrpStates[name]}` : n.vrrpStates[name]))
    .filter((s) => s !== undefined).join(" ") || "-";
  const held = (n: NodeStatus) => (n.holds === undefined || n.holds.length === 0 ? "-" : several ? n.holds.join(",") : "HOLDS");
  const rows = [
    ["NODE", "ADDRESS", "SSH", "KEEPALIVED", "WEB", "VRRP", several ? "HOLDS" : "VIP", "LAST NOTIFY"],
    ...status.nodes.map((n) => [
      n.name, n.address, n.reachable ? "ok" : "down", yesNo(n.keepalivedActive), yesNo(n.webActive),
      states(n), held(n), n.lastNotify ?? (n.error ? `(${n.error})` : "-"),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd());
  const holder = (i: InstanceStatus) => (i.holders.length === 1 ? i.holders[0] : i.holders.length === 0 ? "none" : `${i.holders.join(", ")} (SPLIT BRAIN)`);
  return [
    ...table,
    "",
    ...status.instances.flatMap((i) => [
      `VIP ${i.vip}${several ? ` (${i.name})` : ""} held by: ${holder(i)}`,
      `HTTP through the VIP: ${i.httpOk ? "ok" : "FAILED"} (${i.httpDetail})`,
    ]),
    `verdict: ${status.verdict.toUpperCase()}${status.reasons.length ? ` — ${status.reasons.join("; ")}` : ""}`,
  ].join("\n");
}
