/** Rendering: snapshots of the seed configuration, determinism, and what each file must say. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  ClusterModel, loadClusterModel, readStackFile, RenderedFile, renderKeepalivedConfText, renderNode,
} from "../../core";
import { seedConfig, seedWith } from "./fixtures";
import { matchSnapshot } from "./snapshot";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

function stackModel(relativePath: string): ClusterModel {
  const { values, problems } = readStackFile(fs.readFileSync(path.join(REPO_ROOT, relativePath), "utf8"), relativePath);
  assert.deepEqual(problems, []);
  return loadClusterModel(values);
}

/** All files of a node as one text: a header line per file, then its content. */
function asSnapshot(files: readonly RenderedFile[]): string {
  return files.map((f) => `==> ${f.path} (${f.mode}${f.secret ? ", secret" : ""})\n${f.content}`).join("\n");
}

const SNAPSHOTS: { stack: string; family: "debian" | "rhel"; authPasses: string[]; container?: string }[] = [
  { stack: "Pulumi.dev.yaml", family: "rhel", authPasses: ["1111"] },
  { stack: "examples/unicast.yaml", family: "debian", authPasses: ["abcd1234"] },
  { stack: "examples/fast-v3.yaml", family: "debian", authPasses: ["unused"] },
  // The same stack on container hosts: track_file fed by the web server's systemd hooks.
  { stack: "examples/fast-v3.yaml", family: "debian", authPasses: ["unused"], container: "systemd-nspawn" },
  { stack: "examples/one-master-many-backups.yaml", family: "rhel", authPasses: ["x"] },
  { stack: "examples/active-active.yaml", family: "debian", authPasses: ["passA", "passB"] },
];

describe("snapshots", () => {
  for (const { stack, family, authPasses, container } of SNAPSHOTS) {
    const model = stackModel(stack);
    for (const node of model.nodes) {
      const name = `${path.basename(stack, ".yaml").replace(/^Pulumi\./, "")}.${node.name}.${family}${container ? `.${container}` : ""}.txt`;
      const platform = container ? { container } : {};
      it(name, () => matchSnapshot(name, asSnapshot(renderNode(model, node.name, family, authPasses, platform))));
    }
  }
});

describe("determinism", () => {
  it("same input gives byte-identical output", () => {
    const a = renderNode(loadClusterModel(seedConfig()), "keepalived-master", "rhel", ["1111"]);
    const b = renderNode(loadClusterModel(seedConfig()), "keepalived-master", "rhel", ["1111"]);
    assert.deepEqual(a, b);
  });
  it("key order in the input does not matter", () => {
    const shuffled = Object.fromEntries(Object.entries(seedConfig()).reverse());
    shuffled.vrrp = Object.fromEntries(Object.entries(shuffled.vrrp).reverse());
    assert.deepEqual(
      renderNode(loadClusterModel(shuffled), "keepalived-backup", "debian", ["p"]),
      renderNode(loadClusterModel(seedConfig()), "keepalived-backup", "debian", ["p"]),
    );
  });
  it("files are sorted by path", () => {
    const paths = renderNode(loadClusterModel(seedConfig()), "keepalived-master", "rhel", ["p"]).map((f) => f.path);
    assert.deepEqual(paths, [...paths].sort());
    assert.deepEqual(paths, [
      "/etc/keepalived/backup.sh", "/etc/keepalived/check_chk_httpd.sh", "/etc/keepalived/fault.sh",
      "/etc/keepalived/keepalived.conf", "/etc/keepalived/master.sh", "/etc/keepalived/stop.sh", "/var/www/html/index.html",
    ]);
  });
});

describe("keepalived.conf", () => {
  const conf = (raw: Record<string, any>, node = "keepalived-master", pass = "1111") => renderKeepalivedConfText(loadClusterModel(raw), node, [pass]);

  it("uses router_id, never the seed's route_id", () => {
    assert.match(conf(seedConfig()), /^ {4}router_id httpd_keep$/m);
    assert.doesNotMatch(conf(seedConfig()), /route_id/);
  });
  it("auth_pass comes from the parameter and the file is secret", () => {
    assert.match(conf(seedConfig(), "keepalived-master", "s3cret"), /auth_type PASS\n {8}auth_pass s3cret\n/);
    const all = renderNode(loadClusterModel(seedConfig()), "keepalived-master", "rhel", ["s3cret"]);
    const file = all.find((f) => f.path.endsWith("keepalived.conf"))!;
    assert.equal(file.secret, true);
    assert.equal(file.mode, "0600");
    const others = all.filter((f) => f !== file);
    assert.ok(others.every((f) => !f.secret && !f.content.includes("s3cret")));
  });
  it("nopreempt: every node starts BACKUP and has nopreempt", () => {
    for (const node of ["keepalived-master", "keepalived-backup"]) {
      assert.match(conf(seedConfig(), node), /state BACKUP\n/);
      assert.match(conf(seedConfig(), node), /\n {4}nopreempt\n/);
    }
  });
  it("without nopreempt the highest priority is MASTER and nobody gets nopreempt", () => {
    const raw = seedWith((c) => { c.vrrp.nopreempt = false; });
    assert.match(conf(raw, "keepalived-master"), /state MASTER\n/);
    assert.match(conf(raw, "keepalived-backup"), /state BACKUP\n/);
    assert.doesNotMatch(conf(raw, "keepalived-master"), /nopreempt|preempt_delay/);
  });
  it("the backup differs from the master only in state/priority and the header", () => {
    const raw = seedWith((c) => { c.vrrp.nopreempt = false; });
    const diff = (a: string, b: string) => a.split("\n").filter((line, i) => line !== b.split("\n")[i]);
    assert.deepEqual(diff(conf(raw, "keepalived-master"), conf(raw, "keepalived-backup")), [
      "! Rendered by keepalived-ha for node keepalived-master; changes here are overwritten.",
      "    state MASTER",
      "    priority 100",
    ]);
  });
  it("preempt_delay puts every node in BACKUP", () => {
    const raw = seedWith((c) => { c.vrrp.nopreempt = false; c.vrrp.preemptDelay = 15; });
    assert.match(conf(raw, "keepalived-master"), /state BACKUP\n[^]*preempt_delay 15\n/);
  });
  it("explicit state is honoured", () => {
    const raw = seedWith((c) => { c.vrrp.nopreempt = false; c.nodes[1].state = "MASTER"; });
    assert.match(conf(raw, "keepalived-backup"), /state MASTER/);
    assert.match(conf(raw, "keepalived-master"), /state BACKUP/);
  });
  it("vrrp_script per check, tracked, with the check's settings", () => {
    const text = conf(seedWith((c) => { c.checks[0].timeout = 3; }));
    assert.match(text, /vrrp_script chk_httpd {\n {4}script "\/etc\/keepalived\/check_chk_httpd.sh"\n {4}interval 5\n {4}timeout 3\n {4}fall 2\n {4}rise 1\n {4}weight 0\n}/);
    assert.match(text, /track_script {\n {8}chk_httpd\n {4}}/);
  });
  it("notify scripts for all four states", () => {
    const text = conf(seedConfig());
    for (const s of ["master", "backup", "fault", "stop"]) assert.match(text, new RegExp(`notify_${s} "/etc/keepalived/${s}.sh"`));
  });
  it("global_defs from the config, script security per flag", () => {
    assert.match(conf(seedConfig()), /script_user root\n {4}enable_script_security\n/);
    assert.doesNotMatch(conf(seedWith((c) => { c.globalDefs.enableScriptSecurity = false; })), /enable_script_security/);
  });
  it("VRRP version 3: vrrp_version 3, fractional advert, no authentication", () => {
    const text = conf(seedWith((c) => { c.vrrp.version = 3; c.vrrp.advertInt = 0.1; }));
    assert.match(text, /vrrp_version 3/);
    assert.match(text, /advert_int 0.1\n/);
    assert.doesNotMatch(text, /authentication|auth_pass/);
  });
  it("unicast: own address as source, the others as peers", () => {
    const raw = seedWith((c) => { c.vrrp.unicast = true; c.nodes.push({ name: "third", address: "192.168.0.13", priority: 60 }); });
    assert.match(conf(raw, "keepalived-backup"), /unicast_src_ip 192.168.0.129\n {4}unicast_peer {\n {8}192.168.0.13\n {8}192.168.0.128\n {4}}/);
  });
  it("per-node interface overrides vrrp.interface", () => {
    assert.match(conf(seedWith((c) => { c.nodes[0].interface = "eth9"; })), /interface eth9\n/);
  });
  it("extraConfig is appended verbatim", () => {
    assert.match(conf(seedWith((c) => { c.extraConfig = "vrrp_sync_group G {\n}\n"; })), /! extraConfig[^\n]*\nvrrp_sync_group G {\n}\n$/);
  });
});

describe("check, notify and page files", () => {
  const files = (raw: Record<string, any>, family: "debian" | "rhel" = "rhel", node = "keepalived-master") =>
    Object.fromEntries(renderNode(loadClusterModel(raw), node, family, ["p"]).map((f) => [f.path, f]));

  it("process check defaults to the OS's web server process", () => {
    const raw = seedWith((c) => { delete c.checks[0].process; });
    assert.match(files(raw, "debian")["/etc/keepalived/check_chk_httpd.sh"].content, /^name=apache2$/m);
    assert.match(files(raw, "rhel")["/etc/keepalived/check_chk_httpd.sh"].content, /^name=httpd$/m);
  });
  it("every check script is an executable bash script", () => {
    const raw = seedWith((c) => {
      c.checks = [
        { name: "p", type: "process" }, { name: "t", type: "tcp", port: 8080 }, { name: "h", type: "http" },
        { name: "f", type: "pidfile" }, { name: "s", type: "script", body: "exit 0" },
      ];
    });
    for (const name of ["p", "t", "h", "f", "s"]) {
      const file = files(raw)[`/etc/keepalived/check_${name}.sh`];
      assert.equal(file.mode, "0755");
      assert.match(file.content, /^#!\/bin\/bash\n/);
      assert.ok(file.content.endsWith("\n"));
    }
    assert.match(files(raw)["/etc/keepalived/check_t.sh"].content, /\/dev\/tcp\/127.0.0.1\/8080/);
    assert.match(files(raw)["/etc/keepalived/check_h.sh"].content, /curl .*'%\{http_code\}'.* http:\/\/127.0.0.1\/\)/);
    assert.match(files(raw, "debian")["/etc/keepalived/check_f.sh"].content, /pidfile=\/var\/run\/apache2\/apache2.pid/);
  });
  it("a script body with its own shebang is kept", () => {
    const raw = seedWith((c) => { c.checks[0] = { name: "s", type: "script", body: "#!/usr/bin/env python3\nraise SystemExit(0)" }; });
    assert.equal(files(raw)["/etc/keepalived/check_s.sh"].content, "#!/usr/bin/env python3\nraise SystemExit(0)\n");
  });
  it("notify scripts append the tag and date to the log file, plus extra commands", () => {
    const raw = seedWith((c) => { c.notify = { logFile: "/var/log/ha.log", commands: { fault: ["systemctl restart httpd"] } }; });
    const all = files(raw);
    for (const [file, tag] of [["master", "Master"], ["backup", "Backup"], ["fault", "Fault"], ["stop", "Stop"]]) {
      const content = all[`/etc/keepalived/${file}.sh`].content;
      assert.match(content, new RegExp(`LOGFILE=/var/log/ha.log\\necho "\\[${tag}\\]" >> "\\$LOGFILE"\\ndate >> "\\$LOGFILE"\\n`));
    }
    assert.match(all["/etc/keepalived/fault.sh"].content, /systemctl restart httpd\nexit 0\n$/);
    assert.doesNotMatch(all["/etc/keepalived/master.sh"].content, /systemctl/);
  });
  it("default log file", () => {
    assert.match(files(seedConfig())["/etc/keepalived/master.sh"].content, /LOGFILE=\/var\/log\/keepalived-state.log/);
  });
  it("index page: global, per node, and the default naming the node", () => {
    assert.equal(files(seedConfig())["/var/www/html/index.html"].content, "<h1> hello hujianli web1 </h1>\n");
    const perNode = seedWith((c) => { c.nodes[1].site = "<h1> hello web2 </h1>"; });
    assert.equal(files(perNode, "rhel", "keepalived-backup")["/var/www/html/index.html"].content, "<h1> hello web2 </h1>\n");
    const noSite = seedWith((c) => { delete c.site; });
    assert.equal(files(noSite, "debian", "keepalived-backup")["/var/www/html/index.html"].content, "<h1> hello from keepalived-backup </h1>\n");
  });
  it("unknown node name is a programming error", () => {
    assert.throws(() => renderNode(loadClusterModel(seedConfig()), "nope", "rhel", ["p"]), /no node named "nope"/);
  });
});
