/** How to reach a node over SSH, from the model: one place for the component, the observation and the tools. */
import { ClusterModel, NodeModel } from "../core";
import { SshConnection } from "./ssh/run-over-ssh";

/** The SSH connection of a node (through the bastion when the model has one); holds the key: keep it secret. */
export function nodeConnection(model: ClusterModel, node: NodeModel, privateKey: string,
  dialTimeoutSeconds: number = model.ssh.connectTimeout): SshConnection {
  const bastion = model.ssh.bastion;
  return {
    host: node.address,
    port: node.port,
    user: node.user,
    privateKey,
    ...(node.hostKey !== undefined ? { hostKey: node.hostKey } : {}),
    dialTimeoutSeconds,
    ...(bastion !== undefined ? {
      bastion: { host: bastion.host, port: bastion.port, user: bastion.user ?? node.user, privateKey, dialTimeoutSeconds },
    } : {}),
  };
}
