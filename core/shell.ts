/**
 * Writing shell text: quoting, and the host scripts kept as `.sh` files in core/host-scripts/ (where shellcheck
 * reads them) that the step builders fill in. Pure apart from reading those files.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Characters that mean nothing to the shell, quoted or not. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** True when the word reads the same to the shell unquoted, in double quotes and in a `${x#word}` pattern. */
export function isPlainShellWord(word: string): boolean {
  return PLAIN_WORD.test(word);
}

/** Single-quotes a word for the shell. */
export function shellQuote(word: string): string {
  return isPlainShellWord(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const HOST_SCRIPTS_DIR = path.join(__dirname, "host-scripts");
const PLACEHOLDER = /@([A-Z][A-Z0-9_]*)@/g;
const texts = new Map<string, string>();

/** A template's lines without its comments and blank lines: those are for its readers, the hosts never see them. */
function templateLines(name: string): string[] {
  let text = texts.get(name);
  if (text === undefined) {
    text = fs.readFileSync(path.join(HOST_SCRIPTS_DIR, `${name}.sh`), "utf8");
    texts.set(name, text);
  }
  return text.split("\n").filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
}

/**
 * The script core/host-scripts/NAME.sh with its placeholders filled. A line that is only `@BLOCK@` becomes the
 * lines of `blocks.BLOCK` (none for an empty list), each indented like the placeholder; any other `@WORD@`
 * becomes `words.WORD`, which must be a plain shell word, so it needs no quoting wherever the template puts it.
 * An unknown, missing or unused placeholder is a programming error and throws.
 */
export function hostScript(name: string, words: Readonly<Record<string, string | number>> = {},
  blocks: Readonly<Record<string, readonly string[]>> = {}): string {
  const used = new Set<string>();
  const fill = (line: string): string[] => {
    const block = /^(\s*)@([A-Z][A-Z0-9_]*)@$/.exec(line);
    if (block !== null && blocks[block[2]] !== undefined) {
      used.add(block[2]);
      return blocks[block[2]].map((l) => block[1] + l);
    }
    return [line.replace(PLACEHOLDER, (_, key: string) => {
      const value = words[key];
      if (value === undefined) throw new Error(`host script ${name}: no value for @${key}@`);
      if (!isPlainShellWord(String(value))) throw new Error(`host script ${name}: @${key}@ is not a plain shell word: ${JSON.stringify(value)}`);
      used.add(key);
      return String(value);
    })];
  };
  const script = templateLines(name).flatMap(fill).join("\n");
  const unused = [...Object.keys(words), ...Object.keys(blocks)].filter((key) => !used.has(key));
  if (unused.length > 0) throw new Error(`host script ${name}: no placeholder for ${unused.join(", ")}`);
  return script;
}
