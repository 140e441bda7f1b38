#!/usr/bin/env bash
# The lab: real Debian 12 hosts (systemd, sshd, firewalld) booted with systemd-nspawn on one bridge.
# Usage: npm run lab -- <verb> [args]   (see `help` and docs/lab.md)
set -euo pipefail

LAB_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/lab" && pwd)"
# The lab's planning helpers run on the project's pinned Node.js.
eval "$(bash "$LAB_SCRIPTS/../node-env.sh")"
# shellcheck source=lab/common.sh
source "$LAB_SCRIPTS/common.sh"
# shellcheck source=lab/image.sh
source "$LAB_SCRIPTS/image.sh"
# shellcheck source=lab/net.sh
source "$LAB_SCRIPTS/net.sh"
# shellcheck source=lab/node.sh
source "$LAB_SCRIPTS/node.sh"
# shellcheck source=lab/verbs.sh
source "$LAB_SCRIPTS/verbs.sh"

usage() {
  cat <<EOF
usage: npm run lab -- <verb>
  up [--nodes N]          boot node1..nodeN (default $LAB_DEFAULT_NODES, max $LAB_MAX_NODES); writes Pulumi.lab.yaml
  status                  which nodes run, addresses, SSH reachable, partition
  exec NODE -- CMD...     run CMD as root inside NODE (no SSH needed)
  ssh NODE [CMD...]       SSH to NODE as root with the lab key and pinned host key
  stop-node NODE [--kill] power NODE off (--kill: kill its init at once, a crash); keeps its disk layer
  start-node NODE         boot NODE again with the same disk layer
  partition [--multicast-only] [NODE...]
                          drop VRRP (or only multicast VRRP) between nodes, or to/from the named nodes
  heal                    undo partition
  claim-address NODE ADDR make NODE answer ARP for ADDR (another machine owns the VIP); release-address undoes
  foreign-vrrp NODE VRID  run a VRRP router outside any stack on NODE advertising VRID; --stop instead of VRID stops it
  stats                   resident memory per running node
  down                    power everything off and remove all the lab made (keeps caches)
subnet $LAB_SUBNET on bridge $LAB_BRIDGE, host $LAB_HOST_ADDR, nodes $(node_addr node1)..$(node_addr "node$LAB_MAX_NODES"), VIP $LAB_VIP
EOF
}

verb="${1:-help}"
shift || true
case "$verb" in
  up) cmd_up "$@" ;;
  status) cmd_status "$@" ;;
  exec) cmd_exec "$@" ;;
  ssh) cmd_ssh "$@" ;;
  stop-node) cmd_stop_node "$@" ;;
  start-node) cmd_start_node "$@" ;;
  partition) cmd_partition "$@" ;;
  heal) cmd_heal "$@" ;;
  claim-address) cmd_address claim "$@" ;;
  release-address) cmd_address release "$@" ;;
  foreign-vrrp) cmd_foreign_vrrp "$@" ;;
  stats) cmd_stats "$@" ;;
  down) cmd_down "$@" ;;
  help | -h | --help) usage ;;
  *) usage >&2; die "unknown verb '$verb'" ;;
esac
