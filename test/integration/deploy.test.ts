/**
 * The mission end to end: `pulumi up --stack <lab>` on fresh lab hosts with the real engine, a no-change
 * `up`, a rolling config change watched from the master, drift (files edited, services stopped, hosts
 * re-created) shown by preview and repaired by up, validation with zero SSH connections, secrets kept out of
 * output and state, and `destroy` giving the hosts back.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  acceptedSshLogins, curlVip, lab, LAB_VIP, labStackConfig, npmRun, npmRunWith, onNode, vipHolders, waitUntil, watchVip,
} from "../support/lab";
import { REPO, TestStack, toolchainEnv } from "../support/pulumi";

const NODES = ["node1", "node2"];

/** Sets f to the path of the English translations list of the host's first apt source. */
const TRANSLATION_LIST = `read -r uri suite component < <(awk '$1 == "deb" { print $2, $3, $4; exit }' /etc/apt/sources.list); ` +
  `f=/var/lib/apt/lists/$(printf %s "\${uri#*://}" | sed 's#/*$##' | tr / _)_dists_\${suite}_\${component}_i18n_Translation-en`;

describe("pulumi up / destroy on the lab", { timeout: 60 * 60_000 }, () => {
  let stack: TestStack;
  const before_: Record<string, { page: string; firewalld: string }> = {};

  before(() => {
    lab("down"); // fresh hosts: what destroy must restore is what a new host has
    lab("up", "--nodes", "2");
    for (const n of NODES) {
      before_[n] = {
        page: onNode(n, "md5sum < /var/www/html/index.html 2>/dev/null || echo absent").out,
        firewalld: onNode(n, "echo $(systemctl is-enabled firewalld) $(systemctl is-active firewalld)").out,
      };
    }
    // The description translations an earlier `apt-get update` left: the packages step's update skips them, yet
    // keeps them. Named as apt names the list of the host's first source.
    onNode("node1", `${TRANSLATION_LIST}; : > "$f"`);
    stack = new TestStack("deploy", labStackConfig());
  });
  after(() => {
    stack?.remove();
    lab("down");
  });

  test("up converges fresh hosts: one VIP holder, its page through the VIP, services enabled", () => {
    const t0 = Date.now();
    const cold = stack.ok(["up", "--yes"]);
    console.log(`# cold pulumi up: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Hosts new to the stack have not drifted from it, though nothing of it is on them yet.
    assert.doesNotMatch(cold.all, /no longer matches the stack/);
    const holders = vipHolders(NODES);
    assert.equal(holders.length, 1, `VIP holders: ${holders.join(", ")}`);
    const outputs = JSON.parse(stack.ok(["stack", "output", "--json"]).stdout);
    assert.equal(outputs.master, holders[0]);
    assert.equal(outputs.vip, LAB_VIP);
    assert.equal(outputs.url, `http://${LAB_VIP}/`);
    const page = curlVip();
    assert.equal(page.code, 0);
    assert.equal(page.body, `<h1> hello from ${holders[0]} </h1>`);
    // The lab's hosts share one kernel, so their monotonic clocks compare: the backup's web server started after
    // the master's (else, healthy first, it would outbid the master whose check still failed).
    const webStart = (n: string) => Number(onNode(n, "systemctl show -p ActiveEnterTimestampMonotonic --value apache2").out);
    assert.ok(webStart("node1") < webStart("node2"), `apache2 active on node1 at ${webStart("node1")} µs, node2 at ${webStart("node2")} µs`);
    for (const n of NODES) {
      assert.equal(onNode(n, "systemctl is-enabled apache2 keepalived | sort -u").out, "enabled", n);
      assert.equal(onNode(n, "systemctl is-active firewalld || true").out, "inactive", `${n} firewalld (firewall: disable)`);
      assert.equal(onNode(n, "stat -c '%U %a' /etc/keepalived/keepalived.conf").out, "root 600", n);
      // A new cluster: keepalived started with its configuration, before the web server (its election ran meanwhile).
      const [keepalived, web] = onNode(n, "systemctl show -p ActiveEnterTimestampMonotonic --value keepalived apache2").out
        .split(/\s+/).map(Number); // one block per unit, a blank line between
      assert.ok(keepalived > 0 && web > 0 && keepalived < web, `${n}: keepalived active at ${keepalived} µs, apache2 at ${web} µs`);
    }
    assert.equal(onNode("node1", `${TRANSLATION_LIST}; test -f "$f" && echo kept || echo removed`).out, "kept",
      "node1: the translations list it had before the packages step's apt-get update");
  });

  test("pin-host-keys pins the lab's host keys into a stack without them, logging in nowhere; a changed key is refused", () => {
    // The lab's own record of each node's key (scripts/lab/plan.ts renderKnownHosts): "node1,10.213.151.11 ssh-ed25519 AAAA...".
    const knownHosts = `${process.env.KAHA_LAB_STATE ?? "/var/lib/keepalived-ha-lab"}/known_hosts`;
    const labKeys = new Map(fs.readFileSync(knownHosts, "utf8").trim().split("\n").map((line) => {
      const [names, type, key] = line.trim().split(/\s+/);
      return [names.split(",")[0], `${type} ${key}`] as const;
    }));
    assert.deepEqual([...labKeys.keys()].sort(), [...NODES].sort(), `nodes in ${knownHosts}`);
    // The lab's stack config without its pins: what a user has before pinning.
    const unpinned = new TestStack("pin-keys", labStackConfig().split("\n").filter((l) => !/^\s*hostKey:/.test(l)).join("\n"));
    try {
      const env = { PULUMI_BACKEND_URL: `file://${unpinned.backendDir}` };
      const pinnedKey = (i: number): string | undefined => {
        const r = unpinned.run(["config", "get", "--path", `keepalived-ha:nodes[${i}].hostKey`]);
        return r.code === 0 ? r.stdout.trim() : undefined;
      };
      NODES.forEach((_, i) => assert.equal(pinnedKey(i), undefined, `nodes[${i}] pinned before the test`));
      // The warning names the command (components/cluster-node.ts).
      assert.match(unpinned.run(["preview"]).all,
        new RegExp(`pin every node's key with: npm run pin-host-keys -- --stack ${unpinned.name}`));
      const logins = NODES.map(acceptedSshLogins);

      const r = npmRunWith(env, "pin-host-keys", "--stack", unpinned.name, "--yes");
      assert.equal(r.code, 0, r.out);
      NODES.forEach((n, i) => {
        assert.match(r.out, new RegExp(`${n}\\s+10\\.213\\.151\\.\\d+:22\\s+ssh-ed25519\\s+SHA256:[A-Za-z0-9+/]{43}\\s+not pinned yet`), r.out);
        assert.equal(pinnedKey(i), labKeys.get(n), `${n}: the pinned key is the lab's`);
      });
      assert.deepEqual(NODES.map(acceptedSshLogins), logins, "pin-host-keys logged in to a node");
      assert.doesNotMatch(unpinned.run(["preview"]).all, /no hostKey pinned/);

      // Run again: every key matches, nothing to write.
      const again = npmRunWith(env, "pin-host-keys", "--stack", unpinned.name, "--yes");
      assert.equal(again.code, 0, again.out);
      assert.match(again.out, /nothing to write/);

      // node2 pinned to node1's key (as if node2 were impersonated): refused loudly, nothing written.
      unpinned.ok(["config", "set", "--path", "keepalived-ha:nodes[1].hostKey", labKeys.get("node1")!]);
      const refused = npmRunWith(env, "pin-host-keys", "--stack", unpinned.name, "--yes");
      assert.equal(refused.code, 1, refused.out);
      assert.match(refused.out, /HOST KEY MISMATCH/);
      assert.match(refused.out, /node2 \(10\.213\.151\.\d+:22\): pinned ssh-ed25519 SHA256:\S+, the host presented ssh-ed25519 SHA256:/);
      assert.equal(pinnedKey(1), labKeys.get("node1"), "the mismatching pin was overwritten");
    } finally {
      unpinned.remove();
    }
  });

  test("a second up changes nothing", () => {
    const t0 = Date.now();
    const r = stack.ok(["up", "--yes", "--expect-no-changes"]);
    console.log(`# no-change pulumi up: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.doesNotMatch(r.all, /\b(created|updated|deleted|replaced)\b/);
  });

  test("changing a check interval updates only keepalived configs, backups first, and the VIP stays", async () => {
    const master = vipHolders(NODES)[0];
    const backup = NODES.find((n) => n !== master)!;
    stack.ok(["config", "set", "--path", "keepalived-ha:checks[0].interval", "2"]);
    const since = onNode(master, "date +%s.%N").out;
    const watch = watchVip(master);
    let r: ReturnType<typeof stack.ok>;
    let samples: Awaited<ReturnType<typeof watch.stop>>;
    try {
      await new Promise((r) => setTimeout(r, 1000));
      r = stack.ok(["up", "--yes"]);
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      samples = await watch.stop();
    }
    assert.ok(samples.length > 20, `too few samples: ${samples.length}`);
    assert.ok(samples.every((s) => s.held), `the VIP left ${master} during the rolling reload`);

    const updated = [...r.all.matchAll(/^\s*~\s+\S+\s+(\S+)\s+updated/gm)].map((m) => m[1]).sort();
    // The LAN checks run before a change reaches traffic; on this live cluster they pass.
    assert.deepEqual(updated, ["cluster-node1-keepalived", "cluster-node2-keepalived", "cluster-preflight", "cluster-vip-holder"]);
    for (const n of NODES) {
      assert.match(onNode(n, "cat /etc/keepalived/keepalived.conf").out, /interval 2/);
    }
    // keepalived logs each SIGHUP reload; the backup's must come first.
    const reloadTime = (n: string) => Number(onNode(n,
      `journalctl -u keepalived --since @${since.split(".")[0]} -o short-unix --no-pager | grep -m1 -i 'reload' | cut -d' ' -f1`).out);
    const [tBackup, tMaster] = [reloadTime(backup), reloadTime(master)];
    assert.ok(tBackup > 0 && tMaster > 0, `reloads seen: backup ${tBackup}, master ${tMaster}`);
    assert.ok(tBackup < tMaster, `backup reloaded at ${tBackup}, master at ${tMaster}`);
  });

  test("drift: a backup's keepalived.conf edited and keepalived stopped by hand; preview names them, up restores them", () => {
    const master = vipHolders(NODES)[0];
    const backup = NODES.find((n) => n !== master)!;
    const conf = "/etc/keepalived/keepalived.conf";
    const rendered = onNode(backup, `sha256sum < ${conf}`).out;
    onNode(backup, `echo '# edited by hand' >> ${conf} && systemctl stop keepalived`);

    const preview = stack.ok(["preview"]);
    assert.match(preview.all, new RegExp(`${backup} no longer matches the stack; .up. runs these steps again: ` +
      `keepalived: keepalived.conf differs from the rendered one \\| services: keepalived inactive`));
    const planned = [...preview.all.matchAll(/^\s*~\s+\S+:\S+\s+(\S+)\s+update\b/gm)].map((m) => m[1]).sort();
    assert.deepEqual(planned, [`cluster-${backup}-keepalived`, `cluster-${backup}-services`, "cluster-preflight", "cluster-vip-holder"]);

    const r = stack.ok(["up", "--yes"]);
    const updated = [...r.all.matchAll(/^\s*~\s+\S+\s+(\S+)\s+updated/gm)].map((m) => m[1]).sort();
    assert.deepEqual(updated, planned);
    assert.equal(onNode(backup, `sha256sum < ${conf}`).out, rendered, "keepalived.conf byte-identical to the rendered one");
    assert.equal(onNode(backup, "stat -c '%U %a' " + conf).out, "root 600");
    assert.equal(onNode(backup, "systemctl is-active keepalived").out, "active");
    assert.deepEqual(vipHolders(NODES), [master]);
  });

  test("drift: the master's web server disabled and stopped; up enables and starts it, and master follows the VIP", async () => {
    const master = vipHolders(NODES)[0];
    onNode(master, "systemctl disable --now apache2");
    // The TCP check (weight -30) moves the VIP away; the stack's output is now stale until the next up.
    await waitUntil("the VIP to leave the master", () => !vipHolders(NODES).includes(master), 60_000);
    const r = stack.ok(["up", "--yes"]);
    assert.match(r.all, new RegExp(`${master} no longer matches the stack; running these steps again: ` +
      `services: apache2 disabled; apache2 inactive`));
    assert.equal(onNode(master, "systemctl is-enabled apache2; systemctl is-active apache2").out, "enabled\nactive");
    const holders = vipHolders(NODES);
    assert.equal(holders.length, 1, `VIP holders: ${holders.join(", ")}`);
    const outputs = JSON.parse(stack.ok(["stack", "output", "--json"]).stdout);
    assert.equal(outputs.master, holders[0]);
    assert.equal(outputs.instances[Object.keys(outputs.instances)[0]].master, holders[0]);
  });

  test("drift: nothing drifted, so preview --expect-no-changes passes", () => {
    const r = stack.ok(["preview", "--expect-no-changes"]);
    assert.doesNotMatch(r.all, /no longer matches the stack/);
  });

  test("a config that fails validation stops preview with no SSH connection", () => {
    const logins = NODES.map(acceptedSshLogins);
    const bad = new TestStack("deploy-invalid", labStackConfig().replace(/weight: -30/, "weight: 5"));
    try {
      const r = bad.run(["preview"]);
      assert.notEqual(r.code, 0);
      assert.match(r.all, /checks\[0\]\.weight/);
    } finally {
      bad.remove();
    }
    assert.deepEqual(NODES.map(acceptedSshLogins), logins);
  });

  test("the VRRP password and the SSH key appear neither in output nor in plain state", () => {
    const exported = spawnSync("pulumi", ["stack", "export", "--show-secrets", "--stack", stack.name], {
      cwd: REPO, encoding: "utf8", env: { ...toolchainEnv(), PULUMI_BACKEND_URL: `file://${stack.backendDir}` },
    });
    const secret = JSON.parse(exported.stdout).deployment.resources
      .find((r: { type: string }) => r.type.endsWith("GeneratedSecret")).outputs.result;
    const password: string = JSON.parse(secret.plaintext);
    assert.match(onNode("node1", "grep auth_pass /etc/keepalived/keepalived.conf").out, new RegExp(`auth_pass ${password}$`));
    const keyPath = /privateKeyPath:\s*(\S+)/.exec(labStackConfig())![1];
    const keyLines = fs.readFileSync(keyPath, "utf8").split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
    const state = stack.stateText();
    for (const [what, needle] of [["password", password], ...keyLines.map((l) => ["ssh key", l])]) {
      assert.ok(!stack.transcript.includes(needle), `${what} in console output`);
      assert.ok(!state.includes(needle), `${what} in the state file`);
    }
    for (const n of NODES) {
      assert.equal(onNode(n, `journalctl --no-pager -o cat | grep -c -F '${password}' || true`).out, "0", `${n} journal`);
    }
  });

  test("drift: hosts re-created under the deployed stack; up converges them, status HEALTHY, master is the holder", () => {
    lab("down");
    lab("up", "--nodes", "2"); // the same addresses and host keys, empty disks
    assert.deepEqual(vipHolders(NODES), []);
    const r = stack.ok(["up", "--yes"]);
    for (const n of NODES) assert.match(r.all, new RegExp(`${n} no longer matches the stack; running these steps again: firewall: `));
    const status = npmRun("status", "--stack", stack.name);
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /HEALTHY/);
    const holders = vipHolders(NODES);
    assert.equal(holders.length, 1, `VIP holders: ${holders.join(", ")}`);
    assert.equal(JSON.parse(stack.ok(["stack", "output", "--json"]).stdout).master, holders[0]);
    assert.equal(curlVip().body, `<h1> hello from ${holders[0]} </h1>`);
  });

  test("destroy stops keepalived, removes its files, restores the page and firewalld", () => {
    const t0 = Date.now();
    stack.ok(["destroy", "--yes"]);
    console.log(`# pulumi destroy: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const n of NODES) {
      assert.equal(onNode(n, "systemctl is-active keepalived || true").out, "inactive", n);
      assert.equal(onNode(n, "systemctl is-enabled keepalived || true").out, "disabled", n);
      // Only what the package put there remains (Debian ships keepalived.conf.sample).
      assert.equal(onNode(n, "ls /etc/keepalived | grep -v '\\.sample$' | tr '\\n' ' '").out, "", `${n}: files left in /etc/keepalived`);
      // A fresh host has no web server; the package's postinst writes its default page, which is what the
      // site step found and saved.
      const expected = before_[n].page !== "absent" ? before_[n].page
        : onNode(n, "md5sum < /usr/share/apache2/default-site/index.html").out;
      assert.equal(onNode(n, "md5sum < /var/www/html/index.html").out, expected, `${n} index page`);
      assert.equal(onNode(n, "echo $(systemctl is-enabled firewalld) $(systemctl is-active firewalld)").out,
        before_[n].firewalld, n);
    }
    assert.deepEqual(vipHolders(NODES), []);
  });
});
