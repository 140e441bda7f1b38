/**
 * `npm run pin-host-keys` end to end with the pinned Pulumi CLI on a throwaway backend, against two SSH servers
 * of ssh2's own (test/support/key-servers.ts) in a private network namespace, on addresses that exist only
 * there: no lab and no other host is contacted. It refuses without --yes off a terminal, pins both keys with
 * --yes, has nothing to do on a re-run, and refuses a changed host key with nothing written. Needs root
 * (unshare --net), like keepalived-t.test.ts.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as readline from "node:readline";
import { after, before, describe, it } from "node:test";
import { REPO, TestStack, toolchainEnv } from "../support/pulumi";

const ADDRESSES = ["192.0.2.11", "192.0.2.12"];
const skipReason = process.getuid?.() === 0 ? false : "needs root for unshare --net";

/** The key servers in their namespace, and the key line each address shows now. */
class KeyServers {
  public readonly keys = new Map<string, string>();
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  constructor() {
    const setup = ["ip link set lo up", ...ADDRESSES.map((a) => `ip addr add ${a}/24 dev lo`)].join(" && ");
    this.child = spawn("unshare", ["--net", "bash", "-c",
      `${setup} && exec "$0" --import tsx test/support/key-servers.ts ${ADDRESSES.join(" ")}`, process.execPath],
    { cwd: REPO, stdio: ["pipe", "pipe", "inherit"] });
    this.lines = readline.createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }
  /** Reads `count` ready lines. */
  async ready(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const { value, done } = await this.lines.next();
      assert.ok(!done, "the key servers ended");
      const [, address, ...key] = String(value).split(" ");
      this.keys.set(address, key.join(" "));
    }
  }
  /** Gives the server at `address` a new host key. */
  async rotate(address: string): Promise<void> {
    this.child.stdin!.write(`rotate ${address}\n`);
    await this.ready(1);
  }
  /** `nsenter` arguments that run a command in the servers' network namespace. */
  get enter(): string[] {
    return [`--net=/proc/${this.child.pid}/ns/net`];
  }
  stop(): void {
    this.child.kill();
  }
}

function stackConfig(): string {
  return `config:
  keepalived-ha:nodes:
    - { name: web1, address: ${ADDRESSES[0]}, priority: 100, os: debian }
    - { name: web2, address: ${ADDRESSES[1]}, priority: 90, os: debian }
  keepalived-ha:vrrp: { interface: lo, virtualRouterId: 51, vips: ["192.0.2.100/24"] }
  keepalived-ha:checks:
    - { name: chk_web, type: tcp, port: 80, weight: -30 }
`;
}

describe("pin-host-keys against SSH servers in a private network namespace", { skip: skipReason }, () => {
  let servers: KeyServers;
  let stack: TestStack;

  before(async () => {
    servers = new KeyServers();
    await servers.ready(ADDRESSES.length);
    stack = new TestStack("pin-host-keys", stackConfig());
  });
  after(() => {
    stack?.remove();
    servers?.stop();
  });

  /** Runs the command as a user would (stdin not a terminal), in the servers' namespace. */
  const pin = (...args: string[]) => {
    const r = spawnSync("nsenter", [...servers.enter, "bash", "scripts/node.sh", "--import", "tsx", "scripts/pin-host-keys.ts",
      "--stack", stack.name, ...args], {
      cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000,
      env: { ...toolchainEnv(), PULUMI_BACKEND_URL: `file://${stack.backendDir}` },
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const pinned = (i: number) => {
    const r = stack.run(["config", "get", "--path", `keepalived-ha:nodes[${i}].hostKey`]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  };

  it("off a terminal without --yes: shows the fingerprints, writes nothing, says to add --yes", () => {
    const r = pin();
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /web1\s+192\.0\.2\.11:22\s+ssh-ed25519\s+SHA256:[A-Za-z0-9+/]{43}\s+not pinned yet/);
    assert.match(r.out, /add --yes/);
    assert.equal(pinned(0), undefined);
  });

  it("with --yes: both keys are in the stack config, as the servers present them", () => {
    const r = pin("--yes");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Pinned 2 key\(s\)/);
    assert.equal(pinned(0), servers.keys.get(ADDRESSES[0]));
    assert.equal(pinned(1), servers.keys.get(ADDRESSES[1]));
  });

  it("a re-run finds every key pinned and matching", () => {
    const r = pin("--yes");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /pinned, matches/);
    assert.match(r.out, /nothing to write/);
  });

  it("a host whose key changed is refused loudly, and its pinned key stays", async () => {
    const before = pinned(1);
    await servers.rotate(ADDRESSES[1]);
    assert.notEqual(servers.keys.get(ADDRESSES[1]), before);
    const r = pin("--yes");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /HOST KEY MISMATCH/);
    assert.match(r.out, /web2 \(192\.0\.2\.12:22\): pinned ssh-ed25519 SHA256:\S+, the host presented ssh-ed25519 SHA256:/);
    assert.equal(pinned(1), before);
  });
});
