import * as pulumi from "@pulumi/pulumi";

/**
 * A command run over SSH as a Pulumi resource: `create` when the resource is created, `update` (or
 * `create`) when its script or stdin changes, `delete` when it is destroyed.
 *
 * It is a dynamic provider (TypeScript run by the engine through @pulumi/pulumi) rather than
 * @pulumi/command's remote.Command because that provider's Go module is not served to the machines
 * this project is built on; the semantics follow remote.Command where they matter: secrets travel on
 * stdin, never in the command text; a change of `triggers` replaces; delete runs the stored command
 * against the stored host.
 *
 * Everything the provider functions use is required inside them: the engine serializes this
 * provider's code into the state and runs it in a separate process.
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

/** An SshConnection whose fields may come from other resources or secrets. */
export type SshConnectionInput = { readonly [K in keyof SshConnection]: pulumi.Input<SshConnection[K]> };

/** Inputs of a RemoteCommand. */
export interface RemoteCommandArgs {
  /** The host to run on. */
  readonly connection: pulumi.Input<SshConnectionInput>;
  /** What the step is, for error messages ("install packages on node1"). */
  readonly description: pulumi.Input<string>;
  /** Shell script run by bash when the resource is created. */
  readonly create: pulumi.Input<string>;
  /** Script run when `create`, `update` or `stdin` changed; defaults to `create`. */
  readonly update?: pulumi.Input<string>;
  /** Script run when the resource is destroyed (or replaced). */
  readonly delete?: pulumi.Input<string>;
  /** Text fed to the script's standard input: the way to pass file contents and secrets. */
  readonly stdin?: pulumi.Input<string>;
  /** Any change of these values replaces the resource (delete, then create when deleteBeforeReplace). */
  readonly triggers?: pulumi.Input<unknown[]>;
}

interface CommandState {
  connection: SshConnection;
  description: string;
  create: string;
  update?: string;
  delete?: string;
  stdin?: string;
  triggers?: unknown[];
  stdout?: string;
  stderr?: string;
}

/** Runs one script on a host; rejects with a message naming the host and step, never the script. */
function runOverSsh(conn: SshConnection, description: string, script: string, stdin: string | undefined) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
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
    while (Date.now() < deadline) {
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
        if ((err as { fatal?: boolean }).fatal || /authentication methods failed/.test(lastError.message)) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    throw new Error(`${description}: cannot reach ${target} over SSH (gave up after ${conn.dialTimeoutSeconds ?? 60} s): ` +
      `${lastError?.message ?? "timed out"}`);
  };

  return dial().then(({ client, close }) => new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
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
        reject(new Error(`${description} failed on ${conn.host} (exit ${code ?? signal}):\n${tail}`));
      });
      stream.end(stdin ?? "");
    });
  }));
}

const remoteCommandProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: CommandState, news: CommandState) {
    return { inputs: news };
  },

  async diff(_id: string, olds: CommandState, news: CommandState) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const keys = ["connection", "description", "create", "update", "delete", "stdin", "triggers"] as const;
    const changed = keys.filter((k) => !same(olds[k], news[k]));
    return {
      changes: changed.length > 0,
      replaces: changed.includes("triggers") ? ["triggers"] : [],
    };
  },

  async create(inputs: CommandState) {
    const out = await runOverSsh(inputs.connection, inputs.description, inputs.create, inputs.stdin);
    const id = require("crypto").randomBytes(8).toString("hex") as string;
    return { id, outs: { ...inputs, ...out } };
  },

  async update(_id: string, olds: CommandState, news: CommandState) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    // Only a changed script or payload re-runs; a new delete command or connection detail is just stored.
    const rerun = !same(olds.create, news.create) || !same(olds.update, news.update) || !same(olds.stdin, news.stdin);
    if (!rerun) return { outs: { ...news, stdout: olds.stdout, stderr: olds.stderr } };
    const out = await runOverSsh(news.connection, news.description, news.update ?? news.create, news.stdin);
    return { outs: { ...news, ...out } };
  },

  async delete(_id: string, props: CommandState) {
    if (props.delete) {
      await runOverSsh(props.connection, `${props.description} (undo)`, props.delete, undefined);
    }
  },
};

/** A shell step on a remote host; see the module comment for its life cycle. */
export class RemoteCommand extends pulumi.dynamic.Resource {
  /** Standard output of the last run. */
  public readonly stdout!: pulumi.Output<string>;
  /** Standard error of the last run. */
  public readonly stderr!: pulumi.Output<string>;

  constructor(name: string, args: RemoteCommandArgs, opts?: pulumi.CustomResourceOptions) {
    super(remoteCommandProvider, name, { stdout: undefined, stderr: undefined, ...args }, {
      ...opts,
      // The connection holds the private key and stdin may hold the VRRP password: keep both
      // encrypted in the state even when the caller forgot to mark them secret.
      additionalSecretOutputs: ["connection", "stdin", ...(opts?.additionalSecretOutputs ?? [])],
    }, "keepalived-ha", "RemoteCommand");
  }
}
