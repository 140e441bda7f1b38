/**
 * Failover drill maths: from the HTTP probes sent through the VIP during a drill, the time until the VIP
 * moved, the outage, the failed requests, and the failback; and the timeline drawn as an SVG. Pure.
 */

/** Faults a drill can inject on the current master. */
export const SCENARIOS = ["httpd-stop", "keepalived-stop", "node-crash", "partition"] as const;
/** One of SCENARIOS. */
export type Scenario = (typeof SCENARIOS)[number];

/** One HTTP probe through the VIP. */
export interface ProbeSample {
  /** Milliseconds since the drill started. */
  readonly t: number;
  /** The node whose page answered; undefined when the request failed or the page is unknown. */
  readonly node?: string;
  /** Error text of a failed request. */
  readonly error?: string;
}

/** Moments of the drill, in milliseconds since it started. */
export interface DrillEvents {
  /** The fault was injected (command returned). */
  readonly faultAt: number;
  /** The fault was undone. */
  readonly restoreAt?: number;
}

/** What a drill measured. */
export interface DrillMetrics {
  /** Master before the fault. */
  readonly oldMaster: string;
  /** Node that served after the fault; undefined when none did. */
  readonly newMaster?: string;
  /** Fault → first good answer from another node. */
  readonly vipMovedMs?: number;
  /** Last good answer from the old master → first good answer from the new one. */
  readonly outageMs?: number;
  /** Failed probes between the fault and the first answer from the new master. */
  readonly failedRequests: number;
  /** Failed probes after the new master first answered (before the restore): should be 0. */
  readonly failedAfterNewMaster: number;
  /** Restore → first good answer from the old master again; undefined when it did not come back. */
  readonly failbackMs?: number;
  /** Failed probes after the restore. */
  readonly failedAfterRestore: number;
  /** Probes sent. */
  readonly probes: number;
}

/** Computes the metrics of one drill run. */
export function analyzeDrill(samples: readonly ProbeSample[], events: DrillEvents, oldMaster: string): DrillMetrics {
  const beforeFault = samples.filter((s) => s.t < events.faultAt);
  const restoreAt = events.restoreAt ?? Infinity;
  const duringFault = samples.filter((s) => s.t >= events.faultAt && s.t < restoreAt);
  const afterRestore = samples.filter((s) => s.t >= restoreAt);

  // The old master may still answer shortly after the fault (e.g. a check's fall count): its last good
  // answer before the new master's first is the start of the outage. (In a split brain the old master may
  // answer again later, when a gratuitous ARP turns the neighbours back to it; that is no outage.)
  const firstNew = duringFault.find((s) => s.node !== undefined && s.node !== oldMaster);
  const lastOld = [...beforeFault, ...duringFault].filter((s) => s.node === oldMaster && (firstNew === undefined || s.t < firstNew.t)).pop();
  const failedRequests = duringFault.filter((s) => s.node === undefined && (firstNew === undefined || s.t < firstNew.t)).length;
  const failedAfterNewMaster = firstNew === undefined ? 0
    : duringFault.filter((s) => s.t > firstNew.t && s.node === undefined).length;
  const firstOldAgain = afterRestore.find((s) => s.node === oldMaster);
  return {
    oldMaster,
    newMaster: firstNew?.node,
    vipMovedMs: firstNew ? firstNew.t - events.faultAt : undefined,
    outageMs: firstNew && lastOld ? firstNew.t - lastOld.t : undefined,
    failedRequests,
    failedAfterNewMaster,
    failbackMs: firstOldAgain && events.restoreAt !== undefined ? firstOldAgain.t - events.restoreAt : undefined,
    failedAfterRestore: afterRestore.filter((s) => s.node === undefined).length,
    probes: samples.length,
  };
}

/** p-th percentile (0..100) by nearest rank; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

/**
 * The timeline as an SVG: one lane per node plus a "failed" lane, a dot per probe in the lane of whoever
 * answered, and vertical marks for the fault and the restore.
 */
export function renderTimelineSvg(samples: readonly ProbeSample[], events: DrillEvents, nodes: readonly string[],
  title: string): string {
  const lanes = [...nodes, "failed"];
  const width = 960;
  const left = 90;
  const laneHeight = 34;
  const top = 40;
  const height = top + lanes.length * laneHeight + 40;
  const end = Math.max(1, ...samples.map((s) => s.t), events.restoreAt ?? 0);
  const x = (t: number) => left + ((width - left - 20) * t) / end;
  const laneY = (lane: string) => top + lanes.indexOf(lane) * laneHeight + laneHeight / 2;
  const colours = ["#2b7bb9", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
  const colour = (lane: string) => (lane === "failed" ? "#d62728" : colours[nodes.indexOf(lane) % colours.length]);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const lane of lanes) {
    parts.push(`<text x="8" y="${laneY(lane) + 4}">${escapeXml(lane)}</text>`,
      `<line x1="${left}" x2="${width - 20}" y1="${laneY(lane)}" y2="${laneY(lane)}" stroke="#ddd"/>`);
  }
  for (const s of samples) {
    const lane = s.node ?? "failed";
    if (!lanes.includes(lane)) continue;
    parts.push(`<circle cx="${x(s.t).toFixed(1)}" cy="${laneY(lane)}" r="2.5" fill="${colour(lane)}"/>`);
  }
  const mark = (t: number, label: string, stroke: string) => parts.push(
    `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top - 6}" y2="${height - 30}" stroke="${stroke}" stroke-dasharray="4 3"/>`,
    `<text x="${(x(t) + 4).toFixed(1)}" y="${top - 8}" fill="${stroke}">${escapeXml(label)}</text>`);
  mark(events.faultAt, "fault", "#d62728");
  if (events.restoreAt !== undefined) mark(events.restoreAt, "restore", "#2ca02c");
  for (let s = 0; s <= end / 1000; s += Math.max(1, Math.ceil(end / 1000 / 15))) {
    parts.push(`<text x="${x(s * 1000).toFixed(1)}" y="${height - 12}" text-anchor="middle" fill="#555">${s}s</text>`);
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
