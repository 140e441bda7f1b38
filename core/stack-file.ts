/**
 * Reads a `Pulumi.<stack>.yaml` text and picks the `keepalived-ha:` keys (prefix removed). YAML syntax
 * errors are reported with file and line; nothing here touches the file system.
 */
import { parseDocument } from "yaml";
import { ConfigProblem } from "./problem";
import { closestKey } from "./suggest";

/** The config namespace (= the Pulumi project name). */
export const NAMESPACE = "keepalived-ha";

/** What a stack file holds for this program. */
export interface StackFileConfig {
  /** `keepalived-ha:` values by key without the prefix; secure values stay `{ secure: "..." }`. */
  readonly values: Record<string, unknown>;
  /** YAML syntax errors and misspelt namespaces, keyed `FILE:LINE` or by config key. */
  readonly problems: ConfigProblem[];
}

/**
 * A problem when `fullKey`'s namespace looks like a misspelt `keepalived-ha` (`keepalive-ha:vrrp`); keys of
 * other programs' namespaces (aws:, pulumi:, ...) give none.
 */
export function namespaceTypo(fullKey: string): ConfigProblem | undefined {
  const colon = fullKey.indexOf(":");
  if (colon < 0) return undefined;
  const namespace = fullKey.slice(0, colon);
  if (namespace === NAMESPACE || closestKey(namespace, [NAMESPACE]) === undefined) return undefined;
  return { key: fullKey, message: `namespace ${JSON.stringify(namespace)} looks like a typo; did you mean "${NAMESPACE}:${fullKey.slice(colon + 1)}"?` };
}

/** Parses stack-file text. `fileName` only labels messages. */
export function readStackFile(text: string, fileName: string): StackFileConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      values: {},
      problems: doc.errors.map((e) => {
        const line = e.linePos?.[0];
        const where = line ? `${fileName}:${line.line}:${line.col}` : fileName;
        // The first line of yaml's message is the useful part; the rest is a code excerpt.
        const text = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return { key: where, message: `YAML syntax error: ${text}` };
      }),
    };
  }
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return { values: {}, problems: [] };
  if (typeof root !== "object" || Array.isArray(root)) {
    return { values: {}, problems: [{ key: fileName, message: "must be a YAML mapping with a `config:` section" }] };
  }
  const config = (root as Record<string, unknown>).config;
  if (config === undefined || config === null) return { values: {}, problems: [] };
  if (typeof config !== "object" || Array.isArray(config)) {
    return { values: {}, problems: [{ key: `${fileName}: config`, message: "must be a mapping of `namespace:key` entries" }] };
  }
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [fullKey, value] of Object.entries(config as Record<string, unknown>)) {
    const colon = fullKey.indexOf(":");
    // Pulumi puts a key without namespace into the project's namespace.
    const namespace = colon < 0 ? NAMESPACE : fullKey.slice(0, colon);
    const key = colon < 0 ? fullKey : fullKey.slice(colon + 1);
    if (namespace === NAMESPACE) {
      values[key] = value;
    } else {
      const typo = namespaceTypo(fullKey);
      if (typo) problems.push(typo);
    }
    // Other namespaces (aws:, pulumi:, ...) belong to other programs and are ignored.
  }
  return { values, problems };
}
