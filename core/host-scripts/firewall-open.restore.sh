# shellcheck shell=bash
# Undoes firewall-open.apply.sh: removes the two rules again (each may be gone already).
if [ -f @STATE_FILE@ ] && systemctl cat firewalld.service >/dev/null 2>&1 && systemctl is-active --quiet firewalld; then
  firewall-cmd --permanent --remove-rich-rule='rule protocol value="vrrp" accept' >/dev/null 2>&1 || true
  firewall-cmd --permanent --remove-port=@HTTP_PORT@/tcp >/dev/null 2>&1 || true
  firewall-cmd --reload >/dev/null
fi
rm -f @STATE_FILE@
