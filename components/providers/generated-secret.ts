import * as pulumi from "@pulumi/pulumi";

/**
 * A random secret generated once and kept, encrypted, in the stack's state: the role @pulumi/random's
 * RandomPassword plays, as a dynamic provider because that plugin cannot be built on these machines
 * (README.md, "How the Pulumi toolchain is obtained"). It is regenerated only when `length`, `alphabet` or `keepers` change.
 */

/** Inputs of a GeneratedSecret. */
export interface GeneratedSecretArgs {
  /** Number of characters. */
  readonly length: pulumi.Input<number>;
  /** Characters to draw from; each is equally likely. Defaults to letters and digits. */
  readonly alphabet?: pulumi.Input<string>;
  /** Arbitrary values whose change forces a new secret (rotation). */
  readonly keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

interface SecretState {
  length: number;
  alphabet?: string;
  keepers?: Record<string, string>;
  result?: string;
  /** The provider's own code as the engine serialized it (set by the SDK). */
  __provider?: string;
}

/** The provider (exported for its unit tests). */
export const generatedSecretProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: SecretState, news: SecretState) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const changed = (["length", "alphabet", "keepers"] as const).filter((k) => !same(olds[k], news[k]));
    // New provider code alone is an update that keeps the secret: the state just takes the new code.
    return { changes: changed.length > 0 || olds.__provider !== news.__provider, replaces: [...changed] };
  },

  async update(_id: string, olds: SecretState, news: SecretState) {
    return { outs: { ...news, result: olds.result } };
  },

  async create(inputs: SecretState) {
    const { randomInt, randomBytes } = require("crypto") as typeof import("crypto");
    const alphabet = inputs.alphabet ?? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // randomInt draws without modulo bias.
    const result = Array.from({ length: inputs.length }, () => alphabet[randomInt(alphabet.length)]).join("");
    return { id: randomBytes(8).toString("hex"), outs: { ...inputs, result } };
  },
};

/** A generated secret; `result` is always a secret output. */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  /** The generated value. */
  public readonly result!: pulumi.Output<string>;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(generatedSecretProvider, name, { result: undefined, ...args }, {
      ...opts,
      additionalSecretOutputs: ["result", ...(opts?.additionalSecretOutputs ?? [])],
    }, "keepalived-ha", "GeneratedSecret");
  }
}
