// Issue #15: the whole process of `strata upgrade heads` on a knex-mode folder (plain knex files,
// dash-named CommonJS, no Strata export) against knex's own `migrate.latest()` on the same folder,
// each on a fresh database of each dialect. Both sides as their users run them: Strata's default
// (a transaction per revision, knex_migrations' rows written in each, the lint's dry run on), knex's
// default: where no migration turns transactions off, `latest` runs the whole batch in ONE
// transaction (knex/lib/migrations/migrate/Migrator.js, transactionForAll), so on SQLite it sends
// 2 statements a migration where Strata's default sends 5 (its savepoint and release, knex's row,
// its history row). Each round runs the pair back to back, in alternating order,
// with the server let settle before each run; the medians and each round's ratio are printed.
// Strata's --single-transaction (like with like: one transaction for the batch, as knex's latest) is timed beside.
// Beside wall time, each process's CPU time (user + system, from GNU time) is kept: on a machine
// others load, CPU time moves far less than wall time.
// STRATA_BENCH_OTHER_BIN=path/to/bin/strata times another build's default run in the same rounds
// (the four runs' order rotating), for telling two versions apart on a machine others load.
// Usage: npm run build && npx tsx bench/knex-mode.ts [N] [pg,mysql2,better-sqlite3]   (BENCH_ROUNDS=3)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DbClient } from "../electron/engine/dialect/index.js";
import { createTestDatabase } from "../test/helpers/databases.js";
import type { TestDatabase } from "../test/helpers/databases.js";
import { STRATA_BIN } from "../test/helpers/strata-cli.js";
import { median, settle, urlOf } from "./bench-process.js";

const N = Number(process.argv[2] ?? 1000);
const clients = (process.argv[3] ?? "better-sqlite3,pg,mysql2").split(",") as DbClient[];
const REPS = Number(process.env.BENCH_ROUNDS ?? 3);
const OTHER_BIN = process.env.STRATA_BENCH_OTHER_BIN ? path.resolve(process.env.STRATA_BENCH_OTHER_BIN) : null;

/** A knex project as found: a strata.config.json naming only the folder, and N knex migrations. */
function writeKnexProject(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-knex-mode-bench-"));
  const migrations = path.join(dir, "migrations");
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ migrations: "migrations" }));
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    fs.writeFileSync(
      path.join(migrations, `${day}-${String(i).padStart(4, "0")}-create-t-${i}.js`),
      `exports.up = function (knex) {\n  return knex.schema.createTable("t_${i}", function (t) { t.increments("id"); t.string("name", 100); t.integer("qty"); });\n};\n\n` +
        `exports.down = function (knex) {\n  return knex.schema.dropTable("t_${i}");\n};\n`,
    );
  }
  return dir;
}

/** CPU seconds (user + system) of every timed process, by what ran. */
const cpu: Record<"strata" | "knex" | "single" | "other", number[]> = { strata: [], knex: [], single: [], other: [] };

/** Runs node with these arguments to completion under GNU time; returns its wall seconds and keeps its CPU seconds. */
function timedProcess(args: readonly string[], env: NodeJS.ProcessEnv, who: keyof typeof cpu): number {
  const r = spawnSync("/usr/bin/time", ["-f", "strata-bench-time %e %U %S", process.execPath, ...args], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  const line = r.stderr.split("\n").reverse().find((l) => l.startsWith("strata-bench-time "));
  if (!line) throw new Error(`GNU time printed nothing for ${args.join(" ")}`);
  const [wall, user, system] = line.split(" ").slice(1).map(Number) as [number, number, number];
  cpu[who].push(user + system);
  return wall;
}

function strataUpgrade(db: TestDatabase, project: string, cacheDir: string, extra: readonly string[] = [], bin = STRATA_BIN): number {
  return timedProcess([bin, "--project", project, "--url", urlOf(db), "--quiet", "upgrade", "heads", ...extra], { STRATA_CACHE_DIR: cacheDir }, bin !== STRATA_BIN ? "other" : extra.length ? "single" : "strata");
}

function knexLatest(db: TestDatabase, project: string): number {
  const script = `
    const knex = require("knex")({ client: process.env.C, connection: JSON.parse(process.env.CONN), useNullAsDefault: true });
    knex.migrate.latest({ directory: process.env.DIR })
      .then(() => knex.destroy(), (e) => { console.error(e); process.exit(1); });`;
  return timedProcess(["-e", script], { C: db.env.client, CONN: JSON.stringify(db.env.knexConfig.connection), DIR: path.join(project, "migrations") }, "knex");
}

/** Both ran everything: knex_migrations holds N rows, one batch each. */
async function checkApplied(db: TestDatabase, who: string): Promise<void> {
  const [row] = (await db.knex("knex_migrations").count("* as n").countDistinct("batch as batches")) as { n: number | string; batches: number | string }[];
  if (Number(row?.n) !== N || Number(row?.batches) !== 1) throw new Error(`${who} left ${row?.n} knex_migrations rows in ${row?.batches} batches, not ${N} in 1`);
}

async function main(): Promise<void> {
  const project = writeKnexProject(N);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-knex-mode-cache-"));
  for (const client of clients) {
    // An untimed run first: Strata's V8 code cache of its own bundle, as any run after an install finds it.
    const warm = await createTestDatabase(client);
    strataUpgrade(warm, project, cacheDir);
    await warm.drop();
    if (OTHER_BIN) {
      const warmOther = await createTestDatabase(client);
      strataUpgrade(warmOther, project, cacheDir, [], OTHER_BIN);
      await warmOther.drop();
    }
    // The untimed warm-up run above is left out.
    for (const list of Object.values(cpu)) list.length = 0;
    const strataTimes: number[] = [];
    const knexTimes: number[] = [];
    const singleTimes: number[] = [];
    const otherTimes: number[] = [];
    for (let round = 0; round < REPS; round++) {
      const forStrata = await createTestDatabase(client);
      const forKnex = await createTestDatabase(client);
      const forSingle = await createTestDatabase(client);
      const forOther = OTHER_BIN ? await createTestDatabase(client) : null;
      try {
        const rotation = forOther ? (["strata", "knex", "other", "single"] as const) : (["strata", "knex", "single"] as const);
        const order = forOther
          ? [...rotation.slice(round % rotation.length), ...rotation.slice(0, round % rotation.length)]
          : round % 2 === 0
            ? (["strata", "knex", "single"] as const)
            : (["knex", "strata", "single"] as const);
        for (const who of order) {
          await settle(who === "strata" ? forStrata : who === "knex" ? forKnex : who === "other" ? forOther! : forSingle);
          if (who === "strata") strataTimes.push(strataUpgrade(forStrata, project, cacheDir));
          else if (who === "knex") knexTimes.push(knexLatest(forKnex, project));
          else if (who === "other") otherTimes.push(strataUpgrade(forOther!, project, cacheDir, [], OTHER_BIN!));
          else singleTimes.push(strataUpgrade(forSingle, project, cacheDir, ["--single-transaction"]));
        }
        await checkApplied(forStrata, "strata");
        await checkApplied(forKnex, "knex");
        await checkApplied(forSingle, "strata --single-transaction");
        if (forOther) await checkApplied(forOther, "the other build");
      } finally {
        await forStrata.drop();
        await forKnex.drop();
        await forSingle.drop();
        await forOther?.drop();
      }
    }
    const pairs = strataTimes.map((s, i) => s / knexTimes[i]!);
    console.log(
      `${client.padEnd(15)} knex mode, ${N} files: knex latest ${median(knexTimes).toFixed(2)} s | strata upgrade heads (lint on) ${median(strataTimes).toFixed(2)} s ` +
        `= ${(median(strataTimes) / median(knexTimes)).toFixed(2)}x; each round's pair ${pairs.map((x) => x.toFixed(2)).join("/")} (median ${median(pairs).toFixed(2)}x); ` +
        `--single-transaction ${median(singleTimes).toFixed(2)} s = ${(median(singleTimes) / median(knexTimes)).toFixed(2)}x; ` +
        `runs: knex ${knexTimes.map((x) => x.toFixed(2)).join("/")}, strata ${strataTimes.map((x) => x.toFixed(2)).join("/")}, --single-transaction ${singleTimes.map((x) => x.toFixed(2)).join("/")}`,
    );
    console.log(
      `${client.padEnd(15)} CPU (user+sys): knex ${median(cpu.knex).toFixed(2)} s | strata ${median(cpu.strata).toFixed(2)} s = ${(median(cpu.strata) / median(cpu.knex)).toFixed(2)}x | ` +
        `--single-transaction ${median(cpu.single).toFixed(2)} s = ${(median(cpu.single) / median(cpu.knex)).toFixed(2)}x`,
    );
    if (OTHER_BIN) {
      const otherPairs = otherTimes.map((s, i) => s / knexTimes[i]!);
      console.log(
        `${client.padEnd(15)} other build (${OTHER_BIN}): ${median(otherTimes).toFixed(2)} s = ${(median(otherTimes) / median(knexTimes)).toFixed(2)}x knex; each round's pair ${otherPairs.map((x) => x.toFixed(2)).join("/")} ` +
          `(median ${median(otherPairs).toFixed(2)}x); runs ${otherTimes.map((x) => x.toFixed(2)).join("/")}; CPU ${median(cpu.other).toFixed(2)} s = ${(median(cpu.other) / median(cpu.knex)).toFixed(2)}x`,
      );
    }
  }
  fs.rmSync(project, { recursive: true, force: true });
  fs.rmSync(cacheDir, { recursive: true, force: true });
  console.log(`median of ${REPS} rounds (fresh databases each); target: strata at most 1.1x knex on every dialect`);
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
