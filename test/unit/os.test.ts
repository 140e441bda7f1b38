/** The OS table: detection and command strings. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectOsFamily, firewallCommands, installPackagesCommand, OS_PROFILES, packagesFor, shellQuote } from "../../core";

describe("detectOsFamily", () => {
  const CASES: [string, string, string | undefined][] = [
    ["Debian 12", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', "debian"],
    ["Ubuntu", "ID=ubuntu\nID_LIKE=debian\n", "debian"],
    ["Linux Mint via ID_LIKE", 'ID=linuxmint\nID_LIKE="ubuntu debian"\n', "debian"],
    ["CentOS 7", 'ID="centos"\nID_LIKE="rhel fedora"\n', "rhel"],
    ["Rocky", 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', "rhel"],
    ["AlmaLinux", 'ID="almalinux"\n', "rhel"],
    ["RHEL", 'ID="rhel"\n', "rhel"],
    ["Fedora", "ID=fedora\n", "rhel"],
    ["Oracle Linux via ID_LIKE", 'ID="ol"\nID_LIKE="fedora"\n', "rhel"],
    ["Alpine is unknown", "ID=alpine\n", undefined],
    ["empty", "", undefined],
  ];
  for (const [name, text, family] of CASES) it(name, () => assert.equal(detectOsFamily(text), family));
});

describe("OS table", () => {
  it("debian uses apache2, rhel httpd, both /var/www/html", () => {
    assert.equal(OS_PROFILES.debian.webServerService, "apache2");
    assert.equal(OS_PROFILES.debian.webServerProcess, "apache2");
    assert.equal(OS_PROFILES.rhel.webServerService, "httpd");
    assert.equal(OS_PROFILES.rhel.webServerProcess, "httpd");
    assert.equal(OS_PROFILES.debian.docroot, "/var/www/html");
    assert.equal(OS_PROFILES.rhel.docroot, "/var/www/html");
  });
  it("packages include curl only when needed", () => {
    assert.deepEqual(packagesFor("debian", { curl: false, preflightTools: false }), ["keepalived", "apache2"]);
    assert.deepEqual(packagesFor("rhel", { curl: true, preflightTools: false }), ["keepalived", "httpd", "curl"]);
    // The pre-flight checks run on perl on Debian (perl-base is essential); RHEL's minimal hosts may lack it.
    assert.deepEqual(packagesFor("debian", { curl: false, preflightTools: true }), ["keepalived", "apache2"]);
    assert.deepEqual(packagesFor("rhel", { curl: false, preflightTools: true }), ["keepalived", "httpd", "tcpdump", "socat", "iputils"]);
  });
  it("install commands check before installing", () => {
    const deb = installPackagesCommand("debian", ["keepalived", "apache2"]);
    assert.match(deb, /dpkg-query/);
    assert.match(deb, /apt-get -o DPkg::Lock::Timeout=120 install -y/);
    assert.match(deb, /dpkg --configure -a/, "an interrupted install is finished first");
    const rpm = installPackagesCommand("rhel", ["keepalived", "httpd"]);
    assert.match(rpm, /rpm -q/);
    assert.match(rpm, /dnf -y -q install .*yum -y -q install/);
  });
  it("firewall modes", () => {
    assert.equal(firewallCommands("skip").apply, "true");
    const disable = firewallCommands("disable");
    assert.match(disable.apply, /systemctl disable --now firewalld/);
    assert.match(disable.restore, /systemctl start firewalld/);
    const open = firewallCommands("open", 8080);
    assert.match(open.apply, /protocol value="vrrp" accept/);
    assert.match(open.apply, /--add-port=8080\/tcp/);
    assert.match(open.restore, /--remove-port=8080\/tcp/);
  });
  it("shellQuote", () => {
    assert.equal(shellQuote("httpd"), "httpd");
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });
});
