#!/usr/bin/env bash
# `npm test`: the one test command. Installs what is missing (Debian packages, npm packages, the pinned
# Pulumi toolchain; all idempotent and cached), type-checks, lints, then runs unit and integration tests with
# node's test runner. Integration tests use the real engine and the lab's real hosts, one file at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
bash scripts/setup.sh
eval "$(bash scripts/toolchain.sh)"
echo "test: type-check"
npx tsc --noEmit -p .
echo "test: lint"
npm run --silent lint
echo "test: unit and integration tests"
node --import tsx --test --test-concurrency=1 test/unit/*.test.ts test/integration/*.test.ts
echo "test: done in $((SECONDS - start)) s"
