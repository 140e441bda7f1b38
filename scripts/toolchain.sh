#!/usr/bin/env bash
# Makes the pinned Pulumi toolchain available and prints the environment that uses it offline.
#
#   bash scripts/toolchain.sh           build what is missing, then print `export ...` lines
#   eval "$(bash scripts/toolchain.sh)" use it in the current shell
#
# Idempotent: with everything built it only checks a stamp (well under a second). A `pulumi` of the
# pinned version already on PATH, together with its Node.js language host, is used as is.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=../toolchain/versions.env
source "$repo/toolchain/versions.env"

log() { echo "toolchain: $*" >&2; }

npm_pin="$(node -p "require('$repo/package.json').devDependencies['@pulumi/pulumi']")"
if [[ "$npm_pin" != "$PULUMI_VERSION" ]]; then
  log "package.json pins @pulumi/pulumi $npm_pin but toolchain/versions.env says $PULUMI_VERSION; make them agree"
  exit 1
fi

cache_root="${KEEPALIVED_HA_CACHE:-$HOME/.cache/keepalived-ha}"
# The build is keyed by the sources that define it, so a changed pin or host rebuilds by itself.
recipe_hash="$(cat "$repo/toolchain/versions.env" "$repo/toolchain/go.mod" "$repo/toolchain/go.sum" \
  "$repo/toolchain/cmd/pulumi-language-nodejs/main.go" "$repo/toolchain/pulumi-resource-pulumi-nodejs" \
  "$repo/toolchain/dynamic-provider.cjs" | sha256sum | cut -c1-16)"
bin="$cache_root/toolchain/$PULUMI_VERSION-$recipe_hash/bin"

existing="$(command -v pulumi || true)"
# Our own wrapper (below) on PATH from an earlier eval is not "a pulumi found on PATH".
[[ "$existing" == "$cache_root/toolchain/wrapper-"* ]] && existing="$(grep -o '^real=.*' "$existing" | cut -d= -f2- | tr -d '"')"
if [[ -n "$existing" && "$existing" != "$bin/pulumi" ]] && command -v pulumi-language-nodejs >/dev/null \
   && [[ "$("$existing" version 2>/dev/null)" == "v$PULUMI_VERSION" ]]; then
  bin="$(dirname "$existing")"
  log "using pulumi v$PULUMI_VERSION found on PATH at $existing"
elif [[ ! -f "$bin/.complete" ]]; then
  command -v go >/dev/null || { log "Go is needed to build the Pulumi toolchain (or install Pulumi $PULUMI_VERSION with the official installer)"; exit 1; }
  log "building Pulumi v$PULUMI_VERSION into $bin (first run only; several minutes)"
  mkdir -p "$bin"
  start=$SECONDS
  (
    cd "$repo/toolchain"
    export CGO_ENABLED=0 GOFLAGS=-mod=readonly
    flags=(-trimpath -tags "osusergo,grpcnotrace")
    go build "${flags[@]}" -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    go build "${flags[@]}" -ldflags "-s -w -X main.version=$PULUMI_VERSION" \
      -o "$bin/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs
  )
  install -m 0755 "$repo/toolchain/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
  install -m 0644 "$repo/toolchain/dynamic-provider.cjs" "$bin/dynamic-provider.cjs"
  touch "$bin/.complete"
  log "built in $((SECONDS - start)) s"
fi

# The `pulumi` first on PATH is a small wrapper (scripts/pulumi-yes.sh) around the CLI just found or built:
# `up --yes` and `destroy --yes` skip the preview that would only run the program once more (as the Automation
# API's `up` does). Keyed by the wrapper's text and the CLI it runs, so either change writes a new one.
real_pulumi="$bin/pulumi"
wrapper_hash="$( { cat "$repo/scripts/pulumi-yes.sh"; echo "$real_pulumi"; } | sha256sum | cut -c1-16)"
wrapper_dir="$cache_root/toolchain/wrapper-$wrapper_hash"
if [[ ! -x "$wrapper_dir/pulumi" ]]; then
  mkdir -p "$wrapper_dir"
  sed "s|@REAL_PULUMI@|$real_pulumi|" "$repo/scripts/pulumi-yes.sh" > "$wrapper_dir/pulumi.partial"
  chmod 0755 "$wrapper_dir/pulumi.partial"
  mv "$wrapper_dir/pulumi.partial" "$wrapper_dir/pulumi"
fi

pulumi_home="$cache_root/pulumi-home"
passphrase_file="$cache_root/stack-passphrase"
mkdir -p "$pulumi_home" "$repo/.pulumi-state"
if [[ ! -s "$passphrase_file" ]]; then
  (umask 077; head -c 24 /dev/urandom | base64 > "$passphrase_file")
fi

cat <<ENV
export PATH="$wrapper_dir:$bin:\$PATH"
export PULUMI_HOME="$pulumi_home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://$repo/.pulumi-state}"
export PULUMI_NODEJS_TRANSPILE_ONLY="\${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
export NODE_COMPILE_CACHE="\${NODE_COMPILE_CACHE:-$cache_root/node-compile-cache}"
case " \${NODE_OPTIONS:-} " in *" --max-semi-space-size="*) ;; *) export NODE_OPTIONS="--max-semi-space-size=2\${NODE_OPTIONS:+ \$NODE_OPTIONS}" ;; esac
ENV
# NODE_COMPILE_CACHE (above): Node.js keeps the compiled code of the SDK and the other modules on disk, so the
# program and the provider process of every run start faster (about 0.2 s a run here).
# NODE_OPTIONS (above): V8's young generation of 2 MiB semi-spaces instead of 16 keeps the program and the provider
# process of an `up` 150 MiB smaller together, at the same speed (measured with bench's tree memory sampler).
# PULUMI_NODEJS_TRANSPILE_ONLY (above): the SDK's ts-node would type-check the whole program on every preview
# and up (5 s of a no-change up here); `npm test` and `npm run typecheck` type-check it with tsc instead.
# The pinned Node.js first on PATH: the language host starts the program and the providers with `node`.
bash "$repo/scripts/node-env.sh"
# A passphrase the user set wins; otherwise local stacks use the machine's own generated one.
if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  echo "export PULUMI_CONFIG_PASSPHRASE_FILE=\"$passphrase_file\""
fi
