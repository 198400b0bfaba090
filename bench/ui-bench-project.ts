// The project the browser benches open (bench/ui.ts and the scripts that break its figures down):
// N generated revisions with a branch every 50, and five SQLite environments standing apart.
import fs from "node:fs";
import path from "node:path";
import { freshDir, strataSync } from "../test/e2e/strata-serve.js";
import { generateProject } from "./generate-project.js";

export const UI_BENCH_ENVIRONMENTS = ["dev", "test", "staging", "qa", "prod"] as const;
/** How far qa stands behind head: its upgrade is the bench's plan of about this many steps. */
export const UI_BENCH_PLAN_STEPS = 2_000;

/** Writes the project and stamps dev at head, test 10 behind, staging half way, qa PLAN_STEPS behind, prod empty. */
export function uiBenchProject(n: number): { readonly dir: string; readonly dataDir: string } {
  const environments = Object.fromEntries(UI_BENCH_ENVIRONMENTS.map((e) => [e, { client: "better-sqlite3", connection: { filename: `${e}.sqlite3` } }]));
  const { dir } = generateProject({ revisions: n, branchEvery: 50, branchLength: 5, environments });
  const dataDir = freshDir("strata-bench-data-");
  // File names are "<index>_<revision>.ts" in the order they were written, each after its parents.
  const newestFirst = fs.readdirSync(path.join(dir, "migrations")).sort().reverse().map((f) => f.split("_")[1]!.split(".")[0]!);
  const stampAt: Record<string, string | undefined> = { dev: newestFirst[0], test: newestFirst[10], staging: newestFirst[Math.floor(n / 2)], qa: newestFirst[UI_BENCH_PLAN_STEPS] };
  for (const [env, rev] of Object.entries(stampAt)) if (rev) strataSync(["--project", dir, "--env", env, "stamp", rev]);
  return { dir, dataDir };
}
