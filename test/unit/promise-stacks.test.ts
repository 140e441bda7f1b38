/** The SDK's per-promise debug stacks skip source mapping; every other stack is still formatted by ts-node's hook. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { skipPromiseDebugStacks } from "../../components/promise-stacks";

/** Error's stack formatter hook, read and written without treating it as a method. */
type Formatter = ((this: void, error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined;
const hooks = Error as { prepareStackTrace?: Formatter };

test("only stacks taken inside debuggablePromise skip the installed formatter", () => {
  const original = hooks.prepareStackTrace;
  try {
    hooks.prepareStackTrace = (_error, frames) => `mapped ${frames.length > 0}`;
    skipPromiseDebugStacks();
    skipPromiseDebugStacks(); // a second call wraps nothing again
    function debuggablePromise(): string | undefined {
      return new Error().stack;
    }
    assert.equal(debuggablePromise(), "");
    assert.equal(new Error("a real error").stack, "mapped true");
  } finally {
    hooks.prepareStackTrace = original;
  }
});

test("nothing changes while promise leaks are being debugged", () => {
  const original = hooks.prepareStackTrace;
  process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
  try {
    const formatter = () => "mapped";
    hooks.prepareStackTrace = formatter;
    skipPromiseDebugStacks();
    assert.equal(hooks.prepareStackTrace, formatter);
  } finally {
    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    hooks.prepareStackTrace = original;
  }
});
