/**
 * Event-driven checks (`checks[].type: track-process`): keepalived learns that the web server is gone the
 * moment it exits instead of at the next poll of a script.
 *
 * - On a VM or bare metal: keepalived's own `vrrp_track_process` block, fed by the kernel's process events
 *   (the proc connector).
 * - In a container (the proc connector only serves the initial namespaces, so track_process would leave the
 *   instance in FAULT for ever): a `track_file` that keepalived watches with inotify, written by a systemd
 *   drop-in of the web server's unit: `ExecStartPost` writes the "running" value, `ExecStopPost` (which also runs
 *   when the main process dies or the start fails) the "stopped" one. The folder lives on /run and is made at
 *   boot by a tmpfiles.d entry; keepalived's `init_file` writes the "stopped" value when the file is missing.
 *
 * Which one is used is a fact about the host (HostPlatform), passed in like the OS family: rendering stays pure.
 */
import { CheckModel, ClusterModel } from "../model";
import { HostPlatform, hasProcessEvents, OsProfile } from "../os";
import { EVENT_CHECK_TYPE } from "../validate";
import { RenderedFile } from "./types";

/** What the event-driven checks of a node are rendered for: its OS (default process, unit) and platform. */
export interface EventCheckTarget {
  /** The node's OS profile. */
  readonly os: OsProfile;
  /** Container or not. */
  readonly platform: HostPlatform;
}

/** Folder of the state files the web server's systemd hooks write (tmpfs; made at boot by tmpfiles.d). */
export const EVENT_STATE_DIR = "/run/keepalived-ha";

/** tmpfiles.d entry that makes EVENT_STATE_DIR at boot, before keepalived starts. */
export const EVENT_TMPFILES_PATH = "/etc/tmpfiles.d/keepalived-ha.conf";

/** True for a check keepalived is told about by events rather than by running a script. */
export function isEventCheck(check: Pick<CheckModel, "type">): boolean {
  return check.type === EVENT_CHECK_TYPE;
}

/** The process an event check watches on a node. */
export function eventCheckProcess(check: CheckModel, os: OsProfile): string {
  return check.process ?? os.webServerProcess;
}

/** The state file of a check's container substitute. */
export function eventStateFile(check: Pick<CheckModel, "name">): string {
  return `${EVENT_STATE_DIR}/${check.name}.state`;
}

/** The drop-in of the web server's unit that writes a check's state file. */
export function webServerHookPath(check: Pick<CheckModel, "name">, os: OsProfile): string {
  return `/etc/systemd/system/${os.webServerService}.service.d/keepalived-ha-${check.name}.conf`;
}

/**
 * The numbers the hooks write. keepalived multiplies the file's number by the weight; with weight 0 any
 * non-zero number means FAULT. So "stopped" is 1 for weight ≤ 0 (FAULT, or the negative weight) and 0 for a
 * positive weight, which then adds itself while the web server runs, as track_process does.
 */
export function eventStateValues(check: Pick<CheckModel, "weight">): { readonly running: number; readonly stopped: number } {
  return check.weight > 0 ? { running: 1, stopped: 0 } : { running: 0, stopped: 1 };
}

/** One hook as the deploy step needs it: the state file and what to write now, from the unit's state. */
export interface WebServerHookState {
  /** The state file. */
  readonly file: string;
  /** Written while the web server's unit is active. */
  readonly running: number;
  /** Written otherwise. */
  readonly stopped: number;
}

/** The event checks of a model, in config order. */
export function eventChecks(model: ClusterModel): CheckModel[] {
  return model.checks.filter(isEventCheck);
}

/** True when this target gets the track_file substitute instead of track_process. */
export function usesEventSubstitute(target: EventCheckTarget): boolean {
  return !hasProcessEvents(target.platform);
}

function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/** Top-level keepalived.conf blocks of the event checks (before the instance). */
export function renderEventCheckBlocks(model: ClusterModel, target: EventCheckTarget | undefined): string[] {
  const checks = eventChecks(model);
  if (checks.length === 0) return [];
  if (target === undefined) throw new Error("event-driven checks need the node's OS and platform to render");
  return checks.flatMap((check) => {
    const lines = usesEventSubstitute(target)
      ? [
        `! ${check.name}: track-process substitute for a container (no process events there): ` +
          `${target.os.webServerService}.service writes this file when it starts and stops.`,
        `track_file ${check.name} {`,
        `    file "${eventStateFile(check)}"`,
        `    weight ${check.weight}`,
        `    init_file ${eventStateValues(check).stopped}`,
        "}",
      ]
      : [
        `vrrp_track_process ${check.name} {`,
        `    process ${eventCheckProcess(check, target.os)}`,
        `    quorum ${check.quorum}`,
        // keepalived's default weight here is 1, not 0: always say it.
        `    weight ${check.weight}`,
        ...(check.delay !== undefined ? [`    delay ${formatSeconds(check.delay)}`] : []),
        "}",
      ];
    return [...lines, ""];
  });
}

/** An instance's `track_process { }` or `track_file { }` block for the checks it tracks (empty without event checks). */
export function renderEventTrackLines(model: ClusterModel, track: readonly string[], target: EventCheckTarget | undefined): string[] {
  const checks = eventChecks(model).filter((c) => track.includes(c.name));
  if (checks.length === 0 || target === undefined) return [];
  const keyword = usesEventSubstitute(target) ? "track_file" : "track_process";
  return [`${keyword} {`, ...checks.map((c) => `    ${c.name}`), "}"];
}

/**
 * The web server hooks of a node: one systemd drop-in per event check and the tmpfiles.d entry, only where
 * the substitute is used (none on a VM or bare metal). Throws when a check watches another process than the
 * web server's, which the web server's unit cannot stand in for.
 */
export function renderWebServerHooks(model: ClusterModel, target: EventCheckTarget, nodeName: string): RenderedFile[] {
  const checks = eventChecks(model);
  if (checks.length === 0 || !usesEventSubstitute(target)) return [];
  const unit = `${target.os.webServerService}.service`;
  const files: RenderedFile[] = checks.map((check) => {
    const process = eventCheckProcess(check, target.os);
    if (process !== target.os.webServerProcess) {
      throw new Error(`check ${check.name} tracks the process ${JSON.stringify(process)}, but ${nodeName} is a ` +
        `${target.platform.container} container, where keepalived gets no process events and keepalived-ha stands ` +
        `in with hooks of the web server's unit (${unit}); leave checks[].process out, or use type process`);
    }
    const { running, stopped } = eventStateValues(check);
    const file = eventStateFile(check);
    return {
      path: webServerHookPath(check, target.os),
      mode: "0644",
      content: [
        `# keepalived-ha: tells keepalived (track_file ${check.name}) whether ${unit} runs, at once, in place of`,
        "# track_process, which gets no process events in a container. ExecStopPost also runs when the main",
        "# process dies or the start fails. '-': a failed write never fails the web server.",
        "# Rendered by keepalived-ha; removed by pulumi destroy.",
        "[Service]",
        `ExecStartPost=-/bin/sh -c 'echo ${running} > ${file}'`,
        `ExecStopPost=-/bin/sh -c 'echo ${stopped} > ${file}'`,
        "",
      ].join("\n"),
    };
  });
  files.push({
    path: EVENT_TMPFILES_PATH,
    mode: "0644",
    content: [
      "# keepalived-ha: folder of the web server state files keepalived watches (track_file).",
      "# Rendered by keepalived-ha; removed by pulumi destroy.",
      `d ${EVENT_STATE_DIR} 0755 root root -`,
      "",
    ].join("\n"),
  });
  return files;
}

/** What the hooks step writes right after installing the hooks (the unit may be running already). */
export function webServerHookStates(model: ClusterModel, target: EventCheckTarget): WebServerHookState[] {
  if (!usesEventSubstitute(target)) return [];
  return eventChecks(model).map((check) => ({ file: eventStateFile(check), ...eventStateValues(check) }));
}
