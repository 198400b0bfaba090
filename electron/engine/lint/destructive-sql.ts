// lint/: what a plan's SQL destroys, locks or rewrites, read from the SQL text (and the live schema where the
// text does not say). May import: shared/, introspect/, project/ (types); never use-cases/.
import type { DestructiveStatementDto } from "../../../shared/api.js";
import type { SchemaModel } from "../../../shared/schema.js";
import { KNEX_TABLES } from "../introspect/index.js";
import { splitTopLevel, unquoteIdentifier } from "../introspect/normal-form.js";
import type { DatabaseSession } from "../project/index.js";

/**
 * The live schema the lint may consult: per table (lower-cased name), its columns (lower-cased
 * name -> type as the database spells it). Used where the old type of a column is not in the SQL:
 * PostgreSQL's `alter column ... type`, MySQL's `modify`, SQLite's table rebuild.
 */
export type LiveColumns = ReadonlyMap<string, ReadonlyMap<string, string>>;

const STATEMENT_RULES: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /^drop\s+(schema|database)\b/i, reason: "drops a schema and everything in it" },
  { pattern: /^truncate\b/i, reason: "empties a table" },
  { pattern: /^delete\s+from\b/i, reason: "deletes rows" },
];

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[[^\]]+\]|[\w$]+)`;
/** An identifier, optionally schema-qualified; group 1 is the last part. */
const QNAME = String.raw`(?:${IDENT}\s*\.\s*)?(${IDENT})`;
const re = (source: string): RegExp => new RegExp(source, "is");

const CREATE_TABLE = re(String.raw`^create\s+(?:temporary\s+|temp\s+)?table\s+(?:if\s+not\s+exists\s+)?${QNAME}\s*\((.*)\)[^)]*$`);
const DROP_TABLE = re(String.raw`^drop\s+table\s+(?:if\s+exists\s+)?(.*?)(?:\s+(?:cascade|restrict))?$`);
const ALTER_TABLE = re(String.raw`^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?${QNAME}\s+(.*)$`);
const RENAME_TABLE = re(String.raw`^rename\s+table\s+${QNAME}\s+to\s+${QNAME}$`);
const REBUILD_COPY = re(String.raw`^insert\s+into\s+(${IDENT})\s+select\s+(.*?)\s+from\s+${QNAME}$`);
/** The actions of ALTER TABLE the lint reads, and a column's definition in CREATE TABLE (made once: a plan has thousands of statements). */
const ALTER_DROP = re(String.raw`^drop\s+(?:column\s+)?(?:if\s+exists\s+)?(${IDENT})(?:\s+(?:cascade|restrict))?$`);
const ALTER_ADD = re(String.raw`^add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?(${IDENT})\s+(.*)$`);
const ALTER_TYPE = re(String.raw`^alter\s+(?:column\s+)?(${IDENT})\s+(?:set\s+data\s+)?type\s+(.*)$`);
const ALTER_MODIFY = re(String.raw`^modify\s+(?:column\s+)?(${IDENT})\s+(.*)$`);
const ALTER_CHANGE = re(String.raw`^change\s+(?:column\s+)?(${IDENT})\s+(${IDENT})\s+(.*)$`);
const ALTER_RENAME_COLUMN = re(String.raw`^rename\s+(?:column\s+)?(${IDENT})\s+to\s+(${IDENT})$`);
const COLUMN_DEFINITION = re(String.raw`^(${IDENT})\s+(.*)$`);
/** Words that follow DROP / ADD in ALTER TABLE when the object is not a column. */
const NOT_A_COLUMN = /^(constraint|index|key|foreign|primary|check|default|unique|partition|not|fulltext|spatial|period|system|expression|identity|if)$/i;
const TYPE_SPELLING = re(
  String.raw`^((?:double\s+precision|character\s+varying|national\s+character\s+varying|national\s+character|timestamp\s+with(?:out)?\s+time\s+zone|time\s+with(?:out)?\s+time\s+zone|[a-z_][\w]*)(?:\s*\((?:[^()']|'(?:[^']|'')*')*\))?(?:\s+(?:unsigned|zerofill))*)`,
);

/**
 * The statements of a rendered plan (runner/render-sql.ts's script, with its
 * "-- Running upgrade REV: ..." headers) that lose data or structure: a dropped table, a dropped
 * column (also where SQLite drops it by rebuilding the table: the copy leaves it out), a type
 * change that narrows a column, a truncate or delete.
 *
 * The old type of a column is taken from the script itself when an earlier statement made the
 * table, else from `live` (the database the plan runs on). Where neither knows it, a type change
 * is reported as such ("its current type is not known"), so nothing that may cut values is left out.
 * Statements on Strata's own tables are not counted, nor SQLite's rebuild itself when it keeps
 * every column and type.
 */
export function findDestructiveStatements(script: string, bookkeepingTables: readonly string[], live?: LiveColumns): DestructiveStatementDto[] {
  return lint(script, bookkeepingTables, live).found;
}

/** The tables whose current columns the lint of this script would read from the live schema. */
export function tablesNeedingLiveSchema(script: string, bookkeepingTables: readonly string[]): string[] {
  return [...lint(script, bookkeepingTables, undefined).lookedUp];
}

/**
 * Lints a plan's SQL for the database of `db`, reading the live schema only when the script needs
 * an old column type it does not give (one catalog read, not one per table).
 */
export async function findDestructiveInPlan(db: DatabaseSession, script: string): Promise<DestructiveStatementDto[]> {
  const bookkeeping = [db.env.versionTable, db.env.historyTable];
  const first = lint(script, bookkeeping, undefined);
  if (first.lookedUp.size === 0) return first.found;
  let model: SchemaModel;
  try {
    ({ model } = await db.dialect.schema.introspect(db.knex, { exclude: [...bookkeeping, ...KNEX_TABLES] }));
  } catch {
    // A catalog the introspector cannot read must not stop a run: the lint then lists every
    // type change whose old type it does not know, which errs on the side of listing.
    return first.found;
  }
  return lint(script, bookkeeping, liveColumnsOf(model)).found;
}

/** A schema's columns as the lint consults them: the default schema's tables, names lower-cased. */
export function liveColumnsOf(model: SchemaModel): LiveColumns {
  const live = new Map<string, Map<string, string>>();
  for (const t of model.tables) {
    if (t.schema !== null) continue;
    live.set(t.name.toLowerCase(), new Map(t.columns.map((c) => [c.name.toLowerCase(), c.nativeType] as const)));
  }
  return live;
}

/** What the lint keeps per table: column -> type as spelled (null: not known). */
type Columns = Map<string, string | null>;

/**
 * Tables as the script leaves them: their columns, or "gone" once dropped (so the live schema is
 * not asked again). A CREATE TABLE's column list is parsed when first asked for: in most plans
 * no later statement needs it.
 */
class ScriptTables {
  private readonly known = new Map<string, Columns | "gone">();
  private readonly unparsed = new Map<string, string>();

  /** A table made by the script, with its column list as written. */
  created(name: string, columnList: string): void {
    this.known.delete(name);
    this.unparsed.set(name, columnList);
  }

  get(name: string): Columns | "gone" | undefined {
    const columnList = this.unparsed.get(name);
    if (columnList !== undefined) {
      this.unparsed.delete(name);
      this.known.set(name, parseColumnList(columnList));
    }
    return this.known.get(name);
  }

  set(name: string, columns: Columns | "gone"): void {
    this.unparsed.delete(name);
    this.known.set(name, columns);
  }

  delete(name: string): void {
    this.unparsed.delete(name);
    this.known.delete(name);
  }
}

interface Finding {
  readonly index: number;
  readonly revision: string;
  readonly statement: string;
  readonly reasons: string[];
}

interface RebuildCopy {
  readonly source: string;
  /** null: `select *`, every column. */
  readonly copied: readonly string[] | null;
  readonly statementIndex: number;
  readonly statement: string;
  /** The CREATE TABLE of the copy: where its new column types are spelled. */
  readonly created: { readonly index: number; readonly statement: string } | undefined;
  readonly old: Columns | undefined;
}

function lint(script: string, bookkeepingTables: readonly string[], live: LiveColumns | undefined): { found: DestructiveStatementDto[]; lookedUp: Set<string> } {
  const findings = new Map<number, Finding>();
  const lookedUp = new Set<string>();
  const tables = new ScriptTables();
  const createdAt = new Map<string, { index: number; statement: string }>();
  const copies = new Map<string, RebuildCopy>();
  const bookkeeping = bookkeepingTables.map((t) => mentionOf(t.toLowerCase()));
  let revision = "";

  const columnsOf = (table: string): Columns | undefined => {
    const known = tables.get(table);
    if (known === "gone") return undefined;
    if (known) return known;
    lookedUp.add(table);
    const fromLive = live?.get(table);
    if (!fromLive) return undefined;
    const cols: Columns = new Map(fromLive);
    tables.set(table, cols);
    return cols;
  };
  const report = (index: number, statement: string, reason: string): void => {
    const f = findings.get(index) ?? { index, revision, statement, reasons: [] };
    if (!f.reasons.includes(reason)) f.reasons.push(reason);
    findings.set(index, f);
  };
  const typeChange = (index: number, statement: string, table: string, column: string, newType: string): void => {
    const cols = columnsOf(table);
    const old = cols?.get(column);
    const reason = old ? typeChangeReason(table, column, old, newType) : `changes the type of column ${table}.${column} to ${newType}; its current type is not known here, so values may be cut or refused`;
    if (reason) report(index, statement, reason);
    if (cols) cols.set(column, newType);
  };

  const statements = splitStatements(script);
  for (const [index, chunk] of statements.entries()) {
    const header = /^-- Running (?:upgrade|downgrade) (\S+?):/m.exec(chunk);
    if (header && header[1] !== revision) {
      revision = header[1]!;
      copies.clear();
    }
    const sql = chunk.replace(/^--.*$/gm, "").trim().replace(/;$/, "").trim();
    if (!sql || !revision) continue;
    if (bookkeeping.some((mentioned) => mentioned.test(sql))) continue;

    const create = CREATE_TABLE.exec(sql);
    if (create) {
      const name = ident(create[1]!);
      tables.created(name, create[2]!);
      createdAt.set(name, { index, statement: sql });
      continue;
    }
    const copy = REBUILD_COPY.exec(sql);
    if (copy && /^_knex_temp_alter/i.test(ident(copy[1]!))) {
      const source = ident(copy[3]!);
      const list = copy[2]!.trim();
      copies.set(ident(copy[1]!), {
        source,
        copied: list === "*" ? null : splitTopLevel(list).map(ident),
        statementIndex: index,
        statement: sql,
        created: createdAt.get(ident(copy[1]!)),
        old: columnsOf(source),
      });
      continue;
    }
    const drop = DROP_TABLE.exec(sql);
    if (drop) {
      const names = splitTopLevel(drop[1]!).map((n) => ident(n.split(".").pop()!));
      for (const name of names) {
        // The drop right after the copy belongs to SQLite's rebuild; a later drop of the same table is real.
        const rebuild = [...copies.entries()].find(([, c]) => c.source === name);
        if (rebuild && tables.get(rebuild[0]) !== "gone") {
          tables.set(name, "gone");
          continue;
        }
        report(index, sql, `drops table ${name} and all its rows`);
        tables.set(name, "gone");
      }
      continue;
    }
    const renameTable = RENAME_TABLE.exec(sql);
    if (renameTable) {
      moveTable(tables, ident(renameTable[1]!), ident(renameTable[2]!));
      continue;
    }
    const alter = ALTER_TABLE.exec(sql);
    if (alter) {
      const table = ident(alter[1]!);
      const renameTo = /^rename\s+(?:to|as)\s+(\S+)$/is.exec(alter[2]!.trim());
      if (renameTo) {
        const target = ident(renameTo[1]!.split(".").pop()!);
        const rebuild = copies.get(table);
        if (rebuild) {
          finishRebuild(rebuild, tables.get(table), target, report);
          copies.delete(table);
        }
        moveTable(tables, table, target);
        continue;
      }
      for (const action of splitTopLevel(alter[2]!)) lintAlterAction(index, sql, table, action.trim(), { tables, columnsOf, report, typeChange });
      continue;
    }
    for (const rule of STATEMENT_RULES) {
      if (rule.pattern.test(sql)) {
        report(index, sql, rule.reason);
        break;
      }
    }
  }
  const found = [...findings.values()]
    .sort((a, b) => a.index - b.index)
    .map((f) => ({ revision: f.revision, statement: f.statement, reason: f.reasons.join("; ") }));
  return { found, lookedUp };
}

interface AlterContext {
  readonly tables: ScriptTables;
  columnsOf(table: string): Columns | undefined;
  report(index: number, statement: string, reason: string): void;
  typeChange(index: number, statement: string, table: string, column: string, newType: string): void;
}

function lintAlterAction(index: number, sql: string, table: string, action: string, ctx: AlterContext): void {
  const drop = ALTER_DROP.exec(action);
  if (drop && !NOT_A_COLUMN.test(drop[1]!)) {
    const column = ident(drop[1]!);
    ctx.report(index, sql, `drops column ${table}.${column} and its data`);
    const known = ctx.tables.get(table);
    if (known && known !== "gone") known.delete(column);
    return;
  }
  const add = ALTER_ADD.exec(action);
  if (add && !NOT_A_COLUMN.test(add[1]!)) {
    const known = ctx.tables.get(table);
    if (known && known !== "gone") known.set(ident(add[1]!), columnType(add[2]!));
    return;
  }
  const alterType = ALTER_TYPE.exec(action);
  if (alterType) {
    const newType = columnType(alterType[2]!.replace(/\s+using\s+[\s\S]*$/i, ""));
    if (newType) ctx.typeChange(index, sql, table, ident(alterType[1]!), newType);
    return;
  }
  const modify = ALTER_MODIFY.exec(action);
  if (modify) {
    const newType = columnType(modify[2]!);
    if (newType) ctx.typeChange(index, sql, table, ident(modify[1]!), newType);
    return;
  }
  const change = ALTER_CHANGE.exec(action);
  if (change) {
    const from = ident(change[1]!);
    const to = ident(change[2]!);
    const newType = columnType(change[3]!);
    if (newType) ctx.typeChange(index, sql, table, from, newType);
    renameColumn(ctx.tables, table, from, to);
    return;
  }
  const rename = ALTER_RENAME_COLUMN.exec(action);
  if (rename) renameColumn(ctx.tables, table, ident(rename[1]!), ident(rename[2]!));
}

/** SQLite's rebuild is complete (the copy renamed to the table): what it dropped or narrowed. */
function finishRebuild(copy: RebuildCopy, made: Columns | "gone" | undefined, table: string, report: (index: number, statement: string, reason: string) => void): void {
  const now = made && made !== "gone" ? made : new Map<string, string | null>();
  const kept = new Set(copy.copied ?? [...now.keys()]);
  if (!copy.old) {
    // The table is not in the script nor in the database: only the copy's own list can speak.
    if (copy.copied) report(copy.statementIndex, copy.statement, `rebuilds table ${table} copying only columns ${copy.copied.join(", ")}: any column left out is dropped with its data`);
    return;
  }
  const dropped = [...copy.old.keys()].filter((c) => !kept.has(c));
  for (const c of dropped) report(copy.statementIndex, copy.statement, `drops column ${table}.${c} and its data (SQLite rebuilds the table without it)`);
  for (const [c, newType] of now) {
    const old = copy.old.get(c);
    if (!old || !newType || !kept.has(c)) continue;
    const reason = typeChangeReason(table, c, old, newType);
    if (reason) report(copy.created?.index ?? copy.statementIndex, copy.created?.statement ?? copy.statement, `${reason} (SQLite rebuilds the table)`);
  }
}

function moveTable(tables: ScriptTables, from: string, to: string): void {
  const cols = tables.get(from);
  tables.set(from, "gone");
  if (cols && cols !== "gone") tables.set(to, cols);
  else tables.delete(to);
}

function renameColumn(tables: ScriptTables, table: string, from: string, to: string): void {
  const cols = tables.get(table);
  if (!cols || cols === "gone" || !cols.has(from)) return;
  cols.set(to, cols.get(from)!);
  cols.delete(from);
}

/** A CREATE TABLE body: column name -> type (constraints left out). */
function parseColumnList(body: string): Columns {
  const cols: Columns = new Map();
  for (const part of splitTopLevel(body)) {
    if (/^(constraint|primary\s+key|foreign\s+key|unique|check|key|index|fulltext|spatial|exclude)\b/i.test(part)) continue;
    const m = COLUMN_DEFINITION.exec(part);
    if (m) cols.set(ident(m[1]!), columnType(m[2]!));
  }
  return cols;
}

/** The type at the start of a column definition ("varchar(50) not null default 'x'" -> "varchar(50)"). */
function columnType(definition: string): string | null {
  const m = TYPE_SPELLING.exec(definition.trim());
  return m ? m[1]!.replace(/\s+/g, " ").trim() : null;
}

function ident(raw: string): string {
  return unquoteIdentifier(raw.trim()).toLowerCase();
}

/** A pattern for a table's name as a word of a statement (made once per lint: a plan has thousands of statements). */
function mentionOf(table: string): RegExp {
  const escaped = table.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(String.raw`(^|[^\w$])${escaped}($|[^\w$])`, "i");
}

/** Splits a script at the ";" that end its lines (the renderer terminates each statement so). */
function splitStatements(script: string): string[] {
  return script.split(/;[ \t]*\r?\n/);
}

/** A column type reduced to what decides whether values fit. */
interface TypeShape {
  readonly family: "integer" | "decimal" | "float" | "string" | "other";
  /** integer: bytes; float: bytes; string: characters (Infinity when unbounded); decimal: precision. */
  readonly size: number;
  readonly scale: number;
  readonly unsigned: boolean;
  readonly enumValues: readonly string[] | null;
  /** The spelling with aliases folded, to compare types of the "other" family. */
  readonly key: string;
}

const INTEGER_BYTES: Readonly<Record<string, number>> = {
  boolean: 1, bool: 1, tinyint: 1, smallint: 2, int2: 2, smallserial: 2, mediumint: 3,
  int: 4, integer: 4, int4: 4, serial: 4, bigint: 8, int8: 8, bigserial: 8,
};
const INTEGER_DIGITS: Readonly<Record<number, number>> = { 1: 3, 2: 5, 3: 8, 4: 10, 8: 20 };
const FLOAT_BYTES: Readonly<Record<string, number>> = { real: 4, float4: 4, float: 4, double: 8, "double precision": 8, float8: 8 };
const TEXT_CHARS: Readonly<Record<string, number>> = { tinytext: 255, text: 65_535, mediumtext: 16_777_215, longtext: 4_294_967_295, clob: Infinity };
const ALIASES: Readonly<Record<string, string>> = {
  timestamptz: "timestamp with time zone",
  timetz: "time with time zone",
  "timestamp without time zone": "timestamp",
  "time without time zone": "time",
};

function shapeOf(spelled: string): TypeShape {
  const text = spelled.trim().toLowerCase().replace(/\s+/g, " ");
  const m = /^([a-z_ ][a-z0-9_ ]*?)\s*(?:\((.*)\))?((?: unsigned| zerofill)*)$/.exec(text);
  const base = (m?.[1] ?? text).trim();
  const params = m?.[2] !== undefined ? m[2] : null;
  const unsigned = /unsigned/.test(m?.[3] ?? "");
  const nums = params === null ? [] : params.split(",").map((p) => Number(p.trim()));
  const other = (): TypeShape => ({ family: "other", size: 0, scale: 0, unsigned, enumValues: null, key: ALIASES[text] ?? text });
  if (base in INTEGER_BYTES) return { family: "integer", size: INTEGER_BYTES[base]!, scale: 0, unsigned, enumValues: null, key: base };
  if (base in FLOAT_BYTES) return { family: "float", size: FLOAT_BYTES[base]!, scale: 0, unsigned, enumValues: null, key: base };
  if (base === "decimal" || base === "numeric" || base === "dec" || base === "fixed") {
    // Without a precision PostgreSQL's numeric is unbounded; MySQL's decimal is (10, 0).
    const precision = Number.isFinite(nums[0]) ? nums[0]! : Infinity;
    const scale = Number.isFinite(nums[1]) ? nums[1]! : 0;
    return { family: "decimal", size: precision, scale, unsigned, enumValues: null, key: base };
  }
  if (["varchar", "character varying", "nvarchar", "national character varying", "varchar2", "char", "character", "nchar", "national character", "bpchar"].includes(base)) {
    const fixed = !/var/.test(base);
    const length = Number.isFinite(nums[0]) ? nums[0]! : fixed ? 1 : Infinity;
    return { family: "string", size: length, scale: 0, unsigned, enumValues: null, key: base };
  }
  if (base in TEXT_CHARS) return { family: "string", size: TEXT_CHARS[base]!, scale: 0, unsigned, enumValues: null, key: base };
  if (base === "enum" && params !== null) {
    const values = [...params.matchAll(/'((?:[^']|'')*)'/g)].map((v) => v[1]!.replace(/''/g, "'"));
    return { family: "string", size: Math.max(0, ...values.map((v) => v.length)), scale: 0, unsigned, enumValues: values, key: "enum" };
  }
  return other();
}

/** Why changing a column from `oldType` to `newType` may lose values; null when every old value fits. */
export function typeChangeReason(table: string, column: string, oldType: string, newType: string): string | null {
  const a = shapeOf(oldType);
  const b = shapeOf(newType);
  const what = `column ${table}.${column} from ${oldType} to ${newType}`;
  const narrows = `narrows ${what}: values that do not fit are cut or refused`;
  const verdict = fits(a, b);
  if (verdict === "fits") return null;
  return verdict === "narrower" ? narrows : `changes ${what}: values that do not convert are refused or lost`;
}

function fits(a: TypeShape, b: TypeShape): "fits" | "narrower" | "other" {
  if (a.family === "other" || b.family === "other") return a.family === b.family && a.key === b.key ? "fits" : "other";
  if (a.family === b.family) {
    switch (a.family) {
      case "integer":
        if (a.unsigned && !b.unsigned) return b.size > a.size ? "fits" : "narrower";
        if (!a.unsigned && b.unsigned) return "narrower";
        return b.size >= a.size ? "fits" : "narrower";
      case "float":
        return b.size >= a.size ? "fits" : "narrower";
      case "decimal":
        return b.size - b.scale >= a.size - a.scale && b.scale >= a.scale ? "fits" : "narrower";
      case "string":
        if (b.enumValues) return a.enumValues && a.enumValues.every((v) => b.enumValues!.includes(v)) ? "fits" : "narrower";
        return b.size >= a.size ? "fits" : "narrower";
    }
  }
  // Across families: the widenings that keep every value; anything else may not convert.
  const digits = a.family === "integer" ? INTEGER_DIGITS[a.size] ?? 20 : a.family === "decimal" ? a.size + 2 : 30;
  if (b.family === "string" && !b.enumValues) return b.size >= digits ? "fits" : "narrower";
  if (a.family === "integer" && b.family === "decimal") return b.size - b.scale >= digits ? "fits" : "narrower";
  if (a.family === "integer" && b.family === "float") return (b.size === 8 && a.size <= 4) || (b.size === 4 && a.size <= 2) ? "fits" : "narrower";
  if (b.family === "integer" || b.family === "decimal" || b.family === "float") return "narrower";
  return "other";
}
