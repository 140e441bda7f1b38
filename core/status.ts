/**
 * Cluster health from per-node probes: the script each node runs, how its answer is read, and the verdict
 * (healthy / degraded / broken, split brain named as such). Pure; scripts/status.ts does the I/O.
 */
import { holdsAddressCommand } from "./deploy-steps";

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
  /** Last VRRP state keepalived logged (MASTER, BACKUP, FAULT), if any. */
  readonly vrrpState?: string;
  /** The node has the VIP on an interface. */
  readonly holdsVip?: boolean;
  /** Last line the notify scripts appended to the state log. */
  readonly lastNotify?: string;
}

/** The verdict and its exit code. */
export type Verdict = "healthy" | "degraded" | "broken";

/** The whole picture. */
export interface ClusterStatus {
  /** Per node. */
  readonly nodes: readonly NodeStatus[];
  /** The VIP (without prefix). */
  readonly vip: string;
  /** Nodes holding the VIP. */
  readonly holders: readonly string[];
  /** An HTTP GET through the VIP answered 2xx. */
  readonly httpOk: boolean;
  /** First line of the page served through the VIP (or the error). */
  readonly httpDetail: string;
  /** healthy: every node up, one holder, HTTP ok; degraded: a node or service down but the VIP served; broken otherwise. */
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
export function nodeProbeScript(vip: string, webServices: readonly string[], logFile: string): string {
  return [
    `echo "keepalived=$(systemctl is-active keepalived 2>/dev/null || true)"`,
    `web=""; for s in ${webServices.join(" ")}; do if [ -z "$web" ] && systemctl cat "$s" >/dev/null 2>&1; then web=$s; fi; done`,
    `echo "web=$( [ -n "$web" ] && systemctl is-active "$web" 2>/dev/null || true)"`,
    `echo "vrrp=$(journalctl -u keepalived -o cat --no-pager 2>/dev/null | grep -oE 'Entering (MASTER|BACKUP|FAULT) STATE' | tail -n1 | cut -d' ' -f2)"`,
    `echo "vip=$(${holdsAddressCommand(vip)})"`,
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
  return {
    name,
    address,
    reachable: true,
    keepalivedActive: fields.get("keepalived") === "active",
    webActive: fields.get("web") === "active",
    vrrpState: fields.get("vrrp") || undefined,
    holdsVip: fields.get("vip") === "yes",
    lastNotify: fields.get("notify") || undefined,
  };
}

/** Combines node probes and the HTTP check into a verdict. */
export function assessCluster(nodes: readonly NodeStatus[], vip: string, httpOk: boolean, httpDetail: string): ClusterStatus {
  const holders = nodes.filter((n) => n.holdsVip).map((n) => n.name);
  const broken: string[] = [];
  const degraded: string[] = [];
  if (holders.length === 0) broken.push(`no node holds the VIP ${vip}`);
  if (holders.length > 1) broken.push(`split brain: ${holders.join(" and ")} all hold the VIP ${vip}`);
  if (!httpOk) broken.push(`HTTP through the VIP failed: ${httpDetail}`);
  for (const n of nodes) {
    if (!n.reachable) degraded.push(`${n.name} unreachable (${n.error ?? "no answer"})`);
    else {
      if (!n.keepalivedActive) degraded.push(`${n.name}: keepalived is not running`);
      if (!n.webActive) degraded.push(`${n.name}: the web server is not running`);
      if (n.vrrpState === "FAULT") degraded.push(`${n.name}: VRRP instance in FAULT`);
    }
  }
  const verdict: Verdict = broken.length > 0 ? "broken" : degraded.length > 0 ? "degraded" : "healthy";
  return { nodes, vip, holders, httpOk, httpDetail, verdict, reasons: [...broken, ...degraded] };
}

/** A fixed-width table and summary for people. */
export function formatStatus(status: ClusterStatus): string {
  const yesNo = (v: boolean | undefined) => (v === undefined ? "-" : v ? "yes" : "no");
  const rows = [
    ["NODE", "ADDRESS", "SSH", "KEEPALIVED", "WEB", "VRRP", "VIP", "LAST NOTIFY"],
    ...status.nodes.map((n) => [
      n.name, n.address, n.reachable ? "ok" : "down", yesNo(n.keepalivedActive), yesNo(n.webActive),
      n.vrrpState ?? "-", n.holdsVip ? "HOLDS" : "-", n.lastNotify ?? (n.error ? `(${n.error})` : "-"),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd());
  const holder = status.holders.length === 1 ? status.holders[0] : status.holders.length === 0 ? "none" : `${status.holders.join(", ")} (SPLIT BRAIN)`;
  return [
    ...table,
    "",
    `VIP ${status.vip} held by: ${holder}`,
    `HTTP through the VIP: ${status.httpOk ? "ok" : "FAILED"} (${status.httpDetail})`,
    `verdict: ${status.verdict.toUpperCase()}${status.reasons.length ? ` — ${status.reasons.join("; ")}` : ""}`,
  ].join("\n");
}
