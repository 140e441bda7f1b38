// ESLint flat config: typescript-eslint's type-checked recommended rules over the TypeScript the type-check
// covers (tsconfig.json). `npm run lint` runs it, and `npm test` after the type-check; no finding is allowed.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "build/", "dist/", "out/", ".cache/", "toolchain/"] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // node:test's describe/it/test and Pulumi's log functions return promises no caller needs to await.
      "@typescript-eslint/no-floating-promises": ["error", {
        allowForKnownSafeCalls: [
          { from: "package", package: "node:test", name: ["describe", "it", "test", "suite", "before", "after", "beforeEach", "afterEach"] },
          { from: "package", package: "@pulumi/pulumi", name: ["debug", "info", "warn", "error"] },
        ],
      }],
      // A closure may read a variable that is assigned after it is made (cluster-node.ts's `drift`).
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ["components/providers/**/*.ts", "components/ssh/**/*.ts"],
    rules: {
      // The engine serializes provider functions, and the SSH client they call, into the state: they require
      // their modules inside themselves.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    files: ["components/providers/**/*.ts"],
    rules: {
      // Provider methods are async to meet the dynamic-provider interface, whether or not they await.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      // Tests handle raw stack configs as `any` on purpose (they bend them into every wrong shape the parser must
      // refuse), and read the tools' JSON output the same way.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  { files: ["**/*.mjs"], extends: [tseslint.configs.disableTypeChecked] },
);
