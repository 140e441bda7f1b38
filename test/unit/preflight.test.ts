import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadClusterModel } from "../../core";
import { parsePreflightOutput, preflightPlan, preflightProblems, PreflightReport, preflightRefusal, preflightScript } from "../../core/preflight";

const model = loadClusterModel({
  nodes: [
    { name: "web1", address: "10.0.0.11", priority: 100, os: "debian" },
    { name: "web2", address: "10.0.0.12", priority: 90, os: "debian" },
  ],
  vrrp: { interface: "eth0", virtualRouterId: 51, vips: ["10.0.0.100/24"] },
  checks: [{ name: "chk_web", type: "tcp", port: 80, interval: 1, fall: 2, weight: -30 }],
});
const plan = preflightPlan(model);
const MAC = { web1: "52:54:00:00:00:11", web2: "52:54:00:00:00:12", foreign: "52:54:00:00:00:99" };

/** A tcpdump -e -n line as the script prefixes it. */
const packet = (mac: string, from: string, to: string, vrid: number) =>
  `packet eth0 12:00:00.000000 ${mac} > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: ${from} > ${to}: ` +
  `VRRPv2, Advertisement, vrid ${vrid}, prio 100, authtype simple, intvl 1s, length 20`;

/** What a node of a healthy, not yet deployed pair answers: it hears the other's probes, the VIP is free. */
function answer(self: "web1" | "web2", extra: string[] = [], dad = "dad 10.0.0.100 eth0 0 -"): string {
  const other = self === "web1" ? "web2" : "web1";
  return [
    "host-interfaces eth0 lo",
    `interface eth0 ${MAC[self]} ${plan.nodes[self]}/24`,
    packet(MAC[other], plan.nodes[other], "224.0.0.18", 0),
    dad,
    ...extra,
    "end",
  ].join("\n");
}

const reports = (a: string, b: string): Record<string, PreflightReport> =>
  ({ web1: parsePreflightOutput(a), web2: parsePreflightOutput(b) });

describe("pre-flight checks", () => {
  test("the plan listens three adverts and a second; every node's interface; the script is read-only bash", () => {
    assert.equal(plan.listenSeconds, 4);
    assert.deepEqual(plan.nodes, { web1: "10.0.0.11", web2: "10.0.0.12" });
    assert.deepEqual(plan.instances[0].interfaces, { web1: "eth0", web2: "eth0" });
    const script = preflightScript(plan, "web1");
    assert.match(script, /timeout 4 tcpdump -i eth0 -Q in -n -e -l 'ip proto 112'/);
    assert.match(script, /arping -D -I eth0 -c 2 -w 3 10\.0\.0\.100/);
    assert.match(script, /IP4-SENDTO:224\.0\.0\.18:112/);
    assert.doesNotMatch(script, /ip (address|addr) (add|del)|systemctl (start|stop)|> \/etc/);
  });

  test("with perl the script needs no tool: it captures, probes and runs DAD with perl's sockets; without, with the tools", () => {
    const script = preflightScript(plan, "web1");
    const [withPerl, withTools] = script.split(/\nelse\n/);
    assert.match(withPerl, /if perl -MSocket -e 1 2>\/dev\/null; then/);
    assert.match(withPerl, /specs\+=\(capture:eth0\)/);
    assert.match(withPerl, /specs\+=\(probe:eth0\)/);
    assert.match(withPerl, /grep -qxF 10\.0\.0\.100; then echo "dad 10\.0\.0\.100 eth0 held"; else specs\+=\(dad:10\.0\.0\.100:eth0\)/);
    assert.match(withPerl, /preflight_listen 4 "\$\{specs\[@\]\}"/);
    assert.doesNotMatch(withPerl, /tcpdump|socat|arping -D/);
    assert.match(script, /^preflight_listen\(\) \{$/m, "the listener comes with the script");
    assert.match(withTools, /missing-tool/);
  });

  test("the perl listener's lines parse like tcpdump's and arping's; a socket it cannot open is a problem", () => {
    const perl = (self: "web1" | "web2", extra: string[] = []) => {
      const other = self === "web1" ? "web2" : "web1";
      return [`host-interfaces eth0 lo`, `interface eth0 ${MAC[self]} ${plan.nodes[self]}/24`,
        `vrrp eth0 ${MAC[other].toUpperCase()} ${plan.nodes[other]} 224.0.0.18 0`, ...extra, "end"].join("\n");
    };
    const report = parsePreflightOutput(perl("web1", [`vrrp eth0 ${MAC.foreign} 10.0.0.99 224.0.0.18 51`, `dad 10.0.0.100 eth0 1 ${MAC.foreign}`]));
    assert.deepEqual(report.packets, [
      { interface: "eth0", mac: MAC.web2, source: "10.0.0.12", destination: "224.0.0.18", routerId: 0 },
      { interface: "eth0", mac: MAC.foreign, source: "10.0.0.99", destination: "224.0.0.18", routerId: 51 },
    ]);
    const problems = preflightProblems(plan, { web1: report, web2: parsePreflightOutput(perl("web2", ["dad 10.0.0.100 eth0 0 -"])) });
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.ok(problems.some((p) => p.includes("virtual_router_id 51") && p.includes(`10.0.0.99 (MAC ${MAC.foreign})`)));
    assert.ok(problems.some((p) => p.includes("VIP 10.0.0.100 is already in use") && p.includes(MAC.foreign)));
    const blocked = preflightProblems(plan, {
      web1: parsePreflightOutput(perl("web1", ["checker-error capture on eth0: Operation not permitted"])),
      web2: parsePreflightOutput(perl("web2", ["dad 10.0.0.100 eth0 0 -"])),
    });
    assert.deepEqual(blocked, ["web1 (10.0.0.11): the checks could not listen on the LAN: capture on eth0: Operation not permitted " +
      "(they need root and raw sockets; `preflight: false` skips them, see docs/config.md)"]);
  });

  test("unicast: no probes are sent, so no multicast verdict", () => {
    const unicast = preflightPlan(loadClusterModel({
      nodes: [{ name: "web1", address: "10.0.0.11", priority: 100 }, { name: "web2", address: "10.0.0.12", priority: 90 }],
      vrrp: { interface: "eth0", virtualRouterId: 51, vips: ["10.0.0.100/24"], unicast: true },
      checks: [{ name: "chk_web", type: "tcp", port: 80, weight: -30 }],
    }));
    assert.doesNotMatch(preflightScript(unicast, "web1"), /SENDTO|probe:/);
    const silent = (self: "web1" | "web2") => `host-interfaces eth0 lo\ninterface eth0 ${MAC[self]} ${unicast.nodes[self]}/24\ndad 10.0.0.100 eth0 0 -\nend`;
    assert.deepEqual(preflightProblems(unicast, { web1: parsePreflightOutput(silent("web1")), web2: parsePreflightOutput(silent("web2")) }), []);
  });

  test("a healthy new pair passes", () => {
    assert.deepEqual(preflightProblems(plan, reports(answer("web1"), answer("web2"))), []);
  });

  test("a live cluster passes: its master holds the VIP and answers ARP, its adverts carry the router id", () => {
    const master = answer("web1", [], "dad 10.0.0.100 eth0 held");
    const backup = answer("web2", [packet(MAC.web1, "10.0.0.11", "224.0.0.18", 51)], `dad 10.0.0.100 eth0 1 ${MAC.web1.toUpperCase()}`);
    assert.deepEqual(preflightProblems(plan, reports(master, backup)), []);
  });

  test("a leaving node still advertising and holding the VIP is not foreign", () => {
    const leaving = { mac: "52:54:00:00:00:13", address: "10.0.0.13" };
    const seen = (self: "web1" | "web2") => answer(self, [packet(leaving.mac, leaving.address, "224.0.0.18", 51)],
      `dad 10.0.0.100 eth0 1 ${leaving.mac}`);
    assert.equal(preflightProblems(plan, reports(seen("web1"), seen("web2"))).length, 2, "without knowing it leaves: foreign");
    assert.deepEqual(preflightProblems(plan, reports(seen("web1"), seen("web2")), [leaving.address]), []);
  });

  test("another machine answering ARP for the VIP: named by MAC and by who saw it", () => {
    const dad = `dad 10.0.0.100 eth0 1 ${MAC.foreign}`;
    const problems = preflightProblems(plan, reports(answer("web1", [], dad), answer("web2", [], dad)));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^VIP 10\.0\.0\.100 is already in use on the LAN: a machine with MAC 52:54:00:00:00:99, not a node of this cluster, answers ARP for it \(seen from web1 on eth0, web2 on eth0\).*pick a free address for vrrp\.vips$/);
  });

  test("a foreign router with our id: its address, MAC and the ids heard; another id alone is fine", () => {
    const foreign51 = packet(MAC.foreign, "10.0.0.50", "224.0.0.18", 51);
    const foreign7 = packet(MAC.foreign, "10.0.0.50", "224.0.0.18", 7);
    assert.deepEqual(preflightProblems(plan, reports(answer("web1", [foreign7]), answer("web2", [foreign7]))), []);
    const problems = preflightProblems(plan, reports(answer("web1", [foreign51, foreign7]), answer("web2")));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^virtual_router_id 51 of VI_1 is already used on the LAN: VRRP adverts for it come from 10\.0\.0\.50 \(MAC 52:54:00:00:00:99\), not a node of this cluster \(seen by web1 on eth0\);.*Set vrrp\.virtualRouterId to an id no other router uses \(ids heard on the LAN: 7, 51\)$/);
  });

  test("multicast not getting through one way: the direction is named and unicast suggested", () => {
    const deaf = answer("web2").split("\n").filter((l) => !l.startsWith("packet")).join("\n");
    const problems = preflightProblems(plan, reports(answer("web1"), deaf));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /sender → receiver: web1 → web2\);.*or set vrrp\.unicast: true$/);
  });

  test("a missing interface names the ones there are; an interface off the VIP's subnet is refused", () => {
    const missing = "host-interfaces ens3 lo\ninterface eth0 missing\nend";
    const offSubnet = answer("web2").replace(`${plan.nodes.web2}/24`, "192.168.5.12/24");
    const problems = preflightProblems(plan, reports(missing, offSubnet));
    assert.ok(problems.some((p) => /^web1 \(10\.0\.0\.11\): interface eth0 of VI_1 does not exist on the host \(it has ens3\); set vrrp\.interface/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /^web2 \(10\.0\.0\.12\): interface eth0 has no address in the subnet of the VIP 10\.0\.0\.100\/24 \(it has 192\.168\.5\.12\/24\)/.test(p)), problems.join("\n"));
  });

  test("missing tools and unreachable hosts are problems; an answer cut short is an error", () => {
    const problems = preflightProblems(plan, { web1: parsePreflightOutput(`missing-tool arping\n${answer("web1")}`), web2: { error: "cannot reach root@10.0.0.12:22" } });
    assert.ok(problems.some((p) => /^web1 \(10\.0\.0\.11\): arping not installed/.test(p)));
    assert.ok(problems.some((p) => /^web2 \(10\.0\.0\.12\): cannot run the checks: cannot reach/.test(p)));
    assert.throws(() => parsePreflightOutput("host-interfaces eth0\n"), /cut short/);
    assert.match(preflightRefusal(["a", "b"]), /found 2 problems, so no firewall, keepalived or service change was made on any host:\n {2}- a\n {2}- b\n.*preflight: false/);
  });
});
