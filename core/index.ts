/**
 * The pure core of keepalived-ha: stack config → validated model → rendered files. No Pulumi imports.
 */
import { ClusterModel, buildClusterModel } from "./model";
import { ConfigError, ConfigProblem } from "./problem";
import { validateConfig } from "./validate";

export * from "./problem";
export * from "./config";
export * from "./validate";
export * from "./election";
export * from "./model";
export * from "./os";
export { isPlainShellWord, shellQuote } from "./shell";
export * from "./stack-file";
export * from "./suggest";
export * from "./render";
export * from "./host-observation";
export * from "./drift";
export * from "./local-paths";
export * from "./empty-config";

/** Options of loadClusterModel. */
export interface LoadOptions {
  /** Reads a local file for `checks[].file` script checks (e.g. `(p) => fs.readFileSync(p, "utf8")`). */
  readonly readFile?: (path: string) => string;
}

/** Validates and reads script files; returns the problems and the bodies of file-based script checks. */
export function checkClusterConfig(raw: unknown, options: LoadOptions = {}): {
  problems: ConfigProblem[];
  build: () => ClusterModel;
} {
  const { config, problems } = validateConfig(raw);
  const bodies = new Map<number, string>();
  if (problems.length === 0) {
    config.checks?.forEach((check, i) => {
      if (check.type !== "script" || check.file === undefined) return;
      if (options.readFile === undefined) {
        problems.push({ key: `checks[${i}].file`, message: "local script files cannot be read here; use body (inline script) instead" });
        return;
      }
      try {
        bodies.set(i, options.readFile(check.file));
      } catch (e) {
        // The error code alone (ENOENT, EACCES): the message would repeat the path, made absolute by the reader.
        const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        problems.push({ key: `checks[${i}].file`, message: `cannot read ${JSON.stringify(check.file)} (${reason}); fix the path or use body` });
      }
    });
  }
  return { problems, build: () => buildClusterModel(config, bodies) };
}

/**
 * Parses and validates the `keepalived-ha:` config (keys without prefix) and builds the cluster model.
 * Throws ConfigError listing every problem when the config is not valid.
 */
export function loadClusterModel(raw: unknown, options: LoadOptions = {}): ClusterModel {
  const { problems, build } = checkClusterConfig(raw, options);
  if (problems.length > 0) throw new ConfigError(problems);
  return build();
}
