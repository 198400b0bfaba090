import type { Knex } from "knex";
import type { CheckModel, ColumnModel, ForeignKeyModel, IndexModel, NotComparedModel, ReferentialAction, TableModel, UniqueModel, ViewModel } from "../../../shared/schema.js";
import { CountingReader } from "./types.js";
import type { Introspection, IntrospectOptions, SchemaDialect } from "./types.js";
import { closingParen, normalizeDefault, parseTypeSpelling, splitTopLevel, stripOuterParens, unquoteIdentifier } from "./normal-form.js";

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
    if (r.type === "table" && r.strict) notCompared.push({ kind: "strict table", name: r.name });
    if (r.type === "table" && r.wr) notCompared.push({ kind: "without rowid table", name: r.name });
  }
  for (const m of master) if (m.type === "trigger" && !excluded.has(m.tbl_name)) notCompared.push({ kind: "trigger", name: m.name, table: m.tbl_name });
  for (const c of columnRows) {
    if (!excluded.has(c.t) && (c.hidden === 2 || c.hidden === 3) && listed.get(c.t)?.type === "table") {
      notCompared.push({ kind: `generated column (${c.hidden === 3 ? "stored" : "virtual"})`, name: c.name, table: c.t });
    }
  }
  for (const m of master) {
    // Order and collations of index terms are not modelled: named where the index's SQL spells them.
    if (m.type !== "index" || !m.sql || excluded.has(m.tbl_name)) continue;
    const terms = /\(([\s\S]*)\)/.exec(m.sql.replace(/\swhere\s[\s\S]*$/i, ""))?.[1] ?? "";
    if (/\bdesc\b/i.test(terms)) notCompared.push({ kind: "descending index part", name: m.name, table: m.tbl_name });
    if (/\bcollate\b/i.test(terms)) notCompared.push({ kind: "index collation", name: m.name, table: m.tbl_name });
  }
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
      views.push({ schema: null, name: m.name, definition: viewBody(m.sql ?? "") });
      continue;
    }
    if (m.type !== "table" || excluded.has(m.name)) continue;
    // A virtual table is named above; its shadow tables are its own storage, not the user's tables.
    const kind = listed.get(m.name)?.type;
    if (kind === "virtual" || kind === "shadow") continue;
    const parsed = parseCreateTable(m.sql ?? "");
    const columnRowsOf = (cols.get(m.name) ?? []).filter((c) => c.hidden === 0);
    const pk = pkOf(m.name);
    const columns = columnRowsOf.map((c) => sqliteColumn(c, pk, parsed.collations.get(c.name.toLowerCase()) ?? null));
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
      if (first.unique && !expression && !where) {
        // An inline UNIQUE makes an unnamed "sqlite_autoindex_*": there is no name to keep.
        uniques.push({ name: first.origin === "u" ? null : name, columns: columnsOf });
      } else {
        indexes.push({ name, columns: columnsOf, unique: Boolean(first.unique), expression, where });
      }
    }
    const fkGroups = new Map<number, ForeignRow[]>();
    for (const f of fks.get(m.name) ?? []) (fkGroups.get(f.id) ?? fkGroups.set(f.id, []).get(f.id)!).push(f);
    const foreignKeys: ForeignKeyModel[] = [...fkGroups.values()].map((rows) => {
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
    });
  }
  return { model: { client: "better-sqlite3", tables, views, enums: [], notCompared }, queries: db.queries };
}

function sqliteColumn(c: ColumnRow, pk: readonly string[], collation: string | null): ColumnModel {
  const spelled = parseTypeSpelling(c.type || "");
  const type = TYPE_ALIASES[spelled.base] ?? spelled.base;
  const isChar = type === "varchar" || type === "char" || type === "nvarchar" || type === "character";
  // Any INTEGER PRIMARY KEY is the rowid and numbers itself (AUTOINCREMENT only changes reuse of
  // ids); "INT PRIMARY KEY" is not, so the test is on the spelling, before aliases are folded.
  const identity = pk.length === 1 && pk[0] === c.name && spelled.base === "integer";
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
    collation,
    comment: null,
  };
}

interface ParsedTable {
  readonly checks: CheckModel[];
  readonly collations: Map<string, string>;
  readonly primaryKeyName: string | null;
  /** By pragma_foreign_key_list id, which counts the foreign keys from the last one written. */
  readonly foreignKeyNames: (string | null)[];
}

/** Reads what SQLite's pragmas do not give: check constraints, collations and constraint names. */
export function parseCreateTable(sql: string): ParsedTable {
  const open = sql.indexOf("(");
  const close = open < 0 ? -1 : closingParen(sql, open);
  const checks: CheckModel[] = [];
  const collations = new Map<string, string>();
  let primaryKeyName: string | null = null;
  const fkNames: (string | null)[] = [];
  if (close < 0) return { checks, collations, primaryKeyName, foreignKeyNames: [] };
  for (const item of splitTopLevel(sql.slice(open + 1, close))) {
    const constraint = /^(?:constraint\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|\S+)\s+)?(primary\s+key|unique|check|foreign\s+key)\b/i.exec(item);
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
    const re = /(?:constraint\s+("[^"]+"|`[^`]+`|\S+)\s+)?check\s*\(/gi;
    let m: RegExpExecArray | null;
    while ((m = re.exec(item))) {
      checks.push({ name: m[1] ? unquoteIdentifier(m[1]) : null, expression: parenthesised(item, m.index + m[0].length - 1) });
    }
    if (/\breferences\b/i.test(item)) fkNames.push(null);
  }
  // pragma_foreign_key_list numbers the keys last-written first.
  return { checks, collations, primaryKeyName, foreignKeyNames: fkNames.reverse() };
}

function parenthesised(item: string, from: number): string {
  const open = item.indexOf("(", from);
  const close = closingParen(item, open);
  return stripOuterParens(item.slice(open, close + 1));
}

function parseCreateIndex(sql: string): { columns: string[]; where: string | null } {
  const on = /\bon\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|[^\s(]+)\s*\(/i.exec(sql);
  if (!on) return { columns: [], where: null };
  const open = on.index + on[0].length - 1;
  const close = closingParen(sql, open);
  const columns = splitTopLevel(sql.slice(open + 1, close)).map((c) => (/^("[^"]+"|`[^`]+`|\w+)$/.test(c) ? unquoteIdentifier(c) : c));
  const rest = sql.slice(close + 1);
  const where = /^\s*where\s+([\s\S]*)$/i.exec(rest);
  return { columns, where: where ? stripOuterParens(where[1]!.trim()) : null };
}

function viewBody(sql: string): string {
  const m = /^\s*create\s+(?:temp(?:orary)?\s+)?view\s+(?:if\s+not\s+exists\s+)?(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|\S+)\s+as\s+([\s\S]*)$/i.exec(sql);
  return (m ? m[1]! : sql).trim().replace(/;$/, "");
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
  identityTypeSql: () => "integer",
  collateClause: (c) => `collate ${c}`,
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  createEnumSql: () => "",
  dropEnumSql: () => "",
  createViewSql: (v) => `create view ${sqliteSchema.quote(v.name)} as ${v.definition}`,
  dropViewSql: (v) => `drop view ${sqliteSchema.quote(v.name)}`,
  createIndexSql: (t, i) =>
    `create ${i.unique ? "unique " : ""}index ${sqliteSchema.quote(i.name)} on ${sqliteSchema.quote(t.name)} (${i.columns
      .map((c) => (i.expression ? c : sqliteSchema.quote(c)))
      .join(", ")})${i.where ? ` where ${i.where}` : ""}`,
  dropIndexSql: (_t, i) => `drop index ${sqliteSchema.quote(i.name)}`,
};
