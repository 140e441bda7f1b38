/** One file a node needs, exactly as it must be written on the host. */
export interface RenderedFile {
  /** Absolute path on the host, e.g. `/etc/keepalived/keepalived.conf`. */
  readonly path: string;
  /** Octal permission bits as `install -m` takes them, e.g. `"0755"`. Owner is always root. */
  readonly mode: string;
  /** Full file content, ending with a newline. */
  readonly content: string;
  /** True when the content holds a secret (the VRRP password): never print it, pass it on stdin only. */
  readonly secret?: boolean;
}

/** Directory keepalived reads its config and our scripts from. */
export const KEEPALIVED_DIR = "/etc/keepalived";

/** Sorts files by path (byte order) so output is stable whatever order they were built in. */
export function sortFiles(files: readonly RenderedFile[]): RenderedFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
