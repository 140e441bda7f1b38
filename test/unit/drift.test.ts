import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
  describeDrift, desiredHost, driftRepairs, driftWarning, DRIFT_STEPS, groupNodeFiles, holdersOf, HostObservation, keepalivedRunsAnywhere,
  loadClusterModel, nodeDrift, observationTargets, observeHostCommand, parseObservation, renderNode,
} from "../../core";
import { seedConfig } from "./fixtures";

const model = loadClusterModel(seedConfig());
const NODE = "keepalived-backup";
const files = renderNode(model, NODE, "rhel", ["pAss1234"]);
const groups = groupNodeFiles(files, "rhel");
const desired = desiredHost(model, "rhel", groups);

/** The observation of a host on which every step did exactly its job. */
function inSync(): HostObservation {
  return {
    identity: "ID=rocky\nCONTAINER=none",
    files: Object.fromEntries(files.map((f) => [f.path, {
      mode: parseInt(f.mode, 8), sha256: createHash("sha256").update(f.content).digest("hex"),
    }])),
    packages: { keepalived: true, httpd: true, tcpdump: true, socat: true, iputils: true },
    services: {
      httpd: { enabled: "enabled", active: "active" },
      keepalived: { enabled: "enabled", active: "active" },
      firewalld: { enabled: "disabled", active: "inactive" },
    },
    addresses: ["192.168.0.129"],
  };
}

describe("host observation", () => {
  test("targets cover both OS families, so the identify step need not run first", () => {
    const t = observationTargets(model, NODE);
    assert.ok(t.files.includes("/etc/keepalived/keepalived.conf"));
    assert.ok(t.files.includes("/var/www/html/index.html"));
    // The pre-flight checks' tools too where a family needs them (on by default; Debian's run on perl).
    assert.deepEqual(t.packages, ["apache2", "httpd", "iputils", "keepalived", "socat", "tcpdump"]);
    assert.ok(t.services.includes("apache2") && t.services.includes("httpd") && t.services.includes("keepalived"));
  });

  test("the script runs in bash, reports missing files, modes and hashes, and parses back", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-observe-"));
    const present = path.join(dir, "keepalived.conf");
    fs.writeFileSync(present, "vrrp_instance VI_1 {}\n", { mode: 0o600 });
    fs.chmodSync(present, 0o600);
    const absent = path.join(dir, "gone.sh");
    const out = execFileSync("bash", ["-c", observeHostCommand({ files: [present, absent], packages: ["bash"], services: ["no-such-unit-kaha"] })],
      { encoding: "utf8" });
    const observed = parseObservation(out);
    assert.deepEqual(observed.files[present], { mode: 0o600, sha256: createHash("sha256").update("vrrp_instance VI_1 {}\n").digest("hex") });
    assert.deepEqual(observed.files[absent], {});
    assert.equal(observed.packages.bash, true);
    assert.equal(observed.services["no-such-unit-kaha"].enabled, "not-found");
    assert.match(observed.identity, /^ID=/m);
    assert.ok(observed.addresses.includes("127.0.0.1"));
    fs.rmSync(dir, { recursive: true });
  });

  test("a change rolls through the nodes only while keepalived runs on one of them, or one was not observed", () => {
    const withKeepalived = (enabled: string, active: string) => ({ ...inSync(), services: { ...inSync().services, keepalived: { enabled, active } } });
    const fresh = withKeepalived("not-found", "inactive");
    assert.equal(keepalivedRunsAnywhere({ web1: fresh, web2: fresh }), false, "a new cluster: nothing to roll");
    assert.equal(keepalivedRunsAnywhere({ web1: fresh, web2: withKeepalived("enabled", "inactive") }), false, "installed, stopped");
    assert.equal(keepalivedRunsAnywhere({ web1: fresh, web2: withKeepalived("disabled", "failed") }), false);
    assert.equal(keepalivedRunsAnywhere({ web1: fresh, web2: inSync() }), true, "one node holds or may hold the VIP");
    assert.equal(keepalivedRunsAnywhere({ web1: fresh, web2: withKeepalived("enabled", "activating") }), true);
    assert.equal(keepalivedRunsAnywhere({ web1: fresh, web2: undefined }), true, "not observed: it may run keepalived");
  });

  test("an answer cut short is an error, not an empty host", () => {
    assert.throws(() => parseObservation("@identify\nID=debian\n@files\n"), /lacks packages, services, addresses, end/);
  });
});

describe("drift", () => {
  test("a host where every step did its job has no drift", () => {
    const drift = nodeDrift(desired, inSync());
    assert.deepEqual(DRIFT_STEPS.filter((s) => drift[s].length > 0), []);
    assert.deepEqual(describeDrift(drift), []);
  });

  test("an edited keepalived.conf and a stopped keepalived name their steps, not the contents", () => {
    const o = inSync();
    const edited = { ...o, files: { ...o.files, "/etc/keepalived/keepalived.conf": { mode: 0o644, sha256: "0".repeat(64) } },
      services: { ...o.services, keepalived: { enabled: "enabled", active: "inactive" } } };
    const drift = nodeDrift(desired, edited);
    assert.deepEqual(drift.keepalived, ["keepalived.conf differs from the rendered one", "keepalived.conf has mode 0644, not 0600"]);
    assert.deepEqual(drift.services, ["keepalived inactive"]);
    assert.deepEqual(drift.site, []);
    assert.ok(!describeDrift(drift).join("\n").includes("pAss1234"));
  });

  test("a re-created host drifts in every step that owns something", () => {
    const fresh: HostObservation = {
      identity: "ID=rocky", files: {}, packages: { keepalived: false, httpd: false },
      services: { firewalld: { enabled: "enabled", active: "active" } }, addresses: [],
    };
    const drift = nodeDrift(desired, fresh);
    assert.deepEqual(drift.firewall, ["firewalld enabled", "firewalld active"]);
    assert.deepEqual(drift.packages, ["package keepalived not installed", "package httpd not installed",
      "package tcpdump not installed", "package socat not installed", "package iputils not installed"]);
    assert.deepEqual(drift.site, ["/var/www/html/index.html missing"]);
    assert.ok(drift.keepalived.includes("keepalived.conf missing"));
    assert.deepEqual(drift.services, ["httpd not installed as a unit", "keepalived not installed as a unit"]);
  });

  test("a disabled, stopped web server is a services drift; firewall mode skip never drifts", () => {
    const o = inSync();
    const stopped = { ...o, services: { ...o.services, httpd: { enabled: "disabled", active: "inactive" },
      firewalld: { enabled: "enabled", active: "active" } } };
    assert.deepEqual(nodeDrift(desired, stopped).services, ["httpd disabled", "httpd inactive"]);
    assert.deepEqual(nodeDrift({ ...desired, firewall: "skip" }, stopped).firewall, []);
  });

  test("the warning names the node and each step with its reasons; the repairs list the steps", () => {
    const o = inSync();
    const drift = nodeDrift(desired, { ...o, services: { ...o.services, keepalived: { enabled: "disabled", active: "inactive" } } });
    assert.equal(driftWarning(NODE, drift, true),
      "keepalived-backup no longer matches the stack; `up` runs these steps again: services: keepalived disabled; keepalived inactive");
    assert.match(driftWarning(NODE, drift, false)!, /; running these steps again: services:/);
    assert.deepEqual(driftRepairs(NODE, drift), ["keepalived-backup services"]);
    assert.equal(driftWarning(NODE, nodeDrift(desired, o), true), undefined);
  });

  test("holders of a VIP: one, none, or split brain", () => {
    const a = { ...inSync(), addresses: ["10.0.0.11", "10.0.0.100"] };
    const b = { ...inSync(), addresses: ["10.0.0.12"] };
    assert.deepEqual(holdersOf("10.0.0.100", { a, b }), ["a"]);
    assert.deepEqual(holdersOf("10.0.0.100", { a: b, b }), []);
    assert.deepEqual(holdersOf("10.0.0.100", { b: a, a }), ["a", "b"]);
  });
});
