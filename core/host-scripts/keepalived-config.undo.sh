# shellcheck shell=bash
# Stops keepalived, removes the files keepalived-config.apply.sh installed and puts back the original folder.
set -euo pipefail
systemctl disable --now keepalived >/dev/null 2>&1 || true
if [ -f @MANAGED@ ]; then while read -r path; do rm -f "$path"; done < @MANAGED@; rm -f @MANAGED@; fi
if [ -f @ORIGINAL@ ]; then tar -C /etc -xpf @ORIGINAL@; rm -f @ORIGINAL@; fi
