/**
 * When is an election over? The VIP probe used to wait until one node had held the VIP alone for a whole
 * master-down interval and more (model.stableSeconds), because a node that starts first holds the VIP until a
 * higher-priority one takes it over. Evidence settles it sooner: keepalived's own data dump says each node's
 * state, the priority it advertises and the master priority it hears. When the holder is MASTER, every other
 * node is BACKUP and takes the holder's adverts, and none of them could ever preempt it (nopreempt, or a best
 * priority below the holder's), the holder stays. Anything less falls back to the window. Pure.
 */
import { ClusterModel, VrrpInstanceModel } from "./model";
import { holdsAddressCommand } from "./deploy-steps";

/** One instance as keepalived's data dump describes it on one node. */
export interface InstanceDump {
  /** MASTER, BACKUP, FAULT, INIT or STOP. */
  readonly state: string;
  /** The priority this node has now (base plus the weights of its checks). */
  readonly effectivePriority?: number;
  /** The priority of the adverts this node hears from the master (0 or absent before it heard one). */
  readonly masterPriority?: number;
}

/** One node's answer to the probe. */
export interface NodeVrrpReport {
  /** Node name. */
  readonly name: string;
  /** False when the node could not be asked. */
  readonly reachable: boolean;
  /** The node holds the instance's VIP. */
  readonly holds: boolean;
  /** The instance in the node's data dump; absent when keepalived gave none (not running, older version). */
  readonly dump?: InstanceDump;
}

/** What the model says one node can do in one instance, for the settle rule. */
export interface ElectionRole {
  /** Node name. */
  readonly name: string;
  /** The node's address: at equal priority the higher address wins. */
  readonly address: string;
  /** The highest priority the node can reach: its base plus every positive weight of the checks it tracks. */
  readonly bestPriority: number;
  /** The node takes the VIP from a lower-priority master (false under nopreempt). */
  readonly preempts: boolean;
}

/** The election roles of every node in one instance. */
export function electionRoles(model: ClusterModel, instance: VrrpInstanceModel): ElectionRole[] {
  const raise = model.checks.filter((c) => instance.track.includes(c.name) && c.weight > 0).reduce((a, c) => a + c.weight, 0);
  return instance.members.map((m) => ({
    name: m.node,
    address: model.nodes.find((n) => n.name === m.node)!.address,
    bestPriority: Math.min(254, m.priority + raise),
    preempts: !instance.nopreempt,
  }));
}

/** Where keepalived writes its data dump when it gets the DATA signal. */
const DUMP_FILE = "/tmp/keepalived.data";

/**
 * Shell printing `holds=yes|no` only: the probe's cheap question while no node or several hold the VIP. It
 * needs no root (no sudo per round for a non-root user; `ip` may be in an sbin folder outside that user's PATH)
 * and leaves keepalived alone (each data dump is two lines in its journal).
 */
export function vrrpHoldsCommand(vip: string): string {
  return `PATH="$PATH:/usr/sbin:/sbin"; echo "holds=$(${holdsAddressCommand(vip)})"`;
}

/**
 * Shell printing `holds=yes|no` and, when keepalived runs, the lines of its data dump this module reads. One
 * dump at a time per host (the probes of several instances may ask at once): the file is shared.
 */
export function vrrpReportCommand(vip: string): string {
  return [
    vrrpHoldsCommand(vip),
    `exec 9>/run/keepalived-ha-dump.lock; flock -w 3 9 || exit 0`,
    `pid=$(cat /run/keepalived.pid 2>/dev/null) || exit 0`,
    `rm -f ${DUMP_FILE}`,
    `kill -s "$(keepalived --signum=DATA 2>/dev/null || echo USR1)" "$pid" 2>/dev/null || exit 0`,
    // keepalived writes the file at once; wait until it is there and has stopped growing.
    `last=-1; for _ in $(seq 50); do size=$(stat -c %s ${DUMP_FILE} 2>/dev/null || echo -1); ` +
      `if [ "$size" -gt 0 ] && [ "$size" = "$last" ]; then break; fi; last=$size; sleep 0.02; done`,
    `grep -E '^ *(VRRP Instance|State|Effective priority|Master priority) = ' ${DUMP_FILE} 2>/dev/null || true`,
  ].join("\n");
}

/** Reads the probe's answer: whether the node holds the VIP, and the named instance of the dump. */
export function parseVrrpReport(name: string, instanceName: string, output: string): NodeVrrpReport {
  const lines = output.split("\n").map((l) => l.trim());
  const holds = lines.includes("holds=yes");
  let current: string | undefined;
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const m = /^(VRRP Instance|State|Effective priority|Master priority) = (.*)$/.exec(line);
    if (m === null) continue;
    if (m[1] === "VRRP Instance") { current = m[2]; continue; }
    // Only the instance's own first lines: later "State = ..." lines describe interfaces and scripts.
    if (current === instanceName && fields[m[1]] === undefined) fields[m[1]] = m[2];
  }
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const dump: InstanceDump | undefined = fields.State === undefined ? undefined : {
    state: fields.State,
    ...(num(fields["Effective priority"]) !== undefined ? { effectivePriority: num(fields["Effective priority"]) } : {}),
    ...(num(fields["Master priority"]) !== undefined ? { masterPriority: num(fields["Master priority"]) } : {}),
  };
  return { name, reachable: true, holds, ...(dump !== undefined ? { dump } : {}) };
}

const addressValue = (a: string) => a.split(".").reduce((v, octet) => v * 256 + Number(octet), 0);

/**
 * The holder, when the evidence shows the election is over; otherwise why not (for the probe's log). A backup
 * could still take over if it preempts and its best priority beats the holder's (or ties it from a higher
 * address): then only time tells, and the caller waits its stability window.
 */
export function settledHolder(roles: readonly ElectionRole[], reports: readonly NodeVrrpReport[]):
  { readonly holder: string } | { readonly unsettled: string } {
  if (reports.some((r) => !r.reachable)) return { unsettled: `not every node answered` };
  const holders = reports.filter((r) => r.holds);
  if (holders.length !== 1) return { unsettled: `${holders.length} nodes hold the VIP` };
  const holder = holders[0];
  const priority = holder.dump?.effectivePriority;
  if (holder.dump?.state !== "MASTER" || priority === undefined) return { unsettled: `${holder.name} is not MASTER yet` };
  const holderRole = roles.find((r) => r.name === holder.name);
  if (holderRole === undefined) return { unsettled: `${holder.name} is not in the instance` };
  for (const report of reports) {
    if (report === holder) continue;
    const role = roles.find((r) => r.name === report.name);
    if (role === undefined) return { unsettled: `${report.name} is not in the instance` };
    if (report.dump?.state !== "BACKUP") return { unsettled: `${report.name} is ${report.dump?.state ?? "not reporting"}, not BACKUP` };
    const heard = report.dump.masterPriority;
    if (heard === undefined || heard === 0) return { unsettled: `${report.name} does not hear ${holder.name}'s adverts yet` };
    // keepalived's backup takes an advert (and restarts its down timer) when it carries at least its own
    // priority, or always under nopreempt. One that takes the adverts it hears also takes the holder's next one,
    // which carries the holder's priority now, unbeaten by the backup's best (below): so a holder whose check has
    // just passed counts before its raised priority has gone out.
    const own = report.dump.effectivePriority;
    if (heard !== priority && role.preempts && (own === undefined || heard < own)) {
      return { unsettled: `${report.name} (priority ${own ?? "unknown"}) no longer takes the adverts it hears (priority ${heard})` };
    }
    // At equal priority the higher address wins; an address this cannot compare counts as higher.
    const ipv4 = (a: string) => /^\d+\.\d+\.\d+\.\d+$/.test(a);
    const beats = role.bestPriority > priority || (role.bestPriority === priority &&
      !(ipv4(role.address) && ipv4(holderRole.address) && addressValue(role.address) < addressValue(holderRole.address)));
    if (role.preempts && beats) return { unsettled: `${report.name} may still preempt ${holder.name}` };
  }
  return { holder: holder.name };
}
