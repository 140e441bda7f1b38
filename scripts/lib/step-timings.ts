/**
 * How long each resource step of a `pulumi up` took, read from the engine's event log
 * (`pulumi up --event-log FILE`: one JSON engine event per line, `timestamp` in whole seconds). Pure.
 * The benchmark uses it to show where the time of a cold `up` goes as the cluster grows.
 */

/** One resource operation: from its pre-event to its outputs (or failure) event. */
export interface StepTiming {
  /** The resource's URN. */
  readonly urn: string;
  /** The resource name (last URN segment), e.g. `cluster-node1-packages`. */
  readonly name: string;
  /** Seconds since the epoch when the engine started the operation. */
  readonly start: number;
  /** Seconds since the epoch when it finished. */
  readonly end: number;
}

interface EngineEvent {
  timestamp?: number;
  resourcePreEvent?: { metadata?: { urn?: string; op?: string } };
  resOutputsEvent?: { metadata?: { urn?: string } };
  resOpFailedEvent?: { metadata?: { urn?: string } };
}

/** Operations that do work (a `same` step is only the engine noticing nothing changed). */
const WORKING_OPS = new Set(["create", "update", "replace", "create-replacement", "delete", "delete-replaced", "refresh", "read"]);

/** Every resource operation that did work, in the order they finished. Lines that are not events are skipped. */
export function stepTimings(eventLog: string): StepTiming[] {
  const started = new Map<string, number>();
  const timings: StepTiming[] = [];
  for (const line of eventLog.split("\n")) {
    if (line.trim() === "") continue;
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      continue;
    }
    const t = event.timestamp;
    if (typeof t !== "number") continue;
    const pre = event.resourcePreEvent?.metadata;
    if (pre?.urn !== undefined && WORKING_OPS.has(pre.op ?? "")) started.set(pre.urn, t);
    const done = event.resOutputsEvent?.metadata?.urn ?? event.resOpFailedEvent?.metadata?.urn;
    if (done !== undefined && started.has(done)) {
      timings.push({ urn: done, name: done.slice(done.lastIndexOf("::") + 2), start: started.get(done)!, end: t });
      started.delete(done);
    }
  }
  return timings;
}

/** Mean and longest duration of the steps whose name ends with `-<kind>`, e.g. kind `packages`. */
export function durationsByKind(timings: readonly StepTiming[], kinds: readonly string[]): Record<string, { count: number; mean: number; max: number }> {
  const result: Record<string, { count: number; mean: number; max: number }> = {};
  for (const kind of kinds) {
    const durations = timings.filter((t) => t.name.endsWith(`-${kind}`)).map((t) => t.end - t.start);
    result[kind] = {
      count: durations.length,
      mean: durations.length === 0 ? 0 : durations.reduce((a, b) => a + b, 0) / durations.length,
      max: durations.length === 0 ? 0 : Math.max(...durations),
    };
  }
  return result;
}

/** Sum of all step durations over the wall time they spanned: how many steps ran at once on average. */
export function overlap(timings: readonly StepTiming[]): number {
  if (timings.length === 0) return 0;
  const busy = timings.reduce((sum, t) => sum + (t.end - t.start), 0);
  const span = Math.max(...timings.map((t) => t.end)) - Math.min(...timings.map((t) => t.start));
  return span === 0 ? 0 : busy / span;
}
