#!/usr/bin/env bash
# `bash scripts/node.sh ARGS`: runs the pinned Node.js (scripts/node-env.sh) with ARGS; the npm scripts use it.
set -euo pipefail
eval "$(bash "$(dirname "$0")/node-env.sh")"
exec node "$@"
