# shellcheck shell=bash
# The web server's systemd hooks for event-driven checks (core/render/event-checks.ts) from the bundle on
# stdin, possibly empty: then it only removes what an earlier run installed (listed in @MANAGED@).
set -euo pipefail
install -d -m 0700 @STATE_DIR@
new=$(mktemp)
trap 'rm -f "$new"' EXIT
while read -r path mode b64; do
  install -d -m 0755 "$(dirname "$path")"
  printf '%s' "$b64" | base64 -d > "$path.keepalived-ha-new"
  chmod "$mode" "$path.keepalived-ha-new"
  mv -f "$path.keepalived-ha-new" "$path"
  echo "$path" >> "$new"
done
if [ -f @MANAGED@ ]; then
  { grep -vxF -f "$new" @MANAGED@ || true; } | while read -r path; do rm -f "$path"; rmdir "$(dirname "$path")" 2>/dev/null || true; done
fi
if [ -s "$new" ]; then cp "$new" @MANAGED@; else rm -f @MANAGED@; fi
systemctl daemon-reload
# The state files (web-server-hooks.state-files.sh), or their folder removed when there are no hooks.
@STATE_FILES@
