# shellcheck shell=bash
# install_bundle DIR PREFIX LIST: installs the bundle on stdin (one `path mode base64` line per file, see
# encodeBundle in core/deploy-steps.ts) under DIR, with PREFIX cut off each path ("" "" installs the paths as
# they are). Each file is written beside its place and renamed over it, so nothing ever reads half a file and
# a symlink in the way is replaced, not written through. Appends each path, as given, to LIST.
install_bundle() {
  local dir=$1 prefix=$2 list=$3 path mode b64 dest
  while read -r path mode b64; do
    dest=$dir${path#"$prefix"}
    install -d -m 0755 "$(dirname "$dest")"
    printf '%s' "$b64" | base64 -d > "$dest.keepalived-ha-new"
    chmod "$mode" "$dest.keepalived-ha-new"
    mv -f "$dest.keepalived-ha-new" "$dest"
    echo "$path" >> "$list"
  done
}
