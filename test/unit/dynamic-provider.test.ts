/**
 * The dynamic providers' process entry (toolchain/dynamic-provider.cjs): the SDK's closure serializer loads only
 * when called, its stand-ins offer exactly what the real modules export, and the entry starts the SDK's provider
 * as the engine starts it (from the program's directory), which prints the port it listens on.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";

const REPO = path.resolve(__dirname, "..", "..");
const ENTRY = path.join(REPO, "toolchain", "dynamic-provider.cjs");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const entry = require(ENTRY) as { DEFERRED: Record<string, string[]>; sdkDirOf(dir: string): string };

describe("the dynamic providers' process entry", () => {
  it("defers modules whose exports are exactly the functions it stands in for", () => {
    const sdk = entry.sdkDirOf(REPO);
    for (const [relative, names] of Object.entries(entry.DEFERRED)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const real = require(path.join(sdk, relative)) as Record<string, unknown>;
      const functions = Object.keys(real).filter((k) => typeof real[k] === "function").sort();
      assert.deepEqual([...names].sort(), functions, `${relative} exports changed: update DEFERRED`);
    }
  });

  it("loads the SDK's runtime without the TypeScript compiler, and the real serializer on first use", () => {
    const script = `
      const { deferClosureSerializer, sdkDirOf } = require(${JSON.stringify(ENTRY)});
      deferClosureSerializer(sdkDirOf(process.cwd()));
      const runtime = require("@pulumi/pulumi/runtime");
      const typescriptLoaded = () => Object.keys(require.cache).some((f) => /node_modules\\/typescript\\//.test(f));
      const before = typescriptLoaded();
      runtime.serializeFunction(() => 41 + 1).then((s) => {
        console.log(JSON.stringify({ before, after: typescriptLoaded(), text: s.text }));
      });`;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").pop()!) as { before: boolean; after: boolean; text: string };
    assert.equal(result.before, false);
    assert.equal(result.after, true);
    assert.match(result.text, /41 \+ 1/);
  });

  it("started as the engine starts it, answers with the port it listens on", async () => {
    const child = spawn(process.execPath, [ENTRY, "127.0.0.1:1"], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0]);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code} before printing a port`)));
      });
      assert.match(firstLine, /^\d+$/);
    } finally {
      child.kill();
    }
  });
});
