// Applies and rolls back N small revisions (each creates a table with three columns) on each
// dialect with Strata, and does the same with knex's own migrator on a fresh database in the
// same run. Prints both times and their ratio, like with like:
//   upgrade:  Strata --single-transaction  vs  knex migrate.latest (one transaction for the batch)
//             (Strata's default, a transaction per revision, printed beside)
//   rollback: Strata downgrade base (a transaction per revision)  vs  knex migrate.rollback(all)
// in the same language on both sides:
//   JavaScript: knex's CommonJS files, and Strata's revisions in the same CommonJS (the same
//               up/down, plus `revision` and `downRevision` exports);
//   TypeScript: Strata's default format (`strata revision` writes .ts), against knex's latest on
//               the same .ts files through tsx; cold and warm: Strata's compile cache empty (a
//               fresh checkout) or filled, tsx's likewise.
// and, for the record, Strata's TypeScript against knex's JavaScript. Strata's V8 code cache of its
// own bundles (bin/strata) is primed by untimed runs first, as any run after an install finds it.
// Both run in a process of their own (the strata CLI; knex's migrator API in `node -e`), so both
// pay for starting Node and loading their files; before each timed run the server is let
// settle (settle()), so no run pays for the writes of the one before it.
// Usage: npm run build && npx tsx bench/migrate.ts [N] [pg,mysql2,better-sqlite3]   (BENCH_ROUNDS=3: medians of 3 rounds)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DbClient } from "../electron/engine/dialect/index.js";
import { createTestDatabase } from "../test/helpers/databases.js";
import type { TestDatabase } from "../test/helpers/databases.js";
import { STRATA_BIN } from "../test/helpers/strata-cli.js";
import { generateProject, tableBody, writeKnexFolder } from "./generate-project.js";
import { knexRun, median, settle, timedProcess, urlOf } from "./bench-process.js";

const N = Number(process.argv[2] ?? 1000);
const clients = (process.argv[3] ?? "better-sqlite3,pg,mysql2").split(",") as DbClient[];
/** Rounds per dialect (each on fresh databases); the medians are printed. */
const REPS = Number(process.env.BENCH_ROUNDS ?? 3);

/** `strata ... upgrade|downgrade` in its own process, as a user or CI job runs it, with its compile cache in `cacheDir`. */
function strataRun(db: TestDatabase, project: string, cacheDir: string, args: readonly string[]): number {
  return timedProcess([STRATA_BIN, "--project", project, "--url", urlOf(db), "--quiet", ...args], { STRATA_CACHE_DIR: cacheDir });
}

/**
 * knex's migrator on Strata's own TypeScript files (knex loads any module exporting up and down),
 * through tsx, a common way to run TypeScript with knex; its compile cache lives in TMPDIR, so a
 * fresh TMPDIR is a cold cache and the next run with it a warm one.
 */
function knexTsRun(db: TestDatabase, migrations: string, tmpDir: string): number {
  const script = `
    const knex = require("knex")({ client: process.env.C, connection: JSON.parse(process.env.CONN), useNullAsDefault: true });
    knex.migrate.latest({ directory: process.env.DIR, loadExtensions: [".ts"] })
      .then(() => knex.destroy(), (e) => { console.error(e); process.exit(1); });`;
  return timedProcess(["--import", "tsx", "-e", script], { C: db.env.client, CONN: JSON.stringify(db.env.knexConfig.connection), DIR: migrations, TMPDIR: tmpDir });
}

/**
 * The timings of one round, on fresh databases, each tool in alternation. Strata's first TypeScript run uses an
 * empty compile cache (a fresh checkout: every revision compiled), the others the cache that
 * run filled (what every later run on the same migrations folder gets). `--no-lint` skips the
 * destructive-statement dry run, which knex has no counterpart of.
 */
const KEYS = [
  "knexUp", "strataJsUp", "strataCold", "strataWarm", "strataNoLint", "strataDefault",
  "knexDown", "strataJsDown", "strataDown", "strataDownNoLint", "knexTsCold", "knexTsWarm",
] as const;
type Round = Record<(typeof KEYS)[number], number>;

interface Projects {
  /** Strata's TypeScript revisions. */
  readonly ts: string;
  /** Strata's revisions in CommonJS, as knex's files are written. */
  readonly js: string;
  /** knex's own migrations folder. */
  readonly knex: string;
}

/** A round's fresh databases and caches, kept from its upgrades to its rollbacks. */
interface RoundState {
  readonly index: number;
  readonly dbs: {
    readonly js: TestDatabase;
    readonly cold: TestDatabase;
    readonly warm: TestDatabase;
    readonly noLint: TestDatabase;
    readonly perRevision: TestDatabase;
    readonly forKnex: TestDatabase;
    readonly forKnexTsCold: TestDatabase;
    readonly forKnexTsWarm: TestDatabase;
  };
  readonly cacheDir: string;
  readonly tsxTmp: string;
  readonly times: Partial<Round>;
}

/**
 * A cache folder holding only the CLI's own V8 code cache (bin/strata), as any run after the first
 * of an installed Strata finds it: made by untimed runs on a database of its own (kept until the
 * end, so that no drop comes before a timed run). Each round's cache folder starts as a copy, so
 * "cold" means what it means for a user: no revision compiled yet.
 */
async function primedCodeCache(client: DbClient, projects: Projects): Promise<{ dir: string; db: TestDatabase }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-bench-v8-"));
  const db = await createTestDatabase(client);
  for (const args of [["upgrade", "heads", "--single-transaction"], ["downgrade", "base"]]) strataRun(db, projects.js, dir, args);
  for (const entry of fs.readdirSync(dir)) if (entry !== "v8") fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  return { dir, db };
}

async function newRound(client: DbClient, index: number, codeCache: string): Promise<RoundState> {
  const d = await Promise.all(Array.from({ length: 8 }, () => createTestDatabase(client)));
  const [js, cold, warm, noLint, perRevision, forKnex, forKnexTsCold, forKnexTsWarm] = d as [
    TestDatabase, TestDatabase, TestDatabase, TestDatabase, TestDatabase, TestDatabase, TestDatabase, TestDatabase,
  ];
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-bench-cache-"));
  fs.cpSync(codeCache, cacheDir, { recursive: true });
  return {
    index,
    dbs: { js, cold, warm, noLint, perRevision, forKnex, forKnexTsCold, forKnexTsWarm },
    cacheDir,
    tsxTmp: fs.mkdtempSync(path.join(os.tmpdir(), "knex-bench-tsx-")),
    times: {},
  };
}

async function endRound(r: RoundState): Promise<void> {
  fs.rmSync(r.cacheDir, { recursive: true, force: true });
  fs.rmSync(r.tsxTmp, { recursive: true, force: true });
  await Promise.all(Object.values(r.dbs).map((d) => d.drop()));
}

/** Runs `run` once the server has settled. */
async function settled<T>(db: TestDatabase, run: () => T): Promise<T> {
  await settle(db);
  return run();
}

/** Who goes first in each like-with-like pair alternates from round to round. */
async function pair(index: number, a: () => Promise<number>, b: () => Promise<number>): Promise<[number, number]> {
  if (index % 2 === 0) return [await a(), await b()];
  const second = await b();
  return [await a(), second];
}

/** A round's upgrades: the like-with-like pair first, then Strata's variants and knex through tsx. */
async function upgrades(r: RoundState, projects: Projects): Promise<void> {
  const { dbs, cacheDir, tsxTmp, times } = r;
  const upgrade = (db: TestDatabase, project: string, ...extra: string[]) =>
    settled(dbs.forKnex, () => strataRun(db, project, cacheDir, ["upgrade", "heads", ...extra]));
  [times.knexUp, times.strataJsUp] = await pair(
    r.index,
    () => settled(dbs.forKnex, () => knexRun(dbs.forKnex, projects.knex, "latest")),
    () => upgrade(dbs.js, projects.js, "--single-transaction"),
  );
  times.strataCold = await upgrade(dbs.cold, projects.ts, "--single-transaction");
  times.strataWarm = await upgrade(dbs.warm, projects.ts, "--single-transaction");
  times.strataNoLint = await upgrade(dbs.noLint, projects.ts, "--single-transaction", "--no-lint");
  times.strataDefault = await upgrade(dbs.perRevision, projects.ts);
  const tsMigrations = path.join(projects.ts, "migrations");
  times.knexTsCold = await settled(dbs.forKnex, () => knexTsRun(dbs.forKnexTsCold, tsMigrations, tsxTmp));
  times.knexTsWarm = await settled(dbs.forKnex, () => knexTsRun(dbs.forKnexTsWarm, tsMigrations, tsxTmp));
}

/** A round's rollbacks, on the databases its upgrades filled. */
async function rollbacks(r: RoundState, projects: Projects): Promise<void> {
  const { dbs, cacheDir, times } = r;
  const downgrade = (db: TestDatabase, project: string, ...extra: string[]) =>
    settled(dbs.forKnex, () => strataRun(db, project, cacheDir, ["downgrade", "base", ...extra]));
  [times.knexDown, times.strataJsDown] = await pair(
    r.index,
    () => settled(dbs.forKnex, () => knexRun(dbs.forKnex, projects.knex, "rollback")),
    () => downgrade(dbs.js, projects.js),
  );
  times.strataDown = await downgrade(dbs.perRevision, projects.ts);
  times.strataDownNoLint = await downgrade(dbs.warm, projects.ts, "--no-lint");
}

/**
 * Every round's upgrades, then every round's rollbacks, then the databases dropped: a server
 * drops tables for some seconds after a database of 1,000 of them goes (measured on MariaDB:
 * knex's own `latest` right after a round's drops took 3.5-4.8 s, otherwise 2.0-2.5 s), so no
 * upgrade is timed after a drop, and the rollbacks (which drop tables themselves) come after
 * every upgrade.
 */
async function rounds(client: DbClient, projects: Projects): Promise<Round[]> {
  const states: RoundState[] = [];
  const primed = await primedCodeCache(client, projects);
  try {
    for (let i = 0; i < REPS; i++) {
      const r = await newRound(client, i, primed.dir);
      states.push(r);
      await upgrades(r, projects);
    }
    for (const r of states) await rollbacks(r, projects);
  } finally {
    for (const r of states) await endRound(r);
    await primed.db.drop();
    fs.rmSync(primed.dir, { recursive: true, force: true });
  }
  return states.map((r) => r.times as Round);
}

async function main(): Promise<void> {
  const projects: Projects = {
    ts: generateProject({ revisions: N, body: tableBody }).dir,
    js: generateProject({ revisions: N, body: tableBody, language: "cjs" }).dir,
    knex: writeKnexFolder(N),
  };
  for (const client of clients) {
    const done = await rounds(client, projects);
    const m = (k: keyof Round) => median(done.map((r) => r[k]));
    const ratio = (k: keyof Round, base: keyof Round) => `${(m(k) / m(base)).toFixed(2)}x`;
    const f = (k: keyof Round) => `${m(k).toFixed(2)} s`;
    const pad = "".padEnd(15);
    console.log(
      `${client.padEnd(15)} JavaScript (CommonJS on both sides): upgrade, knex latest ${f("knexUp")} | strata --single-transaction ${f("strataJsUp")} ${ratio("strataJsUp", "knexUp")}; ` +
        `rollback, knex ${f("knexDown")} | strata downgrade base ${f("strataJsDown")} ${ratio("strataJsDown", "knexDown")}`,
    );
    console.log(
      `${pad} TypeScript (the same .ts files on both sides): upgrade, knex latest through tsx: cold cache ${f("knexTsCold")}, warm ${f("knexTsWarm")} | ` +
        `strata --single-transaction: cold cache ${f("strataCold")} ${ratio("strataCold", "knexTsCold")}, warm ${f("strataWarm")} ${ratio("strataWarm", "knexTsWarm")}`,
    );
    console.log(
      `${pad} Strata's TypeScript against knex's JavaScript: upgrade cold cache ${ratio("strataCold", "knexUp")}, warm ${ratio("strataWarm", "knexUp")}, ` +
        `warm --no-lint ${f("strataNoLint")} ${ratio("strataNoLint", "knexUp")}, default (a transaction per revision) ${f("strataDefault")}; ` +
        `rollback ${f("strataDown")} ${ratio("strataDown", "knexDown")}, --no-lint ${f("strataDownNoLint")} ${ratio("strataDownNoLint", "knexDown")}`,
    );
    // Each round's like-with-like pair ran back to back: its ratio is free of the drift between rounds.
    const paired = (k: keyof Round, base: keyof Round) => done.map((r) => r[k] / r[base]);
    const pairs = (k: keyof Round, base: keyof Round) => `${paired(k, base).map((x) => x.toFixed(2)).join("/")} (median ${median(paired(k, base)).toFixed(2)}x)`;
    console.log(`${pad} each round's pair, JavaScript: upgrade ${pairs("strataJsUp", "knexUp")}; rollback ${pairs("strataJsDown", "knexDown")}`);
    console.log(`${pad} runs: ${KEYS.map((k) => `${k} ${done.map((r) => r[k].toFixed(2)).join("/")}`).join(", ")}`);
  }
  for (const dir of Object.values(projects)) fs.rmSync(dir, { recursive: true, force: true });
  console.log(`${N} revisions, median of ${REPS} rounds (fresh databases each); target: strata at most 1.1x knex on every dialect, like with like`);
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
