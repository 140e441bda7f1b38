/** Everything one node needs, as a sorted list of files. */
import { ClusterModel, findNode } from "../model";
import { BARE_METAL, HostPlatform, OsFamily, osProfile } from "../os";
import { renderCheckScript } from "./check-scripts";
import { EVENT_TMPFILES_PATH, isEventCheck, renderWebServerHooks } from "./event-checks";
import { renderKeepalivedConf } from "./keepalived-conf";
import { renderNotifyScripts } from "./notify-scripts";
import { renderSite } from "./site";
import { KEEPALIVED_DIR, RenderedFile, sortFiles } from "./types";

/**
 * All files of `nodeName` for an OS family and platform: keepalived.conf (secret; `authPasses[i]` is instance
 * i's password), one script per polled check, the four notify scripts, the index page and, in a container with
 * track-process checks, the web server's systemd hooks. Same input → byte-identical output, sorted by path.
 */
export function renderNode(model: ClusterModel, nodeName: string, osFamily: OsFamily, authPasses: readonly string[],
  platform: HostPlatform = BARE_METAL): RenderedFile[] {
  const node = findNode(model, nodeName);
  const os = osProfile(osFamily);
  const target = { os, platform };
  return sortFiles([
    renderKeepalivedConf(model, node.name, authPasses, target),
    ...model.checks.filter((check) => !isEventCheck(check)).map((check) => renderCheckScript(check, os)),
    ...renderNotifyScripts(model.notify, model.instances.length),
    renderSite(node, os),
    ...renderWebServerHooks(model, target, node.name),
  ]);
}

/** A node's files by the step that installs them. */
export interface NodeFileGroups {
  /** Under /etc/keepalived: tested with `keepalived -t`, then installed. */
  readonly keepalived: RenderedFile[];
  /** The index page. */
  readonly site: RenderedFile;
  /** The web server's systemd hooks and their tmpfiles.d entry (empty unless the substitute is used). */
  readonly webServerHooks: RenderedFile[];
}

/** Splits renderNode's files by step; throws on a file no step installs (a programming error). */
export function groupNodeFiles(files: readonly RenderedFile[], osFamily: OsFamily): NodeFileGroups {
  const sitePath = `${osProfile(osFamily).docroot}/index.html`;
  const keepalived = files.filter((f) => f.path.startsWith(`${KEEPALIVED_DIR}/`));
  const site = files.find((f) => f.path === sitePath);
  const webServerHooks = files.filter((f) => f.path.startsWith("/etc/systemd/system/") || f.path === EVENT_TMPFILES_PATH);
  const placed = new Set([...keepalived, ...webServerHooks, ...(site ? [site] : [])]);
  const stray = files.filter((f) => !placed.has(f));
  if (site === undefined || stray.length > 0) {
    throw new Error(`no deploy step installs ${site === undefined ? sitePath : stray.map((f) => f.path).join(", ")}`);
  }
  return { keepalived, site, webServerHooks };
}
