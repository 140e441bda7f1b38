/** Pulumi components of keepalived-ha: they wire resources; all config text comes from core/. */
export * from "./args";
export * from "./ha-web-cluster";
export * from "./cluster-node";
export * from "./stack-config";
export { RemoteCommand, RemoteCommandArgs, SshConnectionInput } from "./providers/remote-command";
export { SshConnection } from "./providers/ssh-exec";
export { GeneratedSecret, GeneratedSecretArgs } from "./providers/generated-secret";
export { VipHolder, VipHolderArgs } from "./providers/vip-holder";
