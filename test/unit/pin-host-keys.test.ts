/**
 * pin-host-keys: fingerprints in OpenSSH's format, the plan against pinned keys (new, matches, mismatch
 * refused), the config set commands, and the handshake against a local SSH server (ssh2's own, on 127.0.0.1),
 * which must hand over its key without any login.
 */
import assert from "node:assert/strict";
import { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Server } from "ssh2";
import { validateConfig } from "../../core";
import { fetchHostKey } from "../../scripts/lib/fetch-host-key";
import {
  blobKeyType, configSetCommands, fingerprint, formatPlan, hostKeyAlgorithms, hostKeyLine, mismatchRefusal, parseHostKeyLine,
  PinNode, planPins, PREFERRED_HOST_KEY_ALGORITHMS,
} from "../../scripts/lib/host-keys";
import { seedWith, sshKeyPair } from "./fixtures";

// Made with ssh-keygen; the fingerprints are what `ssh-keygen -lf` printed for them.
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJNHYAqWxU78MXWOphsTsOkRsi7uMHzbfVbmQ7vVyQj9";
const ED25519_FP = "SHA256:dd97NwKmHMVOZqU+cuQjBi/GI7A2W9jmIY02uLZ94PI";
const ECDSA = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFWt4humPWGAcJLZhBGYCBGWoyLajMIIRzHPVwdbjzMM8dW5W1oDNiQseLjfGkdbPAheRdhk0KK82ZAcy5XyyM4=";
const ECDSA_FP = "SHA256:iIjo8UOkYwVEex0TBmakb5Z9lKBSefSC5HSLtKV9lZQ";

const key = (line: string) => parseHostKeyLine(line)!;
const node = (index: number, hostKey?: string): PinNode =>
  ({ index, name: `web${index + 1}`, address: `10.0.0.${11 + index}`, port: 22, ...(hostKey !== undefined ? { hostKey } : {}) });

describe("host key lines and fingerprints", () => {
  it("fingerprints like ssh-keygen -l: SHA256: and base64 without padding", () => {
    assert.equal(fingerprint(key(ED25519)), ED25519_FP);
    assert.equal(fingerprint(key(ECDSA)), ECDSA_FP);
    assert.doesNotMatch(fingerprint(key(ECDSA)), /=/);
  });

  it("reads the key type from the blob and writes the line back unchanged", () => {
    assert.equal(blobKeyType(key(ED25519).blob), "ssh-ed25519");
    assert.equal(hostKeyLine(key(ED25519)), ED25519);
    assert.equal(hostKeyLine(parseHostKeyLine(`${ECDSA} root@web1`)!), ECDSA);
  });

  it("the line it writes is one the config accepts as nodes[].hostKey", () => {
    assert.deepEqual(validateConfig(seedWith((c) => { c.nodes[0].hostKey = hostKeyLine(key(ED25519)); })).problems, []);
  });

  it("refuses lines that are not host keys, or whose type does not match the blob", () => {
    assert.equal(parseHostKeyLine("ssh-ed25519"), undefined);
    assert.equal(parseHostKeyLine("ssh-ed25519 not*base64"), undefined);
    assert.equal(parseHostKeyLine(`ssh-rsa ${ED25519.split(" ")[1]}`), undefined);
  });

  it("asks for ed25519 first, and for a pinned key's own algorithm", () => {
    assert.equal(hostKeyAlgorithms(undefined)[0], "ssh-ed25519");
    assert.deepEqual(hostKeyAlgorithms(undefined), [...PREFERRED_HOST_KEY_ALGORITHMS]);
    assert.deepEqual(hostKeyAlgorithms(key(ECDSA)), ["ecdsa-sha2-nistp256"]);
    assert.deepEqual(hostKeyAlgorithms({ type: "ssh-rsa", blob: Buffer.alloc(0) }), ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });
});

describe("the pinning plan", () => {
  it("pins unpinned nodes, leaves matching ones, and sets only the new keys at their own index", () => {
    const entries = planPins([node(0), node(1, `${ECDSA} old-comment`)], [key(ED25519), key(ECDSA)]);
    assert.deepEqual(entries.map((e) => e.status), ["new", "matches"]);
    assert.deepEqual(configSetCommands(entries, "prod"), [
      ["config", "set", "--path", "keepalived-ha:nodes[0].hostKey", ED25519, "--stack", "prod"],
    ]);
    assert.equal(mismatchRefusal(entries, "prod"), undefined);
    const table = formatPlan(entries);
    assert.match(table, new RegExp(`web1\\s+10\\.0\\.0\\.11:22\\s+ssh-ed25519\\s+${ED25519_FP.replace(/[+/]/g, "\\$&")}\\s+not pinned yet: will be pinned`));
    assert.match(table, /web2\s+10\.0\.0\.12:22\s+ecdsa-sha2-nistp256\s+\S+\s+pinned, matches/);
  });

  it("a pinned key that differs is refused loudly, never overwritten", () => {
    const entries = planPins([node(0), node(1, ECDSA)], [key(ED25519), key(ED25519)]);
    assert.deepEqual(entries.map((e) => e.status), ["new", "mismatch"]);
    const refusal = mismatchRefusal(entries, "prod")!;
    assert.match(refusal, /HOST KEY MISMATCH/);
    assert.match(refusal, /man in the middle/);
    assert.ok(refusal.includes(`web2 (10.0.0.12:22): pinned ecdsa-sha2-nistp256 ${ECDSA_FP}, the host presented ssh-ed25519 ${ED25519_FP}`));
    assert.match(refusal, /config rm --path 'keepalived-ha:nodes\[1\]\.hostKey' --stack prod/);
    assert.match(formatPlan(entries), /PINNED KEY DIFFERS: refused/);
    // The command refuses before it writes anything; the plan itself never turns a mismatch into a write.
    assert.ok(configSetCommands(entries, "prod").every((args) => !args.includes("keepalived-ha:nodes[1].hostKey")));
  });

  it("the same key of the same type matches even with another comment; an unreadable pinned line does not", () => {
    assert.equal(planPins([node(0, `${ED25519} a`)], [key(ED25519)])[0].status, "matches");
    assert.equal(planPins([node(0, "ssh-ed25519 AAAA")], [key(ED25519)])[0].status, "mismatch");
  });
});

describe("fetching a host key from a local SSH server", () => {
  const ed = sshKeyPair("ed25519");
  const ec = sshKeyPair("ecdsa", { bits: 256 });
  let server: Server;
  let port = 0;
  let logins = 0;

  before(async () => {
    server = new Server({ hostKeys: [ec.private, ed.private] }, (client) => {
      client.on("authentication", (ctx) => { logins++; ctx.reject(); });
      client.on("error", () => { /* the verifier hangs up on purpose */ });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  const line = (publicKey: string) => publicKey.trim().split(/\s+/).slice(0, 2).join(" ");

  it("gets the ed25519 key when nothing is pinned, without logging in", async () => {
    const got = await fetchHostKey({ host: "127.0.0.1", port, algorithms: hostKeyAlgorithms(undefined), timeoutSeconds: 5 });
    assert.equal(hostKeyLine(got), line(ed.public));
    assert.equal(logins, 0);
  });

  it("gets the pinned key's type when another one is pinned", async () => {
    const got = await fetchHostKey({ host: "127.0.0.1", port, algorithms: hostKeyAlgorithms(key(line(ec.public))), timeoutSeconds: 5 });
    assert.equal(hostKeyLine(got), line(ec.public));
  });

  it("a port nobody listens on is an error naming the address", async () => {
    const closed = new Server({ hostKeys: [ed.private] }, () => undefined);
    const freePort = await new Promise<number>((resolve) => closed.listen(0, "127.0.0.1", () => resolve((closed.address() as AddressInfo).port)));
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(fetchHostKey({ host: "127.0.0.1", port: freePort, algorithms: ["ssh-ed25519"], timeoutSeconds: 5 }),
      new RegExp(`cannot get the SSH host key of 127\\.0\\.0\\.1:${freePort}: `));
  });
});
