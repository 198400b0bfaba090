// What the benches share: a whole process timed, a database's URL, the server let settle, medians.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestDatabase } from "../test/helpers/databases.js";

/** A process's CPU time so far (user + system, all its threads) in ms, from /proc; NaN once it is gone. */
export function processCpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Runs a command to completion and returns its wall time in seconds; throws if it fails. */
export function timedProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  return s;
}

/** knex's own migrator in its own process (its CLI needs a knexfile; this is the same API call), in seconds. */
export function knexRun(db: TestDatabase, dir: string, what: "latest" | "rollback"): number {
  const script = `
    const knex = require("knex")({ client: process.env.C, connection: JSON.parse(process.env.CONN), useNullAsDefault: true });
    const cfg = { directory: process.env.DIR, loadExtensions: [".js"] };
    (process.env.WHAT === "latest" ? knex.migrate.latest(cfg) : knex.migrate.rollback(cfg, true))
      .then(() => knex.destroy(), (e) => { console.error(e); process.exit(1); });`;
  return timedProcess(["-e", script], { C: db.env.client, CONN: JSON.stringify(db.env.knexConfig.connection), DIR: dir, WHAT: what });
}

/** The database as a URL for `strata --url`. */
export function urlOf(db: TestDatabase): string {
  const c = db.env.knexConfig.connection as { filename?: string; host?: string; port?: number; user?: string; database?: string };
  switch (db.env.client) {
    case "better-sqlite3":
      return `sqlite:${c.filename}`;
    case "pg":
      return `postgres://${c.user}@${c.host}:${c.port}/${c.database}`;
    case "mysql2":
      return `mysql://${c.user}@${c.host}:${c.port}/${c.database}`;
  }
}

/**
 * Lets the server finish writing what the previous run left behind before the next is timed, so
 * that no tool pays for the one before it: the kernel's dirty pages written (`sync`); a checkpoint on PostgreSQL; on MariaDB, InnoDB's purge
 * of old row versions done and its dirty pages flushed (its page cleaner is told to flush
 * everything; each wait ends at 5 s), then its writes quiet.
 */
export async function settle(db: TestDatabase): Promise<void> {
  // The operating system's own write-back (the files of the last round's dropped databases among them).
  spawnSync("sync");
  if (db.env.client === "pg") await db.knex.raw("checkpoint");
  if (db.env.client !== "mysql2") return;
  const dirty = async (): Promise<number> => {
    const [rows] = (await db.knex.raw("show global status like 'Innodb_buffer_pool_pages_dirty'")) as [{ Value: string }[]];
    return Number(rows[0]?.Value ?? 0);
  };
  const unpurged = async (): Promise<number> => {
    const [rows] = (await db.knex.raw("select count from information_schema.innodb_metrics where name = 'trx_rseg_history_len'")) as [{ count: number }[]];
    return Number(rows[0]?.count ?? 0);
  };
  const purgeUntil = Date.now() + 5000;
  while ((await unpurged()) > 100 && Date.now() < purgeUntil) await new Promise((r) => setTimeout(r, 100));
  const [[{ pct }]] = (await db.knex.raw("select @@global.innodb_max_dirty_pages_pct as pct")) as [[{ pct: number }]];
  await db.knex.raw("set global innodb_max_dirty_pages_pct = 0");
  try {
    const until = Date.now() + 5000;
    while ((await dirty()) > 50 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await db.knex.raw("set global innodb_max_dirty_pages_pct = ?", [pct]);
  }
  // Then until InnoDB writes no more than 1 MB in half a second (the tablespaces of the last
  // round's dropped databases take it a while), at most 30 s.
  const written = async (): Promise<number> => {
    const [rows] = (await db.knex.raw("show global status where variable_name in ('Innodb_data_written', 'Innodb_os_log_written')")) as [{ Value: string }[]];
    return rows.reduce((n, r) => n + Number(r.Value), 0);
  };
  const quietUntil = Date.now() + 30_000;
  for (let before = await written(); Date.now() < quietUntil; ) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await written();
    if (now - before < 1024 * 1024) break;
    before = now;
  }
}

/** The median of some timings. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A knex folder of n dash-named CommonJS migrations, each making one table (the round-trip counts' project, as bench/knex-mode.ts writes). */
export function writeRoundTripProject(n: number, tmpPrefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  fs.mkdirSync(path.join(dir, "migrations"));
  fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ migrations: "migrations" }));
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(
      path.join(dir, "migrations", `2020-01-01-${String(i).padStart(4, "0")}-create-t-${i}.js`),
      `exports.up = (knex) => knex.schema.createTable("t_${i}", (t) => { t.increments("id"); t.string("name", 100); t.integer("qty"); });\nexports.down = (knex) => knex.schema.dropTable("t_${i}");\n`,
    );
  }
  return dir;
}
