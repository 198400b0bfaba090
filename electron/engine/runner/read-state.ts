import type { Knex } from "knex";
import type { Dialect, UnlockResult } from "../dialect/index.js";
import { MIGRATION_LOCK_NAME, RUN_ID_COLUMN, RUN_TARGET_COLUMN, selectHeads } from "./strata-tables.js";
import type { HistoryRow } from "./types.js";
import { STATEMENTS_COLUMN, parseRecorded } from "./unresolved.js";

/** The version table's rows, sorted; [] when it does not exist. Takes no lock. */
export async function readHeads(knex: Knex, opts: { readonly versionTable: string }): Promise<string[]> {
  return selectHeads(knex, opts.versionTable);
}

/** Options of readHistory(). */
export interface HistoryQuery {
  readonly historyTable: string;
  readonly limit?: number;
  readonly revision?: string;
  readonly status?: HistoryRow["status"];
}

/** History rows, newest first; [] when the table does not exist. */
export async function readHistory(knex: Knex, q: HistoryQuery): Promise<HistoryRow[]> {
  if (!(await knex.schema.hasTable(q.historyTable))) return [];
  let query = knex(q.historyTable).select("*").orderBy("id", "desc");
  if (q.revision !== undefined) query = query.where({ revision: q.revision });
  if (q.status !== undefined) query = query.where({ status: q.status });
  if (q.limit !== undefined) query = query.limit(q.limit);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map(toHistoryRow);
}

/**
 * For `strata check`: the checksum of each revision still applied, from its last succeeded `up`
 * not undone by a later succeeded `down`, or the edited file a later `repair` accepted for it.
 * Stamps carry no checksum and are not counted.
 */
export async function readAppliedChecksums(knex: Knex, opts: { readonly historyTable: string }): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!(await knex.schema.hasTable(opts.historyTable))) return out;
  const rows = (await knex(opts.historyTable)
    .select("revision", "direction", "checksum")
    .where({ status: "succeeded" })
    .whereIn("direction", ["up", "down", "repair"])
    .orderBy("id", "asc")) as { revision: string; direction: string; checksum: string | null }[];
  for (const r of rows) {
    if (r.direction === "down") out.delete(r.revision);
    // A repair accepts a new file for a revision that is applied; one left over from before a downgrade means nothing.
    else if (r.direction === "repair") {
      if (r.checksum && out.has(r.revision)) out.set(r.revision, r.checksum);
    } else if (r.checksum) out.set(r.revision, r.checksum);
  }
  return out;
}

/** Who holds the migration lock now; null when it is free. */
export async function readLockHolder(knex: Knex, dialect: Dialect): Promise<string | null> {
  return dialect.describeLockHolder(knex, MIGRATION_LOCK_NAME);
}

/** For `strata unlock`: ends the session holding the lock where the dialect can. */
export async function forceUnlock(knex: Knex, dialect: Dialect): Promise<UnlockResult> {
  return dialect.terminateLockHolder(knex, MIGRATION_LOCK_NAME);
}

/** The migrations knex applied, in order; null when the table does not exist. */
export async function readKnexMigrations(knex: Knex, tableName = "knex_migrations"): Promise<string[] | null> {
  if (!(await knex.schema.hasTable(tableName))) return null;
  const rows = (await knex(tableName).select("name").orderBy("id", "asc")) as { name: string }[];
  return rows.map((r) => r.name);
}

function toHistoryRow(r: Record<string, unknown>): HistoryRow {
  return {
    id: Number(r.id),
    revision: String(r.revision),
    direction: r.direction as HistoryRow["direction"],
    message: String(r.message ?? ""),
    checksum: (r.checksum as string | null) ?? null,
    startedAt: String(r.started_at),
    finishedAt: (r.finished_at as string | null) ?? null,
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
    status: r.status as HistoryRow["status"],
    error: (r.error as string | null) ?? null,
    user: String(r.user_name),
    host: String(r.host_name),
    strataVersion: String(r.strata_version),
    // Absent from a table no run of this version has reached yet, null in the rows from before it.
    runId: (r[RUN_ID_COLUMN] as string | null | undefined) ?? null,
    runTarget: (r[RUN_TARGET_COLUMN] as string | null | undefined) ?? null,
    ...(r[STATEMENTS_COLUMN] ? { statements: parseRecorded(r[STATEMENTS_COLUMN]) } : {}),
  };
}

