import * as pulumi from "@pulumi/pulumi";
import { runOverSsh, SshConnection } from "../ssh/run-over-ssh";
import { withoutReasonsOnCreate } from "./reasons-on-create";

/**
 * A command run over SSH as a Pulumi resource: `create` when the resource is created, `update` (or
 * `create`) when its script or stdin changes, `delete` when it is destroyed.
 *
 * It is a dynamic provider (TypeScript run by the engine through @pulumi/pulumi) rather than
 * @pulumi/command's remote.Command because that provider's Go module is not served to the machines
 * this project is built on; the semantics follow remote.Command where they matter: secrets travel on
 * stdin, never in the command text; a change of `triggers` replaces; delete runs the stored command
 * against the stored host. Unlike remote.Command it takes `drift`, what the program observed on the host
 * before the run, so a host that was changed behind its back is converged again, and `runParameters`, which
 * say how to run a script this time without being a change themselves.
 *
 * Everything the provider functions use is required inside them: the engine serializes this
 * provider's code into the state and runs it in a separate process.
 */

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
  /**
   * Why the host no longer matches what this step put there (observed before the run; empty when in sync).
   * Non-empty runs the script again; going back to empty is no change of its own.
   */
  readonly drift?: pulumi.Input<string[]>;
  /**
   * The command that forgets this step's node, named when its undo cannot reach the host (a dead node being
   * removed or replaced). Stored, never compared.
   */
  readonly forgetCommand?: pulumi.Input<string>;
  /**
   * Values for the scripts' `%%NAME%%` placeholders, filled in when a script runs: they say how to run it this
   * time (on a cluster where keepalived runs nowhere yet, say), not what it converges to. So, like `dependsOn`,
   * a new value makes no change of its own: stored, never compared. Letters, digits, `_`, `.` and `-` only,
   * so a value reads the same inside any quoting; a placeholder without a value stays as written.
   */
  readonly runParameters?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

interface CommandState {
  connection: SshConnection;
  description: string;
  create: string;
  update?: string;
  delete?: string;
  stdin?: string;
  triggers?: unknown[];
  drift?: string[];
  forgetCommand?: string;
  runParameters?: Record<string, string>;
  stdout?: string;
  stderr?: string;
  /** When the step was created (ISO time); absent for a step created before this output existed. */
  createdAt?: string;
  /** The provider's own code as the engine serialized it (set by the SDK). */
  __provider?: string;
}

/** True when the program saw the host drift from this step (an unknown value in a preview is not an array). */
function drifted(news: CommandState): boolean {
  return Array.isArray(news.drift) && news.drift.length > 0;
}

/** A script with its `%%NAME%%` placeholders filled from `runParameters` (exported for its unit tests). */
export function filled(script: string, parameters: Record<string, string> | undefined): string {
  return script.replace(/%%([A-Z][A-Z0-9_]*)%%/g, (placeholder: string, name: string) => {
    const value = parameters?.[name];
    if (value === undefined) return placeholder;
    if (!/^[A-Za-z0-9_.-]*$/.test(value)) throw new Error(`run parameter ${name} is not a plain word: ${JSON.stringify(value)}`);
    return value;
  });
}

/** The provider (exported for its unit tests). */
export const remoteCommandProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: CommandState, news: CommandState) {
    return { inputs: withoutReasonsOnCreate(olds, news, "drift") };
  },

  async diff(_id: string, olds: CommandState, news: CommandState) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const keys = ["connection", "description", "create", "update", "delete", "stdin", "triggers"] as const;
    const changed = keys.filter((k) => !same(olds[k], news[k]));
    return {
      // New provider code alone is an update that runs nothing on the host (see update), so that the state,
      // and the delete a later destroy runs, carry the new code rather than the copy stored at create.
      changes: changed.length > 0 || drifted(news) || olds.__provider !== news.__provider,
      replaces: changed.includes("triggers") ? ["triggers"] : [],
    };
  },

  async create(inputs: CommandState) {
    const out = await runOverSsh(inputs.connection, inputs.description, filled(inputs.create, inputs.runParameters), inputs.stdin,
      { reuse: true });
    const id = (require("crypto") as typeof import("crypto")).randomBytes(8).toString("hex");
    return { id, outs: { ...inputs, ...out, createdAt: new Date().toISOString() } };
  },

  async update(_id: string, olds: CommandState, news: CommandState) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    // Only a changed script or payload re-runs; a new delete command or connection detail is just stored.
    const rerun = !same(olds.create, news.create) || !same(olds.update, news.update) || !same(olds.stdin, news.stdin) ||
      drifted(news);
    if (!rerun) return { outs: { ...news, stdout: olds.stdout, stderr: olds.stderr, createdAt: olds.createdAt } };
    const out = await runOverSsh(news.connection, news.description, filled(news.update ?? news.create, news.runParameters),
      news.stdin, { reuse: true });
    return { outs: { ...news, ...out, createdAt: olds.createdAt } };
  },

  async delete(_id: string, props: CommandState) {
    if (!props.delete) return;
    try {
      await runOverSsh(props.connection, `${props.description} (undo)`, filled(props.delete, props.runParameters), undefined,
        { reuse: true });
    } catch (err) {
      const message = (err as Error).message;
      // A node being removed or replaced whose host is gone: every later `up` would stop here the same way.
      if (!/cannot reach .* over SSH/.test(message) || props.forgetCommand === undefined) throw err;
      throw new Error(`${message}\nthis node is being removed or replaced and its host cannot be reached. If the host ` +
        `is gone for good, remove the node from the state without touching the host, then run up again:\n  ` +
        `${props.forgetCommand}\n(if it is only unreachable for a while, bring it back instead)`);
    }
  },
};

/** A shell step on a remote host; see the module comment for its life cycle. */
export class RemoteCommand extends pulumi.dynamic.Resource {
  /** Standard output of the last run. */
  public readonly stdout!: pulumi.Output<string>;
  /** Standard error of the last run. */
  public readonly stderr!: pulumi.Output<string>;
  /** When the step was created (ISO time); undefined for a step created before this output existed. */
  public readonly createdAt!: pulumi.Output<string | undefined>;

  constructor(name: string, args: RemoteCommandArgs, opts?: pulumi.CustomResourceOptions) {
    super(remoteCommandProvider, name, { stdout: undefined, stderr: undefined, createdAt: undefined, ...args }, {
      ...opts,
      // The connection holds the private key and stdin may hold the VRRP password: keep both
      // encrypted in the state even when the caller forgot to mark them secret.
      additionalSecretOutputs: ["connection", "stdin", ...(opts?.additionalSecretOutputs ?? [])],
    }, "keepalived-ha", "RemoteCommand");
  }
}
