# shellcheck shell=bash
# The web server's systemd hooks for event-driven checks (core/render/event-checks.ts) from the bundle on
# stdin, possibly empty: then it only removes what an earlier run installed (listed in @MANAGED@).
set -euo pipefail
install -d -m 0700 @STATE_DIR@
new=$(mktemp)
trap 'rm -f "$new"' EXIT
# install_bundle (install-bundle.sh) is defined here.
@INSTALL_BUNDLE@
install_bundle "" "" "$new"
if [ -f @MANAGED@ ]; then
  { grep -vxF -f "$new" @MANAGED@ || true; } | while read -r path; do rm -f "$path"; rmdir "$(dirname "$path")" 2>/dev/null || true; done
fi
if [ -s "$new" ]; then cp "$new" @MANAGED@; else rm -f @MANAGED@; fi
systemctl daemon-reload
# The state files (web-server-hooks.state-files.sh), or their folder removed when there are no hooks.
@STATE_FILES@
