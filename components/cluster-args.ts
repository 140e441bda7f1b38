/**
 * From HaWebCluster's typed args to the validated model, in two stages. What is known at construction is
 * validated at once, every problem together, with the messages of the stack config's keys (the args have
 * the same names and shapes); values that come from other resources (addresses, host keys, ...) are
 * validated, with every rule that needs them, as soon as they resolve, and every step on every host waits
 * for that. A cluster whose args are all known (a stack config) is validated exactly once.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkClusterConfig, ClusterModel, ConfigError, ConfigProblem, LoadOptions, StackConfig } from "../core";
import { HaWebClusterArgs } from "./args";

/** Config paths whose value may come from another resource, i.e. be unknown while the cluster is constructed. */
const DEFERRABLE = [
  /^nodes\[\d+\]\.(address|port|user|hostKey|site)$/,
  /^site$/,
  /^ssh\.user$/,
  /^vrrp(\[\d+\])?\.authPass$/,
  /^vrrp(\[\d+\])?\.unicastPeers$/,
];

/** Stands for a password that resolves later: validation sees a secret, not its text. */
const MASKED_SECRET = { secure: "resolved later" };

/** Not part of the cluster's config: the key, a local file reader and a timing knob. */
const NOT_CONFIG = new Set(["sshPrivateKey", "readFile", "settleSeconds"]);

/** A value that is not known now: an Output or a promise. */
function isUnknown(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** One value that resolves later, at its config path. */
interface DeferredValue {
  readonly path: readonly (string | number)[];
  readonly key: string;
  readonly value: pulumi.Input<unknown>;
}

/** The args as a stack config: what is known now, and what resolves later (left out of `known`). */
export interface ArgsView {
  /** The config with every value known now; deferred values left out (a deferred password masked). */
  readonly known: StackConfig;
  /** The values that resolve later. */
  readonly deferred: readonly DeferredValue[];
  /** Values that must be known now but are not (e.g. a priority from another resource). */
  readonly problems: readonly ConfigProblem[];
}

function keyOf(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Splits the args into the known config and the deferred values. */
export function argsView(args: HaWebClusterArgs): ArgsView {
  const deferred: DeferredValue[] = [];
  const problems: ConfigProblem[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    const key = keyOf(path);
    const deferrable = DEFERRABLE.some((re) => re.test(key));
    if (deferrable && (isUnknown(value) || (Array.isArray(value) && value.some(isUnknown)))) {
      deferred.push({ path, key, value });
      return /authPass$/.test(key) ? MASKED_SECRET : undefined;
    }
    if (isUnknown(value)) {
      problems.push({ key, message: "must be known when the cluster is constructed (it decides the election and the " +
        "resources): pass a plain value, not another resource's output" });
      return undefined;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).filter(([k]) => path.length > 0 || !NOT_CONFIG.has(k))
        .map(([k, v]) => [k, walk(v, [...path, k])]).filter(([, v]) => v !== undefined));
    }
    return value;
  };
  return { known: walk(args, []) as StackConfig, deferred, problems };
}

/** A copy of `config` with `value` at `path`. */
function withValue(config: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(config)) return (config as unknown[]).map((c, i) => (i === head ? withValue(c, rest, value) : c));
  const object = (config ?? {}) as Record<string, unknown>;
  return { ...object, [head]: withValue(object[head as string], rest, value) };
}

/** The model the resources are made from, and the one their inputs come from. */
export interface ClusterModels {
  /**
   * What is known at construction: names, priorities, instances, checks, rolling order. Where a value resolves
   * later (an address, port, user, host key, page) it holds a placeholder: never render or connect from it.
   */
  readonly shape: ClusterModel;
  /** The complete model, validated with every rule once the deferred values are known. */
  readonly model: pulumi.Output<ClusterModel>;
}

/** Placeholders that let the shape be built; they never reach a host (the model replaces them). */
const PLACEHOLDERS: Readonly<Record<string, unknown>> = { address: "0.0.0.0", port: 22, user: "root", site: "" };

function refusal(problems: readonly ConfigProblem[]): pulumi.RunError {
  return new pulumi.RunError(new ConfigError(problems).message);
}

/**
 * Stage two: the config with the deferred values (in `view.deferred` order) filled in, validated with every
 * rule; throws listing every problem. A password that came from another resource stays out of the model
 * (the nodes get it as a secret).
 */
export function completeModel(view: ArgsView, values: readonly unknown[], options: LoadOptions = {}): ClusterModel {
  let full: unknown = view.known;
  view.deferred.forEach((d, i) => { full = withValue(full, d.path, values[i]); });
  const complete = checkClusterConfig(full, options);
  if (complete.problems.length > 0) throw refusal(complete.problems);
  const model = complete.build();
  const deferredKeys = new Set(view.deferred.map((d) => d.key));
  return { ...model, instances: model.instances.map((instance) => (instance.authPass.kind === "plain" &&
    deferredKeys.has(`${instance.key}.authPass`) ? { ...instance, authPass: { kind: "secure" as const } } : instance)) };
}

/**
 * Validates the args: at once what is known (throws listing every problem), then, if some values resolve
 * later, everything again with them as soon as they do (the model fails then, before any step runs).
 */
export function validateClusterArgs(args: HaWebClusterArgs, options: LoadOptions = {}): ClusterModels {
  const view = argsView(args);
  const deferredKeys = new Set(view.deferred.map((d) => d.key));
  const now = checkClusterConfig(view.known, options);
  // A value left out for later is "required" now, or not comparable yet: its rules wait for stage two.
  const problems = [...view.problems, ...now.problems.filter((p) => !deferredKeys.has(p.key))];
  if (problems.length > 0) throw refusal(problems);
  if (view.deferred.length === 0) {
    const model = now.build();
    return { shape: model, model: pulumi.output(model) };
  }
  let shapeConfig: unknown = view.known;
  for (const d of view.deferred) {
    const field = String(d.path[d.path.length - 1]);
    if (field in PLACEHOLDERS && d.path[0] === "nodes") shapeConfig = withValue(shapeConfig, d.path, PLACEHOLDERS[field]);
  }
  const shape = checkClusterConfig(shapeConfig, options).build();
  const resolved = pulumi.all(view.deferred.map((d) => pulumi.output(d.value)))
    .apply((values) => completeModel(view, values, options));
  // The model holds no secret text, even when a deferred value was a secret.
  return { shape, model: pulumi.unsecret(resolved) };
}
