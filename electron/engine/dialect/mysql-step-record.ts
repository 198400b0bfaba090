import type { RowChange, SqlValue, StepRecord, StepRecordSql } from "./types.js";

/** MySQL's quoting of a name. */
function quoted(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

/**
 * A finished step's record on MySQL, in one multi-statement query: the version changes, then one
 * INSERT that opens the next revision's `running` row and, on the duplicate key, closes this
 * step's row (a closing UPDATE when there is no next row), then the savepoint. Single-table
 * statements only: a multi-table UPDATE costs the server more.
 *
 * `guarded` makes the query fail (error 1690, ONE_ROW_TOUCHED) before anything after a change
 * runs, unless the change touched exactly its one row; the check rides in the next statement
 * where it can (a statement costs the server more than an expression), else in a `do`. The
 * INSERT also fails rather than merge into any row but the one it closes.
 *
 * `record.commit` ends the query with `commit; begin`, so the record commits the step in the same
 * round trip (a carried transaction's step, see StepRecord.commit); then it must be `guarded`, as
 * nothing can be checked once it has committed.
 */
export function mysqlStepRecordSql(record: StepRecord, opts: { readonly guarded: boolean }): StepRecordSql {
  const statements: string[] = record.begin ? ["begin"] : [];
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
  for (const change of record.changes) {
    checkAlone();
    statements.push(changeSql(change, values));
    // An insert that finds its row there fails on the key by itself.
    unchecked = change.kind !== "insert";
  }
  const closed = record.closed;
  let openedIndex: number | null = null;
  if (record.opened) {
    if (record.openedId === undefined) openedIndex = statements.length;
    const columns = Object.keys(record.opened);
    const row = (rowId: string) => `(${columns.map(() => "?").join(", ")}, ${rowId})`;
    const openedId = record.openedId === undefined ? "default" : "?";
    statements.push(
      `insert into ?? (${columns.map(quoted).join(", ")}, \`id\`) values ${row(openedId)}, ${row(`?${checkIn()}`)} ` +
        "on duplicate key update `status` = if(`id` = ?, values(`status`), `id` + ~0), `error` = values(`error`), " +
        "`finished_at` = values(`finished_at`), `duration_ms` = values(`duration_ms`)",
    );
    const opened = record.opened;
    values.push(record.historyTable, ...columns.map((c) => opened[c] ?? null), ...(record.openedId === undefined ? [] : [record.openedId]));
    values.push(...columns.map((c) => closed[c] ?? null), record.closeId, record.closeId);
  } else {
    statements.push(`update ?? set \`status\` = ?, \`error\` = ?, \`finished_at\` = ?, \`duration_ms\` = ?${checkIn()} where \`id\` = ?`);
    values.push(record.historyTable, closed.status ?? null, closed.error ?? null, closed.finished_at ?? null, closed.duration_ms ?? null, record.closeId);
    unchecked = true;
  }
  checkAlone();
  if (record.savepoint) statements.push(`savepoint ${record.savepoint}`);
  if (record.commit) statements.push("commit", "begin");
  return { sql: statements.join(";\n"), values, statements: statements.length, openedIndex };
}

/** One version change as a statement, its values appended to `values`. */
function changeSql(change: RowChange, values: SqlValue[]): string {
  const assign = (row: Readonly<Record<string, SqlValue>>, joiner: string): string => {
    values.push(...Object.values(row));
    return Object.keys(row).map((c) => `${quoted(c)} = ?`).join(joiner);
  };
  values.push(change.table);
  switch (change.kind) {
    case "insert":
      values.push(...Object.values(change.row));
      return `insert into ?? (${Object.keys(change.row).map(quoted).join(", ")}) values (${Object.keys(change.row).map(() => "?").join(", ")})`;
    case "delete":
      return `delete from ?? where ${assign(change.where, " and ")}`;
    case "update": {
      const set = assign(change.set, ", ");
      return `update ?? set ${set} where ${assign(change.where, " and ")}`;
    }
    default:
      return change satisfies never;
  }
}

/** Whether a record's query failed on one of its row-count checks (ONE_ROW_TOUCHED): error 1690. */
export function isMysqlRecordGuardFailure(e: unknown): boolean {
  return (e as { errno?: unknown } | null)?.errno === 1690;
}

/**
 * An expression worth 1 if the statement before it touched one row, and otherwise an error
 * (1690, BIGINT UNSIGNED value out of range, whatever the SQL mode): MySQL has no assertion
 * statement, and a failed statement ends a multi-statement query.
 */
const ONE_ROW_TOUCHED = "((row_count() <> 1) * ~0 + 1)";
