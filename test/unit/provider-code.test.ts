/**
 * A changed provider reaches existing resources: the engine stores each dynamic provider's serialized code
 * (`__provider`) with the resource, and an unchanged resource would keep the old copy (its destroy would run
 * it). So new code alone is an update, and that update runs nothing on any host. The connection points at a
 * closed local port: an update that went to the host would fail.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generatedSecretProvider } from "../../components/providers/generated-secret";
import { preflightProvider } from "../../components/providers/preflight-check";
import { remoteCommandProvider } from "../../components/providers/remote-command";
import { vipHolderProvider } from "../../components/providers/vip-holder";

const nowhere = { host: "127.0.0.1", port: 1, user: "root", privateKey: "not a key", dialTimeoutSeconds: 1 };
const withCode = <T extends object>(state: T, code: string) => ({ ...state, __provider: code });

describe("new provider code alone", () => {
  test("RemoteCommand: an update, no replacement, nothing run; the outputs stay", async () => {
    const state = { connection: nowhere, description: "step", create: "exit 1", stdin: "x", triggers: ["a"], drift: [], stdout: "before", stderr: "" };
    const diff = await remoteCommandProvider.diff!("id", withCode(state, "old"), withCode(state, "new"));
    assert.deepEqual(diff, { changes: true, replaces: [] });
    assert.equal((await remoteCommandProvider.diff!("id", withCode(state, "same"), withCode(state, "same"))).changes, false);
    const updated = await remoteCommandProvider.update!("id", withCode({ ...state, createdAt: "2026-12-01T00:00:00.000Z" }, "old"), withCode(state, "new"));
    assert.equal(updated.outs.stdout, "before");
    assert.equal(updated.outs.__provider, "new");
    // When the step was created stays: the program tells a node new to the stack (created in this run) by it.
    assert.equal(updated.outs.createdAt, "2026-12-01T00:00:00.000Z");
    const legacy = await remoteCommandProvider.update!("id", withCode(state, "old"), withCode(state, "new"));
    assert.equal(legacy.outs.createdAt, undefined, "a step from before the output: not new either");
  });

  test("VipHolder: an update that keeps the measured holder", async () => {
    const state = { nodes: [{ name: "web1", connection: nowhere, reportCommand: "exit 1" }], vip: "10.0.0.100", settleSeconds: 1, triggers: ["d"], holder: "web1" };
    assert.equal((await vipHolderProvider.diff!("id", withCode(state, "old"), withCode(state, "new"))).changes, true);
    assert.equal((await vipHolderProvider.diff!("id", withCode(state, "same"), withCode(state, "same"))).changes, false);
    assert.equal((await vipHolderProvider.update!("id", withCode(state, "old"), withCode(state, "new"))).outs.holder, "web1");
  });

  test("PreflightCheck: an update that checks nothing", async () => {
    const state = { nodes: [{ name: "web1", connection: nowhere, script: "exit 1" }], plan: { listenSeconds: 3, nodes: { web1: "10.0.0.11" }, instances: [] },
      triggers: ["d"], repairs: [], checkedAt: "then" };
    assert.equal((await preflightProvider.diff!("id", withCode(state, "old"), withCode(state, "new"))).changes, true);
    assert.equal((await preflightProvider.update!("id", withCode(state, "old"), withCode(state, "new"))).outs.checkedAt, "then");
  });

  test("GeneratedSecret: an update that keeps the secret", async () => {
    const state = { length: 8, result: "s3cretAB" };
    assert.deepEqual(await generatedSecretProvider.diff!("id", withCode(state, "old"), withCode(state, "new")), { changes: true, replaces: [] });
    assert.equal((await generatedSecretProvider.update!("id", withCode(state, "old"), withCode(state, "new"))).outs.result, "s3cretAB");
  });
});
