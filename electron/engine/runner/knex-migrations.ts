import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import type { RunEvent } from "./types.js";

/**
 * knex's own tables in knex mode (issue #15): Strata writes the rows knex would, so an app that
 * runs `knex.migrate.latest()` at boot and Strata agree on what ran. The definitions are knex's
 * (knex/lib/migrations/migrate/table-creator.js), so a database Strata set up dumps the same as
 * one knex set up.
 */

/** knex's lock table for a migrations table ("knex_migrations" -> "knex_migrations_lock"). */
export function knexLockTable(tableName: string): string {
  return `${tableName}_lock`;
}

/** Creates knex_migrations and its lock table (with its one row) where knex would; callers hold Strata's lock. */
export async function ensureKnexTables(db: Knex, tableName: string): Promise<void> {
  if (!(await db.schema.hasTable(tableName))) await db.schema.createTable(tableName, defineKnexMigrationsTable);
  const lockTable = knexLockTable(tableName);
  if (!(await db.schema.hasTable(lockTable))) await db.schema.createTable(lockTable, defineKnexLockTable);
  const rows = await db(lockTable).select("*");
  if (rows.length === 0) await db(lockTable).insert({ is_locked: 0 });
}

/** knex_migrations' columns, as knex's migrator defines them. */
export function defineKnexMigrationsTable(t: Knex.CreateTableBuilder): void {
  t.increments();
  t.string("name");
  t.integer("batch");
  t.timestamp("migration_time");
}

/** knex_migrations_lock's columns, as knex's migrator defines them (one row, is_locked 0 or 1). */
export function defineKnexLockTable(t: Knex.CreateTableBuilder): void {
  t.increments("index").primary();
  t.integer("is_locked");
}

/** The names knex_migrations holds, in id order. */
export async function selectKnexNames(db: Knex, tableName: string): Promise<string[]> {
  const rows = (await db(tableName).select("name").orderBy("id", "asc")) as { name: string }[];
  return rows.map((r) => r.name);
}

/** The batch a run writes: one more than the last, as knex's `latest` numbers each of its runs. */
export async function nextKnexBatch(db: Knex, tableName: string): Promise<number> {
  const row = (await db(tableName).max("batch as batch").first()) as { batch: number | string | null } | undefined;
  return Number(row?.batch ?? 0) + 1;
}

/** How long between two looks at a held knex lock. */
const KNEX_LOCK_POLL_MS = 250;

/**
 * Takes knex's lock as its migrator does (is_locked 0 -> 1), waiting while a knex migration
 * holds it, up to the run's lock timeout. Strata's own lock is held already, so only knex can
 * be the other holder; a knex run killed mid-way leaves is_locked = 1 for good, as it does for
 * knex itself, hence the advice.
 */
export async function takeKnexLock(db: Knex, tableName: string, timeoutMs: number, emit: (e: RunEvent) => void): Promise<void> {
  const lockTable = knexLockTable(tableName);
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const taken = Number(await db(lockTable).where("is_locked", "=", 0).update({ is_locked: 1 }));
    if (taken >= 1) return;
    if (Date.now() >= deadline) {
      throw new StrataError(
        "LOCK_TIMEOUT",
        `${lockTable} is locked (is_locked = 1): a knex migration is running, or one was killed; wait for it, or run \`npx knex migrate:unlock\` if none is running; nothing was run`,
        { holder: "knex", table: lockTable },
      );
    }
    if (!told) emit({ kind: "lock-wait", holder: `knex (${lockTable})` });
    told = true;
    await new Promise((r) => setTimeout(r, Math.min(KNEX_LOCK_POLL_MS, Math.max(1, deadline - Date.now()))));
  }
}

/**
 * Waits, taking nothing, until knex's lock is free (or its table does not exist yet), up to the
 * timeout; the lock is then taken under Strata's own (takeKnexLock), where a knex run that took it
 * in between is refused or waited for again.
 */
export async function awaitKnexLockFree(db: Knex, tableName: string, timeoutMs: number, emit: (e: RunEvent) => void): Promise<void> {
  const lockTable = knexLockTable(tableName);
  if (!(await db.schema.hasTable(lockTable))) return;
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const held = await db(lockTable).where("is_locked", "=", 1).first();
    if (!held || Date.now() >= deadline) return;
    if (!told) emit({ kind: "lock-wait", holder: `knex (${lockTable})` });
    told = true;
    await new Promise((r) => setTimeout(r, Math.min(KNEX_LOCK_POLL_MS, Math.max(1, deadline - Date.now()))));
  }
}

/** Frees knex's lock as knex does at the end of its run. */
export async function freeKnexLock(db: Knex, tableName: string): Promise<void> {
  await db(knexLockTable(tableName)).update({ is_locked: 0 });
}
