/**
 * Drift: where a host no longer matches what its deploy steps put there, step by step, in an operator's words
 * ("keepalived.conf differs from the rendered one", "keepalived inactive"). Pure: the observation comes from
 * host-observation.ts, the desired files from the renderers. A step with reasons runs its (idempotent) apply
 * again; the reasons name files and units, never contents.
 */
import { createHash } from "crypto";
import { HostObservation, FIREWALLD_SERVICE } from "./host-observation";
import { ClusterModel, packageNeeds } from "./model";
import { FirewallMode, OsFamily, osProfile, packagesFor } from "./os";
import { NodeFileGroups } from "./render/node";
import { KEEPALIVED_DIR, RenderedFile } from "./render/types";

/** The steps that own state on a host (the identify step only reads). */
export const DRIFT_STEPS = ["firewall", "packages", "site", "web-server-hooks", "keepalived", "services"] as const;

/** One of DRIFT_STEPS. */
export type DriftStep = (typeof DRIFT_STEPS)[number];

/** Step → why it must run again (empty: in sync). */
export type NodeDrift = Readonly<Record<DriftStep, readonly string[]>>;

/** A node with nothing to repair. */
export const NO_DRIFT: NodeDrift = Object.fromEntries(DRIFT_STEPS.map((s) => [s, []])) as unknown as NodeDrift;

/** What the steps of one node want on its host. */
export interface DesiredHost {
  /** The node's OS family (decides package and unit names). */
  readonly family: OsFamily;
  /** The node's files by the step that writes them. */
  readonly files: NodeFileGroups;
  /** Packages the packages step installs. */
  readonly packages: readonly string[];
  /** What the firewall step does. */
  readonly firewall: FirewallMode;
}

/** The desired state of a node from the model and its rendered files. */
export function desiredHost(model: ClusterModel, family: OsFamily, files: NodeFileGroups): DesiredHost {
  return {
    family,
    files,
    packages: packagesFor(family, packageNeeds(model)),
    firewall: model.firewall,
  };
}

/** A short name for a file in messages: relative to /etc/keepalived, else the path. */
function fileLabel(path: string): string {
  return path.startsWith(`${KEEPALIVED_DIR}/`) ? path.slice(KEEPALIVED_DIR.length + 1) : path;
}

/** Why files differ from the rendered ones: missing, other content, other mode. */
export function fileDrift(files: readonly RenderedFile[], observation: HostObservation): string[] {
  const reasons: string[] = [];
  for (const file of files) {
    const seen = observation.files[file.path];
    const label = fileLabel(file.path);
    if (seen === undefined || seen.sha256 === undefined) {
      reasons.push(`${label} missing`);
      continue;
    }
    const sha256 = createHash("sha256").update(file.content, "utf8").digest("hex");
    if (seen.sha256 !== sha256) reasons.push(`${label} differs from the rendered one`);
    const mode = parseInt(file.mode, 8);
    if (seen.mode !== mode) reasons.push(`${label} has mode ${(seen.mode ?? 0).toString(8).padStart(4, "0")}, not ${file.mode}`);
  }
  return reasons;
}

/** Why a unit is not enabled and running. */
function serviceDrift(unit: string, observation: HostObservation): string[] {
  const seen = observation.services[unit] ?? { enabled: "not-found", active: "unknown" };
  if (seen.enabled === "not-found") return [`${unit} not installed as a unit`];
  return [
    ...(seen.enabled === "enabled" ? [] : [`${unit} ${seen.enabled}`]),
    ...(seen.active === "active" ? [] : [`${unit} ${seen.active}`]),
  ];
}

/** Why the firewall is not as the firewall mode wants it. `open` is not observed: its rules cost a firewall-cmd run. */
function firewallDrift(mode: FirewallMode, observation: HostObservation): string[] {
  if (mode !== "disable") return [];
  const seen = observation.services[FIREWALLD_SERVICE];
  if (seen === undefined || seen.enabled === "not-found") return [];
  return [
    ...(seen.enabled === "enabled" ? [`${FIREWALLD_SERVICE} enabled`] : []),
    ...(seen.active === "active" ? [`${FIREWALLD_SERVICE} active`] : []),
  ];
}

/** Compares what the steps want with what the host has; every step gets its reasons (possibly none). */
export function nodeDrift(desired: DesiredHost, observation: HostObservation): NodeDrift {
  const web = osProfile(desired.family).webServerService;
  return {
    firewall: firewallDrift(desired.firewall, observation),
    packages: desired.packages.filter((p) => observation.packages[p] !== true).map((p) => `package ${p} not installed`),
    site: fileDrift([desired.files.site], observation),
    "web-server-hooks": fileDrift(desired.files.webServerHooks, observation),
    keepalived: fileDrift(desired.files.keepalived, observation),
    services: [...serviceDrift(web, observation), ...serviceDrift("keepalived", observation)],
  };
}

/** One line per step that runs again, for the operator: "keepalived: keepalived.conf differs ...; ...". */
export function describeDrift(drift: NodeDrift): string[] {
  return DRIFT_STEPS.filter((s) => drift[s].length > 0).map((s) => `${s}: ${drift[s].join("; ")}`);
}

/** The warning a preview (or an up) prints for a node that drifted; undefined when it did not. */
export function driftWarning(nodeName: string, drift: NodeDrift, dryRun: boolean): string | undefined {
  const lines = describeDrift(drift);
  if (lines.length === 0) return undefined;
  return `${nodeName} no longer matches the stack; ${dryRun ? "`up` runs" : "running"} these steps again: ${lines.join(" | ")}`;
}

/** The steps a node repairs, as "node2 keepalived". */
export function driftRepairs(nodeName: string, drift: NodeDrift): string[] {
  return DRIFT_STEPS.filter((s) => drift[s].length > 0).map((s) => `${nodeName} ${s}`);
}

/** The nodes holding an address, sorted: one is normal, none is an outage, more is split brain. */
export function holdersOf(address: string, observations: Readonly<Record<string, HostObservation>>): string[] {
  return Object.entries(observations).filter(([, o]) => o.addresses.includes(address)).map(([n]) => n).sort();
}
