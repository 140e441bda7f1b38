#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the tests, the lab and the demo.
# Idempotent: does nothing (and needs no network) when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/apt-packages.txt

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps package scripts from starting daemons on this machine.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm runs under the pinned Node.js, so native add-ons are built for it.
eval "$(bash scripts/node-env.sh)"
abi="$(node -p 'process.versions.modules')"
if [[ ! -d node_modules/@pulumi/pulumi ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$abi" > node_modules/.kaha-node-abi
elif [[ "$(cat node_modules/.kaha-node-abi 2>/dev/null)" != "$abi" ]]; then
  # Installed by another Node.js (e.g. a plain `npm ci`): rebuild the native add-ons for this one.
  echo "setup: rebuilding npm dependencies for Node.js $(node --version)"
  npm rebuild --loglevel=error >/dev/null
  echo "$abi" > node_modules/.kaha-node-abi
fi
