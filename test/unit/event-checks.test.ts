/**
 * Event-driven checks (type track-process): validation, defaults, platform detection, rendering on a VM and in a
 * container (track_file + systemd hooks), the grouping of files by deploy step, and the hooks step's scripts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  DETECT_OS_COMMAND, detectOsFamily, detectPlatform, eventStateValues, groupNodeFiles, hasProcessEvents,
  IDENTIFY_HOST_COMMAND, loadClusterModel, osProfile, renderKeepalivedConfText, renderNode, validateConfig,
  webServerHookStates,
} from "../../core";
import { identifyHostStep, webServerHooksStep } from "../../core/deploy-steps";
import { seedWith } from "./fixtures";

const NSPAWN = { container: "systemd-nspawn" };

/** The seed with its process check replaced by (or joined with) an event-driven one. */
function withEventCheck(check: Record<string, unknown>, keepScriptCheck = false): Record<string, any> {
  return seedWith((c) => {
    c.vrrp.nopreempt = false;
    const event = { name: "chk_events", type: "track-process", ...check };
    c.checks = keepScriptCheck ? [event, { name: "chk_http", type: "http", interval: 2, weight: 0 }] : [event];
  });
}

function problemsOf(config: Record<string, any>): string[] {
  return validateConfig(config).problems.map((p) => `${p.key}: ${p.message}`);
}

describe("track-process validation", () => {
  it("accepts the bare type (defaults) and process, quorum, delay, weight", () => {
    assert.deepEqual(problemsOf(withEventCheck({})), []);
    assert.deepEqual(problemsOf(withEventCheck({ process: "httpd", quorum: 2, delay: 0.5, weight: 0 })), []);
    assert.deepEqual(problemsOf(withEventCheck({ weight: -30 })), []);
  });

  for (const key of ["interval", "timeout", "fall", "rise"]) {
    it(`refuses ${key}, naming the key and why`, () => {
      const problems = problemsOf(withEventCheck({ [key]: 2 }));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], new RegExp(`^checks\\[0\\]\\.${key}: is not used by a track-process check: .*polls nothing; remove it`));
    });
  }

  it("refuses keys of other types with their owner", () => {
    assert.match(problemsOf(withEventCheck({ url: "http://127.0.0.1/" })).join("\n"), /checks\[0\]\.url: is not used by a track-process check \(it belongs to type http\)/);
    const tcp = seedWith((c) => { c.checks = [{ name: "t", type: "tcp", quorum: 2 }]; });
    assert.match(problemsOf(tcp).join("\n"), /checks\[0\]\.quorum: is not used by a tcp check \(it belongs to type track-process\)/);
  });

  it("checks ranges: quorum, delay, weight, process name", () => {
    assert.match(problemsOf(withEventCheck({ quorum: 0 })).join("\n"), /checks\[0\]\.quorum: 0 is out of range: use a whole number from 1 to 65535/);
    assert.match(problemsOf(withEventCheck({ delay: -1 })).join("\n"), /checks\[0\]\.delay: -1 is out of range: use seconds from 0 to 3600/);
    assert.match(problemsOf(withEventCheck({ weight: 254 })).join("\n"), /checks\[0\]\.weight: 254 is out of range/);
    assert.match(problemsOf(withEventCheck({ process: "a-very-long-process-name" })).join("\n"), /at most 15 characters/);
  });

  it("follows the election rule like any check (the seed's weight +10 never moves the VIP)", () => {
    const config = withEventCheck({ weight: 10 });
    config.nodes[1].priority = 80;
    assert.match(problemsOf(config).join("\n"), /checks\[0\]\.weight: weight 10:/);
  });

  it("defaults: quorum 1, no delay, weight 0", () => {
    const check = loadClusterModel(withEventCheck({})).checks[0];
    assert.equal(check.quorum, 1);
    assert.equal(check.delay, undefined);
    assert.equal(check.weight, 0);
  });
});

describe("platform detection", () => {
  const CASES: [string, string, string | undefined][] = [
    ["nspawn", "ID=debian\nCONTAINER=systemd-nspawn\n", "systemd-nspawn"],
    ["lxc", "ID=debian\nCONTAINER=lxc\n", "lxc"],
    ["docker", "ID=ubuntu\nID_LIKE=debian\nCONTAINER=docker\n", "docker"],
    ["VM or bare metal", "ID=debian\nCONTAINER=none\n", undefined],
    ["no systemd-detect-virt", "ID=debian\nCONTAINER=\n", undefined],
    ["older identify output without the line", "ID=debian\n", undefined],
  ];
  for (const [name, text, container] of CASES) {
    it(name, () => {
      assert.equal(detectPlatform(text).container, container);
      assert.equal(hasProcessEvents(detectPlatform(text)), container === undefined);
    });
  }

  it("the identify step prints os-release and the container line, and the OS is still detected", () => {
    assert.equal(identifyHostStep().apply, IDENTIFY_HOST_COMMAND);
    assert.ok(IDENTIFY_HOST_COMMAND.startsWith(DETECT_OS_COMMAND));
    assert.match(IDENTIFY_HOST_COMMAND, /systemd-detect-virt --container/);
    execFileSync("bash", ["-n", "-c", IDENTIFY_HOST_COMMAND]);
    assert.equal(detectOsFamily('ID="rocky"\nID_LIKE="rhel"\nCONTAINER=none\n'), "rhel");
  });
});

describe("track-process rendering", () => {
  const conf = (config: Record<string, any>, family: "debian" | "rhel", platform = {}) =>
    renderKeepalivedConfText(loadClusterModel(config), "keepalived-master", ["pw"], { os: osProfile(family), platform });

  it("on a VM: a vrrp_track_process block with the OS's web server, quorum, weight (always) and delay", () => {
    const text = conf(withEventCheck({ delay: 0.5 }), "debian");
    assert.match(text, /vrrp_track_process chk_events \{\n {4}process apache2\n {4}quorum 1\n {4}weight 0\n {4}delay 0\.5\n\}/);
    assert.match(text, /track_process \{\n {8}chk_events\n {4}\}/);
    assert.match(conf(withEventCheck({}), "rhel"), /process httpd\n/);
    assert.doesNotMatch(conf(withEventCheck({}), "rhel"), /delay/);
  });

  it("only event checks: no vrrp_script, no track_script, no check script file", () => {
    const text = conf(withEventCheck({}), "debian");
    assert.doesNotMatch(text, /vrrp_script|track_script|track_file/);
    const files = renderNode(loadClusterModel(withEventCheck({})), "keepalived-master", "debian", ["pw"]);
    assert.ok(!files.some((f) => f.path.includes("check_chk_events")));
    assert.ok(!files.some((f) => f.path.startsWith("/etc/systemd/") || f.path.startsWith("/etc/tmpfiles.d/")), "no hooks on a VM");
  });

  it("next to a polled check: both track blocks", () => {
    const text = conf(withEventCheck({}, true), "debian");
    assert.match(text, /track_script \{\n {8}chk_http\n {4}\}/);
    assert.match(text, /track_process \{\n {8}chk_events\n {4}\}/);
  });

  it("in a container: a track_file fed by systemd hooks, initialised to 'stopped'", () => {
    const text = conf(withEventCheck({}, true), "debian", NSPAWN);
    assert.match(text, /track_file chk_events \{\n {4}file "\/run\/keepalived-ha\/chk_events.state"\n {4}weight 0\n {4}init_file 1\n\}/);
    assert.match(text, /track_file \{\n {8}chk_events\n {4}\}/);
    assert.doesNotMatch(text, /track_process/);
    const files = renderNode(loadClusterModel(withEventCheck({}, true)), "keepalived-master", "debian", ["pw"], NSPAWN);
    const hook = files.find((f) => f.path === "/etc/systemd/system/apache2.service.d/keepalived-ha-chk_events.conf");
    assert.ok(hook, files.map((f) => f.path).join(", "));
    assert.match(hook.content, /^\[Service\]$/m);
    assert.match(hook.content, /^ExecStartPost=-\/bin\/sh -c 'echo 0 > \/run\/keepalived-ha\/chk_events.state'$/m);
    assert.match(hook.content, /^ExecStopPost=-\/bin\/sh -c 'echo 1 > \/run\/keepalived-ha\/chk_events.state'$/m);
    const tmpfiles = files.find((f) => f.path === "/etc/tmpfiles.d/keepalived-ha.conf");
    assert.match(tmpfiles!.content, /^d \/run\/keepalived-ha 0755 root root -$/m);
    const rhel = renderNode(loadClusterModel(withEventCheck({})), "keepalived-master", "rhel", ["pw"], NSPAWN);
    assert.ok(rhel.some((f) => f.path === "/etc/systemd/system/httpd.service.d/keepalived-ha-chk_events.conf"));
  });

  it("file values follow the weight's sign, so keepalived's value × weight means what track_process means", () => {
    assert.deepEqual(eventStateValues({ weight: 0 }), { running: 0, stopped: 1 });
    assert.deepEqual(eventStateValues({ weight: -30 }), { running: 0, stopped: 1 });
    assert.deepEqual(eventStateValues({ weight: 30 }), { running: 1, stopped: 0 });
    const text = conf(withEventCheck({ weight: 30 }), "debian", NSPAWN);
    assert.match(text, /weight 30\n {4}init_file 0\n/);
  });

  it("in a container, a process other than the web server's is refused with the node and the fix", () => {
    assert.throws(() => renderNode(loadClusterModel(withEventCheck({ process: "haproxy" })), "keepalived-master", "debian", ["pw"], NSPAWN),
      /check chk_events tracks the process "haproxy", but keepalived-master is a systemd-nspawn container.*leave checks\[\]\.process out, or use type process/);
    // On a VM any process works.
    assert.match(conf(withEventCheck({ process: "haproxy" }), "debian"), /process haproxy\n/);
  });

  it("the hook states for the deploy step: one per event check in a container, none on a VM", () => {
    const model = loadClusterModel(withEventCheck({}, true));
    assert.deepEqual(webServerHookStates(model, { os: osProfile("debian"), platform: NSPAWN }),
      [{ file: "/run/keepalived-ha/chk_events.state", running: 0, stopped: 1 }]);
    assert.deepEqual(webServerHookStates(model, { os: osProfile("debian"), platform: {} }), []);
  });
});

describe("files by deploy step", () => {
  it("keepalived files, the page and the hooks each go to their own step", () => {
    const files = renderNode(loadClusterModel(withEventCheck({}, true)), "keepalived-master", "debian", ["pw"], NSPAWN);
    const groups = groupNodeFiles(files, "debian");
    assert.equal(groups.site.path, "/var/www/html/index.html");
    assert.ok(groups.keepalived.every((f) => f.path.startsWith("/etc/keepalived/")));
    assert.deepEqual(groups.webServerHooks.map((f) => f.path), [
      "/etc/systemd/system/apache2.service.d/keepalived-ha-chk_events.conf", "/etc/tmpfiles.d/keepalived-ha.conf",
    ]);
    assert.equal(groups.keepalived.length + groups.webServerHooks.length + 1, files.length);
  });

  it("a file no step installs is a programming error, not silently 'the site'", () => {
    assert.throws(() => groupNodeFiles([{ path: "/var/www/html/index.html", mode: "0644", content: "x\n" },
      { path: "/etc/other.conf", mode: "0644", content: "x\n" }], "debian"), /no deploy step installs \/etc\/other.conf/);
  });
});

describe("web server hooks step", () => {
  const states = [{ file: "/run/keepalived-ha/chk_events.state", running: 0, stopped: 1 }];
  it("is valid bash, reloads systemd, makes the folder and writes the state from the unit now", () => {
    for (const family of ["debian", "rhel"] as const) {
      const step = webServerHooksStep(osProfile(family), states);
      execFileSync("bash", ["-n", "-c", step.apply]);
      execFileSync("bash", ["-n", "-c", step.undo!]);
      assert.match(step.apply, /systemctl daemon-reload/);
      assert.match(step.apply, /systemd-tmpfiles --create \/etc\/tmpfiles.d\/keepalived-ha.conf/);
      assert.match(step.apply, new RegExp(`systemctl is-active --quiet ${osProfile(family).webServerService};`));
      assert.match(step.apply, /echo 0 > \/run\/keepalived-ha\/chk_events.state; else echo 1 > \/run\/keepalived-ha\/chk_events.state/);
    }
  });
  it("without hooks (a VM) it only removes what an earlier run installed", () => {
    const step = webServerHooksStep(osProfile("debian"), []);
    assert.doesNotMatch(step.apply, /systemd-tmpfiles/);
    assert.match(step.apply, /rm -rf \/run\/keepalived-ha/);
  });
  it("undo removes the hooks and the folder and reloads systemd", () => {
    const undo = webServerHooksStep(osProfile("debian"), states).undo!;
    assert.match(undo, /web-server-hooks.files/);
    assert.match(undo, /rm -rf \/run\/keepalived-ha/);
    assert.match(undo, /systemctl daemon-reload/);
  });
});

describe("track-process with several VRRP instances", () => {
  const config = {
    nodes: [{ name: "web-a", address: "10.20.0.11" }, { name: "web-b", address: "10.20.0.12" }],
    vrrp: [
      { instanceName: "VI_A", interface: "eth0", virtualRouterId: 31, vips: ["10.20.0.101/24"], priorities: { "web-a": 150, "web-b": 100 }, track: ["chk_events"] },
      { instanceName: "VI_B", interface: "eth0", virtualRouterId: 32, vips: ["10.20.0.102/24"], priorities: { "web-a": 100, "web-b": 150 }, track: ["chk_http"] },
    ],
    checks: [{ name: "chk_events", type: "track-process" }, { name: "chk_http", type: "http", interval: 2 }],
  };
  const instance = (text: string, name: string) => text.slice(text.indexOf(`vrrp_instance ${name} {`)).split(/\n\}\n/)[0];

  for (const [label, platform, keyword] of [["VM", {}, "track_process"], ["container", NSPAWN, "track_file"]] as const) {
    it(`each instance tracks only its own checks (${label})`, () => {
      const text = renderKeepalivedConfText(loadClusterModel(config), "web-a", ["a", "b"], { os: osProfile("debian"), platform });
      assert.match(instance(text, "VI_A"), new RegExp(`${keyword} \\{\\n {8}chk_events\\n {4}\\}`));
      assert.doesNotMatch(instance(text, "VI_A"), /track_script/);
      assert.match(instance(text, "VI_B"), /track_script \{\n {8}chk_http\n {4}\}/);
      assert.doesNotMatch(instance(text, "VI_B"), /track_process|track_file/);
    });
  }
});
