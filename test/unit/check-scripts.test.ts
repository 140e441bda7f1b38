/** The rendered check scripts really detect health: run them with bash against live processes and ports. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { CheckModel, osProfile, renderCheckScript } from "../../core";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-scripts-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const base: CheckModel = {
  name: "t", type: "process", port: 80, host: "127.0.0.1", url: "http://127.0.0.1/", expectStatus: 200,
  interval: 1, fall: 1, rise: 1, weight: 0, quorum: 1,
};

/** Renders, writes with the rendered mode, and runs the file directly (execve, as keepalived does). */
function run(check: Partial<CheckModel>): number | null {
  const file = renderCheckScript({ ...base, ...check }, osProfile("debian"));
  const target = path.join(dir, `${Math.random().toString(36).slice(2)}.sh`);
  fs.writeFileSync(target, file.content, { mode: parseInt(file.mode, 8) });
  return spawnSync(target, [], { timeout: 10_000 }).status;
}

describe("check scripts behave", { skip: fs.existsSync("/bin/bash") ? false : "no /bin/bash" }, () => {
  let server: net.Server;
  let openPort = 0;
  let closedPort = 0;
  before(async () => {
    server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    openPort = (server.address() as net.AddressInfo).port;
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  after(() => server.close());

  it("process: a running process passes", () => {
    const self = fs.readFileSync("/proc/self/comm", "utf8").trim(); // "node" or similar
    assert.equal(run({ type: "process", process: self }), 0);
  });
  it("process: a missing process fails", () => assert.equal(run({ type: "process", process: "no-such-daemon" }), 1));
  it("tcp: an open port passes", () => assert.equal(run({ type: "tcp", port: openPort }), 0));
  it("tcp: a closed port fails", () => assert.notEqual(run({ type: "tcp", port: closedPort }), 0));
  it("pidfile: a live pid passes", () => {
    const pidfile = path.join(dir, "live.pid");
    fs.writeFileSync(pidfile, `${process.pid}\n`);
    assert.equal(run({ type: "pidfile", path: pidfile }), 0);
  });
  it("pidfile: a dead pid or a missing file fails", () => {
    const pidfile = path.join(dir, "dead.pid");
    fs.writeFileSync(pidfile, "999999999\n");
    assert.notEqual(run({ type: "pidfile", path: pidfile }), 0);
    assert.notEqual(run({ type: "pidfile", path: path.join(dir, "missing.pid") }), 0);
  });
  it("script: the body's exit code counts", () => {
    assert.equal(run({ type: "script", body: "exit 0" }), 0);
    assert.equal(run({ type: "script", body: "exit 3" }), 3);
  });
});
