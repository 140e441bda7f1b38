/**
 * npm run forget-node -- --stack S NODE [--yes]
 *
 * Removes a node whose host is gone for good (dead, or rebuilt elsewhere) from the stack's state without
 * touching the host, so that `up` stops trying to undo its steps there. Asks first unless --yes. Nothing
 * calls this by itself: a host that is only unreachable for a while must not be forgotten.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadClusterModel, readStackFile } from "../core";
import { Deployment, forgetNode, urnName } from "./lib/forget-node";
import { askYesNo } from "./lib/ask";
import { parseArgs, REPO_ROOT } from "./lib/stack";

/** Runs the project's pulumi; throws with its output when it fails. */
function pulumi(args: string[]): string {
  const r = spawnSync("bash", ["scripts/pulumi.sh", ...args], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** What the forgotten host still runs, from the stack config when it can be read. */
function leftOnHost(stack: string): string {
  try {
    const text = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const model = loadClusterModel(readStackFile(text, `Pulumi.${stack}.yaml`).values, { readFile: (p) => fs.readFileSync(p, "utf8") });
    const groups = model.instances.map((i) => `virtual_router_id ${i.virtualRouterId} for ${i.vips.join(", ")}`).join("; ");
    return `keepalived stays enabled there with its old configuration (${groups})`;
  } catch {
    return "keepalived stays enabled there with its old configuration";
  }
}

async function main(): Promise<number> {
  const { flags, positional } = parseArgs(process.argv.slice(2), ["yes"]);
  const stack = flags.get("stack");
  if (stack === undefined || stack === "" || positional.length !== 1) {
    console.error("usage: npm run forget-node -- --stack STACK NODE [--yes]");
    return 2;
  }
  const node = positional[0];
  const exported = JSON.parse(pulumi(["stack", "export", "--stack", stack])) as { deployment: Deployment };
  const { deployment, removed } = forgetNode(exported.deployment, node);

  console.log(`Forgetting ${node} removes ${removed.length} resources from the state of stack ${stack}:`);
  for (const urn of removed) console.log(`  ${urnName(urn)}`);
  console.log(`Nothing runs on ${node}'s host. If that machine ever comes back, ${leftOnHost(stack)} and it joins the ` +
    `VRRP election again with its old priority, so it may take the VIP: wipe it, or run ` +
    `\`systemctl disable --now keepalived\` on it, before it is back on the LAN.`);
  if (flags.get("yes") !== "true" && !(await askYesNo(`Forget ${node}? [y/N] `))) {
    console.error(process.stdin.isTTY ? "nothing changed" : "nothing changed: not a terminal, pass --yes to confirm");
    return 1;
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-forget-"));
  try {
    const file = path.join(dir, "state.json");
    fs.writeFileSync(file, JSON.stringify({ ...exported, deployment }), { mode: 0o600 });
    pulumi(["stack", "import", "--file", file, "--stack", stack]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${node} is forgotten. \`npm run pulumi -- up --stack ${stack}\` now converges the nodes in the config.`);
  return 0;
}

main().then((code) => process.exit(code), (err: Error) => {
  console.error(`forget-node: ${err.message}`);
  process.exit(2);
});
