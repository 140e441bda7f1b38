# shellcheck shell=bash
# The web server and keepalived enabled and running. The first run records the web server's enabled/active
# state for services.undo.sh.
set -euo pipefail
install -d -m 0700 @STATE_DIR@
[ -e @SAVED@ ] || echo "$(systemctl is-enabled @WEB_SERVICE@ 2>/dev/null || true) $(systemctl is-active @WEB_SERVICE@ 2>/dev/null || true)" > @SAVED@
systemctl enable --now @WEB_SERVICE@ >/dev/null 2>&1
systemctl enable keepalived >/dev/null 2>&1
systemctl is-active --quiet keepalived || systemctl start keepalived
systemctl is-active --quiet @WEB_SERVICE@
systemctl is-active --quiet keepalived
