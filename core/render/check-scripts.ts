/**
 * One executable file per health check. keepalived runs scripts with execve (no shell), so each check is a
 * complete script with its own shebang; `#!/bin/bash` because /dev/tcp and `${var:0:15}` are bash features
 * (Debian's /bin/sh is dash).
 */
import { CheckModel } from "../model";
import { OsProfile } from "../os";
import { shellQuote } from "../shell";
import { KEEPALIVED_DIR, RenderedFile } from "./types";

/** Path of a check's script on the host. */
export function checkScriptPath(check: Pick<CheckModel, "name">): string {
  return `${KEEPALIVED_DIR}/check_${check.name}.sh`;
}

function header(check: CheckModel, what: string): string[] {
  return [
    "#!/bin/bash",
    `# keepalived-ha health check "${check.name}" (${check.type}): ${what}`,
    "# Exit 0 = healthy. Rendered by keepalived-ha; changes here are overwritten.",
  ];
}

function processScript(check: CheckModel, os: OsProfile): string[] {
  const name = check.process ?? os.webServerProcess;
  return [
    ...header(check, `healthy while a process named ${name} runs.`),
    "# Reads /proc directly: needs neither killall (psmisc) nor pgrep (procps).",
    "# The kernel keeps only the first 15 characters of a process name.",
    `name=${shellQuote(name)}`,
    'want="${name:0:15}"',
    "for comm in /proc/[0-9]*/comm; do",
    '    { read -r current < "$comm"; } 2>/dev/null || continue',
    '    [ "$current" = "$want" ] && exit 0',
    "done",
    "exit 1",
  ];
}

function tcpScript(check: CheckModel): string[] {
  return [
    ...header(check, `healthy while ${check.host}:${check.port} accepts TCP connections.`),
    `(exec 3<>/dev/tcp/${check.host}/${check.port}) 2>/dev/null`,
  ];
}

function httpScript(check: CheckModel): string[] {
  const maxTime = check.timeout ?? check.interval;
  return [
    ...header(check, `healthy while ${check.url} answers HTTP ${check.expectStatus}.`),
    `status=$(curl -s -o /dev/null -w '%{http_code}' --max-time ${maxTime} ${shellQuote(check.url)}) || exit 1`,
    `[ "$status" = "${check.expectStatus}" ]`,
  ];
}

function pidfileScript(check: CheckModel, os: OsProfile): string[] {
  const path = check.path ?? os.webServerPidFile;
  return [
    ...header(check, `healthy while the process in ${path} is alive.`),
    `pidfile=${shellQuote(path)}`,
    '[ -f "$pidfile" ] || exit 1',
    '{ read -r pid < "$pidfile"; } 2>/dev/null || exit 1',
    '[ -n "$pid" ] && [ -d "/proc/$pid" ]',
  ];
}

function customScript(check: CheckModel): string {
  if (check.body === undefined) {
    throw new Error(`check ${check.name}: script body missing (the caller must read checks[].file before rendering)`);
  }
  const body = check.body.endsWith("\n") ? check.body : `${check.body}\n`;
  // A body without a shebang would fail with execve's ENOEXEC; bash is what users write by habit.
  return body.startsWith("#!") ? body : `#!/bin/bash\n${body}`;
}

/** The script file of one check for one OS family (process and pidfile defaults depend on it). */
export function renderCheckScript(check: CheckModel, os: OsProfile): RenderedFile {
  let content: string;
  switch (check.type) {
    case "process": content = processScript(check, os).join("\n") + "\n"; break;
    case "tcp": content = tcpScript(check).join("\n") + "\n"; break;
    case "http": content = httpScript(check).join("\n") + "\n"; break;
    case "pidfile": content = pidfileScript(check, os).join("\n") + "\n"; break;
    case "script": content = customScript(check); break;
    case "track-process": throw new Error(`check ${check.name} is event-driven (track-process) and has no script`);
  }
  return { path: checkScriptPath(check), mode: "0755", content };
}
