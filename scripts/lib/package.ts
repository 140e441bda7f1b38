/**
 * The npm package of the library (components/ and core/): building it into dist/ and packing it. Shared by
 * `npm run build` (scripts/build.ts) and the tests that check what the package holds and install it elsewhere.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./repo";

/** Where the build writes the compiled library (git-ignored). */
export const DIST_DIR = path.join(REPO_ROOT, "dist");

/** The host scripts core/shell.ts reads at run time from `host-scripts/` next to its own module. */
const HOST_SCRIPTS = { from: path.join(REPO_ROOT, "core", "host-scripts"), to: path.join(DIST_DIR, "core", "host-scripts") };

/**
 * Compiles components/ and core/ with tsconfig.build.json into dist/ (JavaScript and `.d.ts`), after removing
 * what an earlier build left (so nothing stale is packed), then copies the host scripts beside the compiled core.
 * Throws with tsc's output when the library does not compile.
 */
export function buildPackage(): void {
  fs.rmSync(DIST_DIR, { recursive: true, force: true });
  const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${r.status}):\n${r.stdout}${r.stderr}`);
  fs.mkdirSync(HOST_SCRIPTS.to, { recursive: true });
  for (const name of fs.readdirSync(HOST_SCRIPTS.from).filter((n) => n.endsWith(".sh"))) {
    fs.copyFileSync(path.join(HOST_SCRIPTS.from, name), path.join(HOST_SCRIPTS.to, name));
  }
}

/** One file of a packed package, as `npm pack --json` lists it. */
export interface PackedFile {
  /** Path inside the package, e.g. `dist/components/index.js`. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
}

/** What `npm pack --json` says of a package. */
export interface PackResult {
  /** The tarball's file name, e.g. `keepalived-ha-0.1.0.tgz`. */
  readonly filename: string;
  /** Every file in the package. */
  readonly files: readonly PackedFile[];
  /** Sum of the files' sizes, bytes. */
  readonly unpackedSize: number;
  /** Size of the tarball, bytes. */
  readonly size: number;
}

/** Runs npm in the repo with `args` and returns its standard output; throws with its output when it fails. */
function npm(args: readonly string[]): string {
  const r = spawnSync("npm", [...args], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The JSON `npm pack --json` prints (after any lifecycle output, which goes before it). */
function parsePackJson(stdout: string): PackResult {
  const start = stdout.indexOf("[\n");
  const [result] = JSON.parse(start >= 0 ? stdout.slice(start) : stdout) as PackResult[];
  return result;
}

/**
 * What `npm pack` would put in the package, without writing it and without running `prepack`: build first
 * (buildPackage) for dist/ to be there.
 */
export function packDryRun(): PackResult {
  return parsePackJson(npm(["pack", "--dry-run", "--json", "--ignore-scripts"]));
}

/** Builds (through `prepack`) and packs the package into `destDir`; returns the tarball's absolute path. */
export function packInto(destDir: string): string {
  fs.mkdirSync(destDir, { recursive: true });
  const result = parsePackJson(npm(["pack", "--json", "--pack-destination", destDir]));
  return path.join(destDir, result.filename);
}
