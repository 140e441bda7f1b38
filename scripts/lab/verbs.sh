# The lab's verbs, composed from the image, net and node modules. Sourced by scripts/lab.sh.
# shellcheck shell=bash

# Nodes that have a layer in the state dir (running or stopped), in order.
known_nodes() {
  local d
  for d in "$LAB_STATE"/nodes/node*; do [[ -d "$d" ]] && basename "$d"; done | sort -V
  return 0
}

cmd_up() {
  local count="$LAB_DEFAULT_NODES" t0 image n i
  while (($#)); do
    case "$1" in
      --nodes) count="${2:-}"; shift 2 || die "--nodes needs a number" ;;
      --nodes=*) count="${1#--nodes=}"; shift ;;
      *) die "up: unknown argument '$1'" ;;
    esac
  done
  [[ "$count" =~ ^[0-9]+$ ]] && ((count >= 2 && count <= LAB_MAX_NODES)) \
    || die "--nodes must be 2..$LAB_MAX_NODES (got '$count')"
  require_root
  require_tools
  take_lock
  t0="$(ts)"
  if bridge_exists && ! bridge_is_ours; then
    die "interface $LAB_BRIDGE exists but was not made by the lab; not touching it"
  fi
  check_subnet_free
  mkdir -p "$LAB_STATE/nodes"
  image="$(ensure_image)"
  prune_images "$image"
  ensure_keys "$count"
  bridge_up
  proxy_up "$image"
  # Converge on exactly N nodes: nodes beyond N from an earlier, larger up go away.
  local extra=()
  for n in $(known_nodes); do ((${n#node} > count)) && extra+=("$n"); done
  for n in "${extra[@]+"${extra[@]}"}"; do node_stop "$n"; done
  for n in "${extra[@]+"${extra[@]}"}"; do node_wait_stopped "$n" 20; node_remove "$n"; done
  local booted=()
  for ((i = 1; i <= count; i++)); do
    n="node$i"
    node_running "$n" && continue
    node_mount "$n" "$image"
    node_personalize "$n"
    node_boot "$n"
    booted+=("$n")
  done
  node --import tsx "$LAB_DIR/plan-cli.ts" known-hosts "$count" "$LAB_CACHE/hostkeys" >"$LAB_KNOWN_HOSTS"
  # Written next to the old file, then moved: the generator keeps the old file's encryptionsalt (the
  # local stack's secrets stay readable across down/up).
  node --import tsx "$LAB_DIR/plan-cli.ts" pulumi-yaml "$count" "$LAB_CACHE/hostkeys" "$LAB_KEY" \
    "$REPO_DIR/Pulumi.lab.yaml" >"$REPO_DIR/Pulumi.lab.yaml.new"
  mv -f "$REPO_DIR/Pulumi.lab.yaml.new" "$REPO_DIR/Pulumi.lab.yaml"
  local all=()
  for ((i = 1; i <= count; i++)); do all+=("node$i"); done
  wait_ssh 120 "${all[@]}"
  wait_booted 120 "${all[@]}"
  log "up: ${#all[@]} nodes (${#booted[@]} booted now) booted and answer SSH in $(elapsed "$t0") s; wrote Pulumi.lab.yaml"
  log "next: npm run lab -- status, or pulumi up --stack lab"
}

cmd_status() {
  require_root
  local n any=0 state ssh sys
  printf '%-6s %-15s %-8s %-4s %s\n' NODE ADDRESS STATE SSH SYSTEM
  for n in $(known_nodes); do
    any=1
    if node_running "$n"; then
      state=running ssh=no
      node_ssh_ok "$n" && ssh=yes
      sys="$( (node_exec "$n" systemctl is-system-running) 2>/dev/null || true)"
    else
      state=stopped ssh=- sys=-
    fi
    printf '%-6s %-15s %-8s %-4s %s\n' "$n" "$(node_addr "$n")" "$state" "$ssh" "${sys:--}"
  done
  ((any)) || echo "(no nodes; run: npm run lab -- up)"
  if ! bridge_exists; then
    echo "bridge $LAB_BRIDGE: absent"
  elif bridge_is_ours; then
    echo "bridge $LAB_BRIDGE: $LAB_HOST_ADDR/$LAB_PREFIX_LEN, VIP $LAB_VIP"
  else
    echo "bridge $LAB_BRIDGE: exists but is NOT the lab's"
  fi
  if proxy_listening; then echo "apt proxy: http://$LAB_HOST_ADDR:$LAB_PROXY_PORT"; else echo "apt proxy: down"; fi
  if nft_table_exists; then echo "partition: VRRP dropped (table bridge $LAB_NFT_TABLE)"; else echo "partition: none"; fi
}

# The arguments of exec and ssh, USAGE NODE [--] [CMD...]: sets the caller's `node` and `cmd` (CMD's words,
# maybe none); dies with USAGE when NODE is missing.
node_command_args() {
  local usage="$1"
  shift
  [[ -n "${1:-}" ]] || die "usage: $usage"
  node="$1"
  shift
  [[ "${1:-}" == "--" ]] && shift
  cmd=("$@")
}

cmd_exec() {
  local node cmd=()
  node_command_args "exec NODE -- CMD..." "$@"
  ((${#cmd[@]})) || die "usage: exec NODE -- CMD..."
  valid_node "$node"
  require_root
  node_exec "$node" "${cmd[@]}"
}

cmd_ssh() {
  local node cmd=()
  node_command_args "ssh NODE [CMD...]" "$@"
  valid_node "$node"
  local tty=()
  ((${#cmd[@]})) || tty=(-t) # an interactive shell wants a terminal
  # shellcheck disable=SC2046
  exec ssh $(ssh_opts) "${tty[@]}" "root@$(node_addr "$node")" "${cmd[@]+"${cmd[@]}"}"
}

cmd_stop_node() {
  local n="${1:-}" how=poweroff t0
  valid_node "$n"
  [[ "${2:-}" == "--kill" ]] && how=kill
  require_root
  take_lock
  if ! node_running "$n"; then log "$n is not running"; return 0; fi
  t0="$(ts)"
  node_stop "$n" "$how"
  node_wait_stopped "$n" 30
  log "$n stopped ($how) in $(elapsed "$t0") s; its disk layer is kept (start-node $n boots it again)"
}

cmd_start_node() {
  local n="${1:-}" image t0
  valid_node "$n"
  require_root
  take_lock
  [[ -d "$(node_dir "$n")/upper" ]] || die "$n has no layer; use: npm run lab -- up --nodes N"
  if node_running "$n"; then log "$n already runs"; return 0; fi
  bridge_exists || die "the lab bridge is gone; run: npm run lab -- up"
  t0="$(ts)"
  image="$(cat "$(node_dir "$n")/image")"
  [[ -d "$image" ]] || die "$n's golden root $image is gone; run: npm run lab -- down, then up"
  node_mount "$n" "$image"
  node_personalize "$n"
  node_boot "$n"
  wait_ssh 120 "$n"
  wait_booted 120 "$n"
  log "$n booted and answers SSH in $(elapsed "$t0") s"
}

cmd_partition() {
  require_root
  bridge_exists && bridge_is_ours || die "the lab is not up"
  partition "$@"
}

cmd_heal() {
  require_root
  heal
}

# LAN faults for the pre-flight checks: a lab host that answers ARP for an address (another machine owns
# the VIP), and a VRRP router outside any stack advertising a router id. Addresses stay in the lab's subnet.
lab_address() {
  local last="${1#"$LAB_PREFIX".}"
  if [[ "$last" == "$1" || ! "$last" =~ ^[0-9]{1,3}$ ]] || ((last < 2 || last > 254)); then
    die "'$1' is not a host address of the lab's subnet $LAB_SUBNET"
  fi
}

# claim-address / release-address NODE ADDRESS: NODE answers ARP for ADDRESS, or no longer does.
cmd_address() {
  local verb="$1" n="${2:-}" addr="${3:-}"
  [[ -n "$n" && -n "$addr" ]] || die "usage: $verb-address NODE ADDRESS"
  valid_node "$n"
  lab_address "$addr"
  require_root
  if [[ "$verb" == claim ]]; then
    (node_exec "$n" ip address replace "$addr/32" dev host0)
    log "$n answers ARP for $addr (undo with: release-address $n $addr)"
  else
    (node_exec "$n" ip address del "$addr/32" dev host0 2>/dev/null) || true
    log "$n no longer has $addr"
  fi
}

LAB_FOREIGN_VRRP_UNIT=kaha-foreign-vrrp

cmd_foreign_vrrp() {
  local n="${1:-}" vrid="${2:-}"
  [[ -n "$n" && -n "$vrid" ]] || die "usage: foreign-vrrp NODE VRID | foreign-vrrp NODE --stop"
  valid_node "$n"
  require_root
  if [[ "$vrid" == "--stop" ]]; then
    (node_exec "$n" systemctl stop "$LAB_FOREIGN_VRRP_UNIT" 2>/dev/null) || true
    log "$n no longer advertises VRRP"
    return 0
  fi
  [[ "$vrid" =~ ^[0-9]+$ ]] && ((vrid >= 1 && vrid <= 255)) || die "VRID must be 1..255, got '$vrid'"
  (node_exec "$n" systemctl stop "$LAB_FOREIGN_VRRP_UNIT" 2>/dev/null) || true
  (node_exec "$n" systemd-run --quiet --collect --unit "$LAB_FOREIGN_VRRP_UNIT" \
    /usr/bin/python3 -c "$(cat "$LAB_DIR/foreign-vrrp.py")" "$vrid" "$(node_addr "$n")")
  log "$n advertises VRRP router id $vrid to 224.0.0.18 every second (undo with: foreign-vrrp $n --stop)"
}

# Memory per node: all processes in the node's pid namespace. RSS counts shared pages once per process,
# PSS shares them out; the host-side systemd-nspawn is listed on its own.
cmd_stats() {
  require_root
  local n leader ns p rss pss cnt nspawn
  printf '%-6s %6s %8s %8s %10s\n' NODE PROCS RSS_MB PSS_MB NSPAWN_MB
  for n in $(known_nodes); do
    leader="$(node_leader "$n")"
    if [[ -z "$leader" ]]; then printf '%-6s %s\n' "$n" stopped; continue; fi
    ns="$(readlink "/proc/$leader/ns/pid")"
    rss=0 pss=0 cnt=0
    for p in /proc/[0-9]*; do
      [[ "$(readlink "$p/ns/pid" 2>/dev/null)" == "$ns" ]] || continue
      cnt=$((cnt + 1))
      rss=$((rss + $(awk '/^VmRSS:/ {print $2}' "$p/status" 2>/dev/null) + 0))
      pss=$((pss + $(awk '/^Pss:/ {print $2}' "$p/smaps_rollup" 2>/dev/null) + 0))
    done
    nspawn="$(awk '/^VmRSS:/ {print $2}' "/proc/$(node_nspawn_pid "$n")/status" 2>/dev/null)"
    awk -v n="$n" -v c="$cnt" -v r="$rss" -v p="$pss" -v s="${nspawn:-0}" \
      'BEGIN { printf "%-6s %6d %8.1f %8.1f %10.1f\n", n, c, r / 1024, p / 1024, s / 1024 }'
  done
}

# Processes that joined a node's network namespace from outside (an `exec` whose caller died, say) keep
# that namespace, and with it the node's veth, alive after the node is gone. Find the namespaces behind the
# lab's veths and kill what is left in them.
kill_netns_stragglers() {
  local veth nsid pid round
  for round in 1 2 3 4 5; do
    local found=0
    for veth in $(ip -o link show | grep -o 'vb-node[0-9]*' | sort -u); do
      nsid="$(ip -d -o link show dev "$veth" 2>/dev/null | grep -o 'link-netnsid [0-9]*' | awk '{print $2}')"
      [[ -n "$nsid" ]] || continue
      for pid in $(lsns -t net -n -o PID,NETNSID 2>/dev/null | awk -v id="$nsid" '$2 == id {print $1}'); do
        log "down: killing pid $pid left in ${veth#vb-}'s network namespace"
        kill -KILL "$pid" 2>/dev/null || true
        found=1
      done
    done
    ((found)) || return 0
    sleep 0.5
  done
}

cmd_down() {
  require_root
  take_lock
  local t0 n p c
  t0="$(ts)"
  # Power off every node at once, then wait; what does not stop in time is killed.
  for n in $(known_nodes); do node_stop "$n"; done
  for n in $(known_nodes); do node_wait_stopped "$n" 20; done
  # nspawns whose pid file was lost (an interrupted up): kill their init, then them.
  for p in $(lab_nspawn_pids); do
    for c in $(pgrep -P "$p"); do kill -KILL "$c" 2>/dev/null || true; done
    kill -TERM "$p" 2>/dev/null || true
    wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null || true
  done
  kill_netns_stragglers
  for n in $(known_nodes); do node_remove "$n"; done
  # Overlay mounts left by an interrupted up, deepest first.
  awk -v s="$LAB_STATE/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r | while read -r p; do
    umount "$p" 2>/dev/null || umount -l "$p"
  done
  nspawn_runtime_cleanup
  lab_cgroups_remove
  heal
  proxy_down
  bridge_down
  rm -rf "$LAB_STATE"
  log "down in $(elapsed "$t0") s (caches kept in $LAB_CACHE)"
}
