import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Knex } from "knex";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { STRATA_BIN } from "./strata-cli.js";
import type { RevisionSpec } from "./strata-cli.js";

const ROOT = path.resolve(__dirname, "..", "..");

/** A `strata` child process that the test may kill. */
export interface StrataChild {
  readonly child: ChildProcess;
  /** Resolves when the process has ended, with its exit code and signal. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
}

/** Starts `strata ARGS` and hands back the process, so it can be killed part way. */
export function spawnStrata(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): StrataChild {
  const child = spawn(process.execPath, [STRATA_BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (d) => (stderr += d));
  child.stdout!.on("data", (d) => (stdout += d));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
  return { child, ended };
}

/** A statement that keeps the database busy for about 30 s (SQLite has no sleep: a long recursive count). */
export function sleepStatement(client: DbClient): string {
  switch (client) {
    case "pg":
      return "select pg_sleep(30)";
    case "mysql2":
      return "select sleep(30)";
    case "better-sqlite3":
      return "with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000000000) select count(*) from c";
  }
}

/**
 * The revision a killed or failing one stands on (a1a1a1a1a1a1): table base_t with one row, which
 * a test checks is kept whatever happens to the revision above it.
 */
export const BASE: RevisionSpec = {
  revision: "a1a1a1a1a1a1",
  downRevision: null,
  message: "create base",
  up: `await knex.schema.createTable("base_t", (t) => { t.integer("id"); }); await knex("base_t").insert({ id: 1 });`,
  down: `await knex.schema.dropTable("base_t");`,
};

/** The environment variable that makes a sleepingRevision sleep (set only for the run to be killed). */
export const SLEEP_ENV = "STRATA_TEST_SLEEP";

/**
 * A revision that creates a table, inserts a row, then (in a run started with SLEEP_ENV set)
 * writes the marker file and sleeps inside the database. Offline and scratch renderings (the
 * plan's SQL, the destructive lint) run up() too: they neither write the marker nor sleep.
 */
export function sleepingRevision(client: DbClient, marker: string, spec: { revision: string; downRevision: string | null; table: string; message?: string }): RevisionSpec {
  return {
    revision: spec.revision,
    downRevision: spec.downRevision,
    message: spec.message ?? "create and sleep",
    up: [
      `await knex.schema.createTable(${JSON.stringify(spec.table)}, (t) => { t.integer("id"); t.string("note", 20); });`,
      `await knex(${JSON.stringify(spec.table)}).insert({ id: 1, note: "half" });`,
      `const conn = (knex.client as any).config.connection;`,
      `if (process.env.${SLEEP_ENV} && conn && conn.filename !== ":memory:") { require("node:fs").writeFileSync(${JSON.stringify(marker)}, "sleeping"); await knex.raw(${JSON.stringify(sleepStatement(client))}); }`,
    ].join("\n  "),
    down: `await knex.schema.dropTable(${JSON.stringify(spec.table)});`,
  };
}

/** Waits until the database runs the sleep (PostgreSQL, MariaDB) or the marker file appears (SQLite). */
export async function waitForSleep(client: DbClient, observer: Knex | null, marker: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(marker)) {
      if (client === "better-sqlite3" || !observer) {
        // The statement starts right after the file is written; give it a moment to be inside it.
        await delay(300);
        return;
      }
      if (await sleeping(client, observer)) return;
    }
    await delay(50);
  }
  throw new Error(`the revision did not reach its sleep within ${timeoutMs} ms`);
}

async function sleeping(client: DbClient, k: Knex): Promise<boolean> {
  if (client === "pg") {
    const r = await k.raw("select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%' and state = 'active'");
    return r.rows[0].n > 0;
  }
  const [rows] = await k.raw("select count(*) as n from information_schema.processlist where db = database() and info like 'select sleep%'");
  return Number(rows[0].n) > 0;
}

/**
 * Runs `strata ARGS` with the sleeping revision switched on and kills it with SIGKILL once it is
 * inside the sleep; returns when the process is gone, with the time of the kill.
 */
export async function killInsideSleep(args: readonly string[], client: DbClient, observer: Knex | null, marker: string): Promise<{ killedAt: number; signal: NodeJS.Signals | null }> {
  const run = spawnStrata(args, { env: { [SLEEP_ENV]: "1" } });
  try {
    await waitForSleep(client, observer, marker);
  } catch (e) {
    run.child.kill("SIGKILL");
    throw e;
  }
  run.child.kill("SIGKILL");
  const killedAt = Date.now();
  const ended = await run.ended;
  return { killedAt, signal: ended.signal };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
