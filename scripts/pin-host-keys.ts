/**
 * npm run pin-host-keys -- --stack NAME [--yes]
 *
 * Pins every node's SSH host key into the stack config (`nodes[i].hostKey`): fetches each node's key with an
 * SSH handshake that logs in nowhere (ed25519 preferred), shows name, address and SHA256 fingerprint, asks,
 * then writes the new keys with `pulumi config set`. A node whose pinned key differs from the live one stops
 * the run with nothing written (the host was rebuilt, or someone is in the middle). Exit 0 when every node is
 * pinned, 1 when refused or declined, 2 on bad usage or a node that cannot be reached.
 */
import { spawnSync } from "child_process";
import { askYesNo } from "./lib/ask";
import { fetchHostKey, HostKeyJump } from "./lib/fetch-host-key";
import {
  configSetCommands, formatPlan, HostKey, hostKeyAlgorithms, mismatchRefusal, parseHostKeyLine, PinNode, planPins,
} from "./lib/host-keys";
import { loadStackModel, parseFlags, REPO_ROOT, stackPrivateKey } from "./lib/stack";

const USAGE = "usage: npm run pin-host-keys -- --stack NAME [--yes]";
/** A handshake is one round trip or two; a node that does not answer in this time is not there. */
const HANDSHAKE_TIMEOUT_SECONDS = 15;

/** Runs the project's pulumi; throws with its output when it fails. */
function pulumi(args: string[]): void {
  const r = spawnSync("bash", ["scripts/pulumi.sh", ...args], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pulumi ${args.slice(0, 4).join(" ")} failed:\n${(r.stderr || r.stdout).trim()}`);
}

/** The nodes of the stack with their position in the config's `nodes` list. */
function pinNodes(values: Record<string, unknown>, model: ReturnType<typeof loadStackModel>["model"]): PinNode[] {
  const raw = Array.isArray(values.nodes) ? (values.nodes as { name?: unknown }[]) : [];
  return model.nodes.map((n) => {
    const index = raw.findIndex((r) => r?.name === n.name);
    if (index < 0) throw new Error(`node ${n.name} is not in the config's nodes list`);
    return { index, name: n.name, address: n.address, port: n.port, ...(n.hostKey !== undefined ? { hostKey: n.hostKey } : {}) };
  });
}

async function main(): Promise<number> {
  let flags: Map<string, string>;
  try {
    flags = parseFlags(process.argv.slice(2), ["yes"]);
  } catch (err) {
    console.error(`pin-host-keys: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const stack = flags.get("stack");
  if (stack === undefined || stack === "" || [...flags.keys()].some((k) => k !== "stack" && k !== "yes")) {
    console.error(USAGE);
    return 2;
  }
  const { values, model } = loadStackModel(stack);
  const nodes = pinNodes(values, model);
  const bastion = model.ssh.bastion;
  // Only a bastion needs a login (with the stack's key, as the program uses it); the nodes are never logged in to.
  const privateKey = bastion !== undefined ? stackPrivateKey(stack, values) : undefined;
  const jump = (node: PinNode): HostKeyJump | undefined => bastion === undefined || privateKey === undefined ? undefined : {
    host: bastion.host, port: bastion.port, user: bastion.user ?? model.nodes.find((n) => n.name === node.name)!.user, privateKey,
  };

  const results = await Promise.allSettled(nodes.map((n) => fetchHostKey({
    host: n.address, port: n.port, timeoutSeconds: HANDSHAKE_TIMEOUT_SECONDS,
    algorithms: hostKeyAlgorithms(n.hostKey !== undefined ? parseHostKeyLine(n.hostKey) : undefined),
  }, jump(n))));
  const unreachable = results.flatMap((r, i) => (r.status === "rejected" ? [`  ${nodes[i].name}: ${(r.reason as Error).message}`] : []));
  if (unreachable.length > 0) {
    console.error(`pin-host-keys: nothing written to stack ${stack}; every node must answer:\n${unreachable.join("\n")}`);
    return 2;
  }
  const entries = planPins(nodes, results.map((r) => (r as PromiseFulfilledResult<HostKey>).value));

  console.log(`SSH host keys of stack ${stack}'s nodes (compare each fingerprint with the host's own, e.g. ` +
    "`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console):");
  console.log(formatPlan(entries));
  const refusal = mismatchRefusal(entries, stack);
  if (refusal !== undefined) {
    console.error(refusal);
    return 1;
  }
  const commands = configSetCommands(entries, stack);
  if (commands.length === 0) {
    console.log(`Every node's key is pinned and matches; nothing to write.`);
    return 0;
  }
  if (flags.get("yes") !== "true" && !(await askYesNo(`Pin ${commands.length} key(s) into Pulumi.${stack}.yaml? [y/N] `))) {
    console.error(process.stdin.isTTY ? "nothing written" : "nothing written: not a terminal, add --yes to pin these keys");
    return 1;
  }
  for (const args of commands) pulumi(args);
  console.log(`Pinned ${commands.length} key(s) in Pulumi.${stack}.yaml; every connection of the program now checks them.`);
  return 0;
}

main().then((code) => process.exit(code), (err: Error) => {
  console.error(`pin-host-keys: ${err.message}`);
  process.exit(2);
});
