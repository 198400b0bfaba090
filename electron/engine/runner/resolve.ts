import os from "node:os";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import type { Dialect } from "../dialect/index.js";
import type { Direction, Step } from "../revisions/types.js";
import { awaitKnexLockFree, freeKnexLock, nextKnexBatch, selectKnexNames, takeKnexLock } from "./knex-migrations.js";
import { DEFAULT_LOCK_TIMEOUT_MS, migrationLock, applyVersionOps, selectHeads } from "./strata-tables.js";
import type { RunEvent } from "./types.js";
import { RESOLVED_PREFIX, readUnresolved } from "./unresolved.js";
import type { UnresolvedRun } from "./unresolved.js";

/** What the person found in the database. */
export type ResolveOutcome = "applied" | "rolled-back";

/** Options of resolveRun(). */
export interface ResolveOptions {
  /** Full revision id. */
  readonly revision: string;
  readonly outcome: ResolveOutcome;
  /** The version-table changes of running the revision in this direction from these rows, as a run would record them. */
  readonly makeStep: (heads: readonly string[], revision: string, direction: Direction) => Step;
  readonly versionTable: string;
  readonly historyTable: string;
  readonly lockTimeoutMs?: number;
  readonly onEvent?: (e: RunEvent) => void;
  /**
   * Called under the lock with the row to be resolved, before anything is written: it may refuse
   * (throw: the live schema contradicts the outcome), or change the database first (undo the
   * statements that ran) and return what it did, for the history row's note.
   */
  readonly beforeRecord?: (db: Knex, row: UnresolvedRun) => Promise<string | null>;
  /**
   * knex mode (issue #15): knex_migrations is the record instead of the version table. `applied`
   * writes the row knex would (an up: its file name in a new batch; a down: the row deleted),
   * under knex's lock as a run takes it; `rolled-back` writes nothing there.
   */
  readonly knex?: ResolveKnexRecord;
}

/** Where knex mode keeps what ran, and how its rows read as heads. */
export interface ResolveKnexRecord {
  readonly tableName: string;
  /** The name knex stores for a revision (its file name). */
  readonly nameOf: (revision: string) => string;
  /** The heads knex_migrations' names stand for: the last applied file in the folder's order. */
  readonly headsOf: (names: readonly string[]) => readonly string[];
}

/** What resolveRun() recorded. */
export interface ResolveResult {
  readonly revision: string;
  readonly direction: Direction;
  readonly outcome: ResolveOutcome;
  readonly historyId: number;
  readonly headsBefore: readonly string[];
  readonly heads: readonly string[];
  /** The history row's note: how it was resolved and by whom. */
  readonly note: string;
}

/**
 * Records what a person found after a revision was interrupted or failed half way: `applied`
 * moves the version table exactly as the step would have and marks the row succeeded;
 * `rolled-back` leaves the version table and marks the row failed. Under the migration lock.
 */
export async function resolveRun(knex: Knex, dialect: Dialect, opts: ResolveOptions): Promise<ResolveResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const record = opts.knex;
  if (!record) return dialect.withLock(knex, migrationLock(opts.lockTimeoutMs, emit), (db) => resolveUnderLock(db, opts, null));
  // knex's lock as migrate() takes it: waited for outside Strata's (on SQLite that one keeps knex
  // from ever freeing its own), then taken under it.
  const timeoutMs = opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  await awaitKnexLockFree(knex, record.tableName, timeoutMs, emit);
  return dialect.withLock(knex, migrationLock(opts.lockTimeoutMs, emit), async (db) => {
    await takeKnexLock(db, record.tableName, dialect.lockBlocksWriters ? 0 : Math.max(0, deadline - Date.now()), emit);
    let result: ResolveResult;
    try {
      result = await resolveUnderLock(db, opts, record);
    } catch (e) {
      await freeKnexLock(db, record.tableName).catch(() => undefined);
      throw e;
    }
    await freeKnexLock(db, record.tableName);
    return result;
  });
}

/** The heads before and after, from the version table or (knex mode) knex_migrations. */
async function readRecordHeads(db: Knex, opts: ResolveOptions, record: ResolveKnexRecord | null): Promise<readonly string[]> {
  return record ? record.headsOf(await selectKnexNames(db, record.tableName)) : selectHeads(db, opts.versionTable);
}

/**
 * knex mode's record of `applied`: the file's row is there after an up and gone after a down,
 * as knex would leave it. A row already so (knex's own run since) is left as it is: never twice.
 */
async function recordAppliedInKnex(db: Knex, record: ResolveKnexRecord, row: UnresolvedRun): Promise<void> {
  const name = record.nameOf(row.revision);
  const present = (await selectKnexNames(db, record.tableName)).includes(name);
  if (row.direction === "up" ? present : !present) return;
  const knexRows = { tableName: record.tableName, batch: await nextKnexBatch(db, record.tableName), nameOf: record.nameOf };
  await applyVersionOps(db, record.tableName, [{ kind: row.direction === "up" ? "insert" : "delete", revision: row.revision }], knexRows);
}

/** resolveRun's work once the locks are held: the row found, beforeRecord, then the record in one transaction. */
async function resolveUnderLock(db: Knex, opts: ResolveOptions, record: ResolveKnexRecord | null): Promise<ResolveResult> {
  const unresolved = await readUnresolved(db, opts.historyTable);
  const row = unresolved.filter((u) => u.revision === opts.revision).pop();
  if (!row) {
    const others = unresolved.length ? `; unresolved: ${unresolved.map((u) => u.revision).join(", ")}` : "";
    throw new StrataError(
      "USAGE",
      `revision ${opts.revision} has nothing to resolve: its last run was not interrupted and did not fail half way${others}`,
      { revision: opts.revision, unresolved: unresolved.map((u) => u.revision) },
    );
  }
  const headsBefore = await readRecordHeads(db, opts, record);
  const step = opts.outcome === "applied" && !record ? opts.makeStep(headsBefore, row.revision, row.direction) : null;
  const done = opts.beforeRecord ? await opts.beforeRecord(db, row) : null;
  const now = new Date();
  const note = `${RESOLVED_PREFIX}${opts.outcome === "applied" ? "applied" : "rolled back"} by ${whoAmI()} at ${now.toISOString()}${done ? ` (${done})` : ""}`;
  const was = row.status === "running" ? "the runner stopped before recording how the revision ended" : (row.error ?? "failed");
  await db.transaction(async (trx) => {
    if (step) await applyVersionOps(trx, opts.versionTable, step.ops);
    if (record && opts.outcome === "applied") await recordAppliedInKnex(trx, record, row);
    const n = await trx(opts.historyTable)
      .where({ id: row.id, status: row.status })
      .update({
        status: opts.outcome === "applied" ? "succeeded" : "failed",
        error: `${note}; it was: ${was}`,
        ...(row.status === "running" ? { finished_at: now.toISOString() } : {}),
      });
    if (Number(n) !== 1) throw new StrataError("INTERNAL", `history row ${row.id} of ${row.revision} changed while it was being resolved; run \`strata status\` and try again`);
  });
  return {
    revision: row.revision,
    direction: row.direction,
    outcome: opts.outcome,
    historyId: row.id,
    headsBefore,
    heads: await readRecordHeads(db, opts, record),
    note,
  };
}

function whoAmI(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? "unknown";
  }
  return `${user}@${os.hostname()}`;
}
