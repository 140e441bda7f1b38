# shellcheck shell=bash
# Firewall mode `disable` (the seed): stops and disables firewalld where it is installed, recording first
# whether it was enabled and active, so the restore script can put it back.
if systemctl cat firewalld.service >/dev/null 2>&1; then
  mkdir -p @STATE_DIR@
  [ -f @STATE_FILE@ ] || echo "disable $(systemctl is-enabled firewalld 2>/dev/null || true) $(systemctl is-active firewalld 2>/dev/null || true)" > @STATE_FILE@
  systemctl disable --now firewalld >/dev/null 2>&1 || true
fi
