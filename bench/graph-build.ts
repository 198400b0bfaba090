// Times the two synchronous steps `strata serve` runs after reading a project (issue 19 point 7):
// building the revision map (RevisionMap.build) and building the graph summary the GUI draws
// (projectSummary: iterateHistory's topological order, labels, dependencies). Each blocks the
// server's event loop, so each should stay well under 50 ms at 10,000 revisions.
// Usage: npx tsx bench/graph-build.ts [REVISIONS] [RUNS] [build]
// Besides milliseconds (noisy on a shared machine: read them beside /proc/loadavg) it prints a
// load-independent figure: how many ancestor masks the steps computed and how many revisions
// those walks visited (RevisionGraph.ancestorMask is wrapped here, in the bench only).
import fs from "node:fs";
import { projectSummary } from "../electron/engine/app-session/project-summary.js";
import { RevisionGraph } from "../electron/engine/revisions/revision-graph.js";
import { RevisionMap } from "../electron/engine/revisions/revision-map.js";
import { openProject } from "../electron/engine/use-cases/open-project.js";
import { generateProject } from "./generate-project.js";

const n = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 7);
// "build" skips the summary: with two runs of different RUNS under callgrind, the difference in
// instructions divided by the difference in runs is one step's cost, whatever the load.
const only = process.argv[4];

let maskCalls = 0;
let maskVisits = 0;
const original = RevisionGraph.prototype.ancestorMask;
RevisionGraph.prototype.ancestorMask = function (this: RevisionGraph, ...args: Parameters<typeof original>): Uint8Array {
  const mask = original.apply(this, args);
  maskCalls++;
  for (let i = 0; i < mask.length; i++) maskVisits += mask[i]!;
  return mask;
};

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { dir } = generateProject({ revisions: n, branchEvery: 50, branchLength: 5 });
  try {
    const project = await openProject({ project: dir, cwd: dir });
    const records = project.directory.scripts;
    const merges = project.map.mergePoints.length;

    // The summary also waits for a git process (asynchronous: the server serves other requests
    // meanwhile), so what blocks is the longest stretch between two turns of the event loop.
    const timeIt = async (run: () => unknown): Promise<{ ms: number; blockMs: number; calls: number; visits: number }> => {
      maskCalls = 0;
      maskVisits = 0;
      let blockMs = 0;
      let last = performance.now();
      let ticking = true;
      const tick = (): void => {
        const now = performance.now();
        blockMs = Math.max(blockMs, now - last);
        last = now;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const t0 = process.hrtime.bigint();
      last = performance.now();
      await run();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const now = performance.now();
      blockMs = Math.max(blockMs, now - last);
      ticking = false;
      return { ms, blockMs, calls: maskCalls, visits: maskVisits };
    };

    const buildMs: number[] = [];
    const summaryMs: number[] = [];
    const summaryBlockMs: number[] = [];
    let build = { calls: 0, visits: 0 };
    let summary = { calls: 0, visits: 0 };
    let rows = project.map.records.length;
    for (let k = 0; k < runs; k++) {
      let map = project.map;
      const b = await timeIt(() => {
        map = RevisionMap.build(records);
      });
      buildMs.push(b.ms);
      build = b;
      if (only === "build") continue;
      // a fresh object per run: projectSummary caches the graph part per loaded project
      const fresh = { ...project, map };
      const s = await timeIt(async () => {
        rows = (await projectSummary(fresh, [])).revisions.length;
      });
      summaryMs.push(s.ms);
      summaryBlockMs.push(s.blockMs);
      summary = s;
    }
    const load = fs.readFileSync("/proc/loadavg", "utf8").trim();
    console.log(`${n} revisions, ${merges} merges, ${rows} rows in the summary; load ${load}`);
    console.log(`RevisionMap.build: median ${median(buildMs).toFixed(1)} ms (first ${buildMs[0]!.toFixed(1)} ms, runs ${buildMs.map((x) => x.toFixed(0)).join(" ")}); ancestor masks ${build.calls}, revisions visited ${build.visits}`);
    if (only !== "build") console.log(`graph summary:     median ${median(summaryMs).toFixed(1)} ms (first ${summaryMs[0]!.toFixed(1)} ms, runs ${summaryMs.map((x) => x.toFixed(0)).join(" ")}), longest event-loop block median ${median(summaryBlockMs).toFixed(1)} ms (runs ${summaryBlockMs.map((x) => x.toFixed(0)).join(" ")}); ancestor masks ${summary.calls}, revisions visited ${summary.visits}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
