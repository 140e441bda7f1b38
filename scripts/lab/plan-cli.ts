/**
 * Command line over plan.ts for the shell modules:
 *   check-routes                      reads `ip -j -4 route show table all` on stdin; exit 1 on a collision
 *   pulumi-yaml N HOSTKEYS_DIR KEY    prints Pulumi.lab.yaml
 *   known-hosts N HOSTKEYS_DIR        prints known_hosts
 * HOSTKEYS_DIR holds nodeN/ssh_host_ed25519_key.pub.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { labPlan, parseLabEnv, renderKnownHosts, renderPulumiLabYaml, routeCollisions, type IpRoute } from "./plan";

const env = parseLabEnv(readFileSync(join(__dirname, "lab.env"), "utf8"));

function hostKeys(count: number, dir: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const n of labPlan(env, count).nodes) {
    keys[n.name] = readFileSync(join(dir, n.name, "ssh_host_ed25519_key.pub"), "utf8");
  }
  return keys;
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
  case "check-routes": {
    const routes = JSON.parse(readFileSync(0, "utf8") || "[]") as IpRoute[];
    const plan = labPlan(env, env.defaultNodes);
    const bad = routeCollisions(routes, plan.subnet, env.bridge);
    if (bad.length) {
      const list = bad.map((r) => `${r.dst} dev ${r.dev ?? "?"}${r.table ? ` table ${r.table}` : ""}`).join("; ");
      console.error(`lab: error: the lab subnet ${plan.subnet} collides with existing routes: ${list}`);
      process.exit(1);
    }
    break;
  }
  case "pulumi-yaml": {
    const count = Number(args[0]);
    const previous = args[3] && existsSync(args[3]) ? readFileSync(args[3], "utf8") : "";
    const salt = /^encryptionsalt: .*$/m.exec(previous)?.[0];
    process.stdout.write(renderPulumiLabYaml(labPlan(env, count), hostKeys(count, args[1]), args[2]) + (salt ? `${salt}\n` : ""));
    break;
  }
  case "known-hosts": {
    const count = Number(args[0]);
    process.stdout.write(renderKnownHosts(labPlan(env, count), hostKeys(count, args[1])));
    break;
  }
  default:
    console.error(`plan-cli: unknown command ${cmd ?? ""}`);
    process.exit(2);
}
