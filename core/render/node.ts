/** Everything one node needs, as a sorted list of files. */
import { ClusterModel, findNode } from "../model";
import { OsFamily, osProfile } from "../os";
import { renderCheckScript } from "./check-scripts";
import { renderKeepalivedConf } from "./keepalived-conf";
import { renderNotifyScripts } from "./notify-scripts";
import { renderSite } from "./site";
import { RenderedFile, sortFiles } from "./types";

/**
 * All files of `nodeName` for an OS family: keepalived.conf (secret; `authPasses[i]` is instance i's
 * password), one script per check, the four notify scripts and the index page. Same input → byte-identical
 * output, sorted by path.
 */
export function renderNode(model: ClusterModel, nodeName: string, osFamily: OsFamily, authPasses: readonly string[]): RenderedFile[] {
  const node = findNode(model, nodeName);
  const os = osProfile(osFamily);
  return sortFiles([
    renderKeepalivedConf(model, node.name, authPasses),
    ...model.checks.map((check) => renderCheckScript(check, os)),
    ...renderNotifyScripts(model.notify, model.instances.length),
    renderSite(node, os),
  ]);
}
