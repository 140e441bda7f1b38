/** Shared inputs for the unit tests: the seed's cluster as a plain `keepalived-ha:` object, and SSH keys. */
import { utils } from "ssh2";

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
