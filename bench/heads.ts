// Times `strata heads` on a project of 10,000 revisions (cold: a fresh process), as a user runs it.
// Usage: npx tsx bench/heads.ts [REVISIONS]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { generateProject } from "./generate-project.js";

const n = Number(process.argv[2] ?? 10_000);
const { dir } = generateProject({ revisions: n, branchEvery: 50, branchLength: 3 });
const bin = path.resolve(__dirname, "..", "bin", "strata");
const runs: number[] = [];
let heads = "";
for (let k = 0; k < 5; k++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, "--project", dir, "heads", "--json"], { encoding: "utf8" });
  runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 0) throw new Error(`strata heads failed: ${r.stderr}`);
  heads = r.stdout;
}
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
console.log(`node start-up alone (node -e 0): ${(med(baseline) / 1000).toFixed(3)} s`);
console.log(`target: < 1 s (Alembic 1.8 takes 3.1 s here for \`alembic heads\` on 10,000 revisions)`);
fs.rmSync(dir, { recursive: true, force: true });
