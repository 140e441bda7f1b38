/**
 * Every shell script the product runs or writes, checked by shellcheck: the step scripts (apply and undo, both OS
 * families, every firewall mode), the observation and status probes, the rendered check and notify scripts, and
 * the project's own bash entry points with the files they source, and the templates in core/host-scripts/ as
 * written (placeholders and all). shellcheck comes from scripts/setup.sh.
 */
import { vrrpHoldsCommand, vrrpReportCommand } from "../../core/vrrp-settle";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
  FIREWALL_MODES, firewallCommands, installPackagesCommand, loadClusterModel, observationTargets, observeHostCommand,
  OS_FAMILIES, osProfile, removePackagesCommand, renderNode, WEB_SERVER_SERVICES,
} from "../../core";
import {
  asRoot, identifyHostStep, keepalivedConfigStep, servicesStep, siteStep, stepDownCommand, webServerHooksStep,
} from "../../core/deploy-steps";
import { nodeProbeScript } from "../../core/status";
import { preflightPlan, preflightScript } from "../../core/preflight";
import { REPO_ROOT } from "../../scripts/lib/repo";
import { seedConfig } from "./fixtures";

/** shellcheck's findings (warnings and errors) for a bash script given as text; "" when clean. */
function check(script: string): string {
  const r = spawnSync("shellcheck", ["-s", "bash", "-S", "warning", "-f", "gcc", "-"], { input: script, encoding: "utf8" });
  assert.notEqual(r.error?.message.includes("ENOENT"), true, "shellcheck is missing: run bash scripts/setup.sh");
  return r.status === 0 ? "" : r.stdout.trim();
}

/** Every script run on a host, by a name for the failure message. */
function hostScripts(): [string, string][] {
  const scripts: [string, string][] = [];
  const model = loadClusterModel({
    ...seedConfig(),
    checks: [
      { name: "chk_tcp", type: "tcp", port: 80, weight: -30 },
      { name: "chk_http", type: "http", url: "http://127.0.0.1/", weight: -30 },
      { name: "chk_pid", type: "pidfile", path: "/run/httpd/httpd.pid", weight: -30 },
      { name: "chk_proc", type: "process", weight: -30 },
      { name: "chk_script", type: "script", body: "#!/bin/bash\nexit 0\n", weight: -30 },
      { name: "chk_event", type: "track-process", weight: 0 },
    ],
    vrrp: { ...seedConfig().vrrp, nopreempt: false },
  });
  for (const family of OS_FAMILIES) {
    const os = osProfile(family);
    const steps = {
      identify: identifyHostStep(), site: siteStep(os), services: servicesStep(os, "digest"),
      keepalived: keepalivedConfigStep("web1", ["192.168.0.130/24", "192.168.0.131/24"]),
      hooks: webServerHooksStep(os, [{ file: "/run/keepalived-ha/a.state", running: 0, stopped: 1 },
        { file: "/run/keepalived-ha/b.state", running: 1, stopped: 0 }] as never),
      "hooks (none)": webServerHooksStep(os, []),
    };
    for (const [name, s] of Object.entries(steps)) {
      scripts.push([`${family} ${name} apply`, s.apply]);
      if (s.undo !== undefined) scripts.push([`${family} ${name} undo`, s.undo]);
    }
    scripts.push([`${family} install`, installPackagesCommand(family, ["keepalived", os.webServerPackage])]);
    scripts.push([`${family} purge`, removePackagesCommand(family, ["keepalived", os.webServerPackage])]);
    for (const platform of [{}, { container: "systemd-nspawn" }]) {
      for (const file of renderNode(model, model.nodes[0].name, family, ["pAss1234"], platform)) {
        if (file.content.startsWith("#!/bin/bash") || file.content.startsWith("#!/bin/sh")) {
          scripts.push([`${family} ${file.path}`, file.content]);
        }
      }
    }
  }
  for (const mode of FIREWALL_MODES) {
    const c = firewallCommands(mode);
    scripts.push([`firewall ${mode}`, c.apply], [`firewall ${mode} restore`, c.restore]);
  }
  scripts.push(["observation", observeHostCommand(observationTargets(model, model.nodes[0].name))]);
  scripts.push(["pre-flight checks", preflightScript(preflightPlan(model), model.nodes[0].name)]);
  scripts.push(["vrrp report", vrrpReportCommand("192.168.0.130")], ["vrrp holds", vrrpHoldsCommand("192.168.0.130")]);
  scripts.push(["status probe", nodeProbeScript([{ name: "VI_1", vip: "192.168.0.130" }], WEB_SERVER_SERVICES, model.notify.logFile)]);
  scripts.push(["step down (sudo)", stepDownCommand("ops")], ["as root (sudo)", asRoot("echo 'it''s'", "ops")]);
  return scripts;
}

describe("shellcheck", () => {
  test("every script run on a host or written to one is clean", () => {
    const scripts = hostScripts();
    assert.ok(scripts.length > 40, `only ${scripts.length} scripts collected`);
    const findings = scripts.map(([name, text]) => [name, check(text)]).filter(([, f]) => f !== "");
    assert.deepEqual(findings, []);
  });

  test("the project's bash entry points (and the files they source) and the host-script templates are clean", () => {
    const entries = [
      ...fs.readdirSync(path.join(REPO_ROOT, "core", "host-scripts")).filter((f) => f.endsWith(".sh")).map((f) => `core/host-scripts/${f}`),
      ...fs.readdirSync(path.join(REPO_ROOT, "scripts")).filter((f) => f.endsWith(".sh")).map((f) => `scripts/${f}`),
      ...fs.readdirSync(path.join(REPO_ROOT, "bench")).filter((f) => f.endsWith(".sh")).map((f) => `bench/${f}`),
      ".ci/run",
    ];
    const r = spawnSync("shellcheck", ["-x", "-P", "SCRIPTDIR", "-S", "warning", "-f", "gcc", ...entries], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(r.stdout.trim(), "");
    assert.equal(r.status, 0);
  });
});
