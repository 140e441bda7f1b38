/** Every validation rule: at least one bad and one good case each. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, formatProblems, loadClusterModel, validateConfig } from "../../core";
import { seedWith } from "./fixtures";

type Change = (c: Record<string, any>) => void;

interface RuleCase {
  /** Rule being exercised. */
  rule: string;
  /** Makes the seed config invalid; `key` must be reported and `message` must match. */
  bad: { change: Change; key: string; message?: RegExp }[];
  /** Keeps it valid. */
  good: Change[];
}

const RULES: RuleCase[] = [
  {
    rule: "at least two nodes",
    bad: [
      { change: (c) => { c.nodes = [c.nodes[0]]; }, key: "nodes", message: /at least 2/ },
      { change: (c) => { delete c.nodes; }, key: "nodes", message: /required/ },
    ],
    good: [(c) => { c.nodes.push({ name: "third", address: "192.168.0.131", priority: 60 }); }],
  },
  {
    rule: "node name syntax",
    bad: [
      { change: (c) => { c.nodes[0].name = "Keepalived_Master"; }, key: "nodes[0].name", message: /lower-case/ },
      { change: (c) => { delete c.nodes[1].name; }, key: "nodes[1].name", message: /required/ },
    ],
    good: [(c) => { c.nodes[0].name = "web-1"; }],
  },
  {
    rule: "unique node names",
    bad: [{ change: (c) => { c.nodes[1].name = "keepalived-master"; }, key: "nodes[1].name", message: /already used by nodes\[0\]/ }],
    good: [(c) => { c.nodes[1].name = "keepalived-master2"; }],
  },
  {
    rule: "node address is IPv4",
    bad: [
      { change: (c) => { c.nodes[0].address = "192.168.0.300"; }, key: "nodes[0].address", message: /not an IPv4/ },
      { change: (c) => { c.nodes[0].address = "192.168.0.128/24"; }, key: "nodes[0].address" },
      { change: (c) => { c.nodes[0].address = "192.168.000.128"; }, key: "nodes[0].address" },
    ],
    good: [(c) => { c.nodes[0].address = "192.168.0.1"; }],
  },
  {
    rule: "node address is a usable host address",
    bad: [
      { change: (c) => { c.nodes[0].address = "0.0.0.0"; }, key: "nodes[0].address", message: /not a host address/ },
      { change: (c) => { c.nodes[0].address = "127.0.0.5"; }, key: "nodes[0].address", message: /loopback/ },
      { change: (c) => { c.nodes[0].address = "255.255.255.255"; }, key: "nodes[0].address", message: /broadcast/ },
    ],
    good: [(c) => { c.nodes[0].address = "192.168.0.2"; }],
  },
  {
    rule: "VIP is a usable address inside the nodes' subnet",
    bad: [
      { change: (c) => { c.vrrp.vips = ["10.0.0.130/24"]; }, key: "vrrp.vips[0]", message: /outside the subnet of nodes\[0\] 192\.168\.0\.128, nodes\[1\]/ },
      { change: (c) => { c.nodes[1].address = "10.1.1.9"; }, key: "vrrp.vips[0]", message: /outside the subnet of nodes\[1\] 10\.1\.1\.9;/ },
      { change: (c) => { c.vrrp.vips = ["192.168.0.0/24"]; }, key: "vrrp.vips[0]", message: /network address/ },
      { change: (c) => { c.vrrp.vips = ["192.168.0.255/24"]; }, key: "vrrp.vips[0]", message: /broadcast address/ },
      { change: (c) => { c.vrrp.vips = ["224.0.0.18/24"]; }, key: "vrrp.vips[0]", message: /multicast/ },
    ],
    good: [(c) => { c.vrrp.vips = ["192.168.0.200/24", "10.9.9.9/32"]; }],
  },
  {
    rule: "unique node addresses",
    bad: [{ change: (c) => { c.nodes[1].address = "192.168.0.128"; }, key: "nodes[1].address", message: /unique/ }],
    good: [(c) => { c.nodes[1].address = "192.168.0.140"; }],
  },
  {
    rule: "priority 1..254",
    bad: [
      { change: (c) => { c.nodes[1].priority = 0; }, key: "nodes[1].priority", message: /from 1 to 255/ },
      { change: (c) => { c.nodes[1].priority = 256; }, key: "nodes[1].priority" },
      { change: (c) => { c.nodes[1].priority = 80.5; }, key: "nodes[1].priority" },
    ],
    good: [(c) => { c.nodes[0].priority = 254; }, (c) => { c.nodes[1].priority = 1; }],
  },
  {
    rule: "priority 255 only without weights (and without nopreempt)",
    bad: [
      { change: (c) => { c.vrrp.nopreempt = false; c.nodes[0].priority = 255; c.checks[0].weight = -30; }, key: "nodes[0].priority", message: /address owner/ },
      { change: (c) => { c.nodes[0].priority = 255; }, key: "nodes[0].priority", message: /nopreempt/ },
    ],
    good: [(c) => { c.vrrp.nopreempt = false; c.nodes[0].priority = 255; }],
  },
  {
    rule: "state is MASTER or BACKUP",
    bad: [{ change: (c) => { c.nodes[1].state = "backup"; }, key: "nodes[1].state", message: /upper case/ }],
    good: [(c) => { c.nodes[1].state = "BACKUP"; }],
  },
  {
    rule: "at most one explicit MASTER",
    bad: [{ change: (c) => { c.vrrp.nopreempt = false; c.nodes[0].state = "MASTER"; c.nodes[1].state = "MASTER"; }, key: "nodes[1].state", message: /more than one/ }],
    good: [(c) => { c.vrrp.nopreempt = false; c.nodes[0].state = "MASTER"; }],
  },
  {
    rule: "nopreempt with an initial MASTER",
    bad: [{ change: (c) => { c.nodes[0].state = "MASTER"; }, key: "nodes[0].state", message: /silently ignores nopreempt/ }],
    good: [(c) => { c.nodes[0].state = "BACKUP"; }],
  },
  {
    rule: "preemptDelay with an initial MASTER; range 0..1000",
    bad: [
      { change: (c) => { c.vrrp.nopreempt = false; c.vrrp.preemptDelay = 30; c.nodes[0].state = "MASTER"; }, key: "nodes[0].state", message: /preempt_delay/ },
      { change: (c) => { c.vrrp.preemptDelay = 5000; }, key: "vrrp.preemptDelay" },
    ],
    good: [(c) => { c.vrrp.nopreempt = false; c.vrrp.preemptDelay = 30; }],
  },
  {
    rule: "ssh port and user",
    bad: [
      { change: (c) => { c.nodes[0].port = 70000; }, key: "nodes[0].port" },
      { change: (c) => { c.nodes[0].user = "root user"; }, key: "nodes[0].user" },
      { change: (c) => { c.ssh = { user: "Bad User" }; }, key: "ssh.user" },
    ],
    good: [(c) => { c.nodes[0].port = 2222; c.nodes[0].user = "deploy"; c.ssh = { user: "admin" }; }],
  },
  {
    rule: "ssh bastion and connect time-out",
    bad: [
      { change: (c) => { c.ssh = { bastion: "jump@host:99999" }; }, key: "ssh.bastion", message: /\[user@\]host\[:port\]/ },
      { change: (c) => { c.ssh = { bastion: "two words" }; }, key: "ssh.bastion" },
      { change: (c) => { c.ssh = { connectTimeout: 0 }; }, key: "ssh.connectTimeout" },
    ],
    good: [(c) => { c.ssh = { bastion: "jump@bastion.example.com:2222", connectTimeout: 20 }; }, (c) => { c.ssh = { bastion: "10.0.0.5" }; }],
  },
  {
    rule: "interface names",
    bad: [
      { change: (c) => { c.vrrp.interface = "a-very-long-interface-name"; }, key: "vrrp.interface" },
      { change: (c) => { c.nodes[0].interface = "eth 0"; }, key: "nodes[0].interface" },
      { change: (c) => { delete c.vrrp.interface; }, key: "vrrp.interface", message: /nodes\[0\], nodes\[1\]/ },
    ],
    good: [(c) => { delete c.vrrp.interface; c.nodes[0].interface = "eth0"; c.nodes[1].interface = "ens3"; }],
  },
  {
    rule: "host key and os",
    bad: [
      { change: (c) => { c.nodes[0].hostKey = "AAAA"; }, key: "nodes[0].hostKey" },
      { change: (c) => { c.nodes[0].os = "centos"; }, key: "nodes[0].os", message: /debian or rhel/ },
    ],
    good: [(c) => { c.nodes[0].hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE root@x"; c.nodes[0].os = "debian"; delete c.nodes[1].os; }],
  },
  {
    rule: "virtualRouterId 1..255",
    bad: [
      { change: (c) => { c.vrrp.virtualRouterId = 256; }, key: "vrrp.virtualRouterId", message: /1 to 255/ },
      { change: (c) => { c.vrrp.virtualRouterId = 0; }, key: "vrrp.virtualRouterId" },
      { change: (c) => { delete c.vrrp.virtualRouterId; }, key: "vrrp.virtualRouterId", message: /required/ },
    ],
    good: [(c) => { c.vrrp.virtualRouterId = 1; }, (c) => { c.vrrp.virtualRouterId = 255; }],
  },
  {
    rule: "VIP CIDR syntax",
    bad: [
      { change: (c) => { c.vrrp.vips = ["192.168.0.130"]; }, key: "vrrp.vips[0]", message: /prefix length/ },
      { change: (c) => { c.vrrp.vips = ["192.168.0.130/33"]; }, key: "vrrp.vips[0]" },
      { change: (c) => { c.vrrp.vips = []; }, key: "vrrp.vips", message: /empty/ },
      { change: (c) => { c.vrrp.vips = ["192.168.0.130/24", "192.168.0.130/24"]; }, key: "vrrp.vips[1]", message: /twice/ },
    ],
    good: [(c) => { c.vrrp.vips = ["192.168.0.130/24", "192.168.0.131/32"]; }],
  },
  {
    rule: "VIP is not a node address",
    bad: [{ change: (c) => { c.vrrp.vips = ["192.168.0.129/24"]; }, key: "vrrp.vips[0]", message: /address of nodes\[1\]/ }],
    good: [(c) => { c.vrrp.vips = ["192.168.0.200/24"]; }],
  },
  {
    rule: "VRRP version 2|3",
    bad: [{ change: (c) => { c.vrrp.version = 4; }, key: "vrrp.version" }],
    good: [(c) => { c.vrrp.version = 3; }, (c) => { c.vrrp.version = 2; }],
  },
  {
    rule: "advertInt range per VRRP version",
    bad: [
      { change: (c) => { c.vrrp.advertInt = 0.5; }, key: "vrrp.advertInt", message: /version 2/ },
      { change: (c) => { c.vrrp.advertInt = 256; }, key: "vrrp.advertInt" },
      { change: (c) => { c.vrrp.version = 3; c.vrrp.advertInt = 0.005; }, key: "vrrp.advertInt", message: /version 3/ },
      { change: (c) => { c.vrrp.version = 3; c.vrrp.advertInt = 41; }, key: "vrrp.advertInt" },
      { change: (c) => { c.vrrp.version = 3; c.vrrp.advertInt = 0.125; }, key: "vrrp.advertInt", message: /steps of 0.01/ },
    ],
    good: [(c) => { c.vrrp.advertInt = 3; }, (c) => { c.vrrp.version = 3; c.vrrp.advertInt = 0.1; }, (c) => { c.vrrp.version = 3; c.vrrp.advertInt = 0.07; }],
  },
  {
    rule: "authPass at most 8 printable characters",
    bad: [
      { change: (c) => { c.vrrp.authPass = "123456789"; }, key: "vrrp.authPass", message: /9 characters/ },
      { change: (c) => { c.vrrp.authPass = ""; }, key: "vrrp.authPass" },
      { change: (c) => { c.vrrp.authPass = "pass wd"; }, key: "vrrp.authPass", message: /spaces/ },
      { change: (c) => { c.vrrp.authPass = "pässwd"; }, key: "vrrp.authPass" },
    ],
    good: [(c) => { c.vrrp.authPass = "1111"; }, (c) => { c.vrrp.authPass = "12345678"; }, (c) => { c.vrrp.authPass = 1111; }, (c) => { c.vrrp.authPass = { secure: "v1:abc" }; }],
  },
  {
    rule: "no authPass with VRRP version 3",
    bad: [{ change: (c) => { c.vrrp.version = 3; c.vrrp.authPass = "1111"; }, key: "vrrp.authPass", message: /version 3 has no authentication/ }],
    good: [(c) => { c.vrrp.version = 3; }],
  },
  {
    rule: "instance name",
    bad: [{ change: (c) => { c.vrrp.instanceName = "VI 1"; }, key: "vrrp.instanceName" }],
    good: [(c) => { c.vrrp.instanceName = "VI_WEB"; }],
  },
  {
    rule: "unicast peers consistent with nodes",
    bad: [
      { change: (c) => { c.vrrp.unicast = true; c.vrrp.unicastPeers = ["192.168.0.128"]; }, key: "vrrp.unicastPeers", message: /misses node address\(es\) 192.168.0.129/ },
      { change: (c) => { c.vrrp.unicast = true; c.vrrp.unicastPeers = ["192.168.0.128", "192.168.0.129", "192.168.0.7"]; }, key: "vrrp.unicastPeers[2]", message: /not the address of any node/ },
      { change: (c) => { c.vrrp.unicastPeers = ["192.168.0.128", "192.168.0.129"]; }, key: "vrrp.unicastPeers", message: /unicast is not true/ },
    ],
    good: [(c) => { c.vrrp.unicast = true; }, (c) => { c.vrrp.unicast = true; c.vrrp.unicastPeers = ["192.168.0.129", "192.168.0.128"]; }],
  },
  {
    rule: "at least one check tracked",
    bad: [
      { change: (c) => { c.checks = []; }, key: "checks", message: /at least one/ },
      { change: (c) => { delete c.checks; }, key: "checks" },
    ],
    good: [(c) => { c.checks.push({ name: "chk_port", type: "tcp" }); }],
  },
  {
    rule: "check name syntax and uniqueness",
    bad: [
      { change: (c) => { c.checks[0].name = "chk httpd"; }, key: "checks[0].name" },
      { change: (c) => { c.checks.push({ ...c.checks[0] }); }, key: "checks[1].name", message: /already used/ },
    ],
    good: [(c) => { c.checks[0].name = "chk-web_1"; }],
  },
  {
    rule: "check type",
    bad: [
      { change: (c) => { c.checks[0].type = "killall"; }, key: "checks[0].type", message: /process, tcp, http, pidfile, script/ },
      { change: (c) => { delete c.checks[0].type; }, key: "checks[0].type", message: /required/ },
    ],
    good: [(c) => { c.checks[0] = { name: "p", type: "pidfile", path: "/run/httpd/httpd.pid" }; }],
  },
  {
    rule: "fields of another check type",
    bad: [{ change: (c) => { c.checks[0].port = 80; }, key: "checks[0].port", message: /belongs to type tcp/ }],
    good: [(c) => { c.checks[0] = { name: "t", type: "tcp", port: 8080, host: "127.0.0.1" }; }],
  },
  {
    rule: "type fields",
    bad: [
      { change: (c) => { c.checks[0].process = "httpd; rm -rf /"; }, key: "checks[0].process" },
      { change: (c) => { c.checks[0] = { name: "t", type: "tcp", port: 0 }; }, key: "checks[0].port" },
      { change: (c) => { c.checks[0] = { name: "t", type: "tcp", host: "localhost" }; }, key: "checks[0].host" },
      { change: (c) => { c.checks[0] = { name: "h", type: "http", url: "ftp://x/" }; }, key: "checks[0].url" },
      { change: (c) => { c.checks[0] = { name: "h", type: "http", expectStatus: 999 }; }, key: "checks[0].expectStatus" },
      { change: (c) => { c.checks[0] = { name: "p", type: "pidfile", path: "run/x.pid" }; }, key: "checks[0].path" },
    ],
    good: [
      (c) => { c.checks[0] = { name: "h", type: "http", url: "https://127.0.0.1:8443/health", expectStatus: 204 }; },
      (c) => { c.checks[0] = { name: "p", type: "process" }; },
    ],
  },
  {
    rule: "script checks need exactly one of body or file",
    bad: [
      { change: (c) => { c.checks[0] = { name: "s", type: "script" }; }, key: "checks[0]", message: /exactly one/ },
      { change: (c) => { c.checks[0] = { name: "s", type: "script", body: "exit 0", file: "x.sh" }; }, key: "checks[0]" },
      { change: (c) => { c.checks[0] = { name: "s", type: "script", body: "  " }; }, key: "checks[0].body" },
    ],
    good: [(c) => { c.checks[0] = { name: "s", type: "script", body: "exit 0" }; }, (c) => { c.checks[0] = { name: "s", type: "script", file: "x.sh" }; }],
  },
  {
    rule: "interval/timeout/fall/rise >= 1",
    bad: [
      { change: (c) => { c.checks[0].interval = 0; }, key: "checks[0].interval" },
      { change: (c) => { c.checks[0].timeout = 0; }, key: "checks[0].timeout" },
      { change: (c) => { c.checks[0].fall = 0; }, key: "checks[0].fall" },
      { change: (c) => { c.checks[0].rise = -1; }, key: "checks[0].rise" },
    ],
    good: [(c) => { c.checks[0].interval = 1; c.checks[0].timeout = 1; c.checks[0].fall = 1; c.checks[0].rise = 1; }],
  },
  {
    rule: "weight -253..253",
    bad: [
      { change: (c) => { c.vrrp.nopreempt = false; c.checks[0].weight = 254; }, key: "checks[0].weight", message: /-253 to 253/ },
      { change: (c) => { c.vrrp.nopreempt = false; c.checks[0].weight = -300; }, key: "checks[0].weight" },
    ],
    good: [(c) => { c.vrrp.nopreempt = false; c.checks[0].weight = 253; }, (c) => { c.vrrp.nopreempt = false; c.checks[0].weight = -253; }],
  },
  {
    rule: "election: seed example 100/80 weight +10 never fails over",
    bad: [{ change: (c) => { c.vrrp.nopreempt = false; c.checks[0].weight = 10; }, key: "checks[0].weight", message: /100 > 80 \+ 10|100 > 90/ }],
    good: [(c) => { c.vrrp.nopreempt = false; c.checks[0].weight = 30; }, (c) => { c.vrrp.nopreempt = false; c.checks[0].weight = -30; }, (c) => { c.checks[0].weight = 0; }],
  },
  {
    rule: "election: nopreempt needs weight 0",
    bad: [{ change: (c) => { c.checks[0].weight = -30; }, key: "checks[0].weight", message: /nopreempt a BACKUP never takes over/ }],
    good: [(c) => { c.checks[0].weight = 0; }],
  },
  {
    rule: "notify log file",
    bad: [{ change: (c) => { c.notify = { logFile: "keepalived.log" }; }, key: "notify.logFile" }],
    good: [(c) => { c.notify = { logFile: "/var/log/ha.log", commands: { master: ["logger up"] } }; }],
  },
  {
    rule: "globalDefs values",
    bad: [
      { change: (c) => { c.globalDefs.notificationEmails = ["root"]; }, key: "globalDefs.notificationEmails[0]" },
      { change: (c) => { c.globalDefs.notificationEmailFrom = "keepalived"; }, key: "globalDefs.notificationEmailFrom" },
      { change: (c) => { c.globalDefs.smtpServer = "smtp server"; }, key: "globalDefs.smtpServer" },
      { change: (c) => { c.globalDefs.smtpConnectTimeout = 0; }, key: "globalDefs.smtpConnectTimeout" },
      { change: (c) => { c.globalDefs.routerId = "httpd keep"; }, key: "globalDefs.routerId" },
      { change: (c) => { c.globalDefs.scriptUser = "Root!"; }, key: "globalDefs.scriptUser" },
    ],
    good: [(c) => { c.globalDefs.smtpServer = "mail.example.com"; c.globalDefs.routerId = "lb-1.example"; }],
  },
  {
    rule: "firewall mode",
    bad: [{ change: (c) => { c.firewall = "off"; }, key: "firewall", message: /disable.*open.*skip/ }],
    good: [(c) => { c.firewall = "open"; }, (c) => { c.firewall = "skip"; }],
  },
  {
    rule: "only one of ssh.privateKeyPath and sshPrivateKey",
    bad: [{ change: (c) => { c.ssh = { privateKeyPath: "~/.ssh/id" }; c.sshPrivateKey = { secure: "v1:x" }; }, key: "ssh.privateKeyPath" }],
    good: [(c) => { c.sshPrivateKey = { secure: "v1:x" }; }, (c) => { c.ssh = { privateKeyPath: "~/.ssh/id" }; }],
  },
  {
    rule: "unknown keys with a suggestion",
    bad: [
      { change: (c) => { c.globalDefs.route_id = "x"; }, key: "globalDefs.route_id", message: /did you mean "routerId"/ },
      { change: (c) => { c.vrrp.virtualRouterID = 1; }, key: "vrrp.virtualRouterID", message: /did you mean "virtualRouterId"/ },
      { change: (c) => { c.node = []; }, key: "node", message: /did you mean "nodes"/ },
    ],
    good: [(c) => { c.extraConfig = "! nothing"; c.purgePackages = true; }],
  },
  {
    rule: "value types",
    bad: [
      { change: (c) => { c.nodes[0].priority = "high"; }, key: "nodes[0].priority", message: /must be a number/ },
      { change: (c) => { c.vrrp.nopreempt = "yes"; }, key: "vrrp.nopreempt", message: /true or false/ },
      { change: (c) => { c.vrrp = "ens32"; }, key: "vrrp", message: /mapping/ },
      { change: (c) => { c.nodes[0].address = { secure: "v1:x" }; }, key: "nodes[0].address", message: /only vrrp.authPass and sshPrivateKey/ },
    ],
    good: [(c) => { c.nodes[0].priority = "100"; c.vrrp.nopreempt = "true"; }],
  },
  {
    rule: "vrrp as a list of instances",
    bad: [
      { change: (c) => { twoInstances(c); c.vrrp[1].virtualRouterId = 151; }, key: "vrrp[1].virtualRouterId", message: /already used by vrrp\[0\]/ },
      { change: (c) => { twoInstances(c); c.vrrp[1].vips = ["192.168.0.130/24"]; }, key: "vrrp[1].vips[0]", message: /already a VIP of vrrp\[0\]/ },
      { change: (c) => { twoInstances(c); c.vrrp[0].instanceName = "WEB"; c.vrrp[1].instanceName = "WEB"; }, key: "vrrp[1].instanceName", message: /unique/ },
      { change: (c) => { twoInstances(c); c.vrrp[1].instanceName = "VI_1"; delete c.vrrp[0].instanceName; }, key: "vrrp[1].instanceName", message: /already the name of vrrp\[0\]/ },
      { change: (c) => { twoInstances(c); c.vrrp[1].version = 3; c.vrrp[1].advertInt = 0.5; }, key: "vrrp[1].version", message: /same VRRP version/ },
      { change: (c) => { twoInstances(c); c.nodes[0].state = "BACKUP"; }, key: "nodes[0].state", message: /derived per instance/ },
      { change: (c) => { twoInstances(c); c.vrrp[0].priorities = { web9: 50 }; }, key: "vrrp[0].priorities.web9", message: /not a node name/ },
      { change: (c) => { twoInstances(c); c.vrrp[0].priorities = { "keepalived-master": 300 }; }, key: "vrrp[0].priorities.keepalived-master", message: /1 to 255/ },
      { change: (c) => { twoInstances(c); c.vrrp[0].priorities = { "keepalived-master": "top" }; }, key: "vrrp[0].priorities.keepalived-master", message: /must be a number/ },
      { change: (c) => { twoInstances(c); c.vrrp[1].track = ["chk_nginx"]; }, key: "vrrp[1].track[0]", message: /not the name of a check; use one of chk_httpd/ },
      { change: (c) => { twoInstances(c); c.vrrp[1].track = []; }, key: "vrrp[1].track", message: /is empty/ },
      { change: (c) => { c.vrrp = []; }, key: "vrrp", message: /empty list/ },
      { change: (c) => { twoInstances(c); c.vrrp[1] = "VI_2"; }, key: "vrrp[1]", message: /mapping/ },
      { change: (c) => { twoInstances(c); delete c.vrrp[1].virtualRouterId; }, key: "vrrp[1].virtualRouterId", message: /required/ },
      { change: (c) => { twoInstances(c); c.vrrp[1].routerID = 3; }, key: "vrrp[1].routerID", message: /did you mean/ },
      { change: (c) => { twoInstances(c); delete c.nodes[0].priority; c.vrrp[0].priorities = { "keepalived-master": 100 }; },
        key: "nodes[0].priority", message: /required.*vrrp\[\]\.priorities/ },
      // The seed's unreachable election, in the second instance only: its message says which instance.
      { change: (c) => {
        twoInstances(c);
        c.checks.push({ name: "chk_port", type: "tcp", port: 80, weight: 10 });
        c.vrrp[0].track = ["chk_httpd"];
        c.vrrp[1].nopreempt = false;
      }, key: "checks[1].weight", message: /weight 10 in vrrp\[1\]: when chk_port fails on keepalived-master.*80 \+ 10 = 90.*weight 21/ },
    ],
    good: [
      twoInstances,
      // Active/active: opposite priorities per instance, no node-level priority needed.
      (c) => {
        twoInstances(c);
        for (const n of c.nodes) delete n.priority;
        c.vrrp[0].priorities = { "keepalived-master": 150, "keepalived-backup": 100 };
        c.vrrp[1].priorities = { "keepalived-master": 100, "keepalived-backup": 150 };
      },
      // A weighted check the first instance does not track cannot break its election.
      (c) => {
        twoInstances(c);
        c.checks.push({ name: "chk_port", type: "tcp", port: 80, weight: 10 });
        c.vrrp[0].track = ["chk_httpd"];
        c.vrrp[1].track = ["chk_httpd"];
      },
      // The same router id on different interfaces is a different VRRP group.
      (c) => { twoInstances(c); c.vrrp[1].virtualRouterId = 151; c.vrrp[1].interface = "ens33"; },
      // A one-item list is the same as a mapping.
      (c) => { c.vrrp = [c.vrrp]; },
    ],
  },
];

/** Turns the seed's single instance into two: the second with its own router id and VIP. */
function twoInstances(c: Record<string, any>): void {
  c.vrrp = [{ ...c.vrrp }, { ...c.vrrp, virtualRouterId: 152, vips: ["192.168.0.131/24"] }];
}

describe("validation rules", () => {
  for (const { rule, bad, good } of RULES) {
    describe(rule, () => {
      bad.forEach(({ change, key, message }, i) => {
        it(`bad #${i + 1} reports ${key}`, () => {
          const { problems } = validateConfig(seedWith(change));
          const hit = problems.find((p) => p.key === key && (message === undefined || message.test(p.message)));
          assert.ok(hit, `expected a problem at ${key}${message ? ` matching ${message}` : ""}, got:\n${formatProblems(problems)}`);
        });
      });
      good.forEach((change, i) => {
        it(`good #${i + 1} passes`, () => {
          const { problems } = validateConfig(seedWith(change));
          assert.deepEqual(problems, [], formatProblems(problems));
        });
      });
    });
  }
});

describe("all problems at once", () => {
  it("reports every problem, not the first only", () => {
    const { problems } = validateConfig(seedWith((c) => {
      c.nodes[0].address = "300.1.1.1";
      c.vrrp.virtualRouterId = 999;
      c.vrrp.authPass = "waytoolongpassword";
      c.globalDefs.route_id = "x";
    }));
    const keys = problems.map((p) => p.key).sort();
    assert.deepEqual(keys, ["globalDefs.route_id", "nodes[0].address", "vrrp.authPass", "vrrp.virtualRouterId"]);
  });

  it("loadClusterModel throws a ConfigError with a readable multi-line message", () => {
    assert.throws(
      () => loadClusterModel(seedWith((c) => { c.vrrp.virtualRouterId = 0; c.nodes[1].priority = 300; })),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.problems.length, 2);
        assert.match(e.message, /^invalid keepalived-ha configuration \(2 problems\):\n {2}- nodes\[1\]\.priority: 300 .*\n {2}- vrrp\.virtualRouterId: 0 /);
        return true;
      },
    );
  });

  it("a non-object config is one problem", () => {
    assert.equal(validateConfig("nodes").problems[0].key, "(config)");
  });

  it("script files are read through the injected reader, with errors reported", () => {
    const raw = seedWith((c) => { c.checks[0] = { name: "s", type: "script", file: "check.sh" }; });
    assert.throws(() => loadClusterModel(raw), /checks\[0\]\.file: local script files cannot be read here/);
    assert.throws(() => loadClusterModel(raw, { readFile: () => { throw new Error("ENOENT"); } }), /cannot read "check.sh" \(ENOENT\)/);
    const model = loadClusterModel(raw, { readFile: () => "#!/bin/sh\nexit 0\n" });
    assert.equal(model.checks[0].body, "#!/bin/sh\nexit 0\n");
  });
});
