# shellcheck shell=bash
# Removes the hooks web-server-hooks.apply.sh installed, their state folder, and reloads systemd.
set -euo pipefail
if [ -f @MANAGED@ ]; then
  while read -r path; do rm -f "$path"; rmdir "$(dirname "$path")" 2>/dev/null || true; done < @MANAGED@
  rm -f @MANAGED@
fi
rm -rf @EVENT_STATE_DIR@
systemctl daemon-reload
