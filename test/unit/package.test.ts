/**
 * The npm package: `npm run build` compiles the library into dist/, and `npm pack` packs dist/ (with its host
 * scripts) and a few top-level files, nothing of tests, lab, tools, benchmarks, examples or state.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { buildPackage, DIST_DIR, packDryRun, PackResult } from "../../scripts/lib/package";
import { REPO_ROOT } from "../../scripts/lib/repo";

/** Top-level files a package may hold besides dist/. */
const ALLOWED_TOP_LEVEL = new Set(["package.json", "README.md", "LICENSE", "docs/config.md"]);
/** Anything matching these must never be packed. */
const FORBIDDEN = [/^test\//, /^scripts\//, /^bench\//, /^examples\//, /^toolchain\//, /^\.pulumi-state\//, /^Pulumi\..*\.ya?ml$/,
  /^Pulumi\.yaml$/, /^index\.ts$/, /(^|\/)node_modules\//, /\.test\.[jt]s$/];

describe("npm package", { timeout: 5 * 60_000 }, () => {
  let packed: PackResult;
  let paths: string[];

  before(() => {
    buildPackage();
    packed = packDryRun();
    paths = packed.files.map((f) => f.path);
    console.log(`# npm pack: ${paths.length} files, ${packed.unpackedSize} bytes unpacked, ${packed.size} bytes packed`);
  });

  test("holds only dist/ and the allowed top-level files", () => {
    const stray = paths.filter((p) => !p.startsWith("dist/") && !ALLOWED_TOP_LEVEL.has(p));
    assert.deepEqual(stray, []);
    const forbidden = paths.filter((p) => FORBIDDEN.some((re) => re.test(p)));
    assert.deepEqual(forbidden, []);
  });

  test("the entry point and its declarations are in it, where package.json points", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { main: string; types: string };
    assert.equal(pkg.main, "dist/components/index.js");
    assert.equal(pkg.types, "dist/components/index.d.ts");
    for (const p of [pkg.main, pkg.types, "dist/components/args.d.ts", "dist/core/index.js", "dist/core/index.d.ts"]) {
      assert.ok(paths.includes(p), `${p} packed`);
    }
    // Every compiled module has its declarations.
    const missing = paths.filter((p) => p.endsWith(".js")).filter((p) => !paths.includes(p.replace(/\.js$/, ".d.ts")));
    assert.deepEqual(missing, []);
  });

  test("every host script is packed next to the compiled core/shell.js, which reads them from there", async () => {
    const scripts = fs.readdirSync(path.join(REPO_ROOT, "core", "host-scripts")).filter((n) => n.endsWith(".sh"));
    assert.ok(scripts.length > 0);
    const unpacked = scripts.filter((n) => !paths.includes(`dist/core/host-scripts/${n}`));
    assert.deepEqual(unpacked, []);
    // The compiled module finds them at run time (a template that is missing would throw ENOENT).
    const shell = (await import(path.join(DIST_DIR, "core", "shell.js"))) as typeof import("../../core/shell");
    const scriptName = scripts[0].replace(/\.sh$/, "");
    assert.throws(() => shell.hostScript(scriptName, { NO_SUCH_PLACEHOLDER: "x" }), /no placeholder for NO_SUCH_PLACEHOLDER|no value for/);
  });

  test("the compiled entry point loads and exports the components", async () => {
    const lib = (await import(path.join(DIST_DIR, "components", "index.js"))) as Record<string, unknown>;
    for (const name of ["HaWebCluster", "ClusterNode", "RemoteCommand"]) assert.equal(typeof lib[name], "function", name);
  });
});
