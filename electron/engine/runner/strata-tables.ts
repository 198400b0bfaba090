import os from "node:os";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import type { Dialect, LockRequest } from "../dialect/index.js";
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

/** Creates the version and history tables if missing; callers hold the migration lock. */
export async function ensureStrataTables(db: Knex, names: TableNames): Promise<void> {
  // In knex mode knex_migrations stands for the version table, so none is made beside it.
  if (!names.knexRows && !(await db.schema.hasTable(names.versionTable))) {
    await db.schema.createTable(names.versionTable, (t) => defineVersionTable(t, names.versionTable));
  }
  if (!(await db.schema.hasTable(names.historyTable))) {
    await db.schema.createTable(names.historyTable, defineHistoryTable);
  }
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
}

/** Reads the version table (sorted); [] when it does not exist. */
export async function selectHeads(db: Knex, versionTable: string): Promise<string[]> {
  if (!(await db.schema.hasTable(versionTable))) return [];
  const rows = (await db(versionTable).select("version_num")) as { version_num: string }[];
  return rows.map((r) => r.version_num).sort();
}

/** Applies one step's version-table changes; a change that matches no row means someone else moved the table. */
export async function applyVersionOps(db: Knex, versionTable: string, ops: readonly VersionOp[], knexRows?: KnexRows): Promise<void> {
  for (const op of ops) {
    const n = await versionOpQuery(db, versionTable, op, knexRows);
    if (op.kind !== "insert" && Number(n) !== 1) throw versionTableMoved(knexRows?.tableName ?? versionTable, describeOp(op));
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
}

/** Inserts a history row and returns its id. */
export async function insertHistory(db: Knex, dialect: Dialect, historyTable: string, e: HistoryEntry): Promise<number> {
  return dialect.insertReturningId(db, historyTable, historyRow(e));
}

/** The history table's columns but `id`, in the order historyValues gives them. */
const HISTORY_COLUMNS = ["revision", "direction", "message", "checksum", "started_at", "finished_at", "duration_ms", "status", "error", "user_name", "host_name", "strata_version"] as const;
/** MySQL's quoting, for stepRecordSql. */
const HISTORY_COLUMN_LIST = HISTORY_COLUMNS.map((c) => `\`${c}\``).join(", ");

/** A history row's values in HISTORY_COLUMNS' order. */
function historyValues(e: HistoryEntry): SqlValue[] {
  const row = historyRow(e);
  return HISTORY_COLUMNS.map((c) => row[c]);
}

function historyRow(e: HistoryEntry): Record<(typeof HISTORY_COLUMNS)[number], SqlValue> {
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
    host_name: os.hostname(),
    strata_version: e.strataVersion,
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
}

/**
 * Records a finished step, its version-table changes and its history row closed as `succeeded`,
 * and, given `next`, opens the next revision's `running` row in the same commit; returns that
 * row's id (null without `next`).
 *
 * On MySQL, where a run of small revisions is bound by round trips and by the statements the
 * server parses, it is one multi-statement query (stepRecordSql). `reopen` begins a transaction
 * first, for when the revision's DDL has ended the caller's: MySQL would otherwise commit each
 * statement on its own.
 */
export async function closeStep(db: Knex, dialect: Dialect, tables: TableNames, close: StepClose): Promise<number | null> {
  const { ops, id, startedAt, next, reopen, savepoint } = close;
  if (dialect.bookkeeping !== "multi-statement") {
    if (reopen) await db.raw("begin");
    await applyVersionOps(db, tables.versionTable, ops, tables.knexRows);
    await finishHistory(db, tables.historyTable, id, startedAt, "succeeded", null);
    const nextId = next ? await insertHistory(db, dialect, tables.historyTable, next) : null;
    if (savepoint) await db.raw(`savepoint ${savepoint}`);
    return nextId;
  }
  const record = stepRecordSql(tables, close, { guarded: false });
  const [results] = (await db.raw(record.sql, [...record.values])) as [{ affectedRows?: number; insertId?: number }[]];
  const own = reopen ? results.slice(1) : results;
  // Each statement touches one row; fewer means the version table moved under the run (the caller rolls back).
  ops.forEach((op, i) => {
    if (Number(own[i]?.affectedRows) !== 1) throw versionTableMoved(tables.knexRows?.tableName ?? tables.versionTable, describeOp(op));
  });
  return next ? Number(own[ops.length]?.insertId) : null;
}

/** What Strata's tables hold: text, numbers and nulls. */
type SqlValue = string | number | Date | null;

/** A step's record as MySQL SQL: `?` for values and `??` for names, as both knex's raw and the driver's format read them. */
export interface StepRecordSql {
  readonly sql: string;
  readonly values: readonly SqlValue[];
  /** How many statements (and so results) it holds. */
  readonly statements: number;
}

/**
 * A finished step's record on MySQL, in one multi-statement query: the version changes, then one
 * INSERT that opens the next revision's `running` row and, on the duplicate key, closes this
 * step's row (a closing UPDATE when there is no next row), then the savepoint. Single-table
 * statements only: a multi-table UPDATE costs the server more.
 *
 * `nextId` gives the opened row its id: a caller that sends the record ahead of someone else's
 * statement (MySQL's `--single-transaction`, see migrate.ts) cannot read an insert id back.
 * `guarded` makes the query fail (error 1690, ONE_ROW_TOUCHED) before anything after a change runs,
 * unless the change touched exactly its one row; the check rides in the next statement where it
 * can (a statement costs the server more than an expression), else in a `do`. The INSERT also
 * fails rather than merge into any row but the one it closes. A caller that reads each
 * statement's result (closeStep) checks them itself.
 */
export function stepRecordSql(tables: TableNames, close: StepClose, opts: { readonly guarded: boolean; readonly nextId?: number }): StepRecordSql {
  const { ops, id, entry, startedAt, next, reopen, savepoint } = close;
  const statements: string[] = reopen ? ["begin"] : [];
  const values: SqlValue[] = [];
  // Whether the last statement must be checked to have touched exactly one row.
  let unchecked = false;
  // The check as a factor of a value of the next statement, or as a statement of its own.
  const checkIn = () => {
    const factor = opts.guarded && unchecked ? ` * ${ONE_ROW_TOUCHED}` : "";
    unchecked = false;
    return factor;
  };
  const checkAlone = () => {
    if (opts.guarded && unchecked) statements.push(`do ${ONE_ROW_TOUCHED}`);
    unchecked = false;
  };
  const knexRows = tables.knexRows;
  for (const op of ops) {
    checkAlone();
    if (knexRows) {
      // knex mode: knex's row, as its migrator writes it (a Date, bound as knex binds it).
      if (op.kind === "update") throw new StrataError("INTERNAL", `knex mode has no version update (${describeOp(op)})`);
      if (op.kind === "insert") {
        statements.push("insert into ?? (`name`, `batch`, `migration_time`) values (?, ?, ?)");
        values.push(knexRows.tableName, knexRows.nameOf(op.revision), knexRows.batch, new Date());
      } else {
        statements.push("delete from ?? where `name` = ?");
        values.push(knexRows.tableName, knexRows.nameOf(op.revision));
      }
      unchecked = op.kind !== "insert";
      continue;
    }
    switch (op.kind) {
      case "insert":
        statements.push("insert into ?? (`version_num`) values (?)");
        values.push(tables.versionTable, op.revision);
        break;
      case "delete":
        statements.push("delete from ?? where `version_num` = ?");
        values.push(tables.versionTable, op.revision);
        break;
      case "update":
        statements.push("update ?? set `version_num` = ? where `version_num` = ?");
        values.push(tables.versionTable, op.to, op.from);
        break;
      default:
        op satisfies never;
        throw new StrataError("INTERNAL", `unknown version op ${JSON.stringify(op)}`);
    }
    // An insert that finds its row there fails on the key by itself.
    unchecked = op.kind !== "insert";
  }
  const finished = new Date();
  const finishedAt = finished.toISOString();
  const durationMs = finished.getTime() - startedAt.getTime();
  if (next) {
    const opened = historyValues(next);
    const closed = historyValues({ ...entry, finishedAt: finished, status: "succeeded", error: null });
    const openedId = opts.nextId === undefined ? "default" : "?";
    const row = (rowId: string) => `(${HISTORY_COLUMNS.map(() => "?").join(", ")}, ${rowId})`;
    statements.push(
      `insert into ?? (${HISTORY_COLUMN_LIST}, \`id\`) values ${row(openedId)}, ${row(`?${checkIn()}`)} ` +
        "on duplicate key update `status` = if(`id` = ?, values(`status`), `id` + ~0), `error` = values(`error`), " +
        "`finished_at` = values(`finished_at`), `duration_ms` = values(`duration_ms`)",
    );
    values.push(tables.historyTable, ...opened, ...(opts.nextId === undefined ? [] : [opts.nextId]), ...closed, id, id);
  } else {
    statements.push(`update ?? set \`status\` = 'succeeded', \`error\` = null, \`finished_at\` = ?, \`duration_ms\` = ?${checkIn()} where \`id\` = ?`);
    values.push(tables.historyTable, finishedAt, durationMs, id);
    unchecked = true;
  }
  checkAlone();
  if (savepoint) statements.push(`savepoint ${savepoint}`);
  return { sql: statements.join(";\n"), values, statements: statements.length };
}

/** Whether a record's query failed on one of its row-count checks (ONE_ROW_TOUCHED): error 1690. */
export function isRowCountGuardFailure(e: unknown): boolean {
  return (e as { errno?: unknown } | null)?.errno === 1690;
}

/**
 * An expression worth 1 if the statement before it touched one row, and otherwise an error
 * (1690, BIGINT UNSIGNED value out of range, whatever the SQL mode): MySQL has no assertion
 * statement, and a failed statement ends a multi-statement query.
 */
const ONE_ROW_TOUCHED = "((row_count() <> 1) * ~0 + 1)";

/**
 * A finished step where DDL is transactional (the caller's transaction holds the revision): its
 * version-table changes and its `succeeded` history row. On PostgreSQL a step of one change (any
 * linear step) is one statement, the change in a data-modifying WITH beside the row's INSERT: one
 * round trip, as knex makes one per migration.
 */
export async function recordStep(db: Knex, dialect: Dialect, tables: TableNames, ops: readonly VersionOp[], entry: HistoryEntry): Promise<void> {
  const op = ops.length === 1 ? ops[0]! : null;
  if (dialect.bookkeeping !== "with-clause" || op === null) {
    await applyVersionOps(db, tables.versionTable, ops, tables.knexRows);
    await insertHistory(db, dialect, tables.historyTable, entry);
    return;
  }
  const change = versionOpQuery(db, tables.versionTable, op, tables.knexRows)
    .returning(tables.knexRows ? "name" : "version_num")
    .toSQL();
  const insert = db(tables.historyTable).insert(historyRow(entry)).toSQL();
  const result = (await db.raw(`with changed as (${change.sql}) ${insert.sql} returning (select count(*) from changed) as changed`, [
    ...change.bindings,
    ...insert.bindings,
  ])) as { rows: { changed: string | number }[] };
  // The row is written either way; a change that matched nothing throws, and the caller rolls both back.
  if (Number(result.rows[0]?.changed) !== 1) throw versionTableMoved(tables.knexRows?.tableName ?? tables.versionTable, describeOp(op));
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
): Promise<void> {
  const finished = new Date();
  await db(historyTable)
    .where({ id })
    .update({ status, error, finished_at: finished.toISOString(), duration_ms: finished.getTime() - startedAt.getTime() });
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
