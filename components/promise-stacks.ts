/**
 * The Pulumi SDK records a stack trace on every promise it makes (debuggablePromise), for a report that only
 * PULUMI_DEBUG_PROMISE_LEAKS prints. Under ts-node each of those traces is source-mapped frame by frame, about
 * 0.3 s of an 8-node `up` that changes nothing. This skips the mapping for those traces alone: errors, and the
 * source positions the SDK records per resource, stay mapped to the TypeScript lines.
 */

/** Installs the skip once, over whatever prepareStackTrace ts-node installed; a no-op when leaks are debugged. */
export function skipPromiseDebugStacks(): void {
  const { prepareStackTrace: mapped } = Error as { prepareStackTrace?: (this: void, error: Error, frames: NodeJS.CallSite[]) => unknown };
  if (mapped === undefined || process.env.PULUMI_DEBUG_PROMISE_LEAKS || (mapped as { promiseStacksSkipped?: true }).promiseStacksSkipped) return;
  const skipping = (error: Error, frames: NodeJS.CallSite[]): unknown =>
    (frames[0]?.getFunctionName() === "debuggablePromise" ? "" : mapped(error, frames));
  Error.prepareStackTrace = Object.assign(skipping, { promiseStacksSkipped: true as const });
}
