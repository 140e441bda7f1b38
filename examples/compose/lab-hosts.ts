/**
 * LabHosts: the repo's lab (real Debian hosts in systemd-nspawn containers on the bridge kaha-br0, docs/lab.md) as
 * a Pulumi resource of this example's own, standing in for the VMs a real program would create. Its outputs
 * (addresses, pinned host keys, the SSH key) are known only once it exists, as a cloud VM's would be.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of LabHosts. */
export interface LabHostsArgs {
  /** How many hosts: node1..nodeN, 2..8. */
  readonly nodeCount: pulumi.Input<number>;
  /** Absolute path of the keepalived-ha repository, whose `scripts/lab.sh` runs the lab. */
  readonly repoDir: pulumi.Input<string>;
}

/** What the provider stores: the inputs and what the lab reported. */
interface LabHostsState {
  nodeCount: number;
  repoDir: string;
  /** The hosts' addresses, node1 first. */
  addresses?: string[];
  /** Their SSH host keys (`ssh-ed25519 AAAA...`), node1 first. */
  hostKeys?: string[];
  /** The lab's SSH client key (a secret output). */
  privateKey?: string;
}

/**
 * Runs `lab.sh up --nodes N` and reads back what it made: the known_hosts it wrote (`node1,10.213.151.11
 * ssh-ed25519 AAAA...`) and its SSH key. Everything is required inside: the engine serializes this code.
 */
function bootLab(inputs: LabHostsState): LabHostsState {
  const { spawnSync } = require("child_process") as typeof import("child_process");
  const fs = require("fs") as typeof import("fs");
  const os = require("os") as typeof import("os");
  const path = require("path") as typeof import("path");
  // cwd: the lab's helpers run with the repo's own node_modules (tsx).
  const r = spawnSync("bash", [path.join(inputs.repoDir, "scripts", "lab.sh"), "up", "--nodes", String(inputs.nodeCount)], {
    cwd: inputs.repoDir, encoding: "utf8", timeout: 30 * 60_000, maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`lab up --nodes ${inputs.nodeCount} failed (${r.status}):\n${`${r.stdout}${r.stderr}`.slice(-4000)}`);
  // The same defaults as scripts/lab/common.sh (LAB_STATE, LAB_CACHE).
  const state = process.env.KAHA_LAB_STATE ?? "/var/lib/keepalived-ha-lab";
  const cache = process.env.KAHA_LAB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "keepalived-ha", "lab");
  const hosts = fs.readFileSync(path.join(state, "known_hosts"), "utf8").trim().split("\n").map((line) => {
    const [names, type, key] = line.trim().split(/\s+/);
    const [name, address] = names.split(",");
    return { name, address, hostKey: `${type} ${key}` };
  }).sort((a, b) => Number(a.name.replace(/\D/g, "")) - Number(b.name.replace(/\D/g, "")));
  if (hosts.length !== inputs.nodeCount) throw new Error(`the lab's known_hosts lists ${hosts.length} hosts, not ${inputs.nodeCount}`);
  return {
    ...inputs,
    addresses: hosts.map((h) => h.address),
    hostKeys: hosts.map((h) => h.hostKey),
    privateKey: fs.readFileSync(path.join(cache, "id_ed25519"), "utf8"),
  };
}

const labHostsProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: LabHostsState) {
    return { id: "lab", outs: bootLab(inputs) };
  },
  async diff(_id: string, olds: LabHostsState, news: LabHostsState) {
    return { changes: olds.nodeCount !== news.nodeCount || olds.repoDir !== news.repoDir };
  },
  // `lab up` with another count boots the new hosts or removes the extra ones; the others keep running.
  async update(_id: string, _olds: LabHostsState, news: LabHostsState) {
    return { outs: bootLab(news) };
  },
  async delete(_id: string, olds: LabHostsState) {
    const { spawnSync } = require("child_process") as typeof import("child_process");
    const path = require("path") as typeof import("path");
    const r = spawnSync("bash", [path.join(olds.repoDir, "scripts", "lab.sh"), "down"], {
      cwd: olds.repoDir, encoding: "utf8", timeout: 10 * 60_000, maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`lab down failed (${r.status}):\n${`${r.stdout}${r.stderr}`.slice(-4000)}`);
  },
};

/** Lab hosts node1..nodeN, booted on create and removed (`lab down`) on delete. */
export class LabHosts extends pulumi.dynamic.Resource {
  /** The addresses of node1..nodeN (10.213.151.11, ...). */
  declare public readonly addresses: pulumi.Output<string[]>;
  /** Their SSH host keys, node1 first: pin them in the cluster's nodes. */
  declare public readonly hostKeys: pulumi.Output<string[]>;
  /** The lab's SSH client key (secret). */
  declare public readonly privateKey: pulumi.Output<string>;

  constructor(name: string, args: LabHostsArgs, opts?: pulumi.CustomResourceOptions) {
    super(labHostsProvider, name, { ...args, addresses: undefined, hostKeys: undefined, privateKey: undefined },
      { ...opts, additionalSecretOutputs: ["privateKey"] });
  }
}
