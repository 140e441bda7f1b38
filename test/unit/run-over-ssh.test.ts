/**
 * runOverSsh against a local SSH server (ssh2's own, on 127.0.0.1) that answers each command with the number of
 * the connection it came on: a run with `reuse` takes the connection an earlier run left open, runs at the same
 * time get their own, a connection the server dropped while idle is dialled again, and a run without `reuse`
 * closes its connection.
 */
import assert from "node:assert/strict";
import { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Connection, Server } from "ssh2";
import { runOverSsh, SshConnection } from "../../components/ssh/run-over-ssh";
import { sshKeyPair } from "./fixtures";

const hostKey = sshKeyPair("ed25519");
const clientKey = sshKeyPair("ed25519");
const otherKey = sshKeyPair("ed25519");

describe("runOverSsh and its open connections", () => {
  let server: Server;
  let port = 0;
  const open = new Map<number, Connection>();
  let dialled = 0;
  let executed = 0;

  before(async () => {
    server = new Server({ hostKeys: [hostKey.private] }, (client) => {
      const number = ++dialled;
      open.set(number, client);
      client.on("close", () => open.delete(number)).on("error", () => undefined);
      client.on("authentication", (ctx) => (ctx.method === "publickey" ? ctx.accept() : ctx.reject(["publickey"])));
      client.on("session", (accept) => accept().on("exec", (acceptExec, _reject, info) => {
        const stream = acceptExec();
        executed++;
        stream.on("data", () => undefined).on("end", () => {
          // "sleep" answers late, so that two runs overlap; "fail" exits 3 after a line on stderr.
          const reply = () => {
            if (info.command.includes("fail")) {
              stream.stderr.write("it failed\n");
              stream.exit(3);
            } else {
              stream.write(`connection ${number}\n`);
              stream.exit(0);
            }
            stream.end();
          };
          if (info.command.includes("sleep")) setTimeout(reply, 200);
          else reply();
        });
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    for (const client of open.values()) client.end();
    server.close();
  });

  const conn = (privateKey = clientKey.private): SshConnection => ({ host: "127.0.0.1", port, user: "root", privateKey, dialTimeoutSeconds: 5 });
  const run = async (script: string, options: { reuse?: boolean } = {}, privateKey?: string) =>
    (await runOverSsh(conn(privateKey), "test step", script, "stdin text", options)).stdout.trim();

  it("without reuse, every run dials and closes its connection when done", async () => {
    const first = await run("true");
    const second = await run("true");
    assert.notEqual(first, second);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(open.size, 0, "the connections were closed");
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
    open.get(Number(first.split(" ")[1]))!.end();
    await new Promise((r) => setTimeout(r, 100));
    const second = await run("true", { reuse: true });
    assert.match(second, /^connection \d+$/);
    assert.notEqual(second, first);
  });

  it("a connection the host closes just as a run takes it is dialled again, and the command runs once", async () => {
    const first = await run("true", { reuse: true });
    open.get(Number(first.split(" ")[1]))!.end();
    const before = executed;
    const second = await run("true", { reuse: true });
    assert.match(second, /^connection \d+$/);
    assert.notEqual(second, first);
    assert.equal(executed - before, 1);
  });
});
