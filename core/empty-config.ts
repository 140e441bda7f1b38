/**
 * A stack with no keepalived-ha config at all (a freshly `stack init`-ed one) is a newcomer's first step, not a
 * broken config: instead of three "is required" problems it gets the keys to set and the commands that set
 * them. Pure; shared by the program and `npm run render`.
 */
import { validateConfig } from "./validate";

/** True when the stack gives no `keepalived-ha:` key at all (keys of other namespaces do not count). */
export function isEmptyConfig(values: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(values).length === 0;
}

/** The top-level keys a config cannot do without, as validation itself reports them for an empty config. */
export function requiredTopLevelKeys(): string[] {
  return validateConfig({}).problems.map((p) => p.key);
}

/** The commands, as typed in the project folder, that give a stack the smallest valid two-node config. */
export function firstConfigCommands(stack: string): string[] {
  const set = (key: string, value: string) =>
    `npm run pulumi -- config set --path 'keepalived-ha:${key}' ${value} --stack ${stack}`;
  return [
    set("nodes[0].name", "web1"),
    set("nodes[0].address", "192.168.0.128"),
    set("nodes[0].priority", "100"),
    set("nodes[1].name", "web2"),
    set("nodes[1].address", "192.168.0.129"),
    set("nodes[1].priority", "90"),
    set("vrrp.interface", "ens32"),
    set("vrrp.virtualRouterId", "151"),
    set("vrrp.vips[0]", "192.168.0.130/24"),
    set("checks[0].name", "chk_web"),
    set("checks[0].type", "tcp"),
    // `--` ends the options so the CLI takes -30 as the value, not as a flag.
    `npm run pulumi -- config set --path 'keepalived-ha:checks[0].weight' --stack ${stack} -- -30`,
  ];
}

/** What a stack without config is told: the required keys, where they are documented and how to set them. */
export function emptyConfigMessage(stack: string): string {
  const keys = requiredTopLevelKeys();
  return [
    `stack ${stack} has no keepalived-ha configuration yet; it needs at least ${keys.join(", ")} ` +
      "(docs/config.md lists every key; Pulumi.dev.yaml and examples/ are configs to copy).",
    `Write them into Pulumi.${stack}.yaml, or set them one by one with your own addresses, e.g.:`,
    ...firstConfigCommands(stack).map((c) => `    ${c}`),
    `Then check it offline with \`npm run render -- --stack ${stack}\` before \`npm run pulumi -- preview --stack ${stack}\`.`,
  ].join("\n");
}
