import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { asRoot, decodeBundle, encodeBundle, keepalivedConfigStep, servicesStep, siteStep } from "../../core/deploy-steps";
import { osProfile } from "../../core";

describe("deploy steps", () => {
  const files = [
    { path: "/etc/keepalived/keepalived.conf", mode: "0600", content: "auth_pass s3cr3t!\n", secret: true },
    { path: "/etc/keepalived/check_web.sh", mode: "0755", content: "#!/bin/bash\necho 'quotes' \"and\" $vars\n" },
  ];

  test("the bundle round-trips and is sorted by path", () => {
    const bundle = encodeBundle(files);
    assert.deepEqual(decodeBundle(bundle).map((f) => f.path), ["/etc/keepalived/check_web.sh", "/etc/keepalived/keepalived.conf"]);
    assert.deepEqual(decodeBundle(bundle).map((f) => f.content).sort(), files.map((f) => f.content).sort());
  });

  test("the bundle never carries file text in the clear", () => {
    assert.ok(!encodeBundle(files).includes("s3cr3t"));
  });

  test("no step script contains file content: contents only travel on stdin", () => {
    for (const s of [keepalivedConfigStep("n1"), siteStep(osProfile("debian")), servicesStep(osProfile("rhel"))]) {
      assert.ok(!s.apply.includes("s3cr3t"));
      assert.ok(s.undo !== undefined && s.undo.length > 0);
    }
  });

  test("asRoot leaves root alone and wraps other users in sudo -n", () => {
    assert.equal(asRoot("id -u", "root"), "id -u");
    assert.equal(asRoot("echo 'x'", "deploy"), `sudo -n /bin/bash -c 'echo '\\''x'\\'''`);
  });

  test("every step script is valid bash", () => {
    for (const family of ["debian", "rhel"] as const) {
      for (const s of [keepalivedConfigStep("n1"), siteStep(osProfile(family)), servicesStep(osProfile(family))]) {
        execFileSync("bash", ["-n", "-c", s.apply]);
        execFileSync("bash", ["-n", "-c", s.undo!]);
      }
    }
  });
});
