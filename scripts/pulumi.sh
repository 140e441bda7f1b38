#!/usr/bin/env bash
# `npm run pulumi -- ARGS`: the project's pinned Pulumi, offline, with a local file backend.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
env_lines="$(bash "$repo/scripts/toolchain.sh")"
eval "$env_lines"
cd "$repo"

# An engine that was killed (Ctrl-C twice, OOM, a lost terminal) leaves its lock in a file backend, and every
# later command refuses to run. A lock taken on this host by a process that no longer exists is stale:
# remove it, say so, and carry on. Locks of live processes or of other hosts are left alone.
clear_stale_locks() {
  local backend="${PULUMI_BACKEND_URL:-}"
  [[ "$backend" == file://* ]] || return 0
  backend="${backend#file://}"
  backend="${backend%%\?*}"
  local lock pid host
  shopt -s nullglob
  for lock in "$backend"/.pulumi/locks/*/*/*/*.json; do
    pid="$(grep -o '"pid": *[0-9]*' "$lock" | grep -o '[0-9]*$' || true)"
    host="$(grep -o '"hostname": *"[^"]*"' "$lock" | sed 's/.*"\([^"]*\)"$/\1/' || true)"
    if [[ -n "$pid" && "$host" == "$(hostname)" ]] && ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$lock"
      echo "pulumi.sh: removed the stale lock of a pulumi process (pid $pid) that no longer runs: $lock" >&2
    fi
  done
}
clear_stale_locks

exec pulumi "$@"
