import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  ColdRun, engineChangeProblems, evaluateTargets, median, parsePlayRecap, perResourceFit, parseResourceSummary, readLabConfig, recapProblems,
  renderInventory, renderKnownHosts, renderSideBySide, Round, ScaleRun, SideBySideReport, TimedRun,
} from "../../scripts/lib/side-by-side";
import { labPlan, parseLabEnv, renderPulumiLabYaml } from "../../scripts/lab/plan";

// Output of ansible-core 2.14's ansible-playbook (ANSIBLE_NOCOLOR=1): the tail of a first and of a second run.
const recapText = (changed: [number, number]) => [
  "TASK [services enabled and running] ********************************************",
  "ok: [node1] => (item=apache2)",
  "",
  "RUNNING HANDLER [reload keepalived] ********************************************",
  "changed: [node2]",
  "",
  "PLAY RECAP *********************************************************************",
  `node1                      : ok=7    changed=${changed[0]}    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   `,
  `node2                      : ok=7    changed=${changed[1]}    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   `,
  "",
].join("\n");

// The engine's closing lines of `pulumi up` with NO_COLOR (backend/display/diff.go renderSummaryEvent).
const UP_NO_CHANGE = "Outputs:\n    vip: \"10.213.151.100\"\n\nResources:\n    19 unchanged\n\nDuration: 3s\n";
const UP_CHANGED = "Resources:\n    + 1 created\n    ~ 14 updated\n    15 changes. 4 unchanged\n\nDuration: 9s\n";
// A whole `pulumi up --yes` of the pinned CLI (v3.276.0, NO_COLOR, output piped): the preview's summary, then the update's.
const UP_WHOLE = [
  "Previewing update (test-sbs-probe):", "", " +  x:index:Thing b create ", " -  x:index:Thing a delete ", "",
  "Resources:", "    + 1 to create", "    - 1 to delete", "    2 changes. 1 unchanged", "",
  "Updating (test-sbs-probe):", "", " +  x:index:Thing b creating (0s) ", "@ updating....", " -  x:index:Thing a deleting (0s) ", "",
  "Outputs:", "    answer: 42", "",
  "Resources:", "    + 1 created", "    - 1 deleted", "    2 changes. 1 unchanged", "", "Duration: 2s", "",
].join("\n");

// What `lab up --nodes 2` writes, from the lab's own generator.
const hostKey = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${"B".repeat(40)}${n} root@node${n}`;
const LAB_YAML = renderPulumiLabYaml(labPlan(parseLabEnv(fs.readFileSync(path.join(__dirname, "../../scripts/lab/lab.env"), "utf8")), 2),
  { node1: hostKey(1), node2: hostKey(2) }, "~/.cache/keepalived-ha/lab/id_ed25519");

describe("side-by-side bench: the lab config and the peer's files", () => {
  const lab = readLabConfig(LAB_YAML);
  it("reads nodes, the VIP without prefix and the key path from Pulumi.lab.yaml", () => {
    assert.deepEqual(lab.nodes.map((n) => [n.name, n.address]), [["node1", "10.213.151.11"], ["node2", "10.213.151.12"]]);
    assert.equal(lab.vip, "10.213.151.100");
    assert.equal(lab.privateKeyPath, "~/.cache/keepalived-ha/lab/id_ed25519");
    assert.equal(lab.nodes[0].hostKey, `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${"B".repeat(40)}1`); // comment dropped
  });
  it("refuses a lab file without nodes, naming the fix", () => {
    assert.throws(() => readLabConfig("config: {}\n"), /no keepalived-ha:nodes; run: bash scripts\/lab.sh up/);
  });

  const example = [
    "# The lab's two hosts (npm run lab -- up).",
    "[keepalived]",
    "node1 ansible_host=10.213.151.11 prio=100 vstate=MASTER",
    "node2 ansible_host=10.213.151.12 prio=90 vstate=BACKUP",
    "[keepalived:vars]",
    "ansible_user=root",
    "ansible_ssh_private_key_file=~/.cache/keepalived-ha/lab/id_ed25519",
    "ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o UserKnownHostsFile=known_hosts'",
    "",
  ].join("\n");
  const moved = [{ name: "node1", address: "10.0.0.5" }, { name: "node2", address: "10.0.0.6" }];

  it("inventory: the lab's addresses and an absolute key file; the peer's other settings kept", () => {
    const ini = renderInventory(example, moved, "/root/.cache/keepalived-ha/lab/id_ed25519");
    assert.equal(ini, example.replace("=10.213.151.11", "=10.0.0.5").replace("=10.213.151.12", "=10.0.0.6")
      .replace("=~/.cache", "=/root/.cache"));
    assert.match(ini, /StrictHostKeyChecking=yes/);
  });
  it("inventory: a lab whose nodes the example does not list is refused", () => {
    assert.throws(() => renderInventory(example, [...moved, { name: "node3", address: "10.0.0.7" }], "/k"), /no line for node3/);
    assert.throws(() => renderInventory(example, moved.slice(0, 1), "/k"), /names node2, which the lab does not have/);
  });
  it("known_hosts: ADDRESS KEY per node", () => {
    assert.equal(renderKnownHosts(lab.nodes), lab.nodes.map((n) => `${n.address} ${n.hostKey}\n`).join(""));
    assert.match(renderKnownHosts(lab.nodes), /^10\.213\.151\.11 ssh-ed25519 \S+\n10\.213\.151\.12 ssh-ed25519 \S+\n$/);
  });
});

describe("side-by-side bench: did the second run change nothing?", () => {
  it("PLAY RECAP: counters per host, the last recap counts", () => {
    const recap = parsePlayRecap(`${recapText([6, 6])}\n${recapText([0, 1])}`)!;
    assert.deepEqual(recap.get("node1"), { ok: 7, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 });
    assert.equal(recap.get("node2")?.changed, 1);
  });
  it("PLAY RECAP: changed=0 everywhere passes; a change, a missing host or no recap is a problem", () => {
    assert.deepEqual(recapProblems(parsePlayRecap(recapText([0, 0])), ["node1", "node2"]), []);
    assert.deepEqual(recapProblems(parsePlayRecap(recapText([0, 2])), ["node1", "node2"]), ["node2: changed=2"]);
    assert.deepEqual(recapProblems(parsePlayRecap(recapText([0, 0])), ["node1", "node3"]), ["node3: not in the PLAY RECAP"]);
    assert.deepEqual(recapProblems(parsePlayRecap("ERROR! the playbook could not be found"), ["node1"]),
      ["no PLAY RECAP in ansible-playbook's output"]);
    const unreachable = recapText([0, 0]).replace(/unreachable=0/, "unreachable=1");
    assert.deepEqual(recapProblems(parsePlayRecap(unreachable), ["node1", "node2"]), ["node1: unreachable=1"]);
  });
  it("engine summary: only unchanged resources is no change", () => {
    assert.deepEqual(parseResourceSummary(UP_NO_CHANGE), { unchanged: 19, changes: {} });
    assert.deepEqual(engineChangeProblems(parseResourceSummary(UP_NO_CHANGE)), []);
  });
  it("engine summary: created, updated, deleted and replaced are changes; the total line is not counted twice", () => {
    assert.deepEqual(parseResourceSummary(UP_CHANGED), { unchanged: 4, changes: { created: 1, updated: 14 } });
    assert.deepEqual(engineChangeProblems(parseResourceSummary(UP_CHANGED)), ["1 created", "14 updated"]);
    const more = "Resources:\n    - 2 deleted\n    +-1 replaced\n    3 changes. 16 unchanged\n\nDuration: 5s\n";
    assert.deepEqual(parseResourceSummary(more), { unchanged: 16, changes: { deleted: 2, replaced: 1 } });
    assert.deepEqual(parseResourceSummary(UP_WHOLE), { unchanged: 1, changes: { created: 1, deleted: 1 } }); // the update's, not the preview's
    assert.deepEqual(engineChangeProblems(parseResourceSummary("error: update failed\n")), ["no `Resources:` summary in pulumi's output"]);
  });
});

const timed = (seconds: number, tree = 300, largest = 120): TimedRun => ({ seconds, peakTreeMiB: tree, peakLargestMiB: largest });
const cold = (seconds: number, serveSeconds: number): ColdRun => ({ ...timed(seconds), serveSeconds });
const rounds: Round[] = [
  { index: 0, order: ["ansible", "keepalived-ha"], runs: { ansible: { cold: cold(50, 4), noChange: timed(10) }, "keepalived-ha": { cold: cold(25, 2), noChange: timed(3) } } },
  { index: 1, order: ["keepalived-ha", "ansible"], runs: { ansible: { cold: cold(40, 3), noChange: timed(12) }, "keepalived-ha": { cold: cold(30, 3), noChange: timed(5) } } },
  { index: 2, order: ["ansible", "keepalived-ha"], runs: { ansible: { cold: cold(45, 5), noChange: timed(11) }, "keepalived-ha": { cold: cold(20, 2), noChange: timed(3.5) } } },
];
const scale: ScaleRun[] = [2, 8].flatMap((nodes) => [0, 1, 2].map((round) =>
  ({ nodes, round, cold: timed(nodes === 2 ? 10 + round : 14 + round), noChange: timed(nodes === 2 ? 3 : 4.2) })));

describe("side-by-side bench: medians, ratios, targets and the report", () => {
  it("median of odd and even counts", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /no values/);
  });
  it("targets from the medians: met and not met", () => {
    const t = evaluateTargets(rounds, scale);
    const by = Object.fromEntries(t.map((x) => [x.what, [Number(x.value.toFixed(3)), x.met]]));
    assert.deepEqual(by, {
      "no-change: keepalived-ha / ansible": [Number((3.5 / 11).toFixed(3)), true],
      "no-change: keepalived-ha": [3.5, true],
      "cold until the VIP serves: keepalived-ha / ansible": [Number((27 / 50).toFixed(3)), true], // medians 27 (25+2) and 50 (45+5)
      "no-change: 8 nodes / 2 nodes": [1.4, false],
      "cold without the package step: 8 nodes / 2 nodes": [Number((15 / 11).toFixed(3)), true],
    });
    assert.equal(evaluateTargets(rounds, undefined).length, 3);
  });

  const report: SideBySideReport = {
    date: "2026-12-10T10:00:00.000Z", machine: { cpus: 2, cpuModel: "Test CPU", memoryGiB: 24, kernel: "6.1.0" },
    versions: { ansible: "ansible-playbook [core 2.14.18]", pulumi: "v3.276.0", node: "v24.22.3", commit: "abc123" },
    rounds, scale, targets: evaluateTargets(rounds, scale), warnings: [],
  };
  const md = renderSideBySide(report);
  it("starts with its section heading and the machine line", () => {
    assert.ok(md.startsWith("## Side by side with Ansible\n"));
    assert.match(md, /Run 2026-12-10T10:00:00.000Z on 2 × Test CPU, 24 GiB, Linux 6.1.0; ansible-playbook \[core 2.14.18\], Pulumi v3.276.0/);
  });
  it("each round's runs and the pair's ratio, then the medians with the target next to the ratio", () => {
    assert.match(md, /\| 1 \(ansible first\) \| 54.00 s \| 27.00 s \| 0.50 × \| 50.00 s \| 25.00 s \| 0.50 × \| 4.00 s \| 2.00 s \| 0.50 × \|/);
    assert.match(md, /\| 2 \(keepalived-ha first\) \| 43.00 s \| 33.00 s \| 0.77 × \|/);
    assert.match(md, /\| \*\*median\*\* \| 50.00 s \| 27.00 s \| 0.54 × \(target ≤ 0.6 ×: met\) \|/);
    assert.match(md, /\| \*\*median\*\* \| 11.00 s \| 3.50 s \(target ≤ 4 s: met\) \| 0.32 × \(target ≤ 0.4 ×: met\) \|/);
    assert.match(md, /\| round \| ansible \| keepalived-ha \| ratio \|/);
    assert.match(md, /### Peak memory of the process tree[^#]*\| \*\*median\*\* \| 300 MiB \| 300 MiB \| 1.00 × \|/);
  });
  it("the scale table: medians, every run, the ratio and its target", () => {
    assert.match(md, /\| no-change `up --yes` \| 3.00 s \(3.00, 3.00, 3.00\) \| 4.20 s \(4.20, 4.20, 4.20\) \| 1.40 × \(target ≤ 1.3 ×: not met\) \|/);
    assert.match(md, /\| cold `up --yes`, packages installed beforehand \| 11.00 s \(10.00, 11.00, 12.00\) \| 15.00 s \(14.00, 15.00, 16.00\) \| 1.36 × \(target ≤ 1.5 ×: met\) \|/);
    assert.match(md, /\| no-change: 8 nodes \/ 2 nodes ≤ 1.3 × \| 1.40 × \| not met \|/);
  });
  it("the no-change figure at each size is the median of every sample, the first and the ones after it", () => {
    // One slow first run per round (a cold process cache, say) must not decide the figure.
    const sampled: ScaleRun[] = [2, 8].flatMap((nodes) => [0, 1, 2].map((round) => ({
      nodes, round, cold: timed(10), noChange: timed(nodes === 2 ? 9 : 5),
      moreNoChange: [timed(nodes === 2 ? 2 : 2.5), timed(nodes === 2 ? 2 : 2.6), timed(nodes === 2 ? 2.2 : 2.4)],
    })));
    const ratio = evaluateTargets(rounds, sampled).find((t) => t.what === "no-change: 8 nodes / 2 nodes");
    assert.equal(Number(ratio?.value.toFixed(3)), Number((2.55 / 2.1).toFixed(3))); // medians of 12 samples each
    assert.equal(ratio?.met, true);
    const table = renderSideBySide({ ...report, scale: sampled, targets: evaluateTargets(rounds, sampled) });
    assert.match(table, /\| no-change `up --yes` \| 2.10 s \(9.00, 2.00, 2.00, 2.20, 9.00, 2.00, 2.00, 2.20, 9.00, 2.00, 2.00, 2.20\) \|/);
  });
  it("fits the no-change medians to a fixed cost plus a cost per resource, and says how few resources per node meet 1.3 x", () => {
    const sized = (nodes: number, seconds: number, resources?: number): ScaleRun =>
      ({ nodes, round: 0, cold: timed(10), noChange: timed(seconds), moreNoChange: [timed(seconds)], ...(resources !== undefined ? { resources } : {}) });
    const scale = [sized(2, 2.1, 21), sized(8, 2.55, 69)];
    const fit = perResourceFit(scale);
    assert.ok(fit);
    assert.deepEqual(fit.resources, [21, 69]);
    assert.equal(fit.perNode, 8);
    assert.equal(Number((fit.secondsPerResource * 1000).toFixed(3)), 9.375); // 0.45 s over 48 resources
    assert.equal(Number(fit.fixedSeconds.toFixed(4)), Number((2.1 - 21 * 0.009375).toFixed(4)));
    // The line predicts both medians, and the ratio it predicts at the bound is the target itself.
    const predict = (nodes: number, perNode: number) => fit.fixedSeconds + (21 - 2 * 8 + nodes * perNode) * fit.secondsPerResource;
    assert.equal(Number(predict(2, 8).toFixed(6)), 2.1);
    assert.equal(Number(predict(8, 8).toFixed(6)), 2.55);
    assert.equal(Number((predict(8, fit.perNodeForTarget) / predict(2, fit.perNodeForTarget)).toFixed(6)), 1.3);
    const table = renderSideBySide({ ...report, scale, targets: evaluateTargets(rounds, scale) });
    assert.match(table, /handles 21 resources at 2 nodes and 69 at 8 \(8 per node\)\. .*1\.90 s fixed plus 9\.4 ms per resource\. .*at most 11\.6 resources per node\./);
    // Without a count at both sizes (older reports), or with the large size not slower, there is nothing to fit.
    assert.equal(perResourceFit([sized(2, 2.1), sized(8, 2.55, 69)]), undefined);
    assert.equal(perResourceFit([sized(2, 2.1, 21), sized(8, 2.0, 69)]), undefined);
    assert.doesNotMatch(renderSideBySide({ ...report, scale: [sized(2, 2.1), sized(8, 2.55)], targets: evaluateTargets(rounds, scale) }), /per resource/);
  });
  it("says so when the scale rows were skipped, and shows warnings", () => {
    const skipped = renderSideBySide({ ...report, scale: undefined, targets: evaluateTargets(rounds, undefined), warnings: ["only 1 round"] });
    assert.match(skipped, /Scale rows not measured \(`--skip-scale`\)/);
    assert.match(skipped, /\*\*Warning:\*\* only 1 round/);
    assert.doesNotMatch(skipped, /8 nodes \/ 2 nodes/);
  });
});
