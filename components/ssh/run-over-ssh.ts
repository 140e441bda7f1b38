/**
 * One script run on a host over SSH, with bounded connection retries and host-key pinning. The one SSH client
 * of the project: the dynamic providers (components/providers/), the program's host observation
 * (components/observe-hosts.ts) and the operator tools (scripts/) all use it. It imports nothing at module
 * level (ssh2 is required inside runOverSsh, and the types are type-only) because the engine serializes it
 * into the state together with the provider that uses it; keep it that way.
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

/**
 * Runs one script on a host with bash; rejects with a message naming the host and step, never the script.
 * An aborted `signal` stops dialling and closes the connection (the run then rejects).
 */
export function runOverSsh(conn: SshConnection, description: string, script: string, stdin: string | undefined,
  signal?: AbortSignal) {
  const { Client } = require("ssh2") as typeof import("ssh2");
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
    });

  const dial = async (): Promise<{ client: InstanceType<typeof Client>; close: () => void }> => {
    let lastError: Error | undefined;
    while (Date.now() < deadline && !signal?.aborted) {
      try {
        if (!conn.bastion) {
          const client = await connectOnce(conn);
          return { client, close: () => client.end() };
        }
        const jump = await connectOnce(conn.bastion);
        const sock = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
          jump.forwardOut("127.0.0.1", 0, conn.host, conn.port, (err, stream) => (err ? reject(err) : resolve(stream))));
        const client = await connectOnce(conn, sock);
        return { client, close: () => { client.end(); jump.end(); } };
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

  return dial().then(({ client, close }) => new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    if (signal?.aborted) {
      close();
      return reject(new Error(`${description}: abandoned`));
    }
    signal?.addEventListener("abort", close, { once: true });
    client.exec(`/bin/bash -c ${"'" + script.replace(/'/g, `'\\''`) + "'"}`, (err, stream) => {
      if (err) {
        close();
        return reject(new Error(`${description}: could not start the command on ${target}: ${err.message}`));
      }
      let stdout = "";
      let stderr = "";
      stream.on("data", (d: Buffer) => { stdout += d.toString(); });
      stream.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
      stream.on("close", (code: number | null, signal?: string) => {
        close();
        if (code === 0) return resolve({ stdout, stderr });
        const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-15).join("\n");
        // The steps of a non-root user run through `sudo -n`: say what the host is missing.
        const hint = /sudo: a (terminal|password) is required/.test(stderr)
          ? `\nthe SSH user ${conn.user} needs passwordless sudo on ${conn.host} (e.g. "${conn.user} ALL=(ALL) NOPASSWD:ALL" in /etc/sudoers.d/), or log in as root`
          : "";
        reject(new Error(`${description} failed on ${conn.host} (exit ${code ?? signal}):\n${tail}${hint}`));
      });
      stream.end(stdin ?? "");
    });
  }));
}

