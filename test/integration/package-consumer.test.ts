/**
 * A Pulumi program outside the repo that installs the packed package, as a user's would: it makes its hosts as a
 * resource of its own (fixed lab-subnet addresses and host keys, outputs known only after create), passes those
 * outputs into HaWebCluster's typed args, and exports the VIP and master. It type-checks against the package's
 * declarations, and previews with the addresses unknown. No lab: a preview contacts no host.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { packInto } from "../../scripts/lib/package";
import { CONSUMER_TSCONFIG, npmInstall, programDependencies, typecheck } from "../support/package";
import { TestStack } from "../support/pulumi";

/** The consumer's program: everything but the hosts comes from the package. */
const CONSUMER_INDEX = `import * as pulumi from "@pulumi/pulumi";
import { HaWebCluster } from "keepalived-ha";

/** Stands in for the resources that make machines: their addresses and host keys are outputs, known after create. */
const hostsProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    return {
      id: "hosts",
      outs: {
        addresses: ["10.213.151.11", "10.213.151.12"],
        hostKeys: [
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHiQKPHDijeyfYuj+aQxooE35cEckfjYXRTh/v/pozXI",
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH/P2U8UJfog6URp9UEdECCM245qpLpBKLOgmw+U5u3P",
        ],
      },
    };
  },
};

class Hosts extends pulumi.dynamic.Resource {
  declare public readonly addresses: pulumi.Output<string[]>;
  declare public readonly hostKeys: pulumi.Output<string[]>;
  constructor(name: string, opts?: pulumi.CustomResourceOptions) {
    super(hostsProvider, name, { addresses: undefined, hostKeys: undefined }, opts);
  }
}

const hosts = new Hosts("hosts");

const cluster = new HaWebCluster("web", {
  nodes: [
    { name: "web1", address: hosts.addresses[0], hostKey: hosts.hostKeys[0], priority: 100, os: "debian" },
    { name: "web2", address: hosts.addresses[1], hostKey: hosts.hostKeys[1], priority: 90, os: "debian" },
  ],
  vrrp: { interface: "host0", virtualRouterId: 51, vips: ["10.213.151.100/24"] },
  checks: [{ name: "chk_web", type: "tcp", port: 80, weight: -30 }],
  sshPrivateKey: pulumi.secret("not a key"),
});

export const vip = cluster.vip;
export const master = cluster.master;
`;

/** Writes the consumer program into `dir`, depending on `tarball`. */
function writeConsumer(dir: string, tarball: string): void {
  const deps = programDependencies();
  const pkg = {
    name: "kaha-consumer", version: "0.0.0", private: true, main: "index.ts",
    dependencies: { "keepalived-ha": `file:${tarball}`, ...deps.dependencies }, devDependencies: deps.devDependencies,
  };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"),
    "name: kaha-consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
  fs.writeFileSync(path.join(dir, "index.ts"), CONSUMER_INDEX);
}

describe("a program outside the repo using the packed package", { timeout: 20 * 60_000 }, () => {
  let work: string;
  let program: string;
  let stack: TestStack | undefined;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kaha-consumer-"));
    program = path.join(work, "program");
    fs.mkdirSync(program);
    const tarball = packInto(path.join(work, "pack"));
    writeConsumer(program, tarball);
    npmInstall(program);
  });
  after(() => {
    stack?.remove();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("installs the component with its runtime dependencies, the consumer's SDK being the only @pulumi/pulumi", () => {
    const installed = path.join(program, "node_modules", "keepalived-ha");
    assert.ok(fs.existsSync(path.join(installed, "dist", "components", "index.d.ts")));
    assert.ok(fs.existsSync(path.join(installed, "dist", "core", "host-scripts", "site.apply.sh")));
    assert.ok(fs.existsSync(path.join(program, "node_modules", "ssh2")), "ssh2 installed with it");
    // A peer dependency: the package brings no SDK of its own, so its resources register with the program's.
    assert.ok(!fs.existsSync(path.join(installed, "node_modules", "@pulumi", "pulumi")), "a second @pulumi/pulumi");
    for (const absent of ["test", "scripts", "examples", "bench", "index.ts", "Pulumi.yaml"]) {
      assert.ok(!fs.existsSync(path.join(installed, absent)), `${absent} in the installed package`);
    }
  });

  test("type-checks against the package's declarations (typed args from another resource's outputs)", () => {
    const r = typecheck(program);
    assert.equal(r.code, 0, r.out);
  });

  test("previews with the host addresses unknown: the cluster, its nodes and steps planned, no host contacted", () => {
    stack = new TestStack("consumer", undefined, undefined, program);
    const t0 = Date.now();
    const r = stack.ok(["preview"]);
    console.log(`# consumer preview: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.match(r.all, /dynamic[:/]\S*\s+hosts\s+create/);
    assert.match(r.all, /keepalived-ha:index:HaWebCluster\s+web\s+create/);
    for (const node of ["web1", "web2"]) {
      assert.match(r.all, new RegExp(`keepalived-ha:index:ClusterNode\\s+web-${node}\\s+create`), node);
      for (const step of ["identify", "packages", "keepalived", "services"]) {
        assert.match(r.all, new RegExp(`RemoteCommand\\s+web-${node}-${step}\\s+create`), `${node} ${step}`);
      }
    }
    assert.match(r.all, /VipHolder\s+web-vip-holder\s+create/);
    // Nothing went to a host: no connection error, no unreachable-host warning (the addresses are not even known).
    assert.doesNotMatch(r.all, /ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT|handshake|cannot be reached|unreachable/i);
    assert.doesNotMatch(r.all, /not a key/, "the SSH key in the output");
  });
});
