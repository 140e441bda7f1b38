/** The index page the web server serves (the seed's `<h1> hello ... </h1>`). */
import { NodeModel } from "../model";
import { OsProfile } from "../os";
import { RenderedFile } from "./types";

/** `<docroot>/index.html` for one node. */
export function renderSite(node: NodeModel, os: OsProfile): RenderedFile {
  const content = node.site.endsWith("\n") ? node.site : `${node.site}\n`;
  return { path: `${os.docroot}/index.html`, mode: "0644", content };
}
