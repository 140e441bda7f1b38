# The lab's network: its bridge, the apt proxy on the bridge address, and the VRRP partition rules.
# Each piece is marked as the lab's so that `down` removes only what the lab made. Sourced, never run.
# shellcheck shell=bash

LAB_BRIDGE_ALIAS="keepalived-ha lab"
ACNG_PIDFILE="$LAB_STATE/apt-cacher-ng.pid"

bridge_exists() { ip link show dev "$LAB_BRIDGE" >/dev/null 2>&1; }
bridge_is_ours() { [[ "$(cat "/sys/class/net/$LAB_BRIDGE/ifalias" 2>/dev/null)" == "$LAB_BRIDGE_ALIAS" ]]; }

# Refuses when the subnet is routed anywhere but the lab's own bridge (another network already uses it).
check_subnet_free() {
  ip -j -4 route show table all | node --import tsx "$LAB_DIR/plan-cli.ts" check-routes \
    || die "pick another subnet in scripts/lab/lab.env or remove the route; the lab touched nothing"
}

bridge_up() {
  if bridge_exists; then
    bridge_is_ours || die "interface $LAB_BRIDGE exists but was not made by the lab; not touching it"
  else
    # multicast snooping off: VRRP adverts go to 224.0.0.18 and must reach every port without IGMP joins.
    ip link add "$LAB_BRIDGE" type bridge mcast_snooping 0
    ip link set dev "$LAB_BRIDGE" alias "$LAB_BRIDGE_ALIAS"
  fi
  echo 0 >"/sys/class/net/$LAB_BRIDGE/bridge/multicast_snooping"
  # The host side speaks IPv4 only on the lab bridge; nothing to gain from IPv6 chatter here.
  echo 1 >"/proc/sys/net/ipv6/conf/$LAB_BRIDGE/disable_ipv6" 2>/dev/null || true
  ip -4 addr show dev "$LAB_BRIDGE" | grep -qF " $LAB_HOST_ADDR/$LAB_PREFIX_LEN " \
    || ip addr add "$LAB_HOST_ADDR/$LAB_PREFIX_LEN" dev "$LAB_BRIDGE"
  ip link set dev "$LAB_BRIDGE" up
}

bridge_down() {
  bridge_exists || return 0
  if bridge_is_ours; then
    ip link del dev "$LAB_BRIDGE"
  else
    log "warning: $LAB_BRIDGE was not made by the lab (no '$LAB_BRIDGE_ALIAS' alias); left in place"
  fi
}

# Is anything listening where the nodes expect the proxy (the bridge address or a wildcard)?
proxy_listening() {
  ss -Hltn "sport = :$LAB_PROXY_PORT" 2>/dev/null \
    | awk '{print $4}' | grep -qE "^($LAB_HOST_ADDR|0\.0\.0\.0|\*|\[::\]):$LAB_PROXY_PORT$"
}

# apt-cacher-ng bound to the bridge address only, cache kept in the lab cache so repeated runs get faster.
# It serves exactly the archive that debootstrap put in the golden root's sources.list (ForceManaged: any
# other URL gets 403), and fetches it from that same host: its packaged default would rewrite requests to a
# mirror list of its own, which need not resolve here.
proxy_up() {
  local image="$1" archive
  archive="$(awk '$1 == "deb" { sub(/^https?:\/\//, "", $2); sub(/\/$/, "", $2); print $2; exit }' \
    "$image/etc/apt/sources.list")"
  [[ -n "$archive" ]] || die "no 'deb' line in $image/etc/apt/sources.list"
  if [[ -f "$ACNG_PIDFILE" ]] && kill -0 "$(cat "$ACNG_PIDFILE")" 2>/dev/null; then return 0; fi
  if proxy_listening; then
    log "an apt proxy already listens on port $LAB_PROXY_PORT; the nodes use it and the lab will not stop it"
    return 0
  fi
  mkdir -p "$LAB_CACHE/apt-cache" "$LAB_STATE/apt-cacher-ng"
  setsid apt-cacher-ng -c /etc/apt-cacher-ng ForeGround=1 \
    "BindAddress=$LAB_HOST_ADDR" "Port=$LAB_PROXY_PORT" ForceManaged=1 "Remap-debrep=$archive ; $archive" \
    "CacheDir=$LAB_CACHE/apt-cache" "LogDir=$LAB_STATE/apt-cacher-ng" \
    "SocketPath=$LAB_STATE/apt-cacher-ng/socket" "PidFile=$LAB_STATE/apt-cacher-ng/pid" \
    </dev/null >"$LAB_STATE/apt-cacher-ng/stdout.log" 2>&1 9>&- &
  echo $! >"$ACNG_PIDFILE"
  local i
  for i in $(seq 50); do
    proxy_listening && return 0
    kill -0 "$(cat "$ACNG_PIDFILE")" 2>/dev/null || break
    sleep 0.1
  done
  die "apt-cacher-ng did not start; see $LAB_STATE/apt-cacher-ng/"
}

# Stops the proxy only if the lab started it (its pid file, or its command line naming the lab's state dir).
proxy_down() {
  local pids=() p
  [[ -f "$ACNG_PIDFILE" ]] && pids+=("$(cat "$ACNG_PIDFILE")")
  for p in $(pgrep -x apt-cacher-ng 2>/dev/null); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "SocketPath=$LAB_STATE/" && pids+=("$p")
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null || true; done
  rm -f "$ACNG_PIDFILE"
}

# Waits up to $2 seconds for pid $1 to exit; returns 1 if it is still there.
wait_gone() {
  local i
  for i in $(seq $(($2 * 10))); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  ! kill -0 "$1" 2>/dev/null
}

nft_table_exists() { nft list table bridge "$LAB_NFT_TABLE" >/dev/null 2>&1; }

# Drops VRRP (IP protocol 112) forwarded by the bridge between the lab's ports (vb-nodeN, named by nspawn
# after the machine): between all nodes, or to/from the named nodes only. (`meta ibrname` would be neater,
# but this kernel lacks it.)
partition() {
  local n i ports=() rules match="ip protocol 112" what="VRRP"
  # --multicast-only drops only adverts to VRRP's multicast group: unicast VRRP still flows (the case
  # `vrrp.unicast` exists for).
  if [[ "${1:-}" == "--multicast-only" ]]; then
    match="ip daddr 224.0.0.0/4 ip protocol 112"
    what="multicast VRRP"
    shift
  fi
  for n in "$@"; do valid_node "$n"; done
  if (($#)); then
    for n in "$@"; do ports+=("\"vb-$n\""); done
  else
    for ((i = 1; i <= LAB_MAX_NODES; i++)); do ports+=("\"vb-node$i\""); done
  fi
  local set
  set="{ $(IFS=,; echo "${ports[*]}") }"
  if (($#)); then
    rules="iifname $set ether type ip $match counter drop
    oifname $set ether type ip $match counter drop"
  else
    rules="iifname $set ether type ip $match counter drop"
  fi
  if nft_table_exists; then nft delete table bridge "$LAB_NFT_TABLE"; fi
  nft -f - <<EOF_NFT
table bridge $LAB_NFT_TABLE {
  chain forward {
    type filter hook forward priority 0; policy accept;
    $rules
  }
}
EOF_NFT
  log "$what dropped on $LAB_BRIDGE${*:+ to/from $*} (table bridge $LAB_NFT_TABLE); undo with: heal"
}

heal() {
  if nft_table_exists; then nft delete table bridge "$LAB_NFT_TABLE"; log "VRRP flows again"; fi
}
