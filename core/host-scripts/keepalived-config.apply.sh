# shellcheck shell=bash
# keepalived's files from the bundle on stdin: staged next to /etc/keepalived, tested with the real
# `keepalived -t` in a private mount namespace where the stage *is* /etc/keepalived (so script paths and their
# owners are checked exactly as they will be), and only then installed. A rejected config leaves the running
# one untouched. The first run saves the original folder for keepalived-config.undo.sh.
set -euo pipefail
install -d -m 0700 @STATE_DIR@
install -d -m 0755 @KEEPALIVED_DIR@
stage=$(mktemp -d /etc/.keepalived-ha.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp -a @KEEPALIVED_DIR@/. "$stage"/
: > "$stage/.files"
# install_bundle (install-bundle.sh) is defined here.
@INSTALL_BUNDLE@
install_bundle "$stage/" @KEEPALIVED_DIR@/ "$stage/.files"
# Files an earlier run wrote that this config no longer renders (a removed check) go too.
: > "$stage/.stale"
if [ -f @MANAGED@ ]; then
  grep -vxF -f "$stage/.files" @MANAGED@ > "$stage/.stale" || true
  while read -r path; do rm -f "$stage/${path#@KEEPALIVED_DIR@/}"; done < "$stage/.stale"
fi
chown -R root:root "$stage"
chmod 0755 "$stage"
if ! out=$(unshare --mount /bin/sh -c "mount --bind '$stage' @KEEPALIVED_DIR@ && keepalived -t -l -f @KEEPALIVED_DIR@/keepalived.conf" 2>&1); then
  echo "keepalived rejected the new configuration for @NODE_NAME@; the running configuration is unchanged:" >&2
  # The test's output may quote the config's password line.
  printf '%s\n' "$out" | grep -v -i 'auth_pass' | tail -n 20 >&2
  exit 1
fi
[ -e @ORIGINAL@ ] || tar -C /etc -cf @ORIGINAL@ keepalived
# A new VRRP password: peers with the old and the new one ignore each other's adverts, so a backup reloading
# first would also claim the VIP. A node that does not hold a VIP stops instead; the holder reloads; the
# services step starts the stopped ones with the new password afterwards.
if systemctl is-active --quiet keepalived && [ -f @KEEPALIVED_DIR@/keepalived.conf ] && \
   ! cmp -s <(grep -h auth_pass @KEEPALIVED_DIR@/keepalived.conf) <(grep -h auth_pass "$stage/keepalived.conf"); then
  holds=no
  # One `holds=yes` test per VIP of the node's instances.
  @HOLDS_VIP_TESTS@
  if [ "$holds" = no ]; then systemctl stop keepalived; fi
fi
while read -r path; do
  rel=${path#@KEEPALIVED_DIR@/}
  install -d -m 0755 "$(dirname "$path")"
  cp -p "$stage/$rel" "$path.keepalived-ha-new"
  mv -f "$path.keepalived-ha-new" "$path"
done < "$stage/.files"
while read -r path; do rm -f "$path"; done < "$stage/.stale"
cp "$stage/.files" @MANAGED@
# A running keepalived is reloaded (SIGHUP), never restarted, so the VIP does not flap. One that is not running
# starts here only on a cluster where no node runs keepalived yet and no tracked check has weight 0 (then
# RemoteCommand fills in the run parameter: "now"): no VIP is held anywhere, and the election's wait
# (3 x advert_int) passes while the web server installs.
# Otherwise the services step starts it after the web server, so a node joining a running cluster never bids
# for the VIP without one.
start_keepalived=%%START_KEEPALIVED%%
if systemctl is-active --quiet keepalived; then systemctl reload keepalived
elif [ "$start_keepalived" = now ]; then systemctl start keepalived; fi
