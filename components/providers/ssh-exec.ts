/**
 * Temporary re-export for the two files that still import the SSH client from here (components/cluster-node.ts
 * and components/connection.ts, being rewritten on another branch). The client lives in
 * components/ssh/run-over-ssh.ts; delete this file once they import it from there.
 */
export { runOverSsh, SshConnection } from "../ssh/run-over-ssh";
