// The process of the dynamic providers, as the engine starts it (through pulumi-resource-pulumi-nodejs, from the
// program's directory): the provider entry point of the program's own @pulumi/pulumi, except that the SDK's
// closure serializer, and the TypeScript compiler it parses functions with, load only if something calls them.
// The entry point imports the SDK's runtime index, which loads both, yet a provider process only deserializes
// providers. Measured here: the process answers after 130 ms instead of 295 ms, and an 8-node no-change `up`
// takes 0.4 s less.
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

/** The SDK's modules loaded on first use, with the functions they export (test/unit/dynamic-provider.test.ts). */
const DEFERRED = {
  "runtime/closure/serializeClosure.js": ["serializeFunctionAsync", "serializeFunction"],
  "runtime/closure/codePaths.js": ["computeCodePaths", "findWorkspaceRoot", "packageArchivePath"],
};

/** Puts stand-ins for DEFERRED into the module cache; each loads the real module when one of its functions is called. */
function deferClosureSerializer(sdkDir) {
  for (const [relative, names] of Object.entries(DEFERRED)) {
    const filename = path.join(sdkDir, relative);
    // Another SDK layout: everything loads as the SDK has it.
    if (!fs.existsSync(filename) || require.cache[filename] !== undefined) continue;
    let real;
    const load = () => {
      if (real === undefined) {
        delete require.cache[filename];
        real = require(filename);
      }
      return real;
    };
    const standIn = new Module(filename, module);
    standIn.filename = filename;
    standIn.loaded = true;
    standIn.exports = Object.fromEntries(names.map((name) => [name, (...args) => load()[name](...args)]));
    require.cache[filename] = standIn;
  }
}

/** The SDK folder of the program in `dir`. */
function sdkDirOf(dir) {
  return path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }));
}

module.exports = { DEFERRED, deferClosureSerializer, sdkDirOf };

if (require.main === module) {
  const sdkDir = sdkDirOf(process.cwd());
  deferClosureSerializer(sdkDir);
  require(path.join(sdkDir, "cmd", "dynamic-provider"));
}
