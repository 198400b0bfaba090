import type { Knex } from "knex";
import type { Dialect, RowChange, SqlRow } from "./types.js";

/** A statement with `?` placeholders and the values they bind, ready for knex.raw. */
export interface BoundSql {
  readonly sql: string;
  readonly bindings: readonly Knex.Value[];
}

/** A row change as knex's builder wrote it: its SQL, and where each `?` takes its value from ("s:" set, "w:" where, "r:" row, then the column). */
interface ChangeShape {
  readonly sql: string;
  readonly sources: readonly string[];
}

/** Per knex client (a run's transaction has its own), per kind, table, columns and returning. */
const shapes = new WeakMap<object, Map<string, ChangeShape>>();

/**
 * A row change (insert, delete, update of named columns) as SQL that knex's builder wrote once for
 * the same client, table and columns. A run writes the same bookkeeping statements once per
 * revision; on SQLite the builder cost more than the statement itself (issue 15). Values are
 * bound as the builder binds them (knex's driver still converts a Date or a boolean); none may be
 * undefined.
 */
export function rowChangeSql(db: Knex, change: RowChange, returning?: string): BoundSql {
  let byKey = shapes.get(db.client);
  if (!byKey) shapes.set(db.client, (byKey = new Map()));
  const parts: Readonly<Record<string, SqlRow>> = change.kind === "insert" ? { r: change.row } : change.kind === "delete" ? { w: change.where } : { s: change.set, w: change.where };
  const key = [change.kind, change.table, returning ?? "", ...Object.entries(parts).flatMap(([p, row]) => Object.keys(row).map((c) => `${p}:${c}`))].join("\u0000");
  let shape = byKey.get(key);
  if (!shape) {
    // Each value is where it comes from: the builder's bindings then say what each `?` takes.
    const marked = (p: string, row: object) => Object.fromEntries(Object.keys(row).map((c) => [c, `\u0000${p}:${c}`]));
    let q: Knex.QueryBuilder;
    if (change.kind === "insert") q = db(change.table).insert(marked("r", change.row));
    else if (change.kind === "delete") q = db(change.table).where(marked("w", change.where)).delete();
    else q = db(change.table).where(marked("w", change.where)).update(marked("s", change.set));
    if (returning !== undefined) q = q.returning(returning);
    const compiled = q.toSQL();
    shape = { sql: compiled.sql, sources: compiled.bindings.map((b) => String(b).slice(1)) };
    byKey.set(key, shape);
  }
  return { sql: shape.sql, bindings: shape.sources.map((source) => valueAt(parts, source)) };
}

function valueAt(parts: Readonly<Record<string, SqlRow>>, source: string): Knex.Value {
  const colon = source.indexOf(":");
  return parts[source.slice(0, colon)]?.[source.slice(colon + 1)] ?? null;
}

/** Inserts one row through knex.raw (see rowChangeSql). */
export function insertRowRaw(db: Knex, table: string, row: SqlRow): Knex.Raw {
  const { sql, bindings } = rowChangeSql(db, { kind: "insert", table, row });
  return db.raw(sql, bindings);
}

/** A fixed bookkeeping statement, straight on the driver where the dialect can (Dialect.runDirect), else through knex.raw. */
export async function runFixed(db: Knex, dialect: Dialect, sql: string, bindings: readonly Knex.Value[] = []): Promise<void> {
  if (dialect.runDirect) await dialect.runDirect(db, sql, bindings);
  else await db.raw(sql, bindings as Knex.Value[]);
}
