#!/usr/bin/env bash
# What observing the hosts costs a no-change `pulumi up --yes` (issue 11), on the lab's two hosts: one stack
# deployed by the last commit before observation (BASE, checked out in a temporary worktree), ROUNDS no-change
# ups there, then the same stack upgraded to this checkout and ROUNDS no-change ups again. Prints every run
# and the medians.   bash bench/observation-cost.sh   (BASE=36ffd8f ROUNDS=5 by default; needs root)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
base="${BASE:-36ffd8f}"
rounds="${ROUNDS:-5}"
eval "$(bash scripts/toolchain.sh)"
bash scripts/lab.sh up --nodes 2 >/dev/null

work="$(mktemp -d)"
state="$(mktemp -d)"
cleanup() {
  (cd "$repo" && { pulumi destroy --yes --stack obs-cost >/dev/null 2>&1 || true; })
  git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true
  rm -rf "$work" "$state" "$repo/Pulumi.obs-cost.yaml"
}
trap cleanup EXIT
export PULUMI_BACKEND_URL="file://$state" NO_COLOR=1
git worktree add --detach "$work/base" "$base" >/dev/null 2>&1
ln -s "$repo/node_modules" "$work/base/node_modules"
grep -v '^encryptionsalt:' Pulumi.lab.yaml > "$work/base/Pulumi.obs-cost.yaml"

# Wall seconds of a no-change up in a directory; fails if it changed anything.
no_change_up() {
  local start end
  start="$(date +%s.%N)"
  (cd "$1" && pulumi up --yes --expect-no-changes --stack obs-cost >/dev/null)
  end="$(date +%s.%N)"
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

(cd "$work/base" && pulumi stack init obs-cost >/dev/null && pulumi up --yes --stack obs-cost >/dev/null)
before=()
for _ in $(seq "$rounds"); do before+=("$(no_change_up "$work/base")"); done
echo "without observation ($base): ${before[*]} s"

cp "$work/base/Pulumi.obs-cost.yaml" Pulumi.obs-cost.yaml
pulumi up --yes --stack obs-cost >/dev/null # stores what this checkout changed in the steps' inputs
after=()
for _ in $(seq "$rounds"); do after+=("$(no_change_up "$repo")"); done
echo "with observation ($(git rev-parse --short HEAD)): ${after[*]} s"

b="$(printf '%s\n' "${before[@]}" | median)"
a="$(printf '%s\n' "${after[@]}" | median)"
summary="$(awk -v b="$b" -v a="$a" 'BEGIN { printf "median without %.1f s, with %.1f s: %.2f x", b, a, a / b }')"
echo "$summary"
# The section bench/report.md includes (scripts/bench.ts keeps it when it rewrites the report).
cat > bench/observation-cost.md <<MD
## No-change \`up\` and host observation (drift detection)

Measured $(date -u +%Y-%m-%dT%H:%M:%SZ) with \`bash bench/observation-cost.sh\` (Node.js $(node --version), $(nproc) cores): one
stack on the lab's two hosts, $rounds no-change \`pulumi up --yes\` with the last commit before the hosts were observed
($base), then the same stack upgraded to $(git rev-parse --short HEAD), which observes every host (one read-only SSH
round trip per host, all at once) before any step.

| run | no-change \`up --yes\`, each | median |
|---|---|---|
| without observation ($base) | ${before[*]} s | $(printf '%.1f' "$b") s |
| with observation ($(git rev-parse --short HEAD)) | ${after[*]} s | $(printf '%.1f' "$a") s |

$summary (target: within 1.5 x).
MD
