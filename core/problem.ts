/** One thing wrong with the input: where it is and what to do about it. */
export interface ConfigProblem {
  /** Config path of the bad value without the namespace, e.g. `nodes[1].priority`, or `FILE:LINE` for syntax errors. */
  readonly key: string;
  /** Names the bad value and the fix, as one sentence or two. */
  readonly message: string;
}

/** Thrown before anything is touched when the config has problems; carries all of them. */
export class ConfigError extends Error {
  /** Every problem found, in a stable order (config order, then rule order). */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], heading = "invalid keepalived-ha configuration") {
    super(formatProblems(problems, heading));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Readable multi-line text: a heading with the count, then one `- key: message` line per problem. */
export function formatProblems(problems: readonly ConfigProblem[], heading = "invalid keepalived-ha configuration"): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return [`${heading} (${count}):`, ...problems.map((p) => `  - ${p.key}: ${p.message}`)].join("\n");
}

/** Renders a value for a message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  // What JSON cannot show (a function, a symbol, a BigInt, a cycle) is shown as String() shows it.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return json ?? String(value);
}
