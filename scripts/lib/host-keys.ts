/**
 * The pure side of `npm run pin-host-keys`: host key lines and their OpenSSH fingerprints, which host key
 * algorithms to ask a node for, and the plan that compares each node's live key with the one pinned in the
 * stack config (new keys are written, matching ones left alone, a different one refused). The SSH handshake
 * itself is in scripts/lib/fetch-host-key.ts, the command in scripts/pin-host-keys.ts.
 */
import { createHash } from "crypto";
import { NAMESPACE } from "../../core";

/** A host key as the SSH handshake gives it. */
export interface HostKey {
  /** The key's type from its wire encoding, e.g. `ssh-ed25519`. */
  readonly type: string;
  /** The public key blob (the second field of an OpenSSH public key line, decoded). */
  readonly blob: Buffer;
}

/** Host key algorithms to offer when nothing is pinned: ed25519 first, as the README and docs ask for. */
export const PREFERRED_HOST_KEY_ALGORITHMS: readonly string[] = [
  "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa",
];

/** The key type named inside a public key blob (an SSH string: 4-byte length, then the name). */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) throw new Error("host key blob too short");
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) throw new Error("host key blob has no valid key type");
  return blob.subarray(4, 4 + length).toString("ascii");
}

/** A host key from its blob. */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  return { type: blobKeyType(blob), blob };
}

/** The line `nodes[].hostKey` holds: `<type> <base64 blob>`, as in ssh-keyscan output without the host. */
export function hostKeyLine(key: HostKey): string {
  return `${key.type} ${key.blob.toString("base64")}`;
}

/** OpenSSH's fingerprint (`ssh-keygen -l`): `SHA256:` and the unpadded base64 of the blob's SHA-256. */
export function fingerprint(key: HostKey): string {
  return `SHA256:${createHash("sha256").update(key.blob).digest("base64").replace(/=+$/, "")}`;
}

/** Parses a `nodes[].hostKey` line (`type base64 [comment]`); undefined when it is not one. */
export function parseHostKeyLine(line: string): HostKey | undefined {
  const [type, data] = line.trim().split(/\s+/);
  if (type === undefined || data === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const blob = Buffer.from(data, "base64");
  try {
    return blobKeyType(blob) === type ? { type, blob } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Host key algorithms to negotiate with a node. A pinned key is checked in its own algorithm (a host has
 * several keys; asking for ed25519 when an RSA key is pinned would look like a changed key).
 */
export function hostKeyAlgorithms(pinned: HostKey | undefined): string[] {
  if (pinned === undefined) return [...PREFERRED_HOST_KEY_ALGORITHMS];
  // One RSA key signs with any of these algorithms; its blob says ssh-rsa either way.
  if (pinned.type === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  return [pinned.type];
}

/** A node as pinning sees it. */
export interface PinNode {
  /** Position in the config's `nodes` list (the `i` of `nodes[i].hostKey`). */
  readonly index: number;
  /** Node name. */
  readonly name: string;
  /** SSH address. */
  readonly address: string;
  /** SSH port. */
  readonly port: number;
  /** The key line pinned in the config, if any. */
  readonly hostKey?: string;
}

/** What pinning does with one node. */
export type PinStatus =
  /** No key pinned: the live key will be written. */
  | "new"
  /** The pinned key is the live one: nothing to write. */
  | "matches"
  /** The pinned key differs from the live one: refused (the host was rebuilt, or someone is in the middle). */
  | "mismatch";

/** One node's live key against its pinned one. */
export interface PinEntry {
  /** The node. */
  readonly node: PinNode;
  /** The key the node presented just now. */
  readonly live: HostKey;
  /** What happens to it. */
  readonly status: PinStatus;
}

/** Compares every node's live key with its pinned one. `live` has one key per node, in the same order. */
export function planPins(nodes: readonly PinNode[], live: readonly HostKey[]): PinEntry[] {
  if (nodes.length !== live.length) throw new Error(`${nodes.length} nodes but ${live.length} host keys`);
  return nodes.map((node, i) => {
    const key = live[i];
    if (node.hostKey === undefined) return { node, live: key, status: "new" };
    const pinned = parseHostKeyLine(node.hostKey);
    const same = pinned !== undefined && pinned.type === key.type && pinned.blob.equals(key.blob);
    return { node, live: key, status: same ? "matches" : "mismatch" };
  });
}

/** The `pulumi config set` arguments, one list per command, that pin every new key (and touch nothing else). */
export function configSetCommands(entries: readonly PinEntry[], stack: string): string[][] {
  return entries.filter((e) => e.status === "new").map((e) =>
    ["config", "set", "--path", `${NAMESPACE}:nodes[${e.node.index}].hostKey`, hostKeyLine(e.live), "--stack", stack]);
}

/** The table shown before anything is written: name, address, key type, fingerprint, what happens. */
export function formatPlan(entries: readonly PinEntry[]): string {
  const what: Record<PinStatus, string> = {
    new: "not pinned yet: will be pinned",
    matches: "pinned, matches",
    mismatch: "PINNED KEY DIFFERS: refused",
  };
  const rows = entries.map((e) => [e.node.name, `${e.node.address}:${e.node.port}`, e.live.type, fingerprint(e.live), what[e.status]]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i].length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()}`).join("\n");
}

/** The refusal for nodes whose live key differs from the pinned one; undefined when there are none. */
export function mismatchRefusal(entries: readonly PinEntry[], stack: string): string | undefined {
  const bad = entries.filter((e) => e.status === "mismatch");
  if (bad.length === 0) return undefined;
  const lines = bad.map((e) => {
    const pinned = e.node.hostKey !== undefined ? parseHostKeyLine(e.node.hostKey) : undefined;
    const was = pinned !== undefined ? `${pinned.type} ${fingerprint(pinned)}` : "an unreadable key line";
    return `  ${e.node.name} (${e.node.address}:${e.node.port}): pinned ${was}, the host presented ${e.live.type} ${fingerprint(e.live)}`;
  });
  const removals = bad.map((e) => `npm run pulumi -- config rm --path '${NAMESPACE}:nodes[${e.node.index}].hostKey' --stack ${stack}`);
  return [
    "WARNING: HOST KEY MISMATCH. Someone may be intercepting the SSH connection (man in the middle), or the host was rebuilt.",
    ...lines,
    `Nothing was written to stack ${stack}. If, and only if, you know the host was rebuilt, compare the new fingerprint ` +
      "with the host's own on its console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then remove the old key and run " +
      "pin-host-keys again:",
    ...removals.map((c) => `  ${c}`),
  ].join("\n");
}
