/**
 * The shell scripts of each remote step a node goes through, with the script that undoes it on destroy.
 * Pure: the components only run these over SSH. File contents never appear in a script: they travel on
 * stdin as a bundle (one `path mode base64` line per file), so secrets stay out of command text, process
 * lists and error messages.
 */
import { vipAddress } from "./model";
import { IDENTIFY_HOST_COMMAND, OsProfile } from "./os";
import { shellQuote } from "./shell";
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

const STRICT = "set -euo pipefail";

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
  const web = shellQuote(os.webServerService);
  const removeManaged = [
    `if [ -f ${managed} ]; then`,
    `  while read -r path; do rm -f "$path"; rmdir "$(dirname "$path")" 2>/dev/null || true; done < ${managed}`,
    `  rm -f ${managed}`,
    `fi`,
  ];
  return {
    apply: [
      STRICT,
      `install -d -m 0700 ${STATE_DIR}`,
      `new=$(mktemp)`,
      `trap 'rm -f "$new"' EXIT`,
      `while read -r path mode b64; do`,
      `  install -d -m 0755 "$(dirname "$path")"`,
      `  printf '%s' "$b64" | base64 -d > "$path.keepalived-ha-new"`,
      `  chmod "$mode" "$path.keepalived-ha-new"`,
      `  mv -f "$path.keepalived-ha-new" "$path"`,
      `  echo "$path" >> "$new"`,
      `done`,
      `if [ -f ${managed} ]; then`,
      `  { grep -vxF -f "$new" ${managed} || true; } | while read -r path; do rm -f "$path"; rmdir "$(dirname "$path")" 2>/dev/null || true; done`,
      `fi`,
      `if [ -s "$new" ]; then cp "$new" ${managed}; else rm -f ${managed}; fi`,
      `systemctl daemon-reload`,
      ...(states.length > 0 ? [
        `systemd-tmpfiles --create ${EVENT_TMPFILES_PATH}`,
        `if systemctl is-active --quiet ${web}; then running=yes; else running=no; fi`,
        ...states.map((s) => `if [ "$running" = yes ]; then echo ${s.running} > ${s.file}; else echo ${s.stopped} > ${s.file}; fi`),
      ] : [`rm -rf ${EVENT_STATE_DIR}`]),
    ].join("\n"),
    undo: [
      STRICT,
      ...removeManaged,
      `rm -rf ${EVENT_STATE_DIR}`,
      `systemctl daemon-reload`,
    ].join("\n"),
  };
}

/**
 * The index page: the first run saves the page that was there (or notes there was none), then the page from
 * stdin replaces it atomically; undo puts the saved page back.
 */
export function siteStep(os: OsProfile): StepScripts {
  const page = `${os.docroot}/index.html`;
  const saved = `${STATE_DIR}/index.html.orig`;
  const absent = `${STATE_DIR}/index.html.absent`;
  return {
    apply: [
      STRICT,
      `install -d -m 0700 ${STATE_DIR}`,
      `if [ ! -e ${saved} ] && [ ! -e ${absent} ]; then`,
      `  if [ -e ${page} ]; then cp -a ${page} ${saved}; else touch ${absent}; fi`,
      `fi`,
      `install -d -m 0755 ${os.docroot}`,
      `tmp=$(mktemp ${os.docroot}/.index.XXXXXX)`,
      `cat > "$tmp"`,
      `chmod 0644 "$tmp"`,
      `mv -f "$tmp" ${page}`,
    ].join("\n"),
    undo: [
      STRICT,
      `if [ -e ${saved} ]; then mv -f ${saved} ${page}; elif [ -e ${absent} ]; then rm -f ${page} ${absent}; fi`,
    ].join("\n"),
  };
}

/**
 * keepalived's files: staged next to /etc/keepalived, tested with the real `keepalived -t` in a private mount
 * namespace where the staged tree *is* /etc/keepalived (so script paths and their owners are checked exactly
 * as they will be), and only then installed. A rejected config leaves the running one untouched. The first
 * run saves the original /etc/keepalived for destroy. A running keepalived is reloaded (SIGHUP), never
 * restarted, so the VIP does not flap.
 */
export function keepalivedConfigStep(nodeName: string, vips: readonly string[] = []): StepScripts {
  const managed = `${STATE_DIR}/keepalived.files`;
  const original = `${STATE_DIR}/keepalived.orig.tar`;
  return {
    apply: [
      STRICT,
      `install -d -m 0700 ${STATE_DIR}`,
      `install -d -m 0755 ${KEEPALIVED_DIR}`,
      `stage=$(mktemp -d /etc/.keepalived-ha.XXXXXX)`,
      `trap 'rm -rf "$stage"' EXIT`,
      `cp -a ${KEEPALIVED_DIR}/. "$stage"/`,
      `: > "$stage/.files"`,
      `while read -r path mode b64; do`,
      `  rel=\${path#${KEEPALIVED_DIR}/}`,
      `  install -d -m 0755 "$(dirname "$stage/$rel")"`,
      `  printf '%s' "$b64" | base64 -d > "$stage/$rel"`,
      `  chmod "$mode" "$stage/$rel"`,
      `  echo "$path" >> "$stage/.files"`,
      `done`,
      // Files an earlier run wrote that this config no longer renders (a removed check) go too.
      `: > "$stage/.stale"`,
      `if [ -f ${managed} ]; then`,
      `  grep -vxF -f "$stage/.files" ${managed} > "$stage/.stale" || true`,
      `  while read -r path; do rm -f "$stage/\${path#${KEEPALIVED_DIR}/}"; done < "$stage/.stale"`,
      `fi`,
      `chown -R root:root "$stage"`,
      `chmod 0755 "$stage"`,
      `if ! out=$(unshare --mount /bin/sh -c "mount --bind '$stage' ${KEEPALIVED_DIR} && keepalived -t -l -f ${KEEPALIVED_DIR}/keepalived.conf" 2>&1); then`,
      `  echo "keepalived rejected the new configuration for ${nodeName}; the running configuration is unchanged:" >&2`,
      `  printf '%s\\n' "$out" | grep -v -i 'auth_pass' | tail -n 20 >&2`,
      `  exit 1`,
      `fi`,
      `[ -e ${original} ] || tar -C /etc -cf ${original} keepalived`,
      // A new VRRP password: peers with the old and the new one ignore each other's adverts, so a backup
      // reloading first would also claim the VIP. A node that does not hold the VIP stops instead; the
      // holder reloads; the services step starts the stopped ones with the new password afterwards.
      `if systemctl is-active --quiet keepalived && [ -f ${KEEPALIVED_DIR}/keepalived.conf ] && \\`,
      `   ! cmp -s <(grep -h auth_pass ${KEEPALIVED_DIR}/keepalived.conf) <(grep -h auth_pass "$stage/keepalived.conf"); then`,
      `  holds=no`,
      ...vips.map((vip) => `  ${holdsAddressTest(vipAddress(vip))} && holds=yes`),
      `  if [ "$holds" = no ]; then systemctl stop keepalived; fi`,
      `fi`,
      `while read -r path; do`,
      `  rel=\${path#${KEEPALIVED_DIR}/}`,
      `  install -d -m 0755 "$(dirname "$path")"`,
      `  cp -p "$stage/$rel" "$path.keepalived-ha-new"`,
      `  mv -f "$path.keepalived-ha-new" "$path"`,
      `done < "$stage/.files"`,
      `while read -r path; do rm -f "$path"; done < "$stage/.stale"`,
      `cp "$stage/.files" ${managed}`,
      `if systemctl is-active --quiet keepalived; then systemctl reload keepalived; fi`,
    ].join("\n"),
    undo: [
      STRICT,
      `systemctl disable --now keepalived >/dev/null 2>&1 || true`,
      `if [ -f ${managed} ]; then while read -r path; do rm -f "$path"; done < ${managed}; rm -f ${managed}; fi`,
      `if [ -f ${original} ]; then tar -C /etc -xpf ${original}; rm -f ${original}; fi`,
    ].join("\n"),
  };
}

/**
 * Services: the web server and keepalived enabled and running. The first run records the web server's
 * enabled/active state so destroy can return it; undo stops keepalived before it returns the web server to
 * that state (the config step's undo disables keepalived and removes its files).
 */
export function servicesStep(os: OsProfile, passwordDigest = ""): StepScripts {
  const web = shellQuote(os.webServerService);
  const saved = `${STATE_DIR}/webserver.state`;
  return {
    apply: [
      // Changes with the VRRP password, so the step re-runs after a rotation (keepalived may be stopped).
      `# password ${passwordDigest}`,
      STRICT,
      `install -d -m 0700 ${STATE_DIR}`,
      `[ -e ${saved} ] || echo "$(systemctl is-enabled ${web} 2>/dev/null || true) $(systemctl is-active ${web} 2>/dev/null || true)" > ${saved}`,
      `systemctl enable --now ${web} >/dev/null 2>&1`,
      `systemctl enable keepalived >/dev/null 2>&1`,
      `systemctl is-active --quiet keepalived || systemctl start keepalived`,
      `systemctl is-active --quiet ${web}`,
      `systemctl is-active --quiet keepalived`,
    ].join("\n"),
    undo: [
      STRICT,
      // keepalived goes first (its own step disables it next): a node that holds the VIP hands it over at
      // once with its priority-0 advert, before the web server behind the VIP may be stopped.
      `systemctl stop keepalived >/dev/null 2>&1 || true`,
      `if [ -f ${saved} ]; then`,
      `  read -r enabled active < ${saved} || true`,
      `  [ "$enabled" = enabled ] || systemctl disable ${web} >/dev/null 2>&1 || true`,
      `  [ "$active" = active ] || systemctl stop ${web} || true`,
      `  rm -f ${saved}`,
      `fi`,
    ].join("\n"),
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
