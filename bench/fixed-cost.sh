#!/usr/bin/env bash
# Where the fixed cost of a no-change `pulumi up --yes` goes (issue 16): each piece timed on its own, ROUNDS times,
# medians, in the foreground. Needs the lab stack deployed (npm run demo, or lab up + pulumi up --stack lab).
#   bash bench/fixed-cost.sh   (STACK=lab ROUNDS=5)   writes bench/fixed-cost.md, which bench/report.md includes
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
stack="${STACK:-lab}"
rounds="${ROUNDS:-5}"
eval "$(bash scripts/toolchain.sh)"

# Median wall milliseconds of a command run ROUNDS times (its output dropped; a failure stops the script).
median_ms() {
  local times=() start end
  for _ in $(seq "$rounds"); do
    start="$(date +%s%N)"
    "$@" >/dev/null 2>&1 || { echo "fixed-cost: failed: $*" >&2; exit 1; }
    end="$(date +%s%N)"
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'
}

# Starts a dynamic-provider entry as the engine does and waits for the port it prints (then stops it).
provider_answers() {
  coproc provider { exec node "$1" 127.0.0.1:1 2>/dev/null; }
  read -r _ <&"${provider[0]}"
  # shellcheck disable=SC2154 # coproc sets provider_PID
  kill "$provider_PID"
  wait "$provider_PID" 2>/dev/null || true
}

sdk="require('@pulumi/pulumi')"
program_with() { echo "require('ts-node').register({ transpileOnly: true, swc: $1 }); require('./core'); require('./components');"; }
rows=(
  "\`npm run -s pulumi -- version\` (npm, the project's wrapper script, CLI start)|$(median_ms npm run -s pulumi -- version)"
  "\`pulumi version\` (CLI start alone)|$(median_ms pulumi version)"
  "\`pulumi stack output\` (CLI, project, stack and its state loaded)|$(median_ms pulumi stack output --stack "$stack")"
  "Node.js start and \`@pulumi/pulumi\` loaded (the program and the provider process each pay it)|$(median_ms node -e "$sdk")"
  "Node.js, the SDK and the program's modules transpiled by TypeScript (ts-node's default)|$(median_ms node -e "$sdk; $(program_with false)")"
  "Node.js, the SDK and the program's modules transpiled by SWC (\`\"ts-node\": {\"swc\": true}\`, as shipped)|$(median_ms node -e "$sdk; $(program_with true)")"
  "the dynamic providers' process until it answers, with the SDK's entry point as it is|$(median_ms provider_answers node_modules/@pulumi/pulumi/cmd/dynamic-provider)"
  "the dynamic providers' process until it answers, as shipped (\`toolchain/dynamic-provider.cjs\`: no closure serializer, no TypeScript)|$(median_ms provider_answers toolchain/dynamic-provider.cjs)"
  "\`pulumi preview\`: one pass of the program (observes every host once)|$(median_ms pulumi preview --stack "$stack")"
  "no-change \`pulumi up --yes\`, preview first (\`KEEPALIVED_HA_PREVIEW_FIRST=1\`, the CLI's own way)|$(KEEPALIVED_HA_PREVIEW_FIRST=1 median_ms pulumi up --yes --stack "$stack")"
  "no-change \`pulumi up --yes\` as shipped (no preview before the update)|$(median_ms pulumi up --yes --stack "$stack")"
)

{
  echo "## Fixed cost of a run"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%M:%SZ) with \`bash bench/fixed-cost.sh\` ($(nproc) cores, Node.js $(node --version), stack \`$stack\` on"
  echo "the lab's $(grep -c '^ *address:' "Pulumi.$stack.yaml") hosts): each piece on its own, median of $rounds, in the foreground."
  echo
  echo "| piece | median |"
  echo "|---|---|"
  for row in "${rows[@]}"; do
    printf '| %s | %.2f s |\n' "${row%%|*}" "$(echo "${row##*|}" | awk '{print $1 / 1000}')"
  done
} > bench/fixed-cost.md
cat bench/fixed-cost.md
