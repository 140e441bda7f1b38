/**
 * Runs a command and samples the resident memory of its whole process tree while it runs: GNU time's %M only
 * sees the largest single process, and both tools under test fan out (pulumi: language host, program, plugins;
 * ansible-playbook: a worker and an ssh per host).
 */
import { spawn } from "child_process";
import * as fs from "fs";

/** What one measured run gives. */
export interface MeasuredRun {
  /** Wall seconds from spawn to exit. */
  readonly seconds: number;
  /** Exit code; null when a signal ended it. */
  readonly code: number | null;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** Peak over the samples of the summed VmRSS of the command and all its descendants (MiB). */
  readonly peakTreeMiB: number;
  /** Peak VmRSS of the largest single process in the tree (MiB). */
  readonly peakLargestMiB: number;
  /** Most processes seen in the tree at once. */
  readonly peakProcesses: number;
  /** performance.now() at the exit, so a follow-up wait can be timed from the exit itself. */
  readonly exitedAtMs: number;
}

/** Options of runMeasured. */
export interface MeasureOptions {
  /** Working directory. */
  readonly cwd?: string;
  /** Environment; default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Sampling period in ms (default 50). */
  readonly intervalMs?: number;
}

/** Parent pid per pid, from every /proc/PID/stat. */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split after the last `)`.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended between readdir and read.
    }
  }
  return parents;
}

/** VmRSS of a process in KiB; 0 for a process that is gone or has no user memory (a zombie). */
function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** One sample of the tree under `root`: summed and largest VmRSS (KiB) and how many processes it holds. */
export function sampleTree(root: number): { totalKiB: number; largestKiB: number; processes: number } {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentPids()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let totalKiB = 0;
  let largestKiB = 0;
  let processes = 0;
  for (const queue = [root]; queue.length > 0;) {
    const pid = queue.pop()!;
    const rss = rssKiB(pid);
    totalKiB += rss;
    largestKiB = Math.max(largestKiB, rss);
    processes += 1;
    queue.push(...(children.get(pid) ?? []));
  }
  return { totalKiB, largestKiB, processes };
}

/** How long to wait for the output pipes after the exit: a daemonized descendant may hold them open. */
const DRAIN_MS = 2000;

/** Spawns `command args` and samples its process tree every intervalMs until it exits; never rejects on a non-zero exit. */
export function runMeasured(command: string, args: readonly string[], options: MeasureOptions = {}): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    let peak = { totalKiB: 0, largestKiB: 0, processes: 0 };
    const sample = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const s = sampleTree(child.pid);
      peak = { totalKiB: Math.max(peak.totalKiB, s.totalKiB), largestKiB: Math.max(peak.largestKiB, s.largestKiB),
        processes: Math.max(peak.processes, s.processes) };
    };
    sample();
    const timer = setInterval(sample, options.intervalMs ?? 50);
    child.on("error", (err) => { clearInterval(timer); reject(err); });
    child.on("exit", (code) => {
      const exitedAtMs = performance.now();
      clearInterval(timer);
      // Resolving twice (close after the drain timer) is harmless: a promise keeps its first value.
      const finish = () => {
        clearTimeout(drain);
        resolve({ seconds: (exitedAtMs - t0) / 1000, code, stdout, stderr, peakTreeMiB: peak.totalKiB / 1024,
          peakLargestMiB: peak.largestKiB / 1024, peakProcesses: peak.processes, exitedAtMs });
      };
      const drain = setTimeout(() => { child.stdout.destroy(); child.stderr.destroy(); finish(); }, DRAIN_MS);
      if (child.stdout.readableEnded && child.stderr.readableEnded) finish();
      else child.on("close", finish);
    });
  });
}
