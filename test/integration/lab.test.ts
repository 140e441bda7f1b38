/**
 * The lab end to end on this machine: `lab up` boots real Debian hosts; each answers SSH with its pinned host
 * key, runs systemd and firewalld; VRRP multicast reaches the other node (a two-node keepalived smoke with a
 * throwaway config, keepalived installed through the lab's apt proxy); partition/heal and stop-node/start-node
 * do what the drills need; `lab down` leaves no container, bridge, rule, mount or process behind.
 * Needs root; the first run builds the golden image (minutes), later runs take well under a minute.
 */
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";

const repo = join(__dirname, "../..");
const state = process.env.KAHA_LAB_STATE ?? "/var/lib/keepalived-ha-lab";
const bridge = "kaha-br0";
const nftTable = "kaha_lab";
const vip = "10.213.151.100";
const isRoot = process.getuid?.() === 0;

interface LabNodeConfig {
  name: string;
  address: string;
  priority: number;
  hostKey: string;
}

function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: repo,
    encoding: "utf8",
    input: opts.input,
    timeout: opts.timeoutMs ?? 120_000,
    stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
}

function lab(args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return run("bash", ["scripts/lab.sh", ...args], { timeoutMs });
}

function mustLab(args: string[], timeoutMs = 120_000): string {
  const r = lab(args, timeoutMs);
  assert.equal(r.status, 0, `lab ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function eventually(what: string, timeoutMs: number, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000}s waiting for: ${what}`);
    await sleep(500);
  }
}

/** Host pids of every process in a pid namespace (by its /proc/PID/ns/pid link). */
function pidsInNamespace(ns: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/pid`) === ns) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function cmdlines(): string[] {
  const out: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " "));
    } catch {
      // gone
    }
  }
  return out;
}

describe("lab", { skip: isRoot ? false : "needs root (bridge, overlay mounts, systemd-nspawn)" }, () => {
  let nodes: LabNodeConfig[] = [];
  let keyPath = "";
  let dir = "";
  let knownHosts = "";

  const sshArgs = (n: LabNodeConfig, hostsFile = knownHosts): string[] => [
    "-i", keyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
    "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${hostsFile}`,
    "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR",
    `root@${n.address}`,
  ];
  const ssh = (n: LabNodeConfig, command: string, input?: string, timeoutMs = 60_000): SpawnSyncReturns<string> =>
    run("ssh", [...sshArgs(n), command], { input, timeoutMs });
  const mustSsh = (n: LabNodeConfig, command: string, input?: string, timeoutMs = 60_000): string => {
    const r = ssh(n, command, input, timeoutMs);
    assert.equal(r.status, 0, `${n.name}: ${command} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const holdsVip = (n: LabNodeConfig): boolean =>
    ssh(n, "ip -4 -o addr show dev host0", undefined, 15_000).stdout.includes(` ${vip}/`);
  const vipHolders = (): string[] => nodes.filter(holdsVip).map((n) => n.name);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "lab-test-"));
    // A cold image build and boot can take several minutes.
    mustLab(["up"], 20 * 60_000);
    const doc = parse(readFileSync(join(repo, "Pulumi.lab.yaml"), "utf8")) as { config: Record<string, unknown> };
    nodes = doc.config["keepalived-ha:nodes"] as LabNodeConfig[];
    keyPath = (doc.config["keepalived-ha:ssh"] as { privateKeyPath: string }).privateKeyPath;
    // known_hosts built from the host keys the stack pins, not from what the hosts offer.
    knownHosts = join(dir, "known_hosts");
    writeFileSync(knownHosts, nodes.map((n) => `${n.address} ${n.hostKey}\n`).join(""));
  });

  after(() => {
    lab(["down"], 5 * 60_000); // cleanup even when a step failed; the last test checks down itself
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("Pulumi.lab.yaml lists two nodes on the lab subnet with distinct pinned keys", () => {
    assert.deepEqual(
      nodes.map((n) => [n.name, n.address, n.priority]),
      [
        ["node1", "10.213.151.11", 100],
        ["node2", "10.213.151.12", 90],
      ],
    );
    assert.match(nodes[0].hostKey, /^ssh-ed25519 AAAA/);
    assert.notEqual(nodes[0].hostKey, nodes[1].hostKey);
    assert.ok(existsSync(keyPath), `private key ${keyPath}`);
  });

  test("every node answers SSH with its pinned host key; a wrong pin is refused", () => {
    for (const n of nodes) assert.equal(mustSsh(n, "hostname").trim(), n.name);
    const wrong = join(dir, "wrong_known_hosts");
    writeFileSync(wrong, `${nodes[0].address} ${nodes[1].hostKey}\n`);
    const r = run("ssh", [...sshArgs(nodes[0], wrong), "true"], { timeoutMs: 30_000 });
    assert.notEqual(r.status, 0, "ssh must refuse a host key that does not match the pin");
  });

  test("systemd runs (running or degraded) and firewalld is active on every node", async () => {
    for (const n of nodes) {
      await eventually(`${n.name} finished booting`, 90_000, () => {
        const s = ssh(n, "systemctl is-system-running").stdout.trim();
        return s === "running" || s === "degraded";
      });
      assert.equal(mustSsh(n, "systemctl is-active firewalld").trim(), "active");
      assert.equal(mustSsh(n, "firewall-cmd --state").trim(), "running");
    }
  });

  test("status and exec", () => {
    const status = mustLab(["status"]);
    for (const n of nodes) assert.match(status, new RegExp(`^${n.name}\\s+${n.address}\\s+running\\s+yes`, "m"));
    assert.match(mustLab(["exec", "node1", "--", "cat", "/etc/hostname"]), /^node1$/m);
  });

  test("up again is a no-op that keeps the nodes", () => {
    assert.match(mustLab(["up"], 5 * 60_000), /0 booted now/);
  });

  test("VRRP multicast reaches the other node: keepalived from the apt proxy elects one master", async () => {
    for (const n of nodes) {
      // Only through the host's proxy: the nodes have no other route.
      mustSsh(n, "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q keepalived", undefined, 10 * 60_000);
      mustSsh(n, "firewall-cmd -q --permanent --add-protocol=vrrp && firewall-cmd -q --reload");
      const conf = [
        "vrrp_instance VI_LAB {",
        "  state BACKUP",
        "  interface host0",
        "  virtual_router_id 51",
        `  priority ${n.priority}`,
        "  advert_int 1",
        `  virtual_ipaddress {\n    ${vip}/24\n  }`,
        "}",
        "",
      ].join("\n");
      mustSsh(n, "cat > /etc/keepalived/keepalived.conf && systemctl restart keepalived", conf);
    }
    await eventually("node1 holds the VIP", 20_000, () => holdsVip(nodes[0]));
    // Without node1's adverts, node2 would claim the VIP after ~3.6 s; watch it stay backup well past that.
    for (let i = 0; i < 8; i++) {
      assert.deepEqual(vipHolders(), ["node1"]);
      await sleep(1000);
    }
    assert.match(mustSsh(nodes[1], "journalctl -u keepalived --no-pager"), /Entering BACKUP STATE/);
  });

  test("partition drops VRRP (split brain), heal restores one master", async () => {
    mustLab(["partition"]);
    await eventually("both nodes hold the VIP", 20_000, () => vipHolders().length === 2);
    mustLab(["heal"]);
    await eventually("only node1 holds the VIP", 20_000, () => vipHolders().join() === "node1");
  });

  test("stop-node --kill moves the VIP; start-node boots the same layer again", async () => {
    mustLab(["stop-node", "node1", "--kill"]);
    assert.match(mustLab(["status"]), /^node1\s+\S+\s+stopped/m);
    await eventually("node2 takes the VIP", 20_000, () => holdsVip(nodes[1]));
    mustLab(["start-node", "node1"], 5 * 60_000);
    // keepalived was installed in node1's own layer and comes back with it; preempting, it takes the VIP back.
    await eventually("node1 holds the VIP again", 30_000, () => vipHolders().join() === "node1");
  });

  test("down leaves no container, process, bridge, rule, mount or state behind; down again is fine", () => {
    // Every process of every node, found by pid namespace, to check none survives.
    const namespaces = new Set<string>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`${state}/nodes/`)) {
          for (const child of readFileSync(`/proc/${entry}/task/${entry}/children`, "utf8").trim().split(/\s+/)) {
            if (child) namespaces.add(readlinkSync(`/proc/${child}/ns/pid`));
          }
        }
      } catch {
        // gone
      }
    }
    assert.equal(namespaces.size, nodes.length, "one pid namespace per running node before down");

    mustLab(["down"], 5 * 60_000);

    for (const ns of namespaces) assert.deepEqual(pidsInNamespace(ns), [], `processes left in ${ns}`);
    const leftovers = cmdlines().filter(
      (c) => c.startsWith("systemd-nspawn") || (c.includes("apt-cacher-ng") && c.includes(state)),
    );
    assert.deepEqual(leftovers, [], "no systemd-nspawn or lab apt-cacher-ng process");
    assert.notEqual(run("ip", ["link", "show", "dev", bridge]).status, 0, `bridge ${bridge} removed`);
    assert.notEqual(run("nft", ["list", "table", "bridge", nftTable]).status, 0, `nft table ${nftTable} removed`);
    assert.doesNotMatch(run("ss", ["-Hltn"]).stdout, /10\.213\.151\.1:3142/, "nothing listens on the lab proxy port");
    assert.doesNotMatch(readFileSync("/proc/mounts", "utf8"), new RegExp(state), "no overlay mounts of the lab");
    assert.equal(existsSync(state), false, `${state} removed`);
    for (const root of ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"]) {
      assert.equal(existsSync(join(root, "keepalived-ha-lab")), false, `no lab cgroup under ${root}`);
    }

    mustLab(["down"]);
  });
});
