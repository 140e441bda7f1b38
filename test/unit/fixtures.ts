/** Shared inputs for the unit tests: the seed's cluster as a plain `keepalived-ha:` object, SSH keys, an SSH server. */
import { AddressInfo } from "node:net";
import { Connection, Server, utils } from "ssh2";

/** A fresh, valid config modelled on the seed (priorities 100/80, nopreempt, weight-0 process check). */
export function seedConfig(): Record<string, any> {
  return {
    nodes: [
      { name: "keepalived-master", address: "192.168.0.128", priority: 100, os: "rhel" },
      { name: "keepalived-backup", address: "192.168.0.129", priority: 80, os: "rhel" },
    ],
    vrrp: { interface: "ens32", virtualRouterId: 151, vips: ["192.168.0.130/24"], advertInt: 1, nopreempt: true },
    checks: [{ name: "chk_httpd", type: "process", process: "httpd", interval: 5, fall: 2, rise: 1, weight: 0 }],
    globalDefs: {
      notificationEmails: ["root@localhost"],
      notificationEmailFrom: "keepalived@localhost",
      smtpServer: "127.0.0.1",
      smtpConnectTimeout: 30,
      routerId: "httpd_keep",
      scriptUser: "root",
      enableScriptSecurity: true,
    },
    firewall: "disable",
    site: "<h1> hello hujianli web1 </h1>",
  };
}

/** seedConfig() with a change applied. */
export function seedWith(change: (config: Record<string, any>) => void): Record<string, any> {
  const config = seedConfig();
  change(config);
  return config;
}

/**
 * An SSH key pair that ssh2 itself can read back. ssh2's generateKeyPairSync drops a leading zero byte of an
 * ed25519 public key (about one key in 256), and the private key it writes then fails to parse ("Malformed
 * OpenSSH private key"): a test that made such a key would fail by chance. Drawn again until it parses.
 */
export function sshKeyPair(type: "ed25519" | "ecdsa", options?: { bits: 256 | 384 | 521 }): { private: string; public: string } {
  for (;;) {
    const pair = type === "ecdsa" ? utils.generateKeyPairSync("ecdsa", options ?? { bits: 256 }) : utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

/** What the local SSH server answers to one command. */
export interface ExecReply {
  /** Written to standard output. */
  readonly stdout?: string;
  /** Written to standard error. */
  readonly stderr?: string;
  /** Exit status; 0 by default. */
  readonly code?: number;
  /** Answer this much later, so that runs overlap. */
  readonly delayMs?: number;
}

/** A running local SSH server. */
export interface LocalSshServer {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** The connections open now, by number (the first dialled is 1). */
  readonly open: Map<number, Connection>;
  /** Every command run so far, without runOverSsh's `/bin/bash -c '...'` around it; a test may empty it. */
  readonly commands: string[];
  /** Ends every connection and stops listening. */
  close(): void;
}

/**
 * ssh2's own SSH server on 127.0.0.1, accepting any public key. Each command is answered by `reply` once the
 * client has closed its standard input; `reply` sees the command already counted in `commands`.
 */
export async function localSshServer(reply: (command: string, connection: number) => ExecReply): Promise<LocalSshServer> {
  const open = new Map<number, Connection>();
  const commands: string[] = [];
  let dialled = 0;
  const server = new Server({ hostKeys: [sshKeyPair("ed25519").private] }, (client) => {
    const number = ++dialled;
    open.set(number, client);
    client.on("close", () => open.delete(number)).on("error", () => undefined);
    client.on("authentication", (ctx) => (ctx.method === "publickey" ? ctx.accept() : ctx.reject(["publickey"])));
    client.on("session", (accept) => accept().on("exec", (acceptExec, _reject, info) => {
      const stream = acceptExec();
      const command = /^\/bin\/bash -c '(.*)'$/s.exec(info.command)?.[1] ?? info.command;
      commands.push(command);
      stream.on("data", () => undefined).on("end", () => {
        const answer = reply(command, number);
        setTimeout(() => {
          if (answer.stdout !== undefined) stream.write(answer.stdout);
          if (answer.stderr !== undefined) stream.stderr.write(answer.stderr);
          stream.exit(answer.code ?? 0);
          stream.end();
        }, answer.delayMs ?? 0);
      });
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    open,
    commands,
    close: () => {
      for (const client of open.values()) client.end();
      server.close();
    },
  };
}
