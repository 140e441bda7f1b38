# shellcheck shell=bash
# The web server and keepalived enabled and running. The first run records the web server's enabled/active
# state for services.undo.sh.
set -euo pipefail
install -d -m 0700 @STATE_DIR@
[ -e @SAVED@ ] || echo "$(systemctl is-enabled @WEB_SERVICE@ 2>/dev/null || true) $(systemctl is-active @WEB_SERVICE@ 2>/dev/null || true)" > @SAVED@
# Started before they are enabled, the web server first (keepalived's checks need it): the election begins
# when keepalived starts (on a new cluster the keepalived step may have started it already). Enabling a unit
# that has a SysV script too runs update-rc.d, so only when needed.
systemctl is-active --quiet @WEB_SERVICE@ || systemctl start @WEB_SERVICE@
systemctl is-active --quiet keepalived || systemctl start keepalived
for unit in @WEB_SERVICE@ keepalived; do
  systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl enable "$unit" >/dev/null 2>&1
done
systemctl is-active --quiet @WEB_SERVICE@
systemctl is-active --quiet keepalived
