// Times `strata heads` on a project of 10,000 revisions as a user runs it, each run a fresh process:
// cold (an empty cache folder: no V8 code cache of Strata's bundles, nothing compiled) and warm
// (the cache folder a first, untimed run filled), alternating.
// Usage: npx tsx bench/heads.ts [REVISIONS]   (STRATA_BENCH_BIN=path/to/bin/strata times another build)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateProject } from "./generate-project.js";

const n = Number(process.argv[2] ?? 10_000);
const { dir } = generateProject({ revisions: n, branchEvery: 50, branchLength: 3 });
const bin = process.env.STRATA_BENCH_BIN ?? path.resolve(__dirname, "..", "bin", "strata");
const warmCache = fs.mkdtempSync(path.join(os.tmpdir(), "strata-heads-warm-"));
let heads = "";

/** One `strata heads --json` with its cache in `cacheDir`, in milliseconds. */
function timedHeads(cacheDir: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, "--project", dir, "heads", "--json"], { encoding: "utf8", env: { ...process.env, STRATA_CACHE_DIR: cacheDir } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`strata heads failed: ${r.stderr}`);
  heads = r.stdout;
  return ms;
}

timedHeads(warmCache);
const runs: number[] = [];
const warm: number[] = [];
for (let k = 0; k < 5; k++) {
  const cold = fs.mkdtempSync(path.join(os.tmpdir(), "strata-heads-cold-"));
  runs.push(timedHeads(cold));
  fs.rmSync(cold, { recursive: true, force: true });
  warm.push(timedHeads(warmCache));
}
fs.rmSync(warmCache, { recursive: true, force: true });
const baseline: number[] = [];
for (let k = 0; k < 5; k++) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ["-e", "0"]);
  baseline.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const files = fs.readdirSync(path.join(dir, "migrations")).length;
console.log(`revisions: ${files}; heads: ${JSON.parse(heads).heads.map((h: { revision: string }) => h.revision).join(", ")}`);
console.log(`strata heads (${n} revisions), median of 5 cold runs: ${(med(runs) / 1000).toFixed(3)} s  [runs: ${runs.map((x) => x.toFixed(0)).join(", ")} ms]`);
console.log(`strata heads (${n} revisions), median of 5 warm runs: ${(med(warm) / 1000).toFixed(3)} s  [runs: ${warm.map((x) => x.toFixed(0)).join(", ")} ms]`);
console.log(`node start-up alone (node -e 0): ${(med(baseline) / 1000).toFixed(3)} s`);
console.log(`target: < 1 s (Alembic 1.8 takes 3.1 s here for \`alembic heads\` on 10,000 revisions)`);
fs.rmSync(dir, { recursive: true, force: true });
