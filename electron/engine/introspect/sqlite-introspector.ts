import type { Knex } from "knex";
import type { CheckModel, ColumnModel, DefinedObjectModel, ForeignKeyModel, IndexModel, NotComparedModel, ReferentialAction, TableModel, UniqueModel, ViewModel } from "../../../shared/schema.js";
import { CountingReader } from "./types.js";
import type { Introspection, IntrospectOptions, SchemaDialect } from "./types.js";
import { closingParen, isLiteralDefault, normalizeDefault, parseTypeSpelling, splitTopLevel, stripOuterParens, unquoteIdentifier } from "./normal-form.js";

interface MasterRow { type: string; name: string; tbl_name: string; sql: string | null }
interface ColumnRow { t: string; cid: number; name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number }
interface IndexRow { t: string; name: string; unique: number; origin: string; partial: number; seqno: number; cid: number; col: string | null }
interface TableListRow { name: string; type: string; wr: number; strict: number }
interface ForeignRow { t: string; id: number; seq: number; ref: string; from: string; to: string | null; on_update: string; on_delete: string }

/** Spellings SQLite treats as one type (same affinity, same meaning). */
const TYPE_ALIASES: Readonly<Record<string, string>> = { int: "integer", "character varying": "varchar", bool: "boolean", "double precision": "double", numeric: "decimal" };

/**
 * Reads SQLite's schema: sqlite_master and three pragma table functions joined over it, and pragma_table_list, five
 * queries in all. No ORDER BY: each pragma already lists in its own order (cid, seqno, id/seq),
 * and sorting 10,000 rows costs more than the whole grouping done here.
 */
export async function introspectSqlite(knex: Knex, opts: IntrospectOptions): Promise<Introspection> {
  const db = new CountingReader(knex);
  const excluded = new Set(opts.exclude);
  const master = await db.rows<MasterRow>("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%'");
  const columnRows = await db.rows<ColumnRow>(
    `select m.name as t, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
       from sqlite_master m join pragma_table_xinfo(m.name) p
      where m.type = 'table' and m.name not like 'sqlite_%'`,
  );
  const indexRows = await db.rows<IndexRow>(
    `select m.name as t, il.name, il."unique", il.origin, il.partial, ii.seqno, ii.cid, ii.name as col
       from sqlite_master m join pragma_index_list(m.name) il join pragma_index_info(il.name) ii
      where m.type = 'table' and m.name not like 'sqlite_%'`,
  );
  const foreignRows = await db.rows<ForeignRow>(
    `select m.name as t, f.id, f.seq, f."table" as ref, f."from", f."to", f.on_update, f.on_delete
       from sqlite_master m join pragma_foreign_key_list(m.name) f
      where m.type = 'table' and m.name not like 'sqlite_%'`,
  );
  // SQLite 3.37+: which tables are virtual (and the shadow tables they keep), STRICT or WITHOUT ROWID.
  const tableList = await db.rows<TableListRow>("select name, type, wr, strict from pragma_table_list where schema = 'main'");
  const listed = new Map(tableList.map((r) => [r.name, r] as const));
  const notCompared: NotComparedModel[] = [];
  for (const r of tableList) {
    if (excluded.has(r.name) || r.name.startsWith("sqlite_")) continue;
    if (r.type === "virtual") notCompared.push({ kind: "virtual table", name: r.name });
  }
  // Triggers are compared by the text SQLite keeps (issue 16): made after the tables and views, dropped first.
  const objects: DefinedObjectModel[] = master
    .filter((m) => m.type === "trigger" && m.sql && !excluded.has(m.tbl_name))
    .map((m) => ({ kind: "trigger", schema: null, name: m.name, table: m.tbl_name, statements: [m.sql!], drop: `drop trigger ${sqliteSchema.quote(m.name)}` }));
  const group = <T extends { t: string }>(rows: T[]): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const r of rows) (m.get(r.t) ?? m.set(r.t, []).get(r.t)!).push(r);
    return m;
  };
  const cols = group(columnRows);
  const idx = group(indexRows);
  const fks = group(foreignRows);
  const indexSql = new Map(master.filter((m) => m.type === "index" && m.sql).map((m) => [m.name, m.sql!] as const));
  const pkOf = (table: string): string[] =>
    (cols.get(table) ?? []).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);

  const tables: TableModel[] = [];
  const views: ViewModel[] = [];
  for (const m of master) {
    if (m.type === "view") {
      const body = viewBody(m.sql ?? "");
      views.push({ schema: null, name: m.name, definition: body.query });
      // The view's query is compared; the names its column list gives the columns are not.
      if (body.columnList) notCompared.push({ kind: "view column list", name: `${m.name}(${body.columnList})` });
      continue;
    }
    if (m.type !== "table" || excluded.has(m.name)) continue;
    // A virtual table is named above; its shadow tables are its own storage, not the user's tables.
    const kind = listed.get(m.name)?.type;
    if (kind === "virtual" || kind === "shadow") continue;
    const parsed = parseCreateTable(m.sql ?? "");
    for (const u of parsed.unmodelled) notCompared.push({ ...u, table: m.name });
    // hidden 2 and 3: virtual and stored generated columns; 1 belongs to virtual tables, left out above.
    const columnRowsOf = (cols.get(m.name) ?? []).filter((c) => c.hidden === 0 || c.hidden === 2 || c.hidden === 3);
    const pk = pkOf(m.name);
    const flags = listed.get(m.name);
    const options = [flags?.wr ? "without rowid" : null, flags?.strict ? "strict" : null].filter(Boolean).join(", ") || null;
    const columns = columnRowsOf.map((c) => sqliteColumn(c, pk, parsed, Boolean(flags?.wr)));
    const uniques: UniqueModel[] = [];
    const indexes: IndexModel[] = [];
    const byIndex = new Map<string, IndexRow[]>();
    for (const r of idx.get(m.name) ?? []) (byIndex.get(r.name) ?? byIndex.set(r.name, []).get(r.name)!).push(r);
    for (const [name, rows] of byIndex) {
      const first = rows[0]!;
      if (first.origin === "pk") continue;
      const sql = indexSql.get(name) ?? null;
      const parsedIndex = sql ? parseCreateIndex(sql) : null;
      const expression = rows.some((r) => r.cid === -2);
      const where = first.partial ? (parsedIndex?.where ?? null) : null;
      const columnsOf = expression ? (parsedIndex?.columns ?? []) : rows.map((r) => r.col ?? "");
      // The order or collation of a term cannot be said by a column list: the index is kept as SQLite wrote it after "on TABLE".
      const definition = parsedIndex && parsedIndex.columns.some((c) => /\b(asc|desc|collate)\b/i.test(c)) ? parsedIndex.definition : null;
      if (definition) {
        indexes.push({ name, columns: columnsOf, unique: Boolean(first.unique), expression, where, definition });
      } else if (first.unique && !expression && !where) {
        // An inline UNIQUE makes an unnamed "sqlite_autoindex_*": there is no name to keep.
        uniques.push({ name: first.origin === "u" ? null : name, columns: columnsOf });
      } else {
        indexes.push({ name, columns: columnsOf, unique: Boolean(first.unique), expression, where });
      }
    }
    const fkGroups = new Map<number, ForeignRow[]>();
    for (const f of fks.get(m.name) ?? []) (fkGroups.get(f.id) ?? fkGroups.set(f.id, []).get(f.id)!).push(f);
    // pragma_foreign_key_list lists the last-written key first: reversed, the model keeps the order they were written in.
    const foreignKeys: ForeignKeyModel[] = [...fkGroups.values()].reverse().map((rows) => {
      const target = rows[0]!.ref;
      const refColumns = rows.every((r) => r.to) ? rows.map((r) => r.to!) : pkOf(target);
      return {
        name: parsed.foreignKeyNames[rows[0]!.id] ?? null,
        columns: rows.map((r) => r.from),
        refSchema: null,
        refTable: target,
        refColumns,
        onDelete: rows[0]!.on_delete.toUpperCase() as ReferentialAction,
        onUpdate: rows[0]!.on_update.toUpperCase() as ReferentialAction,
      };
    });
    tables.push({
      schema: null,
      name: m.name,
      comment: null,
      columns,
      primaryKey: pk.length ? { name: parsed.primaryKeyName, columns: pk } : null,
      foreignKeys,
      indexes,
      uniques,
      checks: parsed.checks,
      options,
    });
  }
  return { model: { client: "better-sqlite3", tables, views, enums: [], objects, notCompared }, queries: db.queries };
}

function sqliteColumn(c: ColumnRow, pk: readonly string[], parsed: ParsedTable, withoutRowid: boolean): ColumnModel {
  const spelled = parseTypeSpelling(c.type || "");
  const type = TYPE_ALIASES[spelled.base] ?? spelled.base;
  const isChar = type === "varchar" || type === "char" || type === "nvarchar" || type === "character";
  // Any INTEGER PRIMARY KEY is the rowid and numbers itself (AUTOINCREMENT only changes reuse of
  // ids); "INT PRIMARY KEY" is not, so the test is on the spelling, before aliases are folded. A
  // WITHOUT ROWID table has no rowid: its INTEGER PRIMARY KEY is a plain key.
  const identity = pk.length === 1 && pk[0] === c.name && spelled.base === "integer" && !withoutRowid;
  const key = c.name.toLowerCase();
  const generated = c.hidden === 2 || c.hidden === 3 ? { expression: parsed.generated.get(key) ?? "", stored: c.hidden === 3 } : null;
  return {
    name: c.name,
    type,
    nativeType: c.type,
    length: isChar ? (spelled.params[0] ?? null) : null,
    precision: isChar ? null : (spelled.params[0] ?? null),
    scale: isChar ? null : (spelled.params[1] ?? null),
    unsigned: false,
    enumValues: null,
    // SQLite lets a primary key column hold NULL (a legacy bug) but no one means it; the others forbid it.
    nullable: c.notnull === 0 && c.pk === 0,
    default: normalizeDefault(c.dflt_value, type),
    identity,
    collation: parsed.collations.get(key) ?? null,
    comment: null,
    ...(generated ? { generated } : {}),
    ...(identity ? { autoincrement: parsed.autoincrement } : {}),
  };
}

interface ParsedTable {
  readonly checks: CheckModel[];
  readonly collations: Map<string, string>;
  /** Generated columns' expressions, by lower-cased column name. */
  readonly generated: Map<string, string>;
  /** Whether the INTEGER PRIMARY KEY is written AUTOINCREMENT. */
  readonly autoincrement: boolean;
  readonly primaryKeyName: string | null;
  /** By pragma_foreign_key_list id, which counts the foreign keys from the last one written. */
  readonly foreignKeyNames: (string | null)[];
  /** What the table's SQL says that the model does not hold: named as not compared (issue 16). */
  readonly unmodelled: { readonly kind: string; readonly name: string }[];
}

/** Reads what SQLite's pragmas do not give: check constraints, collations and constraint names. */
export function parseCreateTable(sql: string): ParsedTable {
  const open = sql.indexOf("(");
  const close = open < 0 ? -1 : closingParen(sql, open);
  const checks: CheckModel[] = [];
  const collations = new Map<string, string>();
  const generated = new Map<string, string>();
  let primaryKeyName: string | null = null;
  const fkNames: (string | null)[] = [];
  const autoincrement = /\bautoincrement\b/i.test(sql);
  const unmodelled: { kind: string; name: string }[] = [];
  if (close < 0) return { checks, collations, generated, autoincrement, primaryKeyName, foreignKeyNames: [], unmodelled };
  for (const item of splitTopLevel(sql.slice(open + 1, close))) {
    const constraint = /^(?:constraint\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|\S+)\s+)?(primary\s+key|unique|check|foreign\s+key)\b/i.exec(item);
    // Outside string literals: what a constraint does beyond what the pragmas and the model say.
    const bare = item.replace(/'(?:[^']|'')*'/g, "''");
    const label = constraint
      ? (constraint[1] ? unquoteIdentifier(constraint[1]) : `${constraint[2]!.toLowerCase().replace(/\s+/g, " ")} (${/\(([^)]*)\)/.exec(item.slice(constraint[0].length))?.[1]?.trim() ?? ""})`)
      : unquoteIdentifier(/^("[^"]+"|`[^`]+`|\[[^\]]+\]|\S+)/.exec(item)?.[1] ?? "");
    const conflict = /\bon\s+conflict\s+(rollback|abort|fail|ignore|replace)\b/i.exec(bare);
    if (conflict) unmodelled.push({ kind: "conflict clause", name: `${label} on conflict ${conflict[1]!.toLowerCase()}` });
    if (/\breferences\b[\s\S]*\bdeferrable\s+initially\s+deferred\b/i.test(bare)) unmodelled.push({ kind: "deferrable foreign key", name: label });
    if (constraint) {
      const name = constraint[1] ? unquoteIdentifier(constraint[1]) : null;
      const kind = constraint[2]!.toLowerCase().replace(/\s+/g, " ");
      if (kind === "check") checks.push({ name, expression: parenthesised(item, constraint[0].length) });
      else if (kind === "primary key") primaryKeyName = name;
      else if (kind === "foreign key") fkNames.push(name);
      continue;
    }
    const nameMatch = /^("[^"]+"|`[^`]+`|\[[^\]]+\]|\S+)/.exec(item);
    if (!nameMatch) continue;
    const column = unquoteIdentifier(nameMatch[1]!);
    const collate = /\bcollate\s+("[^"]+"|\w+)/i.exec(item);
    if (collate) collations.set(column.toLowerCase(), unquoteIdentifier(collate[1]!));
    const as = /\b(?:generated\s+always\s+)?as\s*\(/i.exec(item);
    if (as) generated.set(column.toLowerCase(), parenthesised(item, as.index + as[0].length - 1));
    const re = /(?:constraint\s+("[^"]+"|`[^`]+`|\S+)\s+)?check\s*\(/gi;
    let m: RegExpExecArray | null;
    while ((m = re.exec(item))) {
      checks.push({ name: m[1] ? unquoteIdentifier(m[1]) : null, expression: parenthesised(item, m.index + m[0].length - 1) });
    }
    if (/\breferences\b/i.test(item)) fkNames.push(null);
  }
  // pragma_foreign_key_list numbers the keys last-written first.
  return { checks, collations, generated, autoincrement, primaryKeyName, foreignKeyNames: fkNames.reverse(), unmodelled };
}

function parenthesised(item: string, from: number): string {
  const open = item.indexOf("(", from);
  const close = closingParen(item, open);
  return stripOuterParens(item.slice(open, close + 1));
}

function parseCreateIndex(sql: string): { columns: string[]; where: string | null; definition: string } {
  const on = /\bon\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|[^\s(]+)\s*\(/i.exec(sql);
  if (!on) return { columns: [], where: null, definition: "" };
  const open = on.index + on[0].length - 1;
  const close = closingParen(sql, open);
  const columns = splitTopLevel(sql.slice(open + 1, close)).map((c) => (/^("[^"]+"|`[^`]+`|\w+)$/.test(c) ? unquoteIdentifier(c) : c));
  const rest = sql.slice(close + 1);
  const where = /^\s*where\s+([\s\S]*)$/i.exec(rest);
  return { columns, where: where ? stripOuterParens(where[1]!.trim()) : null, definition: sql.slice(open).trim() };
}

function viewBody(sql: string): { query: string; columnList: string | null } {
  const m = /^\s*create\s+(?:temp(?:orary)?\s+)?view\s+(?:if\s+not\s+exists\s+)?(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[^\s(]+)\s*(?:\(([^)]*)\)\s*)?as\s+([\s\S]*)$/i.exec(sql);
  return { query: (m ? m[2]! : sql).trim().replace(/;$/, ""), columnList: m?.[1]?.trim() ?? null };
}

/** The database's schema as the DDL that made it (sqlite_master): tables first, then indexes, views and triggers. */
export async function readSqliteSchemaDdl(knex: Knex, opts: IntrospectOptions): Promise<string[]> {
  const excluded = new Set(opts.exclude.map((t) => t.toLowerCase()));
  const rows: { name: string; tbl_name: string; sql: string }[] = await knex.raw(
    "select name, tbl_name, sql from sqlite_master where sql is not null and name not like 'sqlite_%' order by case type when 'table' then 0 when 'index' then 1 when 'view' then 2 else 3 end, rowid",
  );
  return rows.filter((r) => !excluded.has(r.tbl_name.toLowerCase())).map((r) => r.sql);
}

/** SQLite's side of the schema seam. */
export const sqliteSchema: SchemaDialect = {
  introspect: introspectSqlite,
  readSchemaDdl: readSqliteSchemaDdl,
  rebuildsTables: true,
  scratch: null,
  incrementsUnsigned: false,
  altersColumnPiecewise: false,
  identityTypeSql: () => "integer",
  // SQLite's DEFAULT takes a literal as it stands and an expression only in parentheses.
  defaultSql: (e) => (isLiteralDefault(e) ? e : `(${e})`),
  collateClause: (c) => `collate ${c}`,
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  createEnumSql: () => "",
  dropEnumSql: () => "",
  createViewSql: (v) => `create view ${sqliteSchema.quote(v.name)} as ${v.definition}`,
  dropViewSql: (v) => `drop view ${sqliteSchema.quote(v.name)}`,
  createIndexSql: (t, i) =>
    i.definition ? `create ${i.unique ? "unique " : ""}index ${sqliteSchema.quote(i.name)} on ${sqliteSchema.quote(t.name)} ${i.definition}` :
    `create ${i.unique ? "unique " : ""}index ${sqliteSchema.quote(i.name)} on ${sqliteSchema.quote(t.name)} (${i.columns
      .map((c) => (i.expression ? c : sqliteSchema.quote(c)))
      .join(", ")})${i.where ? ` where ${i.where}` : ""}`,
  dropIndexSql: (_t, i) => `drop index ${sqliteSchema.quote(i.name)}`,
};
