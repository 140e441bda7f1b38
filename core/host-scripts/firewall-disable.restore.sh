# shellcheck shell=bash
# Undoes firewall-disable.apply.sh from what it recorded.
if [ -f @STATE_FILE@ ] && systemctl cat firewalld.service >/dev/null 2>&1; then
  read -r _ enabled active < @STATE_FILE@
  [ "$enabled" = enabled ] && systemctl enable firewalld >/dev/null 2>&1
  [ "$active" = active ] && systemctl start firewalld
fi
rm -f @STATE_FILE@
