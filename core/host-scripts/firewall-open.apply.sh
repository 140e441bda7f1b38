# shellcheck shell=bash
# Firewall mode `open`: keeps a running firewalld and allows VRRP (IP protocol 112) and the HTTP port in it.
if systemctl cat firewalld.service >/dev/null 2>&1 && systemctl is-active --quiet firewalld; then
  mkdir -p @STATE_DIR@; echo "open" > @STATE_FILE@
  firewall-cmd --permanent --add-rich-rule='rule protocol value="vrrp" accept' >/dev/null
  firewall-cmd --permanent --add-port=@HTTP_PORT@/tcp >/dev/null
  firewall-cmd --reload >/dev/null
fi
