/**
 * /etc/keepalived/keepalived.conf for one node. The seed's file, with its fixes: `router_id` (not
 * `route_id`), checks as script files, `notify_stop`, and state BACKUP everywhere under nopreempt.
 */
import { ClusterModel, findNode, memberOf, VrrpInstanceModel } from "../model";
import { checkScriptPath } from "./check-scripts";
import { EventCheckTarget, isEventCheck, renderEventCheckBlocks, renderEventTrackLines } from "./event-checks";
import { notifyCommand, NOTIFY_SCRIPTS } from "./notify-scripts";
import { KEEPALIVED_DIR, RenderedFile } from "./types";

/** Path of keepalived's config on the host. */
export const KEEPALIVED_CONF_PATH = `${KEEPALIVED_DIR}/keepalived.conf`;

/** Indents block lines by four spaces per level. */
function block(name: string, lines: readonly string[]): string[] {
  return [`${name} {`, ...lines.map((l) => `    ${l}`), "}"];
}

function globalDefs(model: ClusterModel): string[] {
  const defs = model.globalDefs;
  return block("global_defs", [
    ...block("notification_email", defs.notificationEmails),
    `notification_email_from ${defs.notificationEmailFrom}`,
    `smtp_server ${defs.smtpServer}`,
    `smtp_connect_timeout ${defs.smtpConnectTimeout}`,
    `router_id ${defs.routerId}`,
    `script_user ${defs.scriptUser}`,
    ...(defs.enableScriptSecurity ? ["enable_script_security"] : []),
    // One version for all instances (validate.ts), so it is set once here.
    ...(model.instances[0].version === 3 ? ["vrrp_version 3"] : []),
  ]);
}

function vrrpScripts(model: ClusterModel): string[] {
  return model.checks.filter((c) => !isEventCheck(c)).flatMap((check) => [
    ...block(`vrrp_script ${check.name}`, [
      `script "${checkScriptPath(check)}"`,
      `interval ${check.interval}`,
      ...(check.timeout !== undefined ? [`timeout ${check.timeout}`] : []),
      `fall ${check.fall}`,
      `rise ${check.rise}`,
      `weight ${check.weight}`,
    ]),
    "",
  ]);
}

function vrrpInstance(model: ClusterModel, instance: VrrpInstanceModel, nodeName: string, authPass: string,
  target?: EventCheckTarget): string[] {
  const node = findNode(model, nodeName);
  const member = memberOf(instance, nodeName);
  // keepalived clears nopreempt/preempt_delay when the initial state is MASTER; model.ts keeps them apart.
  const preemptLines = member.state === "BACKUP"
    ? [...(instance.nopreempt ? ["nopreempt"] : []), ...(instance.preemptDelay > 0 ? [`preempt_delay ${instance.preemptDelay}`] : [])]
    : [];
  const lines = [
    `state ${member.state}`,
    `interface ${member.interface}`,
    `virtual_router_id ${instance.virtualRouterId}`,
    `priority ${member.priority}`,
    ...preemptLines,
    `advert_int ${instance.advertInt}`,
    // Re-announce the VIP every 5 s while master: after a split brain heals, the node that stays master
    // sends no gratuitous ARP of its own, and neighbours would keep the other node's MAC until their cache expires.
    "garp_master_refresh 5",
    // VRRPv3 has no authentication; keepalived rejects the block there.
    ...(instance.version === 2 ? block("authentication", ["auth_type PASS", `auth_pass ${authPass}`]) : []),
    ...(instance.unicast ? [`unicast_src_ip ${node.address}`, ...block("unicast_peer", node.peers)] : []),
    ...block("virtual_ipaddress", instance.vips),
    ...trackScript(model, instance.track),
    ...renderEventTrackLines(model, instance.track, target),
    ...NOTIFY_SCRIPTS.map(({ keyword, file }) => `${keyword} "${notifyCommand(file, instance.instanceName, model.instances.length)}"`),
  ];
  return block(`vrrp_instance ${instance.instanceName}`, lines);
}

/** An instance's track_script block: its polled checks (none when every tracked check is event-driven). */
function trackScript(model: ClusterModel, track: readonly string[]): string[] {
  const names = track.filter((name) => !model.checks.some((c) => c.name === name && isEventCheck(c)));
  return names.length > 0 ? block("track_script", names) : [];
}

/**
 * The text of keepalived.conf for `nodeName`. `authPasses[i]` is instance i's VRRP password (≤ 8 characters);
 * the Pulumi program passes the configured or generated secrets, the render command placeholders. `target` (the
 * node's OS and platform) is needed only for event-driven checks (track-process).
 */
export function renderKeepalivedConfText(model: ClusterModel, nodeName: string, authPasses: readonly string[],
  target?: EventCheckTarget): string {
  const lines = [
    "! Configuration File for keepalived",
    `! Rendered by keepalived-ha for node ${nodeName}; changes here are overwritten.`,
    "",
    ...globalDefs(model),
    "",
    ...vrrpScripts(model),
    ...renderEventCheckBlocks(model, target),
    ...model.instances.flatMap((instance, i) => [...(i > 0 ? [""] : []),
      ...vrrpInstance(model, instance, nodeName, authPasses[i], target)]),
  ];
  if (model.extraConfig.trim() !== "") {
    lines.push("", "! extraConfig from the stack config (not validated)", model.extraConfig.replace(/\s+$/, ""));
  }
  return lines.join("\n") + "\n";
}

/** keepalived.conf as a file entry: root-only readable and flagged secret (it holds the VRRP password). */
export function renderKeepalivedConf(model: ClusterModel, nodeName: string, authPasses: readonly string[],
  target?: EventCheckTarget): RenderedFile {
  return { path: KEEPALIVED_CONF_PATH, mode: "0600", content: renderKeepalivedConfText(model, nodeName, authPasses, target), secret: true };
}
