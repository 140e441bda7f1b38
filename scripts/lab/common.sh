# Shared paths, logging and guard rails for the lab modules. Sourced, never run.
# shellcheck shell=bash

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LAB_DIR/../.." && pwd)"
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"

LAB_SUBNET="$LAB_PREFIX.0/$LAB_PREFIX_LEN"
LAB_HOST_ADDR="$LAB_PREFIX.$LAB_HOST_OCTET"
LAB_VIP="$LAB_PREFIX.$LAB_VIP_OCTET"

# Cache: survives `down` (golden image, debs, apt proxy cache, SSH keys). State: removed by `down`.
LAB_CACHE="${KAHA_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keepalived-ha/lab}"
LAB_STATE="${KAHA_LAB_STATE:-/var/lib/keepalived-ha-lab}"
LAB_KEY="$LAB_CACHE/id_ed25519"
LAB_KNOWN_HOSTS="$LAB_STATE/known_hosts"

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

node_addr() { echo "$LAB_PREFIX.$((LAB_NODE_OCTET_BASE + ${1#node}))"; }

valid_node() {
  [[ "$1" =~ ^node([1-9][0-9]*)$ ]] && ((BASH_REMATCH[1] <= LAB_MAX_NODES)) \
    || die "unknown node '$1' (expected node1..node$LAB_MAX_NODES)"
}

require_root() {
  ((EUID == 0)) || die "the lab needs root (bridge, overlay mounts, systemd-nspawn); run it as root"
}

# Installs the host tools through scripts/setup.sh when one is missing; refuses if that cannot help.
require_tools() {
  local tools=(debootstrap systemd-nspawn nft apt-cacher-ng ip ssh ssh-keygen ssh-keyscan flock nsenter setsid)
  local missing=() t
  for t in "${tools[@]}"; do command -v "$t" >/dev/null || missing+=("$t"); done
  ((${#missing[@]} == 0)) && return 0
  log "missing tools: ${missing[*]}; running scripts/setup.sh"
  bash "$REPO_DIR/scripts/setup.sh" >&2 || die "scripts/setup.sh failed; install by hand: ${missing[*]}"
  for t in "${missing[@]}"; do
    command -v "$t" >/dev/null || die "'$t' is still missing after scripts/setup.sh"
  done
}

# One lab operation at a time on this machine: up/down/stop/start mutate shared state.
take_lock() {
  mkdir -p /run/lock
  exec 9>/run/lock/keepalived-ha-lab.lock
  flock -w 900 9 || die "another lab command holds /run/lock/keepalived-ha-lab.lock"
}

ts() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(ts)" 'BEGIN { printf "%.1f", b - a }'; }
