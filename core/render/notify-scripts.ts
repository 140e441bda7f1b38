/**
 * Notify scripts as in the seed: each appends its state tag and the date to the log file, then runs the
 * extra commands configured for that state.
 */
import { NotifyModel } from "../model";
import { shellQuote } from "../os";
import { KEEPALIVED_DIR, RenderedFile } from "./types";

/** The four notify states, their script names and the tag written to the log. */
export const NOTIFY_SCRIPTS = [
  { state: "master", keyword: "notify_master", file: "master.sh", tag: "[Master]", vrrpState: "MASTER" },
  { state: "backup", keyword: "notify_backup", file: "backup.sh", tag: "[Backup]", vrrpState: "BACKUP" },
  { state: "fault", keyword: "notify_fault", file: "fault.sh", tag: "[Fault]", vrrpState: "FAULT" },
  { state: "stop", keyword: "notify_stop", file: "stop.sh", tag: "[Stop]", vrrpState: "STOP" },
] as const;

/** Path of a notify script on the host. */
export function notifyScriptPath(file: string): string {
  return `${KEEPALIVED_DIR}/${file}`;
}

/**
 * master.sh, backup.sh, fault.sh, stop.sh. With several VRRP instances the tag also names the instance
 * (keepalived's second argument), since the same scripts serve them all; one instance keeps the seed's format.
 */
export function renderNotifyScripts(notify: NotifyModel, instanceCount = 1): RenderedFile[] {
  return NOTIFY_SCRIPTS.map(({ state, file, tag, vrrpState }) => {
    const extra = notify.commands[state];
    const lines = [
      "#!/bin/bash",
      state === "stop"
        ? "# keepalived-ha notify script: keepalived runs it when it stops."
        : `# keepalived-ha notify script: keepalived runs it when this node enters ${vrrpState} state.`,
      "# Arguments from keepalived: $1 type (GROUP|INSTANCE), $2 name, $3 state, $4 priority.",
      `LOGFILE=${shellQuote(notify.logFile)}`,
      instanceCount > 1 ? `echo "${tag} $2" >> "$LOGFILE"` : `echo "${tag}" >> "$LOGFILE"`,
      'date >> "$LOGFILE"',
      ...(extra.length > 0 ? [`# Extra commands from notify.commands.${state}:`, ...extra] : []),
      // keepalived logs a non-zero exit; the state change has happened either way.
      "exit 0",
    ];
    return { path: notifyScriptPath(file), mode: "0755", content: lines.join("\n") + "\n" };
  });
}
