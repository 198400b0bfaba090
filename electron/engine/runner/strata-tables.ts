import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import { insertRowRaw, rowChangeSql, runFixed } from "../dialect/index.js";
import type { Dialect, LockRequest, RowChange, SqlValue, StepRecord } from "../dialect/index.js";
import type { VersionOp } from "../revisions/types.js";
import type { HistoryRow, RunEvent } from "./types.js";

/** Names of Strata's two tables in a database. */
export interface TableNames {
  readonly versionTable: string;
  readonly historyTable: string;
  /** knex mode (issue #15): the steps' version changes go to knex_migrations instead of the version table. */
  readonly knexRows?: KnexRows;
}

/**
 * Where knex mode writes a step's version change: a row of knex_migrations, as knex's migrator
 * writes it (name = the file name, the run's batch, migration_time = now) or deletes it.
 */
export interface KnexRows {
  readonly tableName: string;
  readonly batch: number;
  /** The name knex stores for a revision id. */
  readonly nameOf: (revision: string) => string;
}

/** The one migration lock per database, whatever the tables are called. */
export const MIGRATION_LOCK_NAME = "strata_migrations";

/** How long a second runner waits for the lock by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** The migration lock as migrate, stamp and resolve take it: the timeout asked for, waits reported. */
export function migrationLock(lockTimeoutMs: number | undefined, emit: (e: RunEvent) => void): LockRequest {
  return { name: MIGRATION_LOCK_NAME, timeoutMs: lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, onWait: (holder) => emit({ kind: "lock-wait", holder }) };
}

/**
 * The history table's column naming the run a row belongs to, and the one holding the run's
 * target as the person gave it (issue 19). Tables made before them lack both: the first run
 * there adds them (ensureStrataTables), and their old rows keep null.
 */
export const RUN_ID_COLUMN = "run_id";
export const RUN_TARGET_COLUMN = "run_target";

/**
 * Creates the version and history tables if missing, and adds the run columns to a history table
 * made before them; callers hold the migration lock, so no two runners add them at once.
 */
export async function ensureStrataTables(db: Knex, names: TableNames): Promise<void> {
  // In knex mode knex_migrations stands for the version table, so none is made beside it.
  if (!names.knexRows && !(await db.schema.hasTable(names.versionTable))) {
    await db.schema.createTable(names.versionTable, (t) => defineVersionTable(t, names.versionTable));
  }
  if (!(await db.schema.hasTable(names.historyTable))) {
    await db.schema.createTable(names.historyTable, defineHistoryTable);
  } else if (!(await db.schema.hasColumn(names.historyTable, RUN_ID_COLUMN))) {
    // A table made by a Strata from before run ids (issue 19): its rows stay as they are.
    await db.schema.alterTable(names.historyTable, defineRunColumns);
  }
}

/** The run columns, nullable: rows written before they existed have none. */
function defineRunColumns(t: Knex.CreateTableBuilder | Knex.AlterTableBuilder): void {
  t.string(RUN_ID_COLUMN, 36).nullable();
  // text: a stamp's targets are as many as the person typed.
  t.text(RUN_TARGET_COLUMN).nullable();
}

/** What every history row of one run carries: a random id, and the target as the person gave it. */
export interface RunMark {
  readonly id: string;
  readonly target: string | null;
}

/** A new run's mark; `target` as typed (`heads`, `+2`, `billing@head`), null where a run has none. */
export function newRunMark(target: string | null): RunMark {
  return { id: randomUUID(), target };
}

/** Alembic's version table: one row per head. */
export function defineVersionTable(t: Knex.CreateTableBuilder, table: string): void {
  t.string("version_num", 255).notNullable().primary(`${table}_pkc`);
}

/** One row per executed step. */
export function defineHistoryTable(t: Knex.CreateTableBuilder): void {
  t.increments("id");
  t.string("revision", 255).notNullable();
  t.string("direction", 8).notNullable();
  t.text("message").notNullable();
  t.string("checksum", 64).nullable();
  // ISO-8601 UTC text: the same on every dialect, sortable, and no driver converts it to a local zone.
  t.string("started_at", 32).notNullable();
  t.string("finished_at", 32).nullable();
  t.integer("duration_ms").nullable();
  t.string("status", 16).notNullable();
  t.text("error").nullable();
  t.string("user_name", 255).notNullable();
  t.string("host_name", 255).notNullable();
  t.string("strata_version", 64).notNullable();
  defineRunColumns(t);
}

/** Reads the version table (sorted); [] when it does not exist. */
export async function selectHeads(db: Knex, versionTable: string): Promise<string[]> {
  if (!(await db.schema.hasTable(versionTable))) return [];
  const rows = (await db(versionTable).select("version_num")) as { version_num: string }[];
  return rows.map((r) => r.version_num).sort();
}

/** Applies one step's version-table changes; a change that matches no row means someone else moved the table. */
export async function applyVersionOps(db: Knex, versionTable: string, ops: readonly VersionOp[], knexRows?: KnexRows, dialect?: Dialect): Promise<void> {
  for (const op of ops) {
    const change = rowChangeOf(versionTable, op, knexRows);
    // An insert moves no row, so there is nothing to check; its SQL is the same every step, so no builder (issue 15).
    if (change.kind === "insert" && dialect) {
      const { sql, bindings } = rowChangeSql(db, change);
      await runFixed(db, dialect, sql, bindings);
      continue;
    }
    if (change.kind === "insert") {
      await insertRowRaw(db, change.table, change.row);
      continue;
    }
    const n = await versionOpQuery(db, versionTable, op, knexRows);
    if (Number(n) !== 1) throw versionTableMoved(knexRows?.tableName ?? versionTable, describeOp(op));
  }
}

/**
 * What a sequence of version ops nets out to: the rows to delete and to insert. Inside one
 * transaction the steps in between are invisible, so a batch writes only this.
 */
export function netVersionOps(before: readonly string[], ops: readonly VersionOp[]): VersionOp[] {
  const rows = new Set(before);
  for (const op of ops) {
    switch (op.kind) {
      case "insert":
        rows.add(op.revision);
        break;
      case "delete":
        rows.delete(op.revision);
        break;
      case "update":
        rows.delete(op.from);
        rows.add(op.to);
        break;
      default:
        op satisfies never;
    }
  }
  const gone = before.filter((r) => !rows.has(r));
  const added = [...rows].filter((r) => !before.includes(r));
  // Updates where a row is replaced by another keep the table's row order, as a run step by step would.
  const net: VersionOp[] = [];
  while (gone.length && added.length) net.push({ kind: "update", from: gone.shift()!, to: added.shift()! });
  for (const r of gone) net.push({ kind: "delete", revision: r });
  for (const r of added) net.push({ kind: "insert", revision: r });
  return net;
}

/** Inserts finished history rows in a few statements (a batch run writes them all at its end). */
export async function insertHistoryRows(db: Knex, historyTable: string, entries: readonly HistoryEntry[]): Promise<void> {
  const rows = entries.map(historyRow);
  // Well under every dialect's limit on bound parameters per statement (SQLite's is the lowest).
  for (let i = 0; i < rows.length; i += 50) await db(historyTable).insert(rows.slice(i, i + 50));
}

function versionTableMoved(table: string, what: string): StrataError {
  return new StrataError("INTERNAL", `${table} did not hold the row to ${what}; it was changed outside this run, check it with \`strata current\``, { table });
}

/** A history row being written; timestamps as Dates until the dialect stores them. */
export interface HistoryEntry {
  readonly revision: string;
  readonly direction: HistoryRow["direction"];
  readonly message: string;
  readonly checksum: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly status: HistoryRow["status"];
  readonly error: string | null;
  readonly strataVersion: string;
  /** The run the row belongs to. */
  readonly run: RunMark;
}

/** Inserts a history row and returns its id. */
export async function insertHistory(db: Knex, dialect: Dialect, historyTable: string, e: HistoryEntry): Promise<number> {
  return dialect.insertReturningId(db, historyTable, historyRow(e));
}

/** The history table's columns but `id`. */
type HistoryColumn =
  | "revision"
  | "direction"
  | "message"
  | "checksum"
  | "started_at"
  | "finished_at"
  | "duration_ms"
  | "status"
  | "error"
  | "user_name"
  | "host_name"
  | "strata_version"
  | typeof RUN_ID_COLUMN
  | typeof RUN_TARGET_COLUMN;

function historyRow(e: HistoryEntry): Record<HistoryColumn, SqlValue> {
  return {
    revision: e.revision,
    direction: e.direction,
    message: e.message,
    checksum: e.checksum,
    started_at: e.startedAt.toISOString(),
    finished_at: e.finishedAt ? e.finishedAt.toISOString() : null,
    duration_ms: e.finishedAt ? e.finishedAt.getTime() - e.startedAt.getTime() : null,
    status: e.status,
    error: e.error,
    user_name: currentUser(),
    host_name: currentHost(),
    strata_version: e.strataVersion,
    [RUN_ID_COLUMN]: e.run.id,
    [RUN_TARGET_COLUMN]: e.run.target,
  };
}

/** How closeStep records a finished step where DDL commits as it runs. */
export interface StepClose {
  readonly ops: readonly VersionOp[];
  /** The step's `running` history row, and what it holds. */
  readonly id: number;
  readonly entry: HistoryEntry;
  readonly startedAt: Date;
  /** The next revision's `running` row, opened in the same commit. */
  readonly next: HistoryEntry | null;
  /** Begin a transaction first: the revision's DDL has ended the caller's. */
  readonly reopen: boolean;
  /** A savepoint to set once it is all written (MySQL's --single-transaction, see migrate.ts). */
  readonly savepoint?: string;
  /**
   * Commit the step and begin the next transaction in the record's own query, where the dialect
   * writes the record in one (StepRecord.commit): a carried transaction's step (migrate.ts).
   * Returns whether it did; where it did not, the caller commits.
   */
  readonly commit?: boolean;
}

/**
 * Records a finished step, its version-table changes and its history row closed as `succeeded`,
 * and, given `next`, opens the next revision's `running` row in the same commit; returns that
 * row's id (null without `next`) and whether the query committed the step.
 *
 * On MySQL, where a run of small revisions is bound by round trips and by the statements the
 * server parses, it is one multi-statement query (stepRecordSql). `reopen` begins a transaction
 * first, for when the revision's DDL has ended the caller's: MySQL would otherwise commit each
 * statement on its own. With `commit` (where the dialect can) the same query commits the step
 * and begins the next transaction: the record's checks then run in the query, ahead of its COMMIT.
 */
export async function closeStep(db: Knex, dialect: Dialect, tables: TableNames, close: StepClose): Promise<{ readonly nextId: number | null; readonly committed: boolean }> {
  const { ops, id, startedAt, next, reopen, savepoint } = close;
  if (dialect.bookkeeping !== "multi-statement" || !dialect.stepRecordSql) {
    if (reopen) await db.raw("begin");
    await applyVersionOps(db, tables.versionTable, ops, tables.knexRows, dialect);
    await finishHistory(db, tables.historyTable, id, startedAt, "succeeded", null);
    const nextId = next ? await insertHistory(db, dialect, tables.historyTable, next) : null;
    if (savepoint) await db.raw(`savepoint ${savepoint}`);
    return { nextId, committed: false };
  }
  const table = tables.knexRows?.tableName ?? tables.versionTable;
  const commit = close.commit === true;
  // Once the query has committed nothing can be undone: its own checks stop it before the COMMIT.
  const record = dialect.stepRecordSql(stepRecordOf(tables, close), { guarded: commit });
  let results: { affectedRows?: number; insertId?: number }[];
  try {
    results = (dialect.queryDirect ? await dialect.queryDirect(db, record.sql, record.values) : ((await db.raw(record.sql, [...record.values])) as [unknown])[0]) as typeof results;
  } catch (e) {
    // A guard stopped it: a row it moves or closes was not there. Inserts have no guard (they fail on the key by themselves).
    if (commit && dialect.isRecordGuardFailure?.(e)) {
      const moved = ops.filter((op) => op.kind !== "insert");
      if (moved.length) throw versionTableMoved(table, moved.map(describeOp).join(" or "));
      throw new StrataError("INTERNAL", `${tables.historyTable} did not hold this revision's running row (id ${id}); it was changed outside this run, check it with \`strata history\``, { table: tables.historyTable });
    }
    throw e;
  }
  if (!commit) {
    const own = reopen ? results.slice(1) : results;
    // Each statement touches one row; fewer means the version table moved under the run (the caller rolls back).
    ops.forEach((op, i) => {
      if (Number(own[i]?.affectedRows) !== 1) throw versionTableMoved(table, describeOp(op));
    });
  }
  const nextId = next && record.openedIndex !== null ? Number(results[record.openedIndex]?.insertId) : null;
  return { nextId, committed: commit };
}

/**
 * A finished step's record as plain rows, for the dialect to write in one query
 * (Dialect.stepRecordSql). `nextId` gives the opened row its id: a caller that sends the record
 * ahead of someone else's statement (MySQL's `--single-transaction`, see migrate.ts) cannot read
 * an insert id back.
 */
export function stepRecordOf(tables: TableNames, close: StepClose, nextId?: number): StepRecord {
  const finished = new Date();
  return {
    begin: close.reopen,
    changes: close.ops.map((op) => rowChangeOf(tables.versionTable, op, tables.knexRows)),
    historyTable: tables.historyTable,
    closeId: close.id,
    closed: historyRow({ ...close.entry, startedAt: close.startedAt, finishedAt: finished, status: "succeeded", error: null }),
    opened: close.next ? historyRow(close.next) : null,
    ...(nextId === undefined ? {} : { openedId: nextId }),
    ...(close.savepoint ? { savepoint: close.savepoint } : {}),
    ...(close.commit ? { commit: true } : {}),
  };
}

/** A version op as the row it changes (knex mode: knex's row, as its migrator writes it). */
function rowChangeOf(versionTable: string, op: VersionOp, knexRows?: KnexRows): RowChange {
  if (knexRows) {
    if (op.kind === "update") throw new StrataError("INTERNAL", `knex mode has no version update (${describeOp(op)})`);
    const name = knexRows.nameOf(op.revision);
    return op.kind === "insert"
      ? { kind: "insert", table: knexRows.tableName, row: { name, batch: knexRows.batch, migration_time: new Date() } }
      : { kind: "delete", table: knexRows.tableName, where: { name } };
  }
  switch (op.kind) {
    case "insert":
      return { kind: "insert", table: versionTable, row: { version_num: op.revision } };
    case "delete":
      return { kind: "delete", table: versionTable, where: { version_num: op.revision } };
    case "update":
      return { kind: "update", table: versionTable, set: { version_num: op.to }, where: { version_num: op.from } };
    default:
      op satisfies never;
      throw new StrataError("INTERNAL", `unknown version op ${JSON.stringify(op)}`);
  }
}

/**
 * A finished step where DDL is transactional (the caller's transaction holds the revision): its
 * version-table changes and its `succeeded` history row. On PostgreSQL a step of one change (any
 * linear step) is one statement, the change in a data-modifying WITH beside the row's INSERT: one
 * round trip, as knex makes one per migration.
 */
export async function recordStep(db: Knex, dialect: Dialect, tables: TableNames, ops: readonly VersionOp[], entry: HistoryEntry): Promise<void> {
  const op = ops.length === 1 ? ops[0]! : null;
  if (dialect.bookkeeping !== "with-clause" || op === null) {
    await applyVersionOps(db, tables.versionTable, ops, tables.knexRows, dialect);
    await insertHistory(db, dialect, tables.historyTable, entry);
    return;
  }
  const change = rowChangeSql(db, rowChangeOf(tables.versionTable, op, tables.knexRows), tables.knexRows ? "name" : "version_num");
  const insert = rowChangeSql(db, { kind: "insert", table: tables.historyTable, row: historyRow(entry) });
  const result = (await db.raw(`with changed as (${change.sql}) ${insert.sql} returning (select count(*) from changed) as changed`, [
    ...change.bindings,
    ...insert.bindings,
  ])) as { rows: { changed: string | number }[] };
  // The row is written either way; a change that matched nothing throws, and the caller rolls both back.
  if (Number(result.rows[0]?.changed) !== 1) throw versionTableMoved(tables.knexRows?.tableName ?? tables.versionTable, describeOp(op));
}

/**
 * recordStep's rows as literal statements (each ending in `;`), for a caller that sends them in
 * the one query that commits the step (Dialect.commitAndBegin): one round trip a revision for its
 * bookkeeping and commit where there were two (issue 15). The dialect writes the values in
 * (Dialect.inlineStatement). Only for a step whose changes are all inserts (every upgrade in knex
 * mode): an insert has no row count to check, and a failing statement stops the query before its
 * COMMIT. Null where that does not hold, or a value cannot be written in; the caller uses recordStep.
 */
export function recordStepStatements(db: Knex, dialect: Dialect, tables: TableNames, ops: readonly VersionOp[], entry: HistoryEntry): string | null {
  const inline = dialect.inlineStatement?.bind(dialect);
  if (!inline || dialect.bookkeeping !== "with-clause" || ops.some((op) => op.kind !== "insert")) return null;
  const bound = [...ops.map((op) => rowChangeSql(db, rowChangeOf(tables.versionTable, op, tables.knexRows))), rowChangeSql(db, { kind: "insert", table: tables.historyTable, row: historyRow(entry) })];
  let sql = "";
  for (const b of bound) {
    const statement = inline(db, b.sql, b.bindings);
    if (statement === null) return null;
    sql += `${statement};\n`;
  }
  return sql;
}

function versionOpQuery(db: Knex, versionTable: string, op: VersionOp, knexRows?: KnexRows): Knex.QueryBuilder {
  if (knexRows) {
    const name = knexRows.nameOf(op.kind === "update" ? op.to : op.revision);
    if (op.kind === "insert") return db(knexRows.tableName).insert({ name, batch: knexRows.batch, migration_time: new Date() });
    if (op.kind === "delete") return db(knexRows.tableName).where({ name }).delete();
    throw new StrataError("INTERNAL", `knex mode has no version update (${describeOp(op)})`);
  }
  switch (op.kind) {
    case "insert":
      return db(versionTable).insert({ version_num: op.revision });
    case "delete":
      return db(versionTable).where({ version_num: op.revision }).delete();
    case "update":
      return db(versionTable).where({ version_num: op.from }).update({ version_num: op.to });
    default:
      op satisfies never;
      throw new StrataError("INTERNAL", `unknown version op ${JSON.stringify(op)}`);
  }
}

function describeOp(op: VersionOp): string {
  return op.kind === "update" ? `update ${op.from} to ${op.to}` : `${op.kind} ${op.revision}`;
}

/** Closes a `running` history row. */
export async function finishHistory(
  db: Knex,
  historyTable: string,
  id: number,
  startedAt: Date,
  status: "succeeded" | "failed",
  error: string | null,
  /** More columns written in the same statement (the statements a half-applied run recorded). */
  extra: Readonly<Record<string, string>> = {},
): Promise<void> {
  const finished = new Date();
  await db(historyTable)
    .where({ id })
    .update({ status, error, finished_at: finished.toISOString(), duration_ms: finished.getTime() - startedAt.getTime(), ...extra });
}

let user: string | undefined;

/** Who runs Strata, looked up once per process (the lookup reads the password database). */
export function currentUser(): string {
  if (user === undefined) {
    try {
      user = os.userInfo().username;
    } catch {
      user = process.env.USER ?? "unknown";
    }
  }
  return user;
}

let host: string | undefined;

/** This machine's name, looked up once per process (a system call per history row otherwise). */
export function currentHost(): string {
  host ??= os.hostname();
  return host;
}
