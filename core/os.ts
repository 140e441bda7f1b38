/**
 * OS families as one table: package manager, package/service/process names, paths, firewall handling,
 * and the exact shell commands each step runs. Pure data and functions returning command strings; the
 * components only run these commands, they never branch on the OS themselves.
 */
import * as path from "node:path";
import { hostScript, shellQuote } from "./shell";

/** Supported OS families. */
export type OsFamily = "debian" | "rhel";

/** All OS families, in a stable order. */
export const OS_FAMILIES: readonly OsFamily[] = ["debian", "rhel"];

/** What to do with a host firewall: stop it (the seed), open VRRP + HTTP in it, or leave it alone. */
export type FirewallMode = "disable" | "open" | "skip";

/** All firewall modes. */
export const FIREWALL_MODES: readonly FirewallMode[] = ["disable", "open", "skip"];

/** Facts about one OS family. */
export interface OsProfile {
  /** Family name. */
  readonly family: OsFamily;
  /** Package providing keepalived. */
  readonly keepalivedPackage: string;
  /** Package providing the web server. */
  readonly webServerPackage: string;
  /** systemd unit of the web server. */
  readonly webServerService: string;
  /** Process name of the web server (what a process check looks for). */
  readonly webServerProcess: string;
  /** Pid file of the web server's main process. */
  readonly webServerPidFile: string;
  /** Document root; the index page goes to `<docroot>/index.html`. */
  readonly docroot: string;
  /** Package providing curl (http checks need it). */
  readonly curlPackage: string;
  /** True when firewalld is installed by default (RHEL); on Debian it is only handled when present. */
  readonly firewalldByDefault: boolean;
  /**
   * Packages the LAN pre-flight checks need where a host may lack perl: a capture tool, a raw-IP sender and ARP
   * duplicate detection (the packages step installs them, and the checks wait for it).
   */
  readonly preflightPackages: readonly string[];
}

/** The table. */
export const OS_PROFILES: Readonly<Record<OsFamily, OsProfile>> = {
  debian: {
    family: "debian",
    keepalivedPackage: "keepalived",
    webServerPackage: "apache2",
    webServerService: "apache2",
    webServerProcess: "apache2",
    webServerPidFile: "/var/run/apache2/apache2.pid",
    docroot: "/var/www/html",
    curlPackage: "curl",
    firewalldByDefault: false,
    // None: the checks run on perl, and perl-base is essential on Debian.
    preflightPackages: [],
  },
  rhel: {
    family: "rhel",
    keepalivedPackage: "keepalived",
    webServerPackage: "httpd",
    webServerService: "httpd",
    webServerProcess: "httpd",
    webServerPidFile: "/run/httpd/httpd.pid",
    docroot: "/var/www/html",
    curlPackage: "curl",
    firewalldByDefault: true,
    preflightPackages: ["tcpdump", "socat", "iputils"],
  },
};

/** Unit names of the web server across all families (a probe takes the first that exists on a host). */
export const WEB_SERVER_SERVICES: readonly string[] = [...new Set(OS_FAMILIES.map((f) => OS_PROFILES[f].webServerService))];

/** The profile of a family. */
export function osProfile(family: OsFamily): OsProfile {
  return OS_PROFILES[family];
}

/** True for a known family name. */
export function isOsFamily(value: unknown): value is OsFamily {
  return value === "debian" || value === "rhel";
}

/** os-release IDs per family (ID and ID_LIKE are both searched). */
const OS_RELEASE_IDS: Readonly<Record<OsFamily, readonly string[]>> = {
  debian: ["debian", "ubuntu"],
  rhel: ["rhel", "centos", "rocky", "almalinux", "fedora"],
};

/** Shell command whose output `detectOsFamily` understands (`ID=...` and `ID_LIKE=...` lines). */
export const DETECT_OS_COMMAND = "grep -E '^(ID|ID_LIKE)=' /etc/os-release";

/** Strips quotes from an os-release value. */
function unquote(value: string): string {
  return value.trim().replace(/^["']|["']$/g, "");
}

/** Family from the text of /etc/os-release (or the output of DETECT_OS_COMMAND); undefined if unknown. */
export function detectOsFamily(osRelease: string): OsFamily | undefined {
  const fields = new Map<string, string>();
  for (const line of osRelease.split(/\r?\n/)) {
    const match = /^\s*([A-Z_]+)=(.*)$/.exec(line);
    if (match) fields.set(match[1], unquote(match[2]));
  }
  // ID first, then ID_LIKE in its order: `ID=rocky ID_LIKE="rhel centos fedora"` is rhel.
  const ids = [fields.get("ID") ?? "", ...(fields.get("ID_LIKE") ?? "").split(/\s+/)].filter((id) => id !== "");
  for (const id of ids) {
    for (const family of OS_FAMILIES) {
      if (OS_RELEASE_IDS[family].includes(id.toLowerCase())) return family;
    }
  }
  return undefined;
}

/** Facts about the machine a node runs on that change what keepalived can do there. */
export interface HostPlatform {
  /**
   * The container technology (`systemd-nspawn`, `lxc`, `docker`, ...), or undefined on a VM or bare metal.
   * In a container keepalived's `track_process` cannot work: the kernel's proc connector (cn_proc) only
   * answers listeners in the initial network (and pid/user) namespace, so keepalived logs "Failed to set/clear
   * process event listen - errno 111" and the instance stays in FAULT.
   */
  readonly container?: string;
}

/** A VM or bare-metal host: every keepalived feature works. */
export const BARE_METAL: HostPlatform = {};

/** True when the host can give keepalived process events (track_process). */
export function hasProcessEvents(platform: HostPlatform): boolean {
  return platform.container === undefined;
}

/**
 * Shell command whose output `detectOsFamily` and `detectPlatform` understand: the os-release identity plus
 * one `CONTAINER=` line from `systemd-detect-virt --container` (`none` outside a container; empty where
 * systemd-detect-virt is missing).
 */
export const IDENTIFY_HOST_COMMAND = `${DETECT_OS_COMMAND}; echo "CONTAINER=$(systemd-detect-virt --container 2>/dev/null || true)"`;

/**
 * The platform from the output of IDENTIFY_HOST_COMMAND. Without a `CONTAINER=` line (or with an empty one:
 * no systemd-detect-virt) the host counts as a VM or bare metal, the case that needs no substitute.
 */
export function detectPlatform(identifyOutput: string): HostPlatform {
  const match = /^CONTAINER=(.*)$/m.exec(identifyOutput);
  const value = match === null ? "" : unquote(match[1]);
  return value === "" || value === "none" ? {} : { container: value };
}

/** What beyond keepalived and the web server a node needs installed. */
export interface PackageNeeds {
  /** An http check runs curl. */
  readonly curl: boolean;
  /** The LAN pre-flight checks run (with tcpdump, socat and arping on a family whose hosts may lack perl). */
  readonly preflightTools: boolean;
}

/** Packages a node needs: keepalived, the web server, curl for http checks, the pre-flight tools. */
export function packagesFor(family: OsFamily, needs: PackageNeeds): string[] {
  const profile = OS_PROFILES[family];
  const packages = [profile.keepalivedPackage, profile.webServerPackage];
  if (needs.curl) packages.push(profile.curlPackage);
  if (needs.preflightTools) packages.push(...profile.preflightPackages);
  return packages;
}

/** Marks the policy-rc.d the packages step writes for the time of an install, so a leftover is known as ours. */
const POLICY_MARK = "keepalived-ha: no service starts while installing";

/** Installs packages only when one is missing (no package-manager run, no network, when all are present). */
export function installPackagesCommand(family: OsFamily, packages: readonly string[]): string {
  const list = packages.map(shellQuote).join(" ");
  if (family === "debian") {
    return [
      `missing=""; for p in ${list}; do dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"; done`,
      // `dpkg --configure -a` finishes an install an interrupted run left half done; the lock timeout waits
      // for another apt (e.g. unattended-upgrades) instead of failing at once.
      `if [ -n "$missing" ]; then export DEBIAN_FRONTEND=noninteractive; dpkg --configure -a`,
      // The services start in the services step, once configured, not from the packages' install scripts
      // (Debian's policy-rc.d; an operator's own file is left alone, a leftover of a killed run is replaced).
      `  policy=/usr/sbin/policy-rc.d; if grep -qs '${POLICY_MARK}' "$policy"; then rm -f "$policy"; fi`,
      `  if [ ! -e "$policy" ]; then printf '#!/bin/sh\\n# ${POLICY_MARK}\\nexit 101\\n' > "$policy" && chmod 0755 "$policy" && trap 'rm -f "$policy"' EXIT; fi`,
      `  apt_install() { apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends $missing; }`,
      // Package lists refreshed in the last 10 minutes (by the keepalived package step just before, say) are
      // fresh enough, as Ansible's cache_valid_time; if they lack a package, they are refreshed after all.
      `  if [ -n "$(find /var/lib/apt/lists -maxdepth 0 -mmin -10 2>/dev/null)" ] && apt_install 2>/dev/null; then :`,
      // Without the description translations, which an install never reads: 6 of the 15 MB fetched, and 1.7-1.9 s
      // instead of 2.4-2.8 s on a lab host. No list clean-up, so the translations a host had stay.
      `  else apt-get -o DPkg::Lock::Timeout=120 -o Acquire::Languages=none --no-list-cleanup update -qq && apt_install; fi`,
      `fi`,
    ].join("\n");
  }
  return [
    `missing=""; for p in ${list}; do rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"; done`,
    `if [ -n "$missing" ]; then if command -v dnf >/dev/null 2>&1; then dnf -y -q install $missing; else yum -y -q install $missing; fi; fi`,
  ].join("\n");
}

/** The pre-flight tools of a family: none where perl does their work, else installed by the packages step. */
export function preflightToolPackages(family: OsFamily): readonly string[] {
  return OS_PROFILES[family].preflightPackages;
}

/** Removes packages that are installed (used on destroy with purgePackages). */
export function removePackagesCommand(family: OsFamily, packages: readonly string[]): string {
  const list = packages.map(shellQuote).join(" ");
  if (family === "debian") {
    return `DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ${list} || true`;
  }
  return `if command -v dnf >/dev/null 2>&1; then dnf -y -q remove ${list}; else yum -y -q remove ${list}; fi || true`;
}

/** Where the firewall step remembers what it changed, so destroy can put it back. */
export const FIREWALL_STATE_FILE = "/var/lib/keepalived-ha/firewalld.state";

/** The firewall step of one node: what `up` runs and what `destroy` runs. */
export interface FirewallCommands {
  /** Applies the mode; idempotent. */
  readonly apply: string;
  /** Undoes `apply` from the state it recorded; idempotent. */
  readonly restore: string;
}

/**
 * Firewall commands for a mode. `disable` stops and disables firewalld (the seed), recording whether it was
 * enabled/active; `open` keeps firewalld and allows VRRP (protocol 112) and the HTTP port; `skip` does nothing.
 * The same commands serve both families: firewalld is the tool on both, only optional on Debian.
 */
export function firewallCommands(mode: FirewallMode, httpPort = 80): FirewallCommands {
  const words = { STATE_DIR: path.posix.dirname(FIREWALL_STATE_FILE), STATE_FILE: FIREWALL_STATE_FILE };
  switch (mode) {
    case "skip":
      return { apply: "true", restore: "true" };
    case "disable":
      return { apply: hostScript("firewall-disable.apply", words), restore: hostScript("firewall-disable.restore", { STATE_FILE: FIREWALL_STATE_FILE }) };
    case "open":
      return {
        apply: hostScript("firewall-open.apply", { ...words, HTTP_PORT: httpPort }),
        restore: hostScript("firewall-open.restore", { STATE_FILE: FIREWALL_STATE_FILE, HTTP_PORT: httpPort }),
      };
  }
}
