/** The lab, driven from tests through its own entry point (`scripts/lab.sh`). */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO } from "./pulumi";

/** The lab's VIP (fixed by the lab's address plan, docs/lab.md). */
export const LAB_VIP = "10.213.151.100";

/** Runs a lab verb; throws with its output when it fails. */
export function lab(...args: string[]): string {
  const r = spawnSync("bash", ["scripts/lab.sh", ...args], { cwd: REPO, encoding: "utf8", timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`lab ${args.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Runs a shell command as root inside a node, without SSH; returns stdout and the exit status. */
export function onNode(node: string, script: string): { out: string; code: number } {
  const r = spawnSync("bash", ["scripts/lab.sh", "exec", node, "--", "bash", "-c", script], {
    cwd: REPO, encoding: "utf8", timeout: 120_000,
  });
  return { out: (r.stdout ?? "").trim(), code: r.status ?? -1 };
}

/** Nodes holding the VIP right now. */
export function vipHolders(nodes: readonly string[], vip = LAB_VIP): string[] {
  return nodes.filter((n) => onNode(n, `ip -4 -o addr show | grep -q ' inet ${vip}/'`).code === 0);
}

/** GET through the VIP from the host (the bridge address is on the lab subnet). */
export function curlVip(vip = LAB_VIP): { code: number; body: string } {
  const r = spawnSync("curl", ["-sS", "--max-time", "3", `http://${vip}/`], { encoding: "utf8" });
  return { code: r.status ?? -1, body: (r.stdout ?? "").trim() };
}

/** Number of accepted SSH logins recorded by a node's sshd so far. */
export function acceptedSshLogins(node: string): number {
  return Number(onNode(node, "journalctl -u ssh --no-pager -o cat | grep -c 'Accepted publickey' || true").out);
}

/** One sample of a VIP watch: node clock in ms, and whether the node held the VIP. */
export interface VipSample {
  /** Milliseconds since the epoch on the node (the lab's nodes share the host's clock). */
  readonly t: number;
  /** The node held the VIP. */
  readonly held: boolean;
}

/**
 * Runs a sampling loop in the background, its output going to a file rather than a pipe: a pipe fills while the
 * test blocks in spawnSync (each line is its own write), which would pause the loop. stop() returns the lines.
 */
function sampler(command: string, args: readonly string[]): { stop: () => Promise<string[]> } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kaha-watch-")), "samples");
  const fd = fs.openSync(file, "w");
  const child = spawn(command, [...args], { cwd: REPO, stdio: ["ignore", fd, "ignore"], detached: true });
  fs.closeSync(fd);
  return {
    stop: () => new Promise((resolve) => {
      child.on("close", () => {
        const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
        resolve(lines);
      });
      process.kill(-child.pid!, "SIGTERM"); // the whole group: lab.sh, nsenter and the loop
    }),
  };
}

/** Starts sampling, on a node, whether it holds the VIP every 100 ms; stop() returns the samples. */
export function watchVip(node: string, vip = LAB_VIP): { stop: () => Promise<VipSample[]> } {
  const loop = sampler("bash", ["scripts/lab.sh", "exec", node, "--", "bash", "-c",
    `end=$((SECONDS + 900)); while [ $SECONDS -lt $end ]; do if ip -4 -o addr show | grep -q ' inet ${vip}/'; then h=1; else h=0; fi; echo "$(date +%s%3N) $h"; sleep 0.1; done`]);
  return {
    stop: async () => (await loop.stop()).map((l) => {
      const [t, h] = l.split(" ");
      return { t: Number(t), held: h === "1" };
    }),
  };
}

/** The stack config `lab up` wrote, with a per-node default page so the page names the node serving it. */
export function labStackConfig(): string {
  const text = fs.readFileSync(path.join(REPO, "Pulumi.lab.yaml"), "utf8");
  return text.split("\n").filter((l) => !/^\s*keepalived-ha:site:/.test(l) && !/^encryptionsalt:/.test(l)).join("\n");
}

/** True when, in the merged watches of several nodes, two nodes held the VIP within `windowMs` of each other. */
export function sawSplitBrain(watches: readonly VipSample[][], windowMs = 150): boolean {
  const held = watches.map((samples) => samples.filter((s) => s.held).map((s) => s.t));
  for (let a = 0; a < held.length; a++) {
    for (let b = a + 1; b < held.length; b++) {
      if (held[a].some((t) => held[b].some((u) => Math.abs(t - u) <= windowMs))) return true;
    }
  }
  return false;
}

/** Polls `predicate` every 500 ms; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Runs an npm script of the project (e.g. status, drill); returns exit status and output. */
export function npmRun(script: string, ...args: string[]): { code: number; out: string } {
  return npmRunWith({}, script, ...args);
}

/** npmRun with extra environment (e.g. the PULUMI_BACKEND_URL of a TestStack). */
export function npmRunWith(env: NodeJS.ProcessEnv, script: string, ...args: string[]): { code: number; out: string } {
  const r = spawnSync("npm", ["run", "-s", script, "--", ...args], {
    cwd: REPO, encoding: "utf8", timeout: 10 * 60_000, env: { ...process.env, ...env },
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** One HTTP probe through the VIP from the host: host clock in ms, and whether it answered 200. */
export interface HttpSample {
  /** Milliseconds since the epoch. */
  readonly t: number;
  /** The probe got a 200 within its time-out. */
  readonly ok: boolean;
}

/** What a service watch saw: per node whether it held the VIP, and HTTP through the VIP. */
export interface ServiceWatch {
  /** Node → its samples. */
  readonly holders: Readonly<Record<string, VipSample[]>>;
  /** The HTTP probes. */
  readonly http: HttpSample[];
}

/**
 * Watches the service every 100 ms while something runs: on each node whether it holds the VIP (watchVip), and
 * from the host an HTTP GET through the VIP with a 0.5 s time-out.
 */
export function watchService(nodes: readonly string[], vip = LAB_VIP): { stop: () => Promise<ServiceWatch> } {
  const watches = nodes.map((n) => watchVip(n, vip));
  const prober = sampler("bash", ["-c",
    `end=$((SECONDS + 900)); while [ $SECONDS -lt $end ]; do t=$(date +%s%3N); ` +
    `c=$(curl -s -o /dev/null -m 0.5 -w '%{http_code}' http://${vip}/ || true); echo "$t $c"; sleep 0.1; done`]);
  return {
    stop: async () => {
      const [lines, ...samples] = await Promise.all([prober.stop(), ...watches.map((w) => w.stop())]);
      return {
        holders: Object.fromEntries(nodes.map((n, i) => [n, samples[i]])),
        http: lines.map((l) => {
          const [t, code] = l.split(" ");
          return { t: Number(t), ok: code === "200" };
        }),
      };
    },
  };
}

/** A stretch in which the VIP was not held by exactly one node or HTTP through it failed. */
export interface ServiceGap {
  /** When it started, ms since the epoch. */
  readonly start: number;
  /** How long it lasted, ms. */
  readonly ms: number;
}

/**
 * The gaps of a watch, on a 100 ms grid from the moment every sampler has started to the last HTTP probe: at
 * each point every node's latest sample counts (a node whose samples ended, e.g. one powered off, counts as not
 * holding 1 s after its last one) and so does the latest probe. Gaps closer than 300 ms are one gap.
 */
export function serviceGaps(watch: ServiceWatch, stepMs = 100): ServiceGap[] {
  if (watch.http.length === 0) return [];
  const latest = <T extends { t: number }>(samples: readonly T[], t: number): T | undefined => {
    let found: T | undefined;
    for (const s of samples) { if (s.t <= t) found = s; else break; }
    return found;
  };
  const gaps: ServiceGap[] = [];
  let open: number | undefined;
  let lastBad = 0;
  const firsts = [watch.http, ...Object.values(watch.holders)].filter((x) => x.length > 0).map((x) => x[0].t);
  const t0 = Math.max(...firsts);
  const t1 = watch.http[watch.http.length - 1].t;
  for (let t = t0; t <= t1; t += stepMs) {
    const holding = Object.values(watch.holders).filter((samples) => {
      const s = latest(samples, t);
      return s !== undefined && s.held && t - s.t <= 1000;
    }).length;
    const bad = holding !== 1 || latest(watch.http, t)?.ok !== true;
    if (bad) {
      if (open === undefined) open = t;
      lastBad = t;
    } else if (open !== undefined && t - lastBad >= 300) {
      gaps.push({ start: open, ms: lastBad - open + stepMs });
      open = undefined;
    }
  }
  if (open !== undefined) gaps.push({ start: open, ms: lastBad - open + stepMs });
  return gaps;
}
