# shellcheck shell=bash
# Returns the web server to the state services.apply.sh recorded.
set -euo pipefail
# keepalived goes first (its own step disables it next): a node that holds the VIP hands it over at once
# with its priority-0 advert, before the web server behind the VIP may be stopped.
systemctl stop keepalived >/dev/null 2>&1 || true
if [ -f @SAVED@ ]; then
  read -r enabled active < @SAVED@ || true
  [ "$enabled" = enabled ] || systemctl disable @WEB_SERVICE@ >/dev/null 2>&1 || true
  [ "$active" = active ] || systemctl stop @WEB_SERVICE@ || true
  rm -f @SAVED@
fi
