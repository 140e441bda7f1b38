/**
 * Notify scripts as in the seed: each appends its state tag and the date to the log file, then runs the
 * extra commands configured for that state.
 */
import { NotifyModel } from "../model";
import { shellQuote } from "../shell";
import { KEEPALIVED_DIR, RenderedFile } from "./types";

/** The four notify states, their script names and the tag written to the log. */
export const NOTIFY_SCRIPTS = [
  { state: "master", keyword: "notify_master", file: "master.sh", tag: "[Master]", vrrpState: "MASTER" },
  { state: "backup", keyword: "notify_backup", file: "backup.sh", tag: "[Backup]", vrrpState: "BACKUP" },
  { state: "fault", keyword: "notify_fault", file: "fault.sh", tag: "[Fault]", vrrpState: "FAULT" },
  { state: "stop", keyword: "notify_stop", file: "stop.sh", tag: "[Stop]", vrrpState: "STOP" },
] as const;

/**
 * The notify_* value of an instance: the script, followed by the instance's name when the cluster has
 * several instances (keepalived passes no arguments of its own to these scripts).
 */
export function notifyCommand(file: string, instanceName: string, instanceCount: number): string {
  return instanceCount > 1 ? `${notifyScriptPath(file)} ${instanceName}` : notifyScriptPath(file);
}

/** Path of a notify script on the host. */
export function notifyScriptPath(file: string): string {
  return `${KEEPALIVED_DIR}/${file}`;
}

/**
 * master.sh, backup.sh, fault.sh, stop.sh. keepalived runs notify_* scripts without arguments; with several
 * VRRP instances keepalived.conf passes the instance name as `$1` (notifyCommand) and the tag names it, since
 * the same scripts serve them all. One instance keeps the seed's format.
 */
export function renderNotifyScripts(notify: NotifyModel, instanceCount = 1): RenderedFile[] {
  return NOTIFY_SCRIPTS.map(({ state, file, tag, vrrpState }) => {
    const extra = notify.commands[state];
    const lines = [
      "#!/bin/bash",
      state === "stop"
        ? "# keepalived-ha notify script: keepalived runs it when it stops."
        : `# keepalived-ha notify script: keepalived runs it when this node enters ${vrrpState} state.`,
      ...(instanceCount > 1 ? ["# $1: the VRRP instance, as keepalived.conf passes it."] : []),
      `LOGFILE=${shellQuote(notify.logFile)}`,
      instanceCount > 1 ? `echo "${tag} $1" >> "$LOGFILE"` : `echo "${tag}" >> "$LOGFILE"`,
      'date >> "$LOGFILE"',
      ...(extra.length > 0 ? [`# Extra commands from notify.commands.${state}:`, ...extra] : []),
      // keepalived logs a non-zero exit; the state change has happened either way.
      "exit 0",
    ];
    return { path: notifyScriptPath(file), mode: "0755", content: lines.join("\n") + "\n" };
  });
}
