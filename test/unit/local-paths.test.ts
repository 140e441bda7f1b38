import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { DEFAULTS, localFileReader, resolveLocalPath } from "../../core";

describe("local paths named by a stack config", () => {
  test("~ is the home folder, relative paths are relative to the project, absolute ones stay", () => {
    assert.equal(resolveLocalPath("~/.ssh/id_ed25519", "/proj", "/home/op"), "/home/op/.ssh/id_ed25519");
    assert.equal(resolveLocalPath("~", "/proj", "/home/op"), "/home/op");
    assert.equal(resolveLocalPath("checks/mysql.sh", "/proj", "/home/op"), "/proj/checks/mysql.sh");
    assert.equal(resolveLocalPath("/etc/x.sh", "/proj", "/home/op"), "/etc/x.sh");
    assert.equal(resolveLocalPath("~user/x", "/proj", "/home/op"), "/proj/~user/x", "only the operator's own ~ is expanded");
  });

  test("the default key is the operator's ed25519 key", () => {
    assert.equal(resolveLocalPath(DEFAULTS.sshPrivateKeyPath, "/proj", "/home/op"), "/home/op/.ssh/id_ed25519");
  });

  test("the reader reads relative to the project, whatever the working folder", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-proj-"));
    fs.mkdirSync(path.join(project, "checks"));
    fs.writeFileSync(path.join(project, "checks", "c.sh"), "exit 0\n");
    assert.equal(localFileReader(project, "/nonexistent")("checks/c.sh"), "exit 0\n");
    assert.throws(() => localFileReader(project, "/nonexistent")("checks/missing.sh"), { code: "ENOENT" });
    fs.rmSync(project, { recursive: true });
  });
});
