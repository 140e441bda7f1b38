/**
 * SSH servers that show a host key and let nobody in, one per address given on the command line, on port 22.
 * Run inside a private network namespace (test/integration/pin-host-keys.test.ts), so the addresses exist
 * nowhere else. Prints `ready NAME=ADDRESS KEYLINE` per server; a line `rotate ADDRESS` on stdin gives that
 * server a new key and prints it the same way.
 */
import * as readline from "readline";
import { Server, utils } from "ssh2";

const servers = new Map<string, Server>();

function start(address: string): Promise<void> {
  const pair = utils.generateKeyPairSync("ed25519");
  const server = new Server({ hostKeys: [pair.private] }, (client) => {
    client.on("authentication", (ctx) => ctx.reject());
    client.on("error", () => { /* the client hangs up during the handshake on purpose */ });
  });
  servers.set(address, server);
  return new Promise((resolve) => server.listen(22, address, () => {
    process.stdout.write(`ready ${address} ${pair.public.trim().split(/\s+/).slice(0, 2).join(" ")}\n`);
    resolve();
  }));
}

async function main(): Promise<void> {
  for (const address of process.argv.slice(2)) await start(address);
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [verb, address] = line.trim().split(/\s+/);
    if (verb !== "rotate" || !servers.has(address)) continue;
    await new Promise<void>((resolve) => servers.get(address)!.close(() => resolve()));
    await start(address);
  }
  for (const server of servers.values()) server.close();
}

void main();
