import type { ColumnModel, ForeignKeyModel, NotComparedModel, ReferentialAction, SchemaModel, TableModel } from "../../../shared/schema.js";
import { normalizeDefault, splitTopLevel, stripOuterParens, unquoteIdentifier } from "../introspect/normal-form.js";
import { qualifiedName } from "./change.js";

/** An object, or part of one, that a compare across dialects leaves out, with the reason in words. */
export interface SetAsideModel extends NotComparedModel {
  /** Which sides hold it: "both", or the one side that has it. */
  readonly presence: "both" | "from" | "to";
  readonly reason: string;
}

/** Two models brought to what both dialects can say, and what that left out (issue 19, point 1). */
export interface CrossDialectModels {
  readonly from: SchemaModel;
  readonly to: SchemaModel;
  readonly setAside: readonly SetAsideModel[];
}

const INTEGERS = new Set(["tinyint", "smallint", "mediumint", "integer", "bigint"]);
const FLOATS: Readonly<Record<string, string>> = { real: "float", float: "float", double: "double" };
const TEXTS = new Set(["text", "tinytext", "mediumtext", "longtext", "clob"]);
const BINARIES = new Set(["bytea", "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary"]);
const TIMESTAMPS = new Set(["timestamp", "timestamptz", "datetime"]);

/**
 * A column's type in words both dialects share: aliases are folded by the introspectors already
 * (int4 -> integer, character varying -> varchar, tinyint(1) -> boolean); here the spellings that
 * differ only by dialect meet (timestamp with time zone / timestamp / datetime, real / float(8,2),
 * uuid / char(36) as knex writes it, jsonb / json). SQLite keeps no integer sizes and stores every
 * non-integer number as REAL (knex writes decimal as float there), so against it those fold further.
 */
function portableType(c: ColumnModel, sqlite: boolean): Pick<ColumnModel, "type" | "length" | "precision" | "scale"> {
  const bare = { length: null, precision: null, scale: null };
  const t = c.type.toLowerCase();
  if (c.enumValues && c.enumValues.length > 0) return { type: "enum", ...bare };
  if (INTEGERS.has(t)) return { type: sqlite ? "integer" : t, ...bare };
  if (sqlite && (t in FLOATS || t === "decimal" || t === "numeric")) return { type: "float", ...bare };
  if (t in FLOATS) return { type: FLOATS[t]!, ...bare };
  if (t === "numeric" || t === "decimal") return { type: "decimal", length: null, precision: c.precision, scale: c.scale };
  if (TEXTS.has(t)) return { type: "text", ...bare };
  if (t === "uuid") return { type: "char", length: 36, precision: null, scale: null };
  if (TIMESTAMPS.has(t)) return { type: "timestamp", ...bare };
  if (t === "jsonb") return { type: "json", ...bare };
  if (BINARIES.has(t)) return { type: "binary", ...bare };
  if (t === "varchar" || t === "char") return { type: t, length: c.length, precision: null, scale: null };
  return { type: t, length: c.length, precision: c.precision, scale: c.scale };
}

/** RESTRICT and NO ACTION are one thing on MySQL and SQLite (PostgreSQL differs only for deferred checks). */
const action = (a: ReferentialAction): ReferentialAction => (a === "RESTRICT" ? "NO ACTION" : a);

/**
 * The values of a check that only lists a column's allowed strings, the way knex writes an enum
 * where the database has no enum column: `status in ('a', 'b')` (SQLite) or
 * `status = ANY (ARRAY['a'::text, 'b'::text])` (PostgreSQL). null for any other check.
 */
export function enumCheckValues(expression: string): { column: string; values: string[] } | null {
  const s = stripOuterParens(expression);
  const m = /^([`"]?\w+[`"]?)\s+in\s*\(([\s\S]*)\)$/i.exec(s) ?? /^\(?([`"]?\w+[`"]?)\)?(?:::\w+)?\s*=\s*any\s*\(\s*\(?array\s*\[([\s\S]*)\]\)?(?:::[\w[\]\s]+)?\s*\)$/i.exec(s);
  if (!m) return null;
  const values: string[] = [];
  for (const part of splitTopLevel(m[2]!)) {
    const literal = /^'((?:[^']|'')*)'(?:::[\w\s]+)?$/.exec(part.trim());
    if (!literal) return null;
    values.push(literal[1]!.replace(/''/g, "'"));
  }
  return { column: unquoteIdentifier(m[1]!), values };
}

function portableDefault(c: ColumnModel, type: string): string | null {
  if (c.identity) return null;
  const d = normalizeDefault(c.default, type);
  if (d === null) return null;
  // MySQL writes a time default with its precision (CURRENT_TIMESTAMP(6)); the others without.
  if (/^current_timestamp(\(\d*\))?$/i.test(d) || /^localtimestamp(\(\d*\))?$/i.test(d)) return "current_timestamp";
  return /^'/.test(d) ? d : d.toLowerCase();
}

/** One table at the level both dialects share, and the words for what it set aside. */
function portableTable(t: TableModel, sqlite: boolean): { table: TableModel; asides: string[] } {
  const enumChecks = new Map<string, string[]>();
  const otherChecks = t.checks.filter((ch) => {
    const e = enumCheckValues(ch.expression);
    if (!e || !t.columns.some((c) => c.name === e.column)) return true;
    enumChecks.set(e.column, e.values);
    return false;
  });
  const columns = t.columns.map((c): ColumnModel => {
    const withEnum = enumChecks.has(c.name) ? { ...c, enumValues: enumChecks.get(c.name)! } : c;
    const type = portableType(withEnum, sqlite);
    return {
      ...withEnum,
      ...type,
      nativeType: withEnum.nativeType,
      unsigned: false,
      default: portableDefault(withEnum, type.type),
      collation: null,
      comment: null,
      identityGeneration: null,
      generated: c.generated ? { expression: "", stored: false } : null,
    };
  });
  // MySQL makes an index for each foreign key that no other index covers, named after the key; the others make none.
  const implicit = (i: TableModel["indexes"][number]): boolean => t.foreignKeys.some((f) => f.name === i.name && f.columns.join(",") === i.columns.join(","));
  const plain = t.indexes.filter((i) => !i.expression && !i.where && !i.definition && (!i.method || i.method === "btree") && !implicit(i));
  const special = t.indexes.filter((i) => !plain.includes(i) && !implicit(i));
  const asides = [
    otherChecks.length ? `check constraints (${otherChecks.length}: each database writes the condition in its own SQL)` : null,
    special.length ? `partial, expression or non-B-tree indexes (${special.map((i) => i.name).join(", ")})` : null,
    t.columns.some((c) => c.generated) ? "generated column expressions" : null,
    t.columns.some((c) => c.collation) ? "collations" : null,
    t.columns.some((c) => c.comment) || t.comment ? "comments" : null,
    t.columns.some((c) => c.unsigned) ? "unsigned (MySQL only)" : null,
  ].filter((x): x is string => x !== null);
  const foreignKeys = t.foreignKeys.map((f): ForeignKeyModel => ({ ...f, name: null, onDelete: action(f.onDelete), onUpdate: action(f.onUpdate) }));
  return {
    table: {
      ...t,
      comment: null,
      columns,
      primaryKey: t.primaryKey ? { name: null, columns: t.primaryKey.columns } : null,
      foreignKeys,
      // A plain unique index is a unique constraint on MySQL and SQLite; PostgreSQL may keep it as either.
      indexes: plain.filter((i) => !i.unique),
      uniques: [...t.uniques, ...plain.filter((i) => i.unique).map((i) => ({ name: i.name, columns: i.columns }))],
      checks: [],
      partitionBy: null,
    },
    asides,
  };
}

/** "both", "from" or "to", by which keys hold the item. */
function presenceOf(key: string, fromKeys: ReadonlySet<string>, toKeys: ReadonlySet<string>): "both" | "from" | "to" {
  return fromKeys.has(key) && toKeys.has(key) ? "both" : fromKeys.has(key) ? "from" : "to";
}

/**
 * Brings two schema models read from different dialects (PostgreSQL staging, MariaDB prod) to
 * what both can say, so diffSchemas compares tables, columns (normalised types, nullability,
 * defaults, identity), keys and plain indexes, and lists per object what it had to leave out:
 * views, routines, triggers, sequences, enum types and every other definition written in a
 * dialect's own SQL, and, per table, its checks, collations, comments and the like.
 */
export function normaliseAcrossDialects(from: SchemaModel, to: SchemaModel): CrossDialectModels {
  const sqlite = from.client === "better-sqlite3" || to.client === "better-sqlite3";
  const setAside: SetAsideModel[] = [];
  const side = (m: SchemaModel): { model: SchemaModel; asides: Map<string, string[]> } => {
    const asides = new Map<string, string[]>();
    const tables = m.tables.map((t) => {
      const p = portableTable(t, sqlite);
      if (p.asides.length) asides.set(qualifiedName(t), p.asides);
      return p.table;
    });
    return { model: { client: m.client, tables, views: [], enums: [], objects: [], notCompared: m.notCompared ?? [], dependentsBlockChanges: false }, asides };
  };
  const f = side(from);
  const t = side(to);
  for (const name of new Set([...f.asides.keys(), ...t.asides.keys()])) {
    const words = [...new Set([...(f.asides.get(name) ?? []), ...(t.asides.get(name) ?? [])])];
    setAside.push({ kind: "table", name, presence: "both", reason: `not compared across dialects: ${words.join("; ")}` });
  }
  const listed = (m: SchemaModel): { key: string; item: NotComparedModel; reason: string }[] => [
    ...m.views.map((v) => ({ key: `view ${qualifiedName(v)}`, item: { kind: "view", name: qualifiedName(v) }, reason: "each database writes a view's query back in its own SQL: read both definitions side by side" })),
    ...m.enums.map((e) => ({ key: `enum ${qualifiedName(e)}`, item: { kind: "enum type", name: qualifiedName(e) }, reason: "only PostgreSQL has named enum types: the columns using it are compared by their values" })),
    ...(m.objects ?? []).map((o) => ({
      key: `${o.kind} ${o.table ?? ""} ${qualifiedName(o)}`,
      item: { kind: o.kind, name: qualifiedName(o), ...(o.table ? { table: o.table } : {}) },
      reason: `a ${o.kind} is written in its database's own language and cannot be compared with another dialect's`,
    })),
  ];
  const fromListed = listed(from);
  const toListed = listed(to);
  const fromKeys = new Set(fromListed.map((x) => x.key));
  const toKeys = new Set(toListed.map((x) => x.key));
  for (const x of [...fromListed, ...toListed.filter((y) => !fromKeys.has(y.key))]) {
    setAside.push({ ...x.item, presence: presenceOf(x.key, fromKeys, toKeys), reason: x.reason });
  }
  return { from: f.model, to: t.model, setAside };
}
