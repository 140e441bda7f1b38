/**
 * keepalived-ha used from another Pulumi program: the hosts are resources of this program (lab hosts here,
 * VMs in yours), and their outputs (addresses, host keys, SSH key; unknown until they exist) go straight into
 * HaWebCluster's typed args.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { HaWebCluster, NodeArgs } from "keepalived-ha";
import { LabHosts } from "./lab-hosts";

const config = new pulumi.Config();
/** How many hosts (2..8). The cluster's shape (names, priorities) is plain: it decides the resources. */
const nodeCount = config.getNumber("nodeCount") ?? 2;
/** The keepalived-ha repository whose lab boots the hosts; by default the one this example lives in. */
const repoDir = path.resolve(config.get("repoDir") ?? path.join(__dirname, "..", ".."));

const hosts = new LabHosts("hosts", { nodeCount, repoDir });

// node1 100, then 90, 89, ...: every gap is below the check's weight, so the VIP can always move.
const nodes: NodeArgs[] = Array.from({ length: nodeCount }, (_, i) => ({
  name: `node${i + 1}`,
  address: hosts.addresses[i],
  hostKey: hosts.hostKeys[i],
  priority: i === 0 ? 100 : 91 - i,
  os: "debian",
}));

const cluster = new HaWebCluster("web", {
  nodes,
  vrrp: { interface: "host0", virtualRouterId: 51, vips: ["10.213.151.100/24"] },
  checks: [{ name: "chk_web", type: "tcp", port: 80, weight: -30 }],
  sshPrivateKey: hosts.privateKey,
});

export const vip = cluster.vip;
export const url = cluster.url;
export const master = cluster.master;
