/**
 * How long after a deploy command's exit the VIP serves: neither tool waits for keepalived's election, so a
 * cold run is only done for a user when a page comes back through the VIP.
 */
import * as http from "http";

/** Options of secondsUntilServes. */
export interface ServeWait {
  /** A new probe every periodMs (default 100). */
  readonly periodMs?: number;
  /** Each probe's own time-out (default 1000). */
  readonly probeTimeoutMs?: number;
  /** Give up after this long (default 60 s). */
  readonly limitMs?: number;
}

/** One GET with a fresh connection; the status code, or the error's message. */
function statusOf(url: string, timeoutMs: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? "no status"));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve(err.message));
  });
}

/**
 * Seconds from `sinceMs` (a performance.now() value, the command's exit) until a GET of `url` answers 200.
 * Probes overlap: while no node holds the VIP a probe waits for its time-out, and waiting for it would make
 * the measurement that coarse. Throws after limitMs with the last answer.
 */
export function secondsUntilServes(url: string, sinceMs: number, options: ServeWait = {}): Promise<number> {
  const { periodMs = 100, probeTimeoutMs = 1000, limitMs = 60_000 } = options;
  return new Promise((resolve, reject) => {
    let last: number | string = "no answer yet";
    let done = false;
    const stop = () => { done = true; clearInterval(timer); clearTimeout(limit); };
    const probe = () => {
      void statusOf(url, probeTimeoutMs).then((answer) => {
        if (done) return;
        last = answer;
        if (answer === 200) { stop(); resolve((performance.now() - sinceMs) / 1000); }
      });
    };
    const timer = setInterval(probe, periodMs);
    const limit = setTimeout(() => {
      stop();
      reject(new Error(`${url} did not answer 200 within ${limitMs / 1000} s of the command's exit (last: ${String(last)})`));
    }, Math.max(0, sinceMs + limitMs - performance.now()));
    probe();
  });
}
