# The golden Debian root: built once by debootstrap, cached outside the repo, rebuilt when its recipe
# (this file or lab.env) changes. Nodes boot from it read-only through an overlay. Sourced, never run.
# shellcheck shell=bash

# What the seed's hosts have (systemd, sshd, firewalld) plus what the product's install step needs from the OS
# (procps/psmisc for pgrep/killall checks, curl for page checks, netbase for /etc/services and protocols).
# libpam-systemd: provides "logind", which firewalld's polkitd needs; debootstrap does not resolve virtuals.
IMAGE_PACKAGES=(
  systemd systemd-sysv dbus libpam-systemd openssh-server iproute2 ca-certificates firewalld
  procps psmisc curl netbase iputils-ping less
)

image_hash() {
  cat "$LAB_DIR/image.sh" "$LAB_DIR/lab.env" | sha256sum | cut -c1-12
}

image_dir() { echo "$LAB_CACHE/images/$LAB_SUITE-$(image_hash)"; }

# Prints the golden root's path, building it first when the recipe changed.
ensure_image() {
  local dir tmp t0
  dir="$(image_dir)"
  if [[ -f "$dir/.kaha-complete" ]]; then echo "$dir"; return 0; fi
  mkdir -p "$LAB_CACHE/images" "$LAB_CACHE/debs"
  tmp="$dir.partial"
  rm -rf "$tmp"   # a build that was interrupted starts over
  log "building golden $LAB_SUITE root (recipe $(image_hash)); this takes a few minutes once"
  t0="$(ts)"
  local inc
  inc="$(IFS=,; echo "${IMAGE_PACKAGES[*]}")"
  # No mirror is named: debootstrap's default is used. Downloaded debs are kept for the next rebuild.
  debootstrap --variant=minbase --include="$inc" --cache-dir="$LAB_CACHE/debs" \
    "$LAB_SUITE" "$tmp" >"$LAB_CACHE/images/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $LAB_CACHE/images/debootstrap.log"
  image_customize "$tmp"
  touch "$tmp/.kaha-complete"
  mv "$tmp" "$dir"
  log "golden root ready in $(elapsed "$t0") s: $dir"
  echo "$dir"
}

# Node-independent settings. Anything per node (addresses, keys, names) goes into the node's own layer.
image_customize() {
  local root="$1"
  # Each node gets its own pinned host keys and machine id.
  rm -f "$root"/etc/ssh/ssh_host_*
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname"
  mkdir -p "$root/etc/ssh/sshd_config.d"
  printf 'HostKey /etc/ssh/ssh_host_ed25519_key\n' >"$root/etc/ssh/sshd_config.d/10-kaha-lab.conf"
  # debootstrap copied the host's resolver; the nodes have no DNS (the proxy is reached by address).
  rm -f "$root/etc/resolv.conf" && : >"$root/etc/resolv.conf"
  # Packages come only through the apt proxy on the host's bridge address.
  printf 'Acquire::http::Proxy "http://%s:%s";\n' "$LAB_HOST_ADDR" "$LAB_PROXY_PORT" \
    >"$root/etc/apt/apt.conf.d/01kaha-lab-proxy"
  # The nodes' only network is the bridge, configured per node in 10-host0.network.
  chroot "$root" systemctl enable systemd-networkd.service >/dev/null 2>&1
  chroot "$root" systemctl enable ssh.service firewalld.service >/dev/null 2>&1
  # Keep the idle footprint small: a volatile, bounded journal, and no getty on the console nobody reads
  # (`lab exec` and `lab ssh` are the ways in).
  chroot "$root" systemctl mask console-getty.service >/dev/null 2>&1
  # No per-login systemd user manager: in these containers (cgroup v1 host) its stop hangs poweroff for the
  # full timeout, and each SSH session would cost ~15 MB. Logins still work; logind still runs.
  chroot "$root" pam-auth-update --package --disable systemd
  ! grep -q pam_systemd "$root/etc/pam.d/common-session" || die "pam_systemd still enabled in the image"
  mkdir -p "$root/etc/systemd/journald.conf.d"
  printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' >"$root/etc/systemd/journald.conf.d/10-kaha-lab.conf"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
}

# Removes golden roots of older recipes that no node layer still uses.
prune_images() {
  local keep="$1" d
  for d in "$LAB_CACHE"/images/*/; do
    d="${d%/}"
    [[ "$d" == "$keep" ]] && continue
    grep -qsF "$d" "$LAB_STATE"/nodes/*/image 2>/dev/null && continue
    log "removing old golden root $d"
    rm -rf "$d"
  done
}
