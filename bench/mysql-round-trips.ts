// Issue 15: load-independent measures of a knex-mode run on MariaDB/MySQL, Strata's `upgrade heads`
// (its default: a transaction per revision; with `--single-transaction` too) against knex's
// `migrate.latest()`: the round trips and statements each process sends (counted from the
// driver's own writes, bench/mysql-wire-count.cjs), and what the server did meanwhile from its
// status counters (SHOW GLOBAL STATUS before and after: statements by kind, commits, InnoDB log
// writes and fsyncs, file syncs). The counters are the whole server's, so anything else running
// on it is counted too: each run is made ROUNDS times and the smallest difference kept. Run at
// two sizes, the difference gives the cost per revision.
// Usage: npm run build && npx tsx bench/mysql-round-trips.ts [N1,N2]   (default 3,100; BENCH_ROUNDS=2; STRATA_BENCH_OTHER_BIN)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createTestDatabase } from "../test/helpers/databases.js";
import type { TestDatabase } from "../test/helpers/databases.js";
import { STRATA_BIN } from "../test/helpers/strata-cli.js";
import { urlOf, writeRoundTripProject } from "./bench-process.js";

const SIZES = (process.argv[2] ?? "3,100").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const COUNTER = path.join(import.meta.dirname, "mysql-wire-count.cjs");
/** Another build's launcher to measure beside this one (STRATA_BENCH_OTHER_BIN=path/to/bin/strata): its default run, counted beside. */
const OTHER_BIN = process.env.STRATA_BENCH_OTHER_BIN;

/** The server's counters read around a run. */
const STATUS = [
  "Questions",
  "Com_begin",
  "Com_commit",
  "Com_insert",
  "Com_update",
  "Com_select",
  "Com_create_table",
  "Handler_commit",
  "Innodb_log_writes",
  "Innodb_os_log_written",
  "Innodb_data_fsyncs",
  "Syncs",
] as const;
type Counters = Record<(typeof STATUS)[number] | "roundTrips" | "statements", number>;

async function serverStatus(db: TestDatabase): Promise<Record<string, number>> {
  const [rows] = (await db.knex.raw(`show global status where variable_name in (${STATUS.map(() => "?").join(", ")})`, [...STATUS])) as [{ Variable_name: string; Value: string }[]];
  return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
}

type Who = "knex" | "strata" | "single" | "other";

/** One process run under the counter on a fresh database: what it sent, and what the server counted meanwhile. */
async function measure(who: Who, project: string): Promise<Counters> {
  const db = await createTestDatabase("mysql2");
  const out = path.join(project, `${who}.count.json`);
  try {
    const strataArgs = (bin: string, extra: readonly string[]) => [bin, "--project", project, "--url", urlOf(db), "--quiet", "upgrade", "heads", ...extra];
    const args =
      who === "knex"
        ? ["-e", `const knex = require("knex")({ client: "mysql2", connection: JSON.parse(process.env.CONN) }); knex.migrate.latest({ directory: process.env.DIR }).then(() => knex.destroy(), (e) => { console.error(e); process.exit(1); });`]
        : strataArgs(who === "other" ? OTHER_BIN! : STRATA_BIN, who === "single" ? ["--single-transaction"] : []);
    const before = await serverStatus(db);
    const r = spawnSync(process.execPath, ["--require", COUNTER, ...args], {
      encoding: "utf8",
      env: { ...process.env, MYSQL_WIRE_COUNT_OUT: out, CONN: JSON.stringify(db.env.knexConfig.connection), DIR: path.join(project, "migrations") },
    });
    if (r.status !== 0) throw new Error(`${who} failed: ${r.stderr}`);
    const after = await serverStatus(db);
    const sent = JSON.parse(fs.readFileSync(out, "utf8")) as { roundTrips: number; statements: number };
    // The SHOW that read `before` is counted in `after`'s Questions.
    const delta = Object.fromEntries(STATUS.map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0) - (k === "Questions" ? 1 : 0)]));
    return { ...(delta as Record<(typeof STATUS)[number], number>), ...sent };
  } finally {
    await db.drop();
  }
}

function describe(c: Counters): string {
  return (
    `${c.roundTrips} round trips (${c.statements} statements); server: ${c.Questions} questions, begin ${c.Com_begin}, commit ${c.Com_commit}, insert ${c.Com_insert}, ` +
    `update ${c.Com_update}, select ${c.Com_select}, create table ${c.Com_create_table}, handler commits ${c.Handler_commit}, log writes ${c.Innodb_log_writes} ` +
    `(${(c.Innodb_os_log_written / 1024).toFixed(0)} KiB), InnoDB fsyncs ${c.Innodb_data_fsyncs}, file syncs ${c.Syncs}`
  );
}

async function main(): Promise<void> {
  const whos: Who[] = ["knex", "strata", "single", ...(OTHER_BIN ? (["other"] as const) : [])];
  const rows = new Map<Who, Counters[]>(whos.map((w) => [w, []]));
  for (const n of SIZES) {
    const project = writeRoundTripProject(n, "strata-mysql-round-trips-");
    for (const who of whos) {
      let best: Counters | null = null;
      for (let round = 0; round < ROUNDS; round++) {
        const m = await measure(who, project);
        // The smallest of each counter: another client of the server only ever adds to them.
        const prev: Counters | null = best;
        best = prev ? (Object.fromEntries((Object.keys(prev) as (keyof Counters)[]).map((k) => [k, Math.min(prev[k], m[k])])) as Counters) : m;
      }
      rows.get(who)!.push(best!);
      console.log(`${who.padEnd(6)} ${String(n).padStart(5)} files: ${describe(best!)}`);
    }
    fs.rmSync(project, { recursive: true, force: true });
  }
  if (SIZES.length >= 2) {
    const span = SIZES[SIZES.length - 1]! - SIZES[0]!;
    for (const who of whos) {
      const list = rows.get(who)!;
      const per = (k: keyof Counters) => ((list[list.length - 1]![k] - list[0]![k]) / span).toFixed(2);
      const fixed = (k: keyof Counters) => (list[0]![k] - Number(per(k)) * SIZES[0]!).toFixed(0);
      console.log(
        `${who.padEnd(6)} per revision: ${per("roundTrips")} round trips, ${per("statements")} statements, ${per("Com_commit")} commits, ${per("Handler_commit")} handler commits, ` +
          `${per("Innodb_data_fsyncs")} InnoDB fsyncs, ${per("Syncs")} file syncs, ${per("Innodb_log_writes")} log writes; fixed per run: ${fixed("roundTrips")} round trips, ${fixed("Innodb_data_fsyncs")} fsyncs`,
      );
    }
  }
  console.log(`knex = knex migrate.latest; strata = strata upgrade heads (lint on); single = --single-transaction${OTHER_BIN ? `; other = ${OTHER_BIN}` : ""}; smallest of ${ROUNDS} runs each`);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
