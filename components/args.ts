/**
 * The typed arguments of HaWebCluster: the names and shapes of the stack config keys (docs/config.md), with
 * `pulumi.Input` wherever a value may come from another resource (node addresses, host keys, users, ports,
 * page text, the SSH key, VRRP passwords). What decides the cluster's shape (names, priorities, checks, VIPs,
 * router ids) is plain, so the election rule and the resources are known when the component is constructed.
 */
import * as pulumi from "@pulumi/pulumi";

/** One host of the cluster (`nodes[i]`). */
export interface NodeArgs {
  /** Host name used in resource names and outputs: `[a-z0-9-]`, unique. */
  readonly name: string;
  /** IPv4 address: SSH target and VRRP source address; unique. May be another resource's output. */
  readonly address: pulumi.Input<string>;
  /** VRRP priority 1..254 (255 = address owner, only without check weights). */
  readonly priority: number;
  /** Initial VRRP state; default from priority (all BACKUP with `nopreempt`). */
  readonly state?: "MASTER" | "BACKUP";
  /** SSH port. Default 22. */
  readonly port?: pulumi.Input<number>;
  /** SSH user for this node; overrides `ssh.user`. Non-root users need passwordless sudo. */
  readonly user?: pulumi.Input<string>;
  /** Network interface for VRRP on this node; overrides `vrrp.interface`. */
  readonly interface?: string;
  /** Pinned SSH host key (`ssh-ed25519 AAAA...`); without it any host key is accepted (with a warning). */
  readonly hostKey?: pulumi.Input<string>;
  /** OS family; detected from /etc/os-release at deploy time when absent. */
  readonly os?: "debian" | "rhel";
  /** Index page for this node; overrides `site`. */
  readonly site?: pulumi.Input<string>;
}

/** One VRRP instance (`vrrp`, or each item of a list of them). */
export interface VrrpArgs {
  /** Default network interface for VRRP and the VIPs. */
  readonly interface?: string;
  /** `virtual_router_id` 1..255; unique on the LAN segment (the pre-flight checks look). */
  readonly virtualRouterId: number;
  /** Virtual addresses in CIDR form, e.g. `192.168.0.130/24`. */
  readonly vips: readonly string[];
  /** Advertisement interval in seconds (whole seconds for v2; 0.01 steps for v3). Default 1. */
  readonly advertInt?: number;
  /** Do not take the VIP back from a live master; every node then starts as BACKUP. Default false. */
  readonly nopreempt?: boolean;
  /** Seconds a BACKUP waits before preempting (0..1000). */
  readonly preemptDelay?: number;
  /** VRRP protocol version. Default 2. */
  readonly version?: 2 | 3;
  /** Send adverts by unicast to the other nodes' addresses instead of multicast. Default false. */
  readonly unicast?: boolean;
  /** Explicit unicast peers; must be exactly the node addresses. Default: the node addresses. */
  readonly unicastPeers?: readonly pulumi.Input<string>[];
  /** VRRPv2 PASS password, at most 8 printable characters (secret); generated and kept in the state when absent. */
  readonly authPass?: pulumi.Input<string>;
  /** Name of the `vrrp_instance`. Default `VI_1` (`VI_<n>` for the n-th of a list). */
  readonly instanceName?: string;
  /** Per-node priorities of this instance, node name → 1..254; a node not listed uses `nodes[].priority`. */
  readonly priorities?: Readonly<Record<string, number>>;
  /** Names of the checks this instance tracks. Default: every check. */
  readonly track?: readonly string[];
}

/** One health check (`checks[i]`), rendered as a `vrrp_script` tracked by the instances. */
export interface CheckArgs {
  /** `vrrp_script` name and file name part: `[A-Za-z0-9_-]`, unique. */
  readonly name: string;
  /** What is checked. */
  readonly type: "process" | "tcp" | "http" | "pidfile" | "script" | "track-process";
  /** process, track-process: process name. Default: the OS's web server process. */
  readonly process?: string;
  /** track-process: how many processes of that name must run. Default 1. */
  readonly quorum?: number;
  /** track-process: seconds a lost (or regained) quorum must last before it counts. */
  readonly delay?: number;
  /** tcp: port. Default 80. */
  readonly port?: number;
  /** tcp: host to connect to. Default 127.0.0.1. */
  readonly host?: string;
  /** http: URL to fetch. Default `http://127.0.0.1/`. */
  readonly url?: string;
  /** http: expected HTTP status. Default 200. */
  readonly expectStatus?: number;
  /** pidfile: pid file whose process must be alive. Default: the OS's web server pid file. */
  readonly path?: string;
  /** script: inline script body (`#!/bin/bash` is added without a shebang). */
  readonly body?: string;
  /** script: local file whose content becomes the check script (read with `readFile`). */
  readonly file?: string;
  /** Seconds between runs (≥ 1). Default 2. */
  readonly interval?: number;
  /** Seconds before a run counts as failed. Default: the interval. */
  readonly timeout?: number;
  /** Failures in a row before the check counts as failed. Default 2. */
  readonly fall?: number;
  /** Successes in a row before it passes again. Default 1. */
  readonly rise?: number;
  /** -253..253: > 0 adds while passing, < 0 subtracts while failing, 0 = FAULT on failure. Default 0. */
  readonly weight?: number;
}

/** Notify scripts (`notify`). */
export interface NotifyArgs {
  /** File the notify scripts append the state and date to. Default `/var/log/keepalived-state.log`. */
  readonly logFile?: string;
  /** Extra shell commands appended to each state's script. */
  readonly commands?: Readonly<Partial<Record<"master" | "backup" | "fault" | "stop", readonly string[]>>>;
}

/** keepalived `global_defs` (`globalDefs`). */
export interface GlobalDefsArgs {
  /** `notification_email` addresses. */
  readonly notificationEmails?: readonly string[];
  /** `notification_email_from`. */
  readonly notificationEmailFrom?: string;
  /** `smtp_server` (IPv4 address or host name). */
  readonly smtpServer?: string;
  /** `smtp_connect_timeout` in seconds. */
  readonly smtpConnectTimeout?: number;
  /** `router_id`. */
  readonly routerId?: string;
  /** `script_user` for check and notify scripts. Default root. */
  readonly scriptUser?: string;
  /** `enable_script_security`. Default true. */
  readonly enableScriptSecurity?: boolean;
}

/** SSH access (`ssh`). */
export interface SshArgs {
  /** Default SSH user. Default root. */
  readonly user?: pulumi.Input<string>;
  /** Jump host every node is reached through, `[user@]host[:port]` (same key as the nodes). */
  readonly bastion?: string;
  /** Seconds to keep trying to reach a host before failing with its name. Default 60. */
  readonly connectTimeout?: number;
}

/** Arguments of an HaWebCluster. */
export interface HaWebClusterArgs {
  /** The hosts, at least two. */
  readonly nodes: readonly NodeArgs[];
  /** The VRRP instance, or several (e.g. active/active: one VIP per node). */
  readonly vrrp: VrrpArgs | readonly VrrpArgs[];
  /** Health checks, at least one. */
  readonly checks: readonly CheckArgs[];
  /** Notify scripts. */
  readonly notify?: NotifyArgs;
  /** keepalived `global_defs`. */
  readonly globalDefs?: GlobalDefsArgs;
  /** What to do with firewalld: stop it (`disable`, the default), open VRRP and HTTP in it, or leave it. */
  readonly firewall?: "disable" | "open" | "skip";
  /** Index page for every node (per node: `nodes[].site`). */
  readonly site?: pulumi.Input<string>;
  /** SSH access. */
  readonly ssh?: SshArgs;
  /** The SSH private key text (secret). */
  readonly sshPrivateKey: pulumi.Input<string>;
  /** Remove keepalived and the web server on destroy. Default false. */
  readonly purgePackages?: boolean;
  /** Run the LAN pre-flight checks before a change reaches traffic. Default true. */
  readonly preflight?: boolean;
  /** Raw text appended to keepalived.conf; not validated. */
  readonly extraConfig?: string;
  /** Reads local files named by script checks (`checks[].file`). */
  readonly readFile?: (path: string) => string;
  /** Seconds to wait for exactly one node to hold each VIP after a change. Default from the advert interval. */
  readonly settleSeconds?: number;
}
