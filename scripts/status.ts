/**
 * npm run status -- --stack S [--json] [--watch[=SECONDS]]
 *
 * One row per node (SSH reachable, keepalived and web server active, VRRP state, VIPs held, last notify-log
 * line), then per VRRP instance the VIP holder and an HTTP GET through the VIP. Exit 0 healthy, 1 degraded
 * (a node or service down but every VIP served), 2 broken (no holder, split brain, or no HTTP through a VIP).
 */
import * as http from "http";
import { asRoot } from "../core/deploy-steps";
import { vipAddress, WEB_SERVER_SERVICES } from "../core";
import {
  assessCluster, ClusterStatus, formatStatus, nodeProbeScript, NodeStatus, parseNodeProbe, ProbedInstance, VERDICT_EXIT_CODE,
} from "../core/status";
import { runOverSsh } from "../components/ssh/run-over-ssh";
import { loadToolStack, parseFlags, ToolStack } from "./lib/stack";

/** GET http://VIP/ with a short time-out; resolves to [ok, first line of the body or the error]. */
export function httpGet(url: string, timeoutMs = 2000): Promise<[boolean, string]> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => { body += d.toString(); });
      res.on("end", () => resolve([res.statusCode !== undefined && res.statusCode < 300,
        `${res.statusCode} ${body.split("\n")[0].trim()}`]));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve([false, err.message]));
  });
}

/** The instances a stack's status looks at: each one's name and first VIP. */
export function probedInstances(stack: ToolStack): ProbedInstance[] {
  return stack.model.instances.map((i) => ({ name: i.instanceName, vip: vipAddress(i.vips[0]) }));
}

/** Probes every node and every instance's VIP once. */
export async function probeCluster(stack: ToolStack): Promise<ClusterStatus> {
  const instances = probedInstances(stack);
  const script = nodeProbeScript(instances, WEB_SERVER_SERVICES, stack.model.notify.logFile);
  const nodes = await Promise.all(stack.model.nodes.map(async (node): Promise<NodeStatus> => {
    try {
      const { stdout } = await runOverSsh(stack.connections.get(node.name)!, `status probe of ${node.name}`,
        asRoot(script, node.user), undefined);
      return parseNodeProbe(node.name, node.address, stdout);
    } catch (err) {
      return { name: node.name, address: node.address, reachable: false, error: (err as Error).message.split("\n")[0] };
    }
  }));
  const http = await Promise.all(instances.map(async (i) => {
    const [httpOk, httpDetail] = await httpGet(`http://${i.vip}/`);
    return { ...i, httpOk, httpDetail };
  }));
  return assessCluster(nodes, http);
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ["json", "watch"]);
  const stackName = flags.get("stack");
  if (!stackName) {
    console.error("usage: npm run status -- --stack NAME [--json] [--watch[=SECONDS]]");
    return 2;
  }
  const stack = loadToolStack(stackName);
  const watch = flags.has("watch") ? Number(flags.get("watch") === "true" ? 2 : flags.get("watch")) : 0;
  for (;;) {
    const status = await probeCluster(stack);
    const text = flags.has("json") ? JSON.stringify(status, null, 2) : formatStatus(status);
    if (watch > 0) process.stdout.write(`\x1b[2J\x1b[H${new Date().toISOString()}  stack ${stackName}\n\n`);
    process.stdout.write(`${text}\n`);
    if (watch <= 0) return VERDICT_EXIT_CODE[status.verdict];
    await new Promise((r) => setTimeout(r, watch * 1000));
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code), (err: Error) => {
    console.error(`status: ${err.message}`);
    process.exit(2);
  });
}
