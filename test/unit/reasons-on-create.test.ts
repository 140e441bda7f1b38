/**
 * A resource being created stores no reasons to run again (drift, repairs): the next run that finds the hosts in
 * sync then leaves its inputs as they are, and the engine does not rewrite the state for it. An existing resource
 * keeps them, so its diff sees the drift.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { preflightProvider } from "../../components/providers/preflight-check";
import { withoutReasonsOnCreate } from "../../components/providers/reasons-on-create";
import { remoteCommandProvider } from "../../components/providers/remote-command";
import { vipHolderProvider } from "../../components/providers/vip-holder";

const step = { description: "step", create: "true", drift: ["keepalived.conf differs"] };

describe("reasons to run again, on create", () => {
  test("a new resource (no old inputs) keeps none; an existing one keeps them; an unknown value is left alone", () => {
    assert.deepEqual(withoutReasonsOnCreate({}, step, "drift").drift, []);
    assert.deepEqual(withoutReasonsOnCreate(undefined, step, "drift").drift, []);
    assert.deepEqual(withoutReasonsOnCreate({ create: "true" }, step, "drift").drift, ["keepalived.conf differs"]);
    const unknown = { ...step, drift: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" as unknown as string[] };
    assert.equal(withoutReasonsOnCreate({}, unknown, "drift"), unknown);
  });

  test("RemoteCommand drops its drift when created and keeps it when it exists, which its diff then sees", async () => {
    const created = await remoteCommandProvider.check!({}, step);
    assert.deepEqual(created.inputs?.drift, []);
    const existing = await remoteCommandProvider.check!({ ...step, drift: [] }, step);
    assert.deepEqual(existing.inputs?.drift, ["keepalived.conf differs"]);
    assert.equal((await remoteCommandProvider.diff!("id", { ...step, drift: [] }, existing.inputs)).changes, true);
  });

  test("PreflightCheck and VipHolder drop their repairs when created", async () => {
    const inputs = { repairs: ["node2 keepalived"], triggers: ["d"] };
    assert.deepEqual((await preflightProvider.check!({}, inputs)).inputs?.repairs, []);
    assert.deepEqual((await vipHolderProvider.check!({}, inputs)).inputs?.repairs, []);
    assert.deepEqual((await vipHolderProvider.check!(inputs, inputs)).inputs?.repairs, ["node2 keepalived"]);
  });
});
