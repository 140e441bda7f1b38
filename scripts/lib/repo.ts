import * as path from "path";

/** The repository root (the project folder, where Pulumi.yaml is): one place for every tool. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
