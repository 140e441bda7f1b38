/**
 * Programs outside the repo that use the packed package, as a Pulumi user's would: pack it, write a program
 * folder depending on the tarball, install with npm (from the machine's npm cache where it can), type-check.
 * Packing itself is scripts/lib/package.ts's packInto.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO, toolchainEnv } from "./pulumi";

/** The repo's package.json, for the versions a consumer pins to match it. */
const repoPackage = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

/** The exact version the repo develops with of one of its devDependencies (e.g. `@pulumi/pulumi`). */
export function repoVersion(pkg: string): string {
  const version = repoPackage.devDependencies[pkg];
  if (version === undefined) throw new Error(`package.json has no devDependency ${pkg}`);
  return version;
}

/**
 * The dependencies a TypeScript Pulumi program needs besides the package itself, at the repo's exact versions
 * (so npm finds them in its cache): the SDK the program's own resources register with, and what runs it.
 */
export function programDependencies(): { dependencies: Record<string, string>; devDependencies: Record<string, string> } {
  return {
    dependencies: { "@pulumi/pulumi": repoVersion("@pulumi/pulumi") },
    devDependencies: Object.fromEntries(["typescript", "ts-node", "@types/node"].map((p) => [p, repoVersion(p)])),
  };
}

/** A strict tsconfig for a consumer program: CommonJS like the repo, checking the package's declarations too. */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", lib: ["ES2022"], types: ["node"],
    esModuleInterop: true, forceConsistentCasingInFileNames: true, noEmit: true,
  },
  include: ["*.ts"],
};

/** Result of a command run in a program folder. */
export interface CommandResult {
  /** Exit status (-1 when it did not exit, e.g. timed out). */
  readonly code: number;
  /** Standard output and error together. */
  readonly out: string;
}

/** Runs a command in `dir` with the pinned toolchain's environment (its Node.js first on PATH). */
export function runIn(dir: string, command: string, args: readonly string[], timeoutMs = 10 * 60_000): CommandResult {
  const r = spawnSync(command, [...args], {
    cwd: dir, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...toolchainEnv(), NO_COLOR: "1" },
  });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** `npm install` in `dir`, taking what the machine's npm cache has; throws with npm's output when it fails. */
export function npmInstall(dir: string, ...packages: string[]): void {
  const r = runIn(dir, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...packages]);
  if (r.code !== 0) throw new Error(`npm install in ${dir} failed (${r.code}):\n${r.out}`);
}

/** `tsc --noEmit -p DIR` with the program's own TypeScript (from its node_modules). */
export function typecheck(dir: string): CommandResult {
  return runIn(dir, process.execPath, [path.join(dir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", dir]);
}
