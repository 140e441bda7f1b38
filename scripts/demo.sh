#!/usr/bin/env bash
# `npm run demo`: on a fresh machine, prepares everything, boots the 2-host lab, converges it with
# `pulumi up --stack lab`, and shows the outputs and the page served through the VIP.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "setup: Debian and npm packages"
bash scripts/setup.sh
step "toolchain: pinned Pulumi (built once, then cached)"
eval "$(bash scripts/toolchain.sh)"
step "lab: booting 2 Debian hosts on bridge kaha-br0 (10.213.151.0/24)"
bash scripts/lab.sh up --nodes 2
step "pulumi up --stack lab"
# After `lab down` the hosts have fresh disks; `up` sees that they drifted from the stack and converges them.
pulumi stack select lab >/dev/null 2>&1 || pulumi stack init lab
# The profile the README's failover figures are measured with (bench/report.md, "default"): the lab's TCP check
# every second, failing once puts the node in FAULT (weight 0), whose priority-0 advert hands the VIP over at once.
pulumi config set --path 'keepalived-ha:checks[0].weight' 0 --stack lab
pulumi config set --path 'keepalived-ha:checks[0].fall' 1 --stack lab
pulumi up --yes --stack lab
step "outputs"
pulumi stack output --stack lab
vip="$(pulumi stack output vip --stack lab)"
step "GET http://$vip/ through the VIP"
curl -sS --max-time 5 "http://$vip/"
step "status"
npm run -s status -- --stack lab || true
step "failover drill: stop the web server on the master, probe the VIP every 30 ms"
npm run -s drill -- --stack lab --scenario httpd-stop
echo "drilled profile: default (VRRPv2, 1 s adverts, TCP check every 1 s, fall 1, weight 0); the README's p50 for it: 1.24 s"
cat <<EOF_NEXT

Done. Look further:
  npm run lab -- status                       hosts, addresses, SSH
  npm run lab -- exec node1 -- ip -4 addr     who holds the VIP
  npm run pulumi -- preview --stack lab       a no-change preview
  npm run status -- --stack lab --watch       live view (Ctrl-C to stop)
  npm run drill -- --stack lab --scenario node-crash|keepalived-stop|partition
  out/drill/*.svg                             the drill's timeline
Tear down:
  npm run pulumi -- destroy --yes --stack lab && npm run lab -- down
EOF_NEXT
