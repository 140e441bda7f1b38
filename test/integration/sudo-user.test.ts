/**
 * A non-root SSH user: the steps run through passwordless `sudo -n`, the result is the same as with root
 * (root-owned files, one VIP holder), and a user without sudo rights fails with an error naming the host and
 * sudo, before anything is changed there.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { curlVip, lab, labStackConfig, onNode, vipHolders } from "../support/lab";
import { TestStack } from "../support/pulumi";

const NODES = ["node1", "node2"];

/** The lab's stack, logging in as `user`. */
function configAs(user: string): string {
  const doc = parse(labStackConfig());
  doc.config["keepalived-ha:ssh"] = { ...doc.config["keepalived-ha:ssh"], user };
  return stringify(doc);
}

describe("a non-root SSH user with sudo", { timeout: 30 * 60_000 }, () => {
  let stack: TestStack | undefined;
  let refused: TestStack | undefined;

  before(() => {
    lab("down");
    lab("up", "--nodes", "2");
    for (const n of NODES) {
      // `deploy` may sudo without a password; `nosudo` may log in but not become root.
      const r = onNode(n, [
        "set -e",
        "export DEBIAN_FRONTEND=noninteractive",
        "apt-get update -qq && apt-get install -y -qq --no-install-recommends sudo >/dev/null",
        "for u in deploy nosudo; do id $u >/dev/null 2>&1 || useradd -m -s /bin/bash $u;",
        "  install -d -m 700 -o $u -g $u /home/$u/.ssh; install -m 600 -o $u -g $u /root/.ssh/authorized_keys /home/$u/.ssh/; done",
        "echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy && chmod 440 /etc/sudoers.d/deploy",
      ].join("\n"));
      assert.equal(r.code, 0, `preparing ${n}: ${r.out}`);
    }
  });
  after(() => {
    try {
      stack?.run(["destroy", "--yes"]);
    } finally {
      stack?.remove();
      refused?.remove();
      lab("down");
    }
  });

  test("a user without sudo rights is refused with the host and the reason, and nothing is changed", () => {
    refused = new TestStack("nosudo", configAs("nosudo"));
    const r = refused.run(["up", "--yes"]);
    assert.notEqual(r.code, 0);
    console.log(`# refused: ${r.all.split("\n").filter((l) => /a password is required/.test(l)).slice(0, 2).join(" | ")}`);
    assert.match(r.all, /identify the OS on node[12]/, r.all);
    assert.match(r.all, /sudo: a password is required/, r.all);
    assert.match(r.all, /the SSH user nosudo needs passwordless sudo on 10\.213\.151\.1[12]/, r.all);
    for (const n of NODES) {
      assert.equal(onNode(n, "test -e /etc/keepalived/keepalived.conf && echo yes || echo no").out, "no", n);
    }
  });

  test("up as `deploy` converges through sudo: root-owned files, one VIP holder, its page through the VIP", () => {
    stack = new TestStack("sudo", configAs("deploy"));
    stack.ok(["up", "--yes"]);
    const holders = vipHolders(NODES);
    assert.equal(holders.length, 1, holders.join());
    assert.equal(curlVip().body, `<h1> hello from ${holders[0]} </h1>`);
    for (const n of NODES) {
      assert.equal(onNode(n, "stat -c '%U %a' /etc/keepalived/keepalived.conf").out, "root 600", n);
      assert.match(onNode(n, "journalctl --no-pager -o cat _COMM=sudo | grep -c 'deploy : .*USER=root' || true").out, /^[1-9]/, `${n}: sudo log`);
    }
  });

  test("destroy as `deploy` gives the hosts back", () => {
    stack!.ok(["destroy", "--yes"]);
    for (const n of NODES) {
      assert.equal(onNode(n, "systemctl is-active keepalived || true").out, "inactive", n);
      assert.equal(onNode(n, "test -e /etc/keepalived/keepalived.conf && echo yes || echo no").out, "no", n);
    }
  });
});
