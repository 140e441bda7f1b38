/**
 * RemoteCommand's run parameters: filled into a script's `%%NAME%%` placeholders when it runs, never compared.
 * The connection points at a closed local port: a script that went to a host would fail.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { filled, remoteCommandProvider } from "../../components/providers/remote-command";

const nowhere = { host: "127.0.0.1", port: 1, user: "root", privateKey: "not a key", dialTimeoutSeconds: 1 };
const state = (runParameters: Record<string, string>) => ({
  connection: nowhere, description: "step", create: "start=%%START_KEEPALIVED%%", stdin: "x", triggers: ["a"], drift: [],
  runParameters, stdout: "before", stderr: "",
});

describe("run parameters", () => {
  test("fill the placeholders they name; a placeholder without a value stays as written", () => {
    assert.equal(filled("a=%%START_KEEPALIVED%% b=%%OTHER%% c=%%START_KEEPALIVED%%", { START_KEEPALIVED: "now" }),
      "a=now b=%%OTHER%% c=now");
    assert.equal(filled("sudo -n /bin/bash -c 'x=%%MODE%%'", { MODE: "later" }), "sudo -n /bin/bash -c 'x=later'");
    assert.equal(filled("x=%%MODE%%", undefined), "x=%%MODE%%");
  });

  test("a value that is not a plain word is refused, not run", () => {
    assert.throws(() => filled("x=%%MODE%%", { MODE: "now; reboot" }), /run parameter MODE is not a plain word/);
    assert.throws(() => filled("x='%%MODE%%'", { MODE: "a'b" }), /not a plain word/);
  });

  test("a new value is no change, and an update for other reasons keeps the outputs without running", async () => {
    const diff = await remoteCommandProvider.diff!("id", state({ START_KEEPALIVED: "now" }), state({ START_KEEPALIVED: "later" }));
    assert.equal(diff.changes, false);
    const updated = await remoteCommandProvider.update!("id", state({ START_KEEPALIVED: "now" }), state({ START_KEEPALIVED: "later" }));
    assert.equal(updated.outs.stdout, "before");
    assert.deepEqual(updated.outs.runParameters, { START_KEEPALIVED: "later" });
  });
});
