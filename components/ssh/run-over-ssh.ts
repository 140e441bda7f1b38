/**
 * One script run on a host over SSH, with bounded connection retries and host-key pinning. The one SSH client
 * of the project: the dynamic providers (components/providers/), the program's host observation
 * (components/observe-hosts.ts) and the operator tools (scripts/) all use it. It imports nothing at module
 * level (ssh2 is required inside runOverSsh, and the types are type-only) because the engine serializes it
 * into the state together with the provider that uses it; keep it that way. The providers keep a host's
 * connection open between its steps (RunOptions.reuse); everything else dials per run.
 */

/** How to reach a host over SSH. */
export interface SshConnection {
  /** Address or name of the host. */
  readonly host: string;
  /** SSH port. */
  readonly port: number;
  /** Login user; non-root users need passwordless sudo, which the caller adds to commands. */
  readonly user: string;
  /** OpenSSH or PEM private key text. Pass it as a secret. */
  readonly privateKey: string;
  /** Pinned host key ("ssh-ed25519 AAAA..."); when set, any other key aborts before a command runs. */
  readonly hostKey?: string;
  /** How long to keep trying to connect before giving up, in seconds. */
  readonly dialTimeoutSeconds?: number;
  /** Optional jump host, reached first; the target is dialled through it. */
  readonly bastion?: Omit<SshConnection, "bastion">;
}

/** How one run treats its connection. */
export interface RunOptions {
  /** Aborting it stops the dialling and closes the connection (the run then rejects). */
  readonly signal?: AbortSignal;
  /**
   * Leave the connection open for this process's next run on the same host and credentials, closed after a few idle
   * seconds: a step then costs one command, not a handshake and a login. Only for processes that are stopped
   * rather than left to exit (the providers): an open connection keeps Node.js running.
   */
  readonly reuse?: boolean;
}

/** How long an idle connection stays open for the next run (the steps of one host follow each other closely). */
const IDLE_SECONDS = 10;

/**
 * Runs one script on a host with bash; rejects with a message naming the host and step, never the script.
 * See RunOptions for aborting and for keeping the connection open.
 */
export function runOverSsh(conn: SshConnection, description: string, script: string, stdin: string | undefined,
  options: RunOptions = {}) {
  const { Client } = require("ssh2") as typeof import("ssh2");
  const { signal } = options;
  const target = `${conn.user}@${conn.host}:${conn.port}`;
  const deadline = Date.now() + (conn.dialTimeoutSeconds ?? 60) * 1000;

  const pinnedBlob = (key: string | undefined) => (key ? key.trim().split(/\s+/)[1] : undefined);

  const connectOnce = (c: SshConnection, sock?: NodeJS.ReadableStream): Promise<InstanceType<typeof Client>> =>
    new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyMismatch = false;
      client.on("ready", () => resolve(client));
      client.on("error", (err: Error) => reject(hostKeyMismatch ? Object.assign(new Error(
        `host key of ${c.host} does not match the pinned hostKey; refusing to run anything there ` +
        `(if the host was rebuilt on purpose, update the node's hostKey in the stack config)`), { fatal: true }) : err));
      const pinned = pinnedBlob(c.hostKey);
      client.connect({
        host: c.host, port: c.port, username: c.user, privateKey: c.privateKey,
        sock: sock as never, readyTimeout: 10_000, keepaliveInterval: 5_000,
        hostVerifier: pinned ? (key: Buffer) => {
          hostKeyMismatch = key.toString("base64") !== pinned;
          return !hostKeyMismatch;
        } : undefined,
      });
      // Without it every small write waits for the host's delayed ACK: about 40 ms in the handshake and again in
      // each command (measured on the lab: 85 ms to connect and 50 ms to run `true`, 45 ms and 15 ms with it).
      client.setNoDelay(true);
    });

  /** An open connection; `lost` once it closed or failed, after which it is never used again. */
  interface Dialled { readonly client: InstanceType<typeof Client>; readonly close: () => void; lost: boolean }

  const watched = (client: InstanceType<typeof Client>, close: () => void): Dialled => {
    const dialled: Dialled = { client, close, lost: false };
    const lost = () => { dialled.lost = true; };
    client.on("close", lost).on("end", lost).on("error", lost);
    return dialled;
  };

  const dial = async (): Promise<Dialled> => {
    let lastError: Error | undefined;
    while (Date.now() < deadline && !signal?.aborted) {
      try {
        if (!conn.bastion) {
          const client = await connectOnce(conn);
          return watched(client, () => client.end());
        }
        const jump = await connectOnce(conn.bastion);
        const sock = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
          jump.forwardOut("127.0.0.1", 0, conn.host, conn.port, (err, stream) => (err ? reject(err) : resolve(stream))));
        const client = await connectOnce(conn, sock);
        return watched(client, () => { client.end(); jump.end(); });
      } catch (err) {
        lastError = err as Error;
        if ((err as { fatal?: boolean }).fatal || /authentication methods failed|Cannot parse privateKey/.test(lastError.message)) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (signal?.aborted) throw new Error(`${description}: abandoned`);
    throw new Error(`${description}: cannot reach ${target} over SSH (gave up after ${conn.dialTimeoutSeconds ?? 60} s): ` +
      `${lastError?.message ?? "timed out"}`);
  };

  // Idle connections of this process, by target and credentials. On globalThis: each provider carries its own
  // serialized copy of this function, and they share one process.
  interface Idle { readonly dialled: Dialled; readonly timer: ReturnType<typeof setTimeout> }
  const slot = Symbol.for("keepalived-ha.idle-ssh-connections");
  const everyIdle = ((globalThis as Record<symbol, unknown>)[slot] ??= new Map()) as Map<string, Idle[]>;
  const digest = (text: string) => (require("crypto") as typeof import("crypto")).createHash("sha256").update(text).digest("hex");
  const identity = (c: Omit<SshConnection, "bastion">) => [c.user, c.host, c.port, c.hostKey ?? "", digest(c.privateKey)].join(" ");
  const poolKey = options.reuse ? identity(conn) + (conn.bastion ? ` via ${identity(conn.bastion)}` : "") : undefined;

  const takeIdle = (): Dialled | undefined => {
    const idle = poolKey === undefined ? undefined : everyIdle.get(poolKey);
    for (let entry = idle?.pop(); entry !== undefined; entry = idle?.pop()) {
      clearTimeout(entry.timer);
      if (!entry.dialled.lost) return entry.dialled;
    }
    return undefined;
  };

  const release = (dialled: Dialled) => {
    if (poolKey === undefined || dialled.lost) return dialled.close();
    const idle = everyIdle.get(poolKey) ?? [];
    everyIdle.set(poolKey, idle);
    const entry: Idle = {
      dialled,
      timer: setTimeout(() => {
        const at = idle.indexOf(entry);
        if (at >= 0) idle.splice(at, 1);
        dialled.close();
      }, IDLE_SECONDS * 1000),
    };
    entry.timer.unref();
    idle.push(entry);
  };

  /** Runs the script on an open connection; the error says `notStarted` when the command never began. */
  const execOn = (dialled: Dialled) => new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const notStarted = (message: string) =>
      Object.assign(new Error(`${description}: could not start the command on ${target}: ${message}`), { notStarted: true });
    if (signal?.aborted) {
      dialled.close();
      return reject(new Error(`${description}: abandoned`));
    }
    const abort = () => dialled.close();
    signal?.addEventListener("abort", abort, { once: true });
    const settle = () => signal?.removeEventListener("abort", abort);
    try {
      dialled.client.exec(`/bin/bash -c ${"'" + script.replace(/'/g, `'\\''`) + "'"}`, (err, stream) => {
        if (err) {
          settle();
          dialled.close();
          return reject(notStarted(err.message));
        }
        let stdout = "";
        let stderr = "";
        stream.on("data", (d: Buffer) => { stdout += d.toString(); });
        stream.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
        stream.on("close", (code: number | null, exitSignal?: string) => {
          settle();
          release(dialled);
          if (code === 0) return resolve({ stdout, stderr });
          const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-15).join("\n");
          // The steps of a non-root user run through `sudo -n`: say what the host is missing.
          const hint = /sudo: a (terminal|password) is required/.test(stderr)
            ? `\nthe SSH user ${conn.user} needs passwordless sudo on ${conn.host} (e.g. "${conn.user} ALL=(ALL) NOPASSWD:ALL" in /etc/sudoers.d/), or log in as root`
            : "";
          reject(new Error(`${description} failed on ${conn.host} (exit ${code ?? exitSignal}):\n${tail}${hint}`));
        });
        stream.end(stdin ?? "");
      });
    } catch (err) { // ssh2 throws at once on a connection that is no longer writable
      settle();
      dialled.close();
      reject(notStarted((err as Error).message));
    }
  });

  const reused = takeIdle();
  if (reused === undefined) return dial().then(execOn);
  // A connection that went away while idle fails before its command starts: then dial afresh, once.
  return execOn(reused).catch((err: Error & { notStarted?: boolean }) => (err.notStarted ? dial().then(execOn) : Promise.reject(err)));
}
