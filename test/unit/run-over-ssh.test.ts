/**
 * runOverSsh against a local SSH server (ssh2's own, on 127.0.0.1) that answers each command with the number of
 * the connection it came on: a run with `reuse` takes the connection an earlier run left open, runs at the same
 * time get their own, a connection the server dropped while idle is dialled again, and a run without `reuse`
 * closes its connection.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runOverSsh, SshConnection } from "../../components/ssh/run-over-ssh";
import { LocalSshServer, localSshServer, sshKeyPair } from "./fixtures";

const clientKey = sshKeyPair("ed25519");
const otherKey = sshKeyPair("ed25519");

describe("runOverSsh and its open connections", () => {
  let server: LocalSshServer;

  before(async () => {
    // "sleep" answers late, so that two runs overlap; "fail" exits 3 after a line on stderr.
    server = await localSshServer((command, number) => (command.includes("fail")
      ? { stderr: "it failed\n", code: 3 }
      : { stdout: `connection ${number}\n`, delayMs: command.includes("sleep") ? 200 : 0 }));
  });

  after(() => server.close());

  const conn = (privateKey = clientKey.private): SshConnection => ({ host: "127.0.0.1", port: server.port, user: "root", privateKey, dialTimeoutSeconds: 5 });
  const run = async (script: string, options: { reuse?: boolean } = {}, privateKey?: string) =>
    (await runOverSsh(conn(privateKey), "test step", script, "stdin text", options)).stdout.trim();

  it("without reuse, every run dials and closes its connection when done", async () => {
    const first = await run("true");
    const second = await run("true");
    assert.notEqual(first, second);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.open.size, 0, "the connections were closed");
  });

  it("with reuse, runs one after another share one connection, and a failed command keeps it", async () => {
    const first = await run("true", { reuse: true });
    await assert.rejects(run("fail", { reuse: true }), /test step failed on 127\.0\.0\.1 \(exit 3\):\nit failed/);
    assert.equal(await run("true", { reuse: true }), first);
  });

  it("runs at the same time get connections of their own, and both are kept", async () => {
    const both = await Promise.all([run("sleep", { reuse: true }), run("sleep", { reuse: true })]);
    assert.notEqual(both[0], both[1]);
    const next = await Promise.all([run("true", { reuse: true }), run("true", { reuse: true })]);
    assert.deepEqual([...next].sort(), [...both].sort());
  });

  it("another key is another connection", async () => {
    const mine = await run("true", { reuse: true });
    assert.notEqual(await run("true", { reuse: true }, otherKey.private), mine);
  });

  it("a connection the host closed while idle is dialled again, and the command runs", async () => {
    const first = await run("true", { reuse: true });
    server.open.get(Number(first.split(" ")[1]))!.end();
    await new Promise((r) => setTimeout(r, 100));
    const second = await run("true", { reuse: true });
    assert.match(second, /^connection \d+$/);
    assert.notEqual(second, first);
  });

  it("a connection the host closes just as a run takes it is dialled again, and the command runs once", async () => {
    const first = await run("true", { reuse: true });
    server.open.get(Number(first.split(" ")[1]))!.end();
    const before = server.commands.length;
    const second = await run("true", { reuse: true });
    assert.match(second, /^connection \d+$/);
    assert.notEqual(second, first);
    assert.equal(server.commands.length - before, 1);
  });
});
