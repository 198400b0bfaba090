// Issue 15: load-independent measures of a knex-mode run on PostgreSQL, Strata's `upgrade heads`
// (its default: a transaction per revision) against knex's `migrate.latest()`: the round trips each
// process makes to the server (counted from the driver's own writes, bench/pg-wire-count.cjs) and
// the WAL flushes the server made meanwhile (pg_stat_wal.wal_sync: the whole server's, so anything
// else running on it is counted too). Run at two sizes, the difference gives the cost per revision.
// Usage: npm run build && npx tsx bench/pg-round-trips.ts [N1,N2]   (default 3,100)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createTestDatabase } from "../test/helpers/databases.js";
import type { TestDatabase } from "../test/helpers/databases.js";
import { STRATA_BIN } from "../test/helpers/strata-cli.js";
import { urlOf, writeRoundTripProject } from "./bench-process.js";

const SIZES = (process.argv[2] ?? "3,100").split(",").map(Number);
const COUNTER = path.join(import.meta.dirname, "pg-wire-count.cjs");

async function walSyncs(db: TestDatabase): Promise<number> {
  const r = (await db.knex.raw("select wal_sync from pg_stat_wal")) as { rows: { wal_sync: string | number }[] };
  return Number(r.rows[0]!.wal_sync);
}

/** One process run under the counter on a fresh database: its round trips and the server's WAL flushes meanwhile. */
async function measure(who: "strata" | "knex", project: string): Promise<{ roundTrips: number; walSyncs: number }> {
  const db = await createTestDatabase("pg");
  const out = path.join(project, `${who}.count.json`);
  try {
    const args =
      who === "strata"
        ? [STRATA_BIN, "--project", project, "--url", urlOf(db), "--quiet", "upgrade", "heads"]
        : ["-e", `const knex = require("knex")({ client: "pg", connection: JSON.parse(process.env.CONN) }); knex.migrate.latest({ directory: process.env.DIR }).then(() => knex.destroy(), (e) => { console.error(e); process.exit(1); });`];
    const before = await walSyncs(db);
    const r = spawnSync(process.execPath, ["--require", COUNTER, ...args], {
      encoding: "utf8",
      env: { ...process.env, PG_WIRE_COUNT_OUT: out, CONN: JSON.stringify(db.env.knexConfig.connection), DIR: path.join(project, "migrations") },
    });
    if (r.status !== 0) throw new Error(`${who} failed: ${r.stderr}`);
    const after = await walSyncs(db);
    const { simple, extended } = JSON.parse(fs.readFileSync(out, "utf8")) as { simple: number; extended: number };
    return { roundTrips: simple + extended, walSyncs: after - before };
  } finally {
    await db.drop();
  }
}

async function main(): Promise<void> {
  const rows: Record<string, { roundTrips: number; walSyncs: number }[]> = { strata: [], knex: [] };
  for (const n of SIZES) {
    const project = writeRoundTripProject(n, "strata-pg-round-trips-");
    for (const who of ["strata", "knex"] as const) {
      const m = await measure(who, project);
      rows[who]!.push(m);
      console.log(`${who.padEnd(6)} ${String(n).padStart(5)} files: ${m.roundTrips} round trips, ${m.walSyncs} WAL flushes on the server meanwhile`);
    }
    fs.rmSync(project, { recursive: true, force: true });
  }
  if (SIZES.length >= 2) {
    const span = SIZES[SIZES.length - 1]! - SIZES[0]!;
    for (const who of ["strata", "knex"] as const) {
      const list = rows[who]!;
      const per = (list[list.length - 1]!.roundTrips - list[0]!.roundTrips) / span;
      console.log(`${who.padEnd(6)} round trips per revision: ${per.toFixed(2)}; fixed per run: ${(list[0]!.roundTrips - per * SIZES[0]!).toFixed(0)}`);
    }
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
