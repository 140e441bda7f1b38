/**
 * The shell scripts of each remote step a node goes through, with the script that undoes it on destroy.
 * Pure: the components only run these over SSH. File contents never appear in a script: they travel on
 * stdin as a bundle (one `path mode base64` line per file), so secrets stay out of command text, process
 * lists and error messages.
 */
import { vipAddress } from "./model";
import { IDENTIFY_HOST_COMMAND, OsProfile } from "./os";
import { hostScript, shellQuote } from "./shell";
import { EVENT_STATE_DIR, EVENT_TMPFILES_PATH, WebServerHookState } from "./render/event-checks";
import { KEEPALIVED_DIR, RenderedFile } from "./render/types";

/** Where the steps keep what they need to undo themselves. Root-only. */
export const STATE_DIR = "/var/lib/keepalived-ha";

/** A step: what `up` runs (on create and when its script or payload changes) and what destroy runs. */
export interface StepScripts {
  /** Runs on create and on change; idempotent. */
  readonly apply: string;
  /** Undoes `apply`; idempotent; undefined when there is nothing to undo. */
  readonly undo?: string;
}

/** Runs a script as root: directly for root, through passwordless sudo otherwise (stdin passes through). */
export function asRoot(script: string, user: string): string {
  if (user === "root") return script;
  return `sudo -n /bin/bash -c ${shellQuote(script)}`;
}

/** Encodes files for a step's stdin: one `path mode base64(content)` line each, sorted by path. */
export function encodeBundle(files: readonly RenderedFile[]): string {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.path} ${f.mode} ${Buffer.from(f.content, "utf8").toString("base64")}\n`)
    .join("");
}

/** Decodes a bundle (for tests and tools; the hosts decode with bash + base64). */
export function decodeBundle(bundle: string): RenderedFile[] {
  return bundle.split("\n").filter((l) => l !== "").map((line) => {
    const [path, mode, b64] = line.split(" ");
    return { path, mode, content: Buffer.from(b64 ?? "", "base64").toString("utf8") };
  });
}

/** The shell function `install_bundle DIR PREFIX LIST` that unpacks a bundle from stdin, as lines for a script. */
function installBundleFunction(): string[] {
  return hostScript("install-bundle").split("\n");
}

/**
 * Waits for the host and prints its os-release identity and whether it is a container (the component
 * detects the family and the platform from it: detectOsFamily, detectPlatform).
 */
export function identifyHostStep(): StepScripts {
  return { apply: IDENTIFY_HOST_COMMAND };
}

/**
 * The web server's systemd hooks for event-driven checks in a container (render/event-checks.ts): the drop-ins
 * and the tmpfiles.d entry come on stdin as a bundle (possibly empty: then it only removes what an earlier run
 * installed). Makes the state folder, reloads systemd, and writes each state file from the unit's state now,
 * since a unit that is already running never runs its new ExecStartPost. Runs before the keepalived step:
 * keepalived drops a track_file whose folder does not exist. Undo removes the hooks, the folder and reloads.
 */
export function webServerHooksStep(os: OsProfile, states: readonly WebServerHookState[]): StepScripts {
  const managed = `${STATE_DIR}/web-server-hooks.files`;
  const stateFiles = states.length > 0
    ? hostScript("web-server-hooks.state-files", { TMPFILES_PATH: EVENT_TMPFILES_PATH, WEB_SERVICE: os.webServerService }, {
      WRITE_STATE_FILES: states.map((s) =>
        `if [ "$running" = yes ]; then echo ${s.running} > ${s.file}; else echo ${s.stopped} > ${s.file}; fi`),
    }).split("\n")
    : [`rm -rf ${EVENT_STATE_DIR}`];
  return {
    apply: hostScript("web-server-hooks.apply", { STATE_DIR, MANAGED: managed }, {
      INSTALL_BUNDLE: installBundleFunction(), STATE_FILES: stateFiles,
    }),
    undo: hostScript("web-server-hooks.undo", { MANAGED: managed, EVENT_STATE_DIR }),
  };
}

/**
 * The index page: the first run saves the page that was there (or notes there was none), then the page from
 * stdin replaces it atomically; undo puts the saved page back.
 */
export function siteStep(os: OsProfile): StepScripts {
  const words = {
    PAGE: `${os.docroot}/index.html`, SAVED: `${STATE_DIR}/index.html.orig`, ABSENT: `${STATE_DIR}/index.html.absent`,
  };
  return {
    apply: hostScript("site.apply", { ...words, STATE_DIR, DOCROOT: os.docroot }),
    undo: hostScript("site.undo", words),
  };
}

/**
 * keepalived's files: staged next to /etc/keepalived, tested with the real `keepalived -t` in a private mount
 * namespace where the staged tree *is* /etc/keepalived (so script paths and their owners are checked exactly
 * as they will be), and only then installed. A rejected config leaves the running one untouched. The first
 * run saves the original /etc/keepalived for destroy. A running keepalived is reloaded (SIGHUP), never
 * restarted, so the VIP does not flap; on a new VRRP password a node holding none of `vips` stops instead.
 * With the run parameter `START_KEEPALIVED=now` (RemoteCommand's `runParameters`) a keepalived that is not
 * running starts at the end; otherwise the services step starts it.
 */
export function keepalivedConfigStep(nodeName: string, vips: readonly string[] = []): StepScripts {
  const words = { MANAGED: `${STATE_DIR}/keepalived.files`, ORIGINAL: `${STATE_DIR}/keepalived.orig.tar` };
  return {
    apply: hostScript("keepalived-config.apply", { ...words, STATE_DIR, KEEPALIVED_DIR, NODE_NAME: nodeName }, {
      INSTALL_BUNDLE: installBundleFunction(), HOLDS_VIP_TESTS: vips.map((vip) => `${holdsAddressTest(vipAddress(vip))} && holds=yes`),
    }),
    undo: hostScript("keepalived-config.undo", words),
  };
}

/**
 * Services: the web server and keepalived enabled and running. The first run records the web server's
 * enabled/active state so destroy can return it; undo stops keepalived before it returns the web server to
 * that state (the config step's undo disables keepalived and removes its files).
 */
export function servicesStep(os: OsProfile, passwordDigest = ""): StepScripts {
  const words = { SAVED: `${STATE_DIR}/webserver.state`, WEB_SERVICE: os.webServerService };
  return {
    // Changes with the VRRP password, so the step re-runs after a rotation (keepalived may be stopped).
    apply: `# password ${passwordDigest}\n${hostScript("services.apply", { ...words, STATE_DIR })}`,
    undo: hostScript("services.undo", words),
  };
}

/** Makes a node leaving the cluster give up its VIPs at once: keepalived's priority-0 advert on stop. */
export function stepDownCommand(user: string): string {
  return asRoot("systemctl stop keepalived", user);
}

/** Shell test: true when the address (without prefix) is on one of the host's interfaces. */
export function holdsAddressTest(address: string): string {
  return `ip -4 -o addr show | grep -q ' inet ${address}/'`;
}

/** Prints "yes" when the address (without prefix) is on one of the host's interfaces, "no" otherwise. */
export function holdsAddressCommand(address: string): string {
  return `if ${holdsAddressTest(address)}; then echo yes; else echo no; fi`;
}
