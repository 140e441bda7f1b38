#!/usr/bin/env bash
# `npm run pulumi -- ARGS`: the project's pinned Pulumi, offline, with a local file backend.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
env_lines="$(bash "$repo/scripts/toolchain.sh")"
eval "$env_lines"
cd "$repo"
exec pulumi "$@"
