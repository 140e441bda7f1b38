/** Byte-for-byte snapshots under test/unit/snapshots: one helper for every test that pins rendered text. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const SNAPSHOT_DIR = path.join(__dirname, "snapshots");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

/** Compares byte for byte with test/unit/snapshots/NAME; UPDATE_SNAPSHOTS=1 rewrites it. */
export function matchSnapshot(name: string, actual: string): void {
  const file = path.join(SNAPSHOT_DIR, name);
  if (UPDATE || !fs.existsSync(file)) {
    if (!UPDATE) assert.fail(`snapshot ${name} is missing; run with UPDATE_SNAPSHOTS=1 to create it`);
    fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, "utf8"), `snapshot ${name} differs; if intended, rerun with UPDATE_SNAPSHOTS=1`);
}
