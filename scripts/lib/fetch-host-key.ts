/**
 * Fetches a host's SSH host key the way ssh-keyscan does: an SSH handshake that stops at the host key, so the
 * node is never logged in to. Through `ssh.bastion` the jump host is logged in to (with the stack's key, as the
 * program does) and the node is dialled through it.
 */
import { Client, ConnectConfig } from "ssh2";
import type { SshConnection } from "../../components/ssh/run-over-ssh";
import { HostKey, hostKeyFromBlob } from "./host-keys";

/** Where a node's SSH server is. */
export interface HostKeyTarget {
  /** Node address. */
  readonly host: string;
  /** SSH port. */
  readonly port: number;
  /** Host key algorithms to offer, in order of preference (scripts/lib/host-keys.ts hostKeyAlgorithms). */
  readonly algorithms: readonly string[];
  /** Seconds before giving up on the handshake. */
  readonly timeoutSeconds: number;
}

/**
 * A jump host to dial the node through: the part of a connection's bastion a login needs (the stack's private
 * key included: keep it out of messages).
 */
export type HostKeyJump = Pick<SshConnection, "host" | "port" | "user" | "privateKey">;

/** Runs a handshake with `target` over `sock` (or TCP) and resolves with the key the server presented. */
function handshake(target: HostKeyTarget, sock?: NodeJS.ReadableStream): Promise<HostKey> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: HostKey | undefined;
    let failure: Error | undefined;
    const done = () => {
      if (key !== undefined) resolve(key);
      else reject(failure ?? new Error("the connection closed before the host presented a key"));
    };
    client.on("error", (err: Error) => {
      // Refusing the key ends the handshake with an error: expected once the key is in hand.
      if (key === undefined) failure = err;
      client.end();
      done();
    });
    client.on("close", done);
    // No auth method is given; the verifier rejects before authentication would start.
    client.on("ready", () => { client.end(); });
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: "pin-host-keys",
      readyTimeout: target.timeoutSeconds * 1000,
      algorithms: { serverHostKey: [...target.algorithms] as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] },
      hostVerifier: (blob: Buffer) => {
        try {
          key = hostKeyFromBlob(blob);
        } catch (err) {
          failure = err as Error;
        }
        return false;
      },
      ...(sock !== undefined ? { sock: sock as never } : {}),
    };
    client.connect(config);
  });
}

/** The host key `target` presents, reached directly or through `jump`. Rejects naming the address, never the key. */
export async function fetchHostKey(target: HostKeyTarget, jump?: HostKeyJump): Promise<HostKey> {
  const where = `${target.host}:${target.port}`;
  try {
    if (jump === undefined) return await handshake(target);
    const bastion = await new Promise<Client>((resolve, reject) => {
      const client = new Client();
      client.on("ready", () => resolve(client));
      client.on("error", reject);
      client.connect({
        host: jump.host, port: jump.port, username: jump.user, privateKey: jump.privateKey,
        readyTimeout: target.timeoutSeconds * 1000,
      });
    });
    try {
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        bastion.forwardOut("127.0.0.1", 0, target.host, target.port, (err, s) => (err ? reject(err) : resolve(s))));
      return await handshake(target, stream);
    } finally {
      bastion.end();
    }
  } catch (err) {
    const via = jump !== undefined ? ` through the bastion ${jump.user}@${jump.host}:${jump.port}` : "";
    throw new Error(`cannot get the SSH host key of ${where}${via}: ${(err as Error).message}`);
  }
}
