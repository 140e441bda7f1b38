/**
 * The Ansible peer of the side-by-side bench: ansible-core from Debian when it is missing, and a work dir under
 * out/bench/ansible with copies of the peer's files plus the inventory and known_hosts of the lab as it is now.
 * The peer's own folder (shared/, not ours) is only read.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LabConfig, renderInventory, renderKnownHosts } from "./side-by-side";
import { REPO_ROOT } from "./repo";

/** The peer's files the work dir copies. */
const PEER_FILES = ["site.yml", "keepalived.conf.j2", "inventory.example.ini"] as const;

/** The playbook command, as the peer's README has operators type it (cwd = the work dir). */
export const PLAYBOOK_COMMAND = ["ansible-playbook", "-i", "inventory.ini", "site.yml"] as const;

/** Where the runs happen: git-ignored (out/). */
export const ANSIBLE_WORK_DIR = path.join(REPO_ROOT, "out", "bench", "ansible");

/** The peer's folder: `--peer DIR`, else shared/peers/ansible beside the repo; throws when a file is missing. */
export function resolvePeerDir(flag: string | undefined): string {
  const dir = path.resolve(flag ?? path.join(REPO_ROOT, "..", "shared", "peers", "ansible"));
  const missing = PEER_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    throw new Error(`the Ansible peer folder ${dir} lacks ${missing.join(", ")}; name the folder with --peer DIR`);
  }
  return dir;
}

/** apt-get with a non-interactive front end; its status and output. */
function aptGet(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/**
 * Installs Debian's ansible-core when `ansible-playbook` is not on PATH (apt-get update only when the install
 * failed for want of package lists) and returns the first line of `ansible-playbook --version`.
 */
export function ensureAnsible(log: (line: string) => void): string {
  const present = () => spawnSync("bash", ["-c", "command -v ansible-playbook"], { encoding: "utf8" }).status === 0;
  if (!present()) {
    const install = ["install", "-y", "--no-install-recommends", "ansible-core"];
    log("ansible-playbook not found; installing Debian's ansible-core");
    let r = aptGet(install);
    if (r.status !== 0 && /Unable to locate package|has no installation candidate/.test(r.output)) {
      log("no package lists yet: apt-get update");
      const update = aptGet(["update"]);
      if (update.status !== 0) throw new Error(`apt-get update failed:\n${update.output.slice(-2000)}`);
      r = aptGet(install);
    }
    if (r.status !== 0 || !present()) throw new Error(`installing ansible-core failed:\n${r.output.slice(-2000)}`);
  }
  const v = spawnSync("ansible-playbook", ["--version"], { encoding: "utf8" });
  if (v.status !== 0) throw new Error(`ansible-playbook --version failed: ${v.stderr}`);
  return v.stdout.split("\n")[0].trim();
}

/**
 * Fills the work dir afresh: the peer's files, inventory.ini (the example with the lab's addresses and the key
 * file as an absolute path) and known_hosts (the lab's pinned keys, for StrictHostKeyChecking=yes).
 */
export function prepareWorkDir(peerDir: string, workDir: string, lab: LabConfig, keyFile: string): void {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  for (const f of PEER_FILES) fs.copyFileSync(path.join(peerDir, f), path.join(workDir, f));
  const example = fs.readFileSync(path.join(peerDir, "inventory.example.ini"), "utf8");
  fs.writeFileSync(path.join(workDir, "inventory.ini"), renderInventory(example, lab.nodes, keyFile));
  fs.writeFileSync(path.join(workDir, "known_hosts"), renderKnownHosts(lab.nodes));
}

/**
 * The playbook's environment: no colour codes in the PLAY RECAP, and ssh's control sockets (Ansible keeps one
 * master connection per host for 60 s) in a folder of this run, so a cold run never reuses a master left
 * over from hosts the lab has since replaced.
 */
export function playbookEnv(controlDir: string): NodeJS.ProcessEnv {
  return { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir };
}

/** Ends the ssh masters a run left in its control folder (instead of leaving them for ControlPersist's 60 s). */
export function closeControlMasters(controlDir: string): void {
  if (!fs.existsSync(controlDir)) return;
  for (const socket of fs.readdirSync(controlDir)) {
    // The socket path is given whole, so the destination is never used.
    spawnSync("ssh", ["-o", `ControlPath=${path.join(controlDir, socket)}`, "-O", "exit", "unused"], { stdio: "ignore", timeout: 5000 });
  }
  fs.rmSync(controlDir, { recursive: true, force: true });
}
