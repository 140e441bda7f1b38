/**
 * What a host looks like now, as far as the deploy steps own it: one read-only script per host (one SSH round
 * trip), its output parsed into facts. Pure: the components run the script; drift.ts compares the facts with
 * what the steps would write. File contents never leave the host, only their SHA-256 and mode.
 */
import { ClusterModel, findNode, packageNeeds } from "./model";
import { IDENTIFY_HOST_COMMAND, OS_FAMILIES, packagesFor, WEB_SERVER_SERVICES } from "./os";
import { shellQuote } from "./shell";
import { renderNode } from "./render/node";

/** What the observation script is asked to look at; unions over OS families, so it needs no identify step first. */
export interface ObservationTargets {
  /** Absolute paths whose mode and SHA-256 are reported (a missing file is reported as missing). */
  readonly files: readonly string[];
  /** Packages whose installed state is reported. */
  readonly packages: readonly string[];
  /** systemd units whose enabled and active states are reported. */
  readonly services: readonly string[];
}

/** One file as observed. */
export interface ObservedFile {
  /** Permission bits as a number (0o644), or undefined when the file is missing. */
  readonly mode?: number;
  /** Hex SHA-256 of the content, or undefined when the file is missing. */
  readonly sha256?: string;
}

/** One systemd unit as observed. */
export interface ObservedService {
  /** `systemctl is-enabled` (enabled, disabled, masked, ...), or "not-found" for a unit that does not exist. */
  readonly enabled: string;
  /** `systemctl is-active` (active, inactive, failed, ...). */
  readonly active: string;
}

/** Everything one observation found on a host. */
export interface HostObservation {
  /** The identify step's output as the host gives it now (os-release identity, container). */
  readonly identity: string;
  /** Path → file. */
  readonly files: Readonly<Record<string, ObservedFile>>;
  /** Package → installed. */
  readonly packages: Readonly<Record<string, boolean>>;
  /** Unit → state. */
  readonly services: Readonly<Record<string, ObservedService>>;
  /** The host's IPv4 addresses, without prefix. */
  readonly addresses: readonly string[];
}

/** Firewall unit the firewall step manages. */
export const FIREWALLD_SERVICE = "firewalld";

/**
 * Every path, package and unit a node's steps may own, whatever its OS family and platform turn out to be: the
 * files are rendered for each family, on bare metal and in a container (the hooks only exist there), with a
 * placeholder password (paths never depend on it).
 */
export function observationTargets(model: ClusterModel, nodeName: string): ObservationTargets {
  const node = findNode(model, nodeName);
  const placeholder = model.instances.map(() => "-");
  const files = new Set<string>();
  const packages = new Set<string>();
  for (const family of OS_FAMILIES) {
    for (const platform of [{}, { container: "container" }]) {
      for (const f of renderNode(model, node.name, family, placeholder, platform)) files.add(f.path);
    }
    for (const p of packagesFor(family, packageNeeds(model))) packages.add(p);
  }
  return {
    files: [...files].sort(),
    packages: [...packages].sort(),
    services: [...WEB_SERVER_SERVICES, "keepalived", FIREWALLD_SERVICE],
  };
}

const SECTIONS = ["identify", "files", "packages", "services", "addresses"] as const;

/**
 * The read-only script: prints one `@section` line before each part. Runs as root (keepalived.conf is 0600)
 * and changes nothing; every probe tolerates what is missing.
 */
export function observeHostCommand(targets: ObservationTargets): string {
  const words = (list: readonly string[]) => list.map(shellQuote).join(" ");
  return [
    "set -u",
    "echo @identify",
    IDENTIFY_HOST_COMMAND,
    "echo @files",
    `for f in ${words(targets.files)}; do`,
    `  if [ -f "$f" ]; then echo "$(stat -c %a "$f") $(sha256sum < "$f" | cut -c1-64) $f"; else echo "- - $f"; fi`,
    "done",
    "echo @packages",
    `for p in ${words(targets.packages)}; do`,
    `  if command -v dpkg-query >/dev/null 2>&1; then`,
    `    if dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then echo "yes $p"; else echo "no $p"; fi`,
    `  elif rpm -q "$p" >/dev/null 2>&1; then echo "yes $p"; else echo "no $p"; fi`,
    "done",
    "echo @services",
    `for s in ${words(targets.services)}; do`,
    `  e=$(systemctl is-enabled "$s" 2>/dev/null || true); a=$(systemctl is-active "$s" 2>/dev/null || true)`,
    `  echo "\${e:-not-found} \${a:-unknown} $s"`,
    "done",
    "echo @addresses",
    "ip -4 -o addr show | awk '{ sub(/\\/.*/, \"\", $4); print $4 }'",
    "echo @end",
  ].join("\n");
}

/** Parses the script's output; throws when it is cut short (the observation then counts as failed). */
export function parseObservation(stdout: string): HostObservation {
  const parts = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    const header = /^@(\w+)$/.exec(line.trim());
    if (header) {
      current = [];
      parts.set(header[1], current);
    } else if (current !== undefined && line.trim() !== "") {
      current.push(line);
    }
  }
  const missing = [...SECTIONS, "end"].filter((s) => !parts.has(s));
  if (missing.length > 0) throw new Error(`the host's answer lacks ${missing.join(", ")}`);
  const section = (name: string) => parts.get(name) ?? [];

  const files: Record<string, ObservedFile> = {};
  for (const line of section("files")) {
    const [mode, sha256, ...path] = line.split(" ");
    files[path.join(" ")] = mode === "-" ? {} : { mode: parseInt(mode, 8), sha256 };
  }
  const packages: Record<string, boolean> = {};
  for (const line of section("packages")) {
    const [state, name] = line.split(" ");
    packages[name] = state === "yes";
  }
  const services: Record<string, ObservedService> = {};
  for (const line of section("services")) {
    const [enabled, active, name] = line.split(" ");
    services[name] = { enabled, active };
  }
  return {
    identity: section("identify").join("\n"),
    files,
    packages,
    services,
    addresses: section("addresses").map((a) => a.trim()),
  };
}
