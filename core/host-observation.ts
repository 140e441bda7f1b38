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

/**
 * Whether a change must roll through the nodes (backups first, then each VIP holder): when keepalived runs on
 * any node, or a node was not observed. A new cluster has no VIP to move yet, so its nodes start together.
 */
export function keepalivedRunsAnywhere(observations: Readonly<Record<string, HostObservation | undefined>>): boolean {
  return Object.values(observations).some((o) => {
    const seen = o?.services.keepalived;
    return seen === undefined || (seen.enabled !== "not-found" && seen.active !== "inactive" && seen.active !== "failed");
  });
}

const SECTIONS = ["identify", "files", "packages", "services", "addresses"] as const;

/**
 * The read-only script: prints one `@section` line before each part. Runs as root (keepalived.conf is 0600)
 * and changes nothing; every probe tolerates what is missing.
 */
export function observeHostCommand(targets: ObservationTargets): string {
  const words = (list: readonly string[]) => list.map(shellQuote).join(" ");
  // One process per kind of fact, not one per file, package or unit: on a host shared with others (or eight lab
  // hosts on two cores) the observation costs a third of what a loop of probes did.
  return [
    "set -u",
    "echo @identify",
    IDENTIFY_HOST_COMMAND,
    "echo @files",
    `present=(); for f in ${words(targets.files)}; do if [ -f "$f" ]; then present+=("$f"); else echo "- - $f"; fi; done`,
    `if [ \${#present[@]} -gt 0 ]; then`,
    `  declare -A mode=(); while read -r m p; do mode[$p]=$m; done < <(stat -c '%a %n' -- "\${present[@]}")`,
    `  sha256sum -- "\${present[@]}" | while read -r sum p; do echo "\${mode[$p]} $sum $p"; done`,
    "fi",
    "echo @packages",
    `if command -v dpkg-query >/dev/null 2>&1; then`,
    `  installed=$(dpkg-query -W -f='\${Status} \${Package}\\n' ${words(targets.packages)} 2>/dev/null | sed -n 's/^install ok installed //p')`,
    `else installed=$(rpm -q --qf '%{NAME}\\n' ${words(targets.packages)} 2>/dev/null | grep -v ' ' || true); fi`,
    `for p in ${words(targets.packages)}; do case $'\\n'"$installed"$'\\n' in *$'\\n'"$p"$'\\n'*) echo "yes $p" ;; *) echo "no $p" ;; esac; done`,
    "echo @services",
    // `systemctl show` answers one block per unit, in the order asked; without systemd it answers nothing.
    `systemctl show -p LoadState -p UnitFileState -p ActiveState -- ${words(targets.services)} 2>/dev/null | ` +
      `awk -v units=${shellQuote(targets.services.join(" "))} 'BEGIN { RS = ""; FS = "\\n"; n = split(units, unit, " ") } ` +
      `{ load = ""; file = ""; active = ""; for (i = 1; i <= NF; i++) { eq = index($i, "="); key = substr($i, 1, eq - 1); value = substr($i, eq + 1); ` +
      `if (key == "LoadState") load = value; else if (key == "UnitFileState") file = value; else if (key == "ActiveState") active = value } ` +
      `k++; if (k <= n) print (load == "not-found" ? "not-found" : (file == "" ? "unknown" : file)), (active == "" ? "unknown" : active), unit[k] } ` +
      `END { for (k++; k <= n; k++) print "not-found unknown", unit[k] }'`,
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
