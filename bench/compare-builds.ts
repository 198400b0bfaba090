// Times the like-with-like 1,000-revision upgrade of bench/migrate.ts (CommonJS revisions,
// `strata upgrade heads --single-transaction` against knex's `migrate.latest`) for two or more
// builds of Strata in the same rounds, their order rotating from round to round, each run on a
// fresh database once the server has settled: for telling two versions apart on a loaded machine.
// Usage: npx tsx bench/compare-builds.ts N CLIENT LABEL=path/to/bin/strata LABEL=...   (BENCH_ROUNDS=7)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DbClient } from "../electron/engine/dialect/index.js";
import { createTestDatabase } from "../test/helpers/databases.js";
import type { TestDatabase } from "../test/helpers/databases.js";
import { generateProject, tableBody, writeKnexFolder } from "./generate-project.js";
import { knexRun, median, settle, timedProcess, urlOf } from "./bench-process.js";

const N = Number(process.argv[2] ?? 1000);
const client = (process.argv[3] ?? "mysql2") as DbClient;
const builds = process.argv.slice(4).map((arg) => {
  const [label, bin] = arg.split("=") as [string, string];
  return { label, bin: path.resolve(bin) };
});
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

async function main(): Promise<void> {
  const project = generateProject({ revisions: N, body: tableBody, language: "cjs" }).dir;
  const knexDir = writeKnexFolder(N);
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "strata-compare-cache-"));
  const tools = [
    { label: "knex", run: (db: TestDatabase) => knexRun(db, knexDir, "latest") },
    ...builds.map((b) => ({
      label: b.label,
      run: (db: TestDatabase) => timedProcess([b.bin, "--project", project, "--url", urlOf(db), "--quiet", "upgrade", "heads", "--single-transaction"], { STRATA_CACHE_DIR: cache }),
    })),
  ];
  const times = new Map<string, number[]>(tools.map((t) => [t.label, []]));
  const dbs: TestDatabase[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order = tools.map((_, i) => tools[(i + r) % tools.length]!);
      for (const tool of order) {
        const db = await createTestDatabase(client);
        dbs.push(db);
        await settle(db);
        times.get(tool.label)!.push(tool.run(db));
      }
      console.log(`round ${r + 1}: ${tools.map((t) => `${t.label} ${times.get(t.label)!.at(-1)!.toFixed(2)} s`).join(", ")}`);
    }
  } finally {
    for (const db of dbs) await db.drop().catch(() => undefined);
    for (const dir of [project, knexDir, cache]) fs.rmSync(dir, { recursive: true, force: true });
  }
  const knex = times.get("knex")!;
  for (const t of tools) {
    const xs = times.get(t.label)!;
    const perRound = xs.map((x, i) => x / knex[i]!);
    console.log(`${client} ${t.label.padEnd(10)} median ${median(xs).toFixed(2)} s, ${(median(xs) / median(knex)).toFixed(2)}x knex; per round ${perRound.map((x) => x.toFixed(2)).join("/")} (median ${median(perRound).toFixed(2)}x)`);
  }
  console.log(`${N} revisions, ${ROUNDS} rounds, upgrade heads --single-transaction (CommonJS revisions) against knex migrate.latest; target: at most 1.1x knex`);
}

void main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
