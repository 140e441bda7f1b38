# One lab host: its keys, its writable overlay layer, booting it with systemd-nspawn in the background,
# finding its init, running commands in it, and powering it off. Sourced, never run.
# shellcheck shell=bash

node_dir() { echo "$LAB_STATE/nodes/$1"; }
hostkey_dir() { echo "$LAB_CACHE/hostkeys/$1"; }

# The lab's own client key and each node's host key are made once and kept in the cache, so the host keys
# pinned in Pulumi.lab.yaml stay valid across down/up.
ensure_keys() {
  local count="$1" i d
  mkdir -p "$LAB_CACHE" && chmod 700 "$LAB_CACHE"
  [[ -f "$LAB_KEY" ]] || ssh-keygen -q -t ed25519 -N '' -C keepalived-ha-lab -f "$LAB_KEY"
  for ((i = 1; i <= count; i++)); do
    d="$(hostkey_dir "node$i")"
    mkdir -p "$d"
    [[ -f "$d/ssh_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N '' -C "node$i" -f "$d/ssh_host_ed25519_key"
  done
}

# Prints the pid of systemd-nspawn for the node, if it runs.
node_nspawn_pid() {
  local f pid
  f="$(node_dir "$1")/nspawn.pid"
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "systemd-nspawn.* -M $1 " && echo "$pid"
  return 0
}

node_running() { [[ -n "$(node_nspawn_pid "$1")" ]]; }

# Prints the host pid of the node's init (PID 1 in its pid namespace), found among nspawn's descendants.
node_leader() {
  local nspawn p
  nspawn="$(node_nspawn_pid "$1")"
  [[ -n "$nspawn" ]] || return 0
  for p in $(pgrep -P "$nspawn"; for c in $(pgrep -P "$nspawn"); do pgrep -P "$c"; done); do
    if awk '/^NSpid:/ { exit !($NF == 1 && NF > 2) }' "/proc/$p/status" 2>/dev/null; then echo "$p"; return 0; fi
  done
}

# Mounts the node's overlay (golden root below, its own writable layer above) on its root directory.
node_mount() {
  local name="$1" image="$2" d
  d="$(node_dir "$name")"
  mkdir -p "$d/upper" "$d/work" "$d/root"
  if [[ -f "$d/image" && "$(cat "$d/image")" != "$image" ]] && ! mountpoint -q "$d/root"; then
    log "$name: golden root changed; starting its layer fresh"
    rm -rf "$d/upper" "$d/work" && mkdir -p "$d/upper" "$d/work"
  fi
  echo "$image" >"$d/image"
  mountpoint -q "$d/root" \
    || mount -t overlay "kaha-lab-$name" -o "lowerdir=$(cat "$d/image"),upperdir=$d/upper,workdir=$d/work" "$d/root"
}

# Per-node identity, written into the layer before every boot (idempotent).
node_personalize() {
  local name="$1" root addr i keys
  root="$(node_dir "$name")/root"
  addr="$(node_addr "$name")"
  keys="$(hostkey_dir "$name")"
  echo "$name" >"$root/etc/hostname"
  [[ -s "$root/etc/machine-id" ]] || tr -d '-' </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
  mkdir -p "$root/etc/systemd/network"
  # Sorts before nspawn's 80-container-host0.network, which would ask for DHCP.
  cat >"$root/etc/systemd/network/10-host0.network" <<EOF_NET
[Match]
Name=host0

[Network]
Address=$addr/$LAB_PREFIX_LEN
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF_NET
  install -m 600 "$keys/ssh_host_ed25519_key" "$root/etc/ssh/ssh_host_ed25519_key"
  install -m 644 "$keys/ssh_host_ed25519_key.pub" "$root/etc/ssh/ssh_host_ed25519_key.pub"
  install -d -m 700 "$root/root/.ssh"
  install -m 600 "$LAB_KEY.pub" "$root/root/.ssh/authorized_keys"
  {
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$name"
    for ((i = 1; i <= LAB_MAX_NODES; i++)); do printf '%s\tnode%s\n' "$(node_addr "node$i")" "$i"; done
  } >"$root/etc/hosts"
}

# The cgroup hierarchies systemd uses here: the named v1 "systemd" one and the unified one (hybrid host),
# or the single cgroup2 tree.
cgroup_roots() {
  local h
  for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do [[ -f "$h/cgroup.procs" ]] && echo "$h"; done
  [[ -f /sys/fs/cgroup/cgroup.controllers ]] && echo /sys/fs/cgroup
  return 0
}

# Moves the calling process into the node's own cgroup. With --keep-unit nspawn puts the container in
# "<own cgroup>/payload": without this every node would share one tree, and one node's systemd would
# create, kill and remove the others' unit cgroups (seen as "Failed at step CGROUP" at boot).
node_cgroup_enter() {
  local h
  for h in $(cgroup_roots); do
    mkdir -p "$h/keepalived-ha-lab/$1"
    echo "$BASHPID" >"$h/keepalived-ha-lab/$1/cgroup.procs"
  done
}

# Removes the lab's (then empty) cgroups, deepest first: NODE's, or with no NODE every one the lab made
# (after all nodes stopped, including those of nodes whose state is gone); the lab's parent once it is empty.
lab_cgroups_remove() {
  local h dir
  for h in $(cgroup_roots); do
    dir="$h/keepalived-ha-lab${1:+/$1}"
    [[ -d "$dir" ]] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
    rmdir "$h/keepalived-ha-lab" 2>/dev/null || true
  done
  return 0
}

# Boots the node in the background; returns at once.
node_boot() {
  local name="$1" d
  d="$(node_dir "$name")"
  # --register=no --keep-unit: this machine has no systemd as PID 1 to register with.
  # --resolv-conf/--timezone/--link-journal off: nothing of the host leaks in; the image has what it needs.
  (
    node_cgroup_enter "$name"
    exec setsid systemd-nspawn -D "$d/root" --boot --register=no --keep-unit \
      --network-bridge="$LAB_BRIDGE" -M "$name" \
      --resolv-conf=off --timezone=off --link-journal=no --console=read-only
  ) </dev/null >"$d/console.log" 2>&1 9>&- &
  echo $! >"$d/nspawn.pid"
}

# Powers the node off (init gets SIGRTMIN+4, systemd's poweroff) or, with "kill", kills its init at once
# (a crash: the whole pid namespace dies, no goodbye adverts). Keeps the writable layer.
node_stop() {
  local name="$1" how="${2:-poweroff}" nspawn leader
  nspawn="$(node_nspawn_pid "$name")"
  [[ -n "$nspawn" ]] || { rm -f "$(node_dir "$name")/nspawn.pid"; return 0; }
  leader="$(node_leader "$name")"
  if [[ "$how" == kill ]]; then
    [[ -n "$leader" ]] && kill -KILL "$leader" 2>/dev/null
  elif [[ -n "$leader" ]]; then
    kill -s RTMIN+4 "$leader" 2>/dev/null
  else
    kill -TERM "$nspawn" 2>/dev/null
  fi
}

# Waits until the node's nspawn has exited (up to $2 s), then forces it.
node_wait_stopped() {
  local name="$1" timeout="${2:-30}" nspawn leader
  nspawn="$(node_nspawn_pid "$name")"
  if [[ -n "$nspawn" ]] && ! wait_gone "$nspawn" "$timeout"; then
    log "$name: did not power off in ${timeout}s; killing it. Console said last:"
    tail -n 3 "$(node_dir "$name")/console.log" 2>/dev/null | sed 's/^/    /' >&2 || true
    leader="$(node_leader "$name")"
    [[ -n "$leader" ]] && kill -KILL "$leader" 2>/dev/null
    wait_gone "$nspawn" 5 || kill -KILL "$nspawn" 2>/dev/null || true
    wait_gone "$nspawn" 5 || true
  fi
  rm -f "$(node_dir "$name")/nspawn.pid"
}

# Removes the node's layer (after it stopped), and what nspawn left for it under /run.
node_remove() {
  local d
  d="$(node_dir "$1")"
  if mountpoint -q "$d/root" 2>/dev/null; then umount "$d/root" 2>/dev/null || umount -l "$d/root"; fi
  rm -rf "$d"
  rmdir "/run/systemd/nspawn/propagate/$1" 2>/dev/null || true
  lab_cgroups_remove "$1"
}

# nspawn's runtime dirs, once empty (rmdir leaves them when another container still uses them).
nspawn_runtime_cleanup() {
  rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks /run/systemd/nspawn 2>/dev/null || true
}

# Runs a command inside the node's namespaces as root (works without SSH or network).
node_exec() {
  local name="$1" leader
  shift
  leader="$(node_leader "$name")"
  [[ -n "$leader" ]] || die "$name is not running"
  exec nsenter -t "$leader" -m -u -i -n -p -C -r -w -- \
    /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 "$@"
}

ssh_opts() {
  echo -i "$LAB_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=3 -o LogLevel=ERROR
}

node_ssh_ok() {
  # shellcheck disable=SC2046
  ssh $(ssh_opts) "root@$(node_addr "$1")" true </dev/null >/dev/null 2>&1
}

# Waits until every named node answers SSH with its pinned host key.
wait_ssh() {
  local timeout="$1" deadline n pending
  shift
  deadline=$((SECONDS + timeout))
  pending=("$@")
  while ((${#pending[@]})); do
    local next=()
    for n in "${pending[@]}"; do node_ssh_ok "$n" || next+=("$n"); done
    pending=("${next[@]+"${next[@]}"}")
    ((${#pending[@]})) || break
    ((SECONDS < deadline)) || die "no SSH after ${timeout}s from: ${pending[*]} (see $LAB_STATE/nodes/*/console.log)"
    sleep 0.5
  done
}

# Waits until systemd in every named node has finished booting (running, or degraded: a failed unit is the
# product's business, not the lab's), so firewalld and sshd are up when `up` returns.
wait_booted() {
  local timeout="$1" n state
  shift
  for n in "$@"; do
    state="$( (node_exec "$n" timeout "$timeout" systemctl is-system-running --wait) 2>/dev/null || true)"
    [[ "$state" == running || "$state" == degraded ]] \
      || die "$n did not finish booting (systemd says '${state:-nothing}'); see $(node_dir "$n")/console.log"
  done
}

# Every systemd-nspawn this lab started, including ones whose pid file was lost (interrupted up).
lab_nspawn_pids() {
  local p
  for p in $(pgrep -x systemd-nspawn 2>/dev/null); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "-D $LAB_STATE/nodes/" && echo "$p"
  done
  return 0
}
