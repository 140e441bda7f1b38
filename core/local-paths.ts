/**
 * Paths on the operator's machine that a stack config names (`checks[].file`, `ssh.privateKeyPath`): one rule
 * for the program and every tool, so `npm run render` accepts exactly what `pulumi up` does. `~` and `~/...`
 * are the home folder; a relative path is relative to the project folder (where Pulumi.yaml is; `pulumi` runs
 * the program there).
 */
import * as fs from "fs";
import * as path from "path";

/** The path a config value names, absolute. */
export function resolveLocalPath(value: string, projectDir: string, homeDir: string): string {
  const expanded = value === "~" || value.startsWith("~/") ? path.join(homeDir, value.slice(1)) : value;
  return path.resolve(projectDir, expanded);
}

/** Reads a file a config value names (UTF-8); throws the file system's error (its code names the problem). */
export function localFileReader(projectDir: string, homeDir: string): (value: string) => string {
  return (value) => fs.readFileSync(resolveLocalPath(value, projectDir, homeDir), "utf8");
}
