import type { Knex } from "knex";
import type { CheckModel, ColumnModel, DefinedObjectModel, ForeignKeyModel, IndexModel, NotComparedModel, ReferentialAction, TableModel, UniqueModel, ViewModel } from "../../../shared/schema.js";
import { CountingReader } from "./types.js";
import type { Introspection, IntrospectOptions, SchemaDialect } from "./types.js";
import { normalizeDefault, splitTopLevel } from "./normal-form.js";

interface TableRow { TABLE_NAME: string; TABLE_TYPE: string; TABLE_COMMENT: string | null; TABLE_COLLATION: string | null; ENGINE: string | null; CREATE_OPTIONS: string | null }
interface DefaultsRow { ENGINE: string; COLLATION: string; DB: string }
interface ColumnRow {
  TABLE_NAME: string; COLUMN_NAME: string; COLUMN_DEFAULT: string | null; IS_NULLABLE: string; DATA_TYPE: string;
  CHARACTER_MAXIMUM_LENGTH: number | null; NUMERIC_PRECISION: number | null; NUMERIC_SCALE: number | null;
  DATETIME_PRECISION: number | null; COLLATION_NAME: string | null; COLUMN_TYPE: string; EXTRA: string; COLUMN_COMMENT: string | null;
  GENERATION_EXPRESSION: string | null;
}
/** information_schema.STATISTICS as a whole: MariaDB has IGNORED, MySQL 8 IS_VISIBLE and EXPRESSION. */
interface StatRow {
  TABLE_NAME: string; INDEX_NAME: string; NON_UNIQUE: number | string; COLUMN_NAME: string | null; INDEX_TYPE: string; SUB_PART: number | null; COLLATION: string | null;
  IGNORED?: string; IS_VISIBLE?: string; EXPRESSION?: string | null; INDEX_COMMENT?: string;
}
/** KIND: "trigger", "procedure", "function", "event", or another routine type (MariaDB's "package", "package body"). */
interface ObjectRow { KIND: string; NAME: string; TABLE_NAME: string | null }
type ShownKind = "trigger" | "procedure" | "function" | "event" | "sequence" | "table";
interface ForeignRow {
  TABLE_NAME: string; CONSTRAINT_NAME: string; COLUMN_NAME: string; REFERENCED_TABLE_SCHEMA: string;
  REFERENCED_TABLE_NAME: string; REFERENCED_COLUMN_NAME: string; DB: string;
}
interface RuleRow { TABLE_NAME: string; CONSTRAINT_NAME: string; UPDATE_RULE: string; DELETE_RULE: string }
interface CheckRow { TABLE_NAME: string; CONSTRAINT_NAME: string; CHECK_CLAUSE: string; LEVEL: string | null }
interface ViewRow { TABLE_NAME: string; VIEW_DEFINITION: string; DB: string; CHECK_OPTION?: string; SECURITY_TYPE?: string; ALGORITHM?: string }

const CHAR_TYPES = new Set(["varchar", "char", "varbinary", "binary"]);

/** The column of SHOW CREATE ... that holds the statement, per kind. */
const SHOW_CREATE: Readonly<Record<ShownKind, { what: string; column: string }>> = {
  trigger: { what: "trigger", column: "SQL Original Statement" },
  procedure: { what: "procedure", column: "Create Procedure" },
  function: { what: "function", column: "Create Function" },
  event: { what: "event", column: "Create Event" },
  sequence: { what: "sequence", column: "Create Table" },
  table: { what: "table", column: "Create Table" },
};

/**
 * Reads MySQL/MariaDB's information_schema for the current database: nine queries, whatever the
 * number of tables, then one SHOW CREATE per trigger, routine, event, sequence and partitioned
 * table (their text as it was written: the catalog's columns cannot give it back). Check
 * constraints are read the MariaDB way (CHECK_CONSTRAINTS.TABLE_NAME).
 * Each query names its schema as a constant: the server then opens only that schema's tables.
 * (A join of two information_schema views is not narrowed that way: KEY_COLUMN_USAGE joined to
 * REFERENTIAL_CONSTRAINTS took 27 s on a server of 140,000 tables, so the two are joined here.)
 */
export async function introspectMysql(knex: Knex, opts: IntrospectOptions): Promise<Introspection> {
  const db = new CountingReader(knex);
  const excluded = new Set(opts.exclude);
  const [tableRows, [defaults], columnRows, statRows, keyRows, ruleRows, checkRows, viewRows, objectRows] = await Promise.all([
    db.rows<TableRow>("select TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_COLLATION, ENGINE, CREATE_OPTIONS from information_schema.TABLES where TABLE_SCHEMA = database()"),
    db.rows<DefaultsRow>("select @@default_storage_engine as ENGINE, DEFAULT_COLLATION_NAME as COLLATION, database() as DB from information_schema.SCHEMATA where SCHEMA_NAME = database()"),
    db.rows<ColumnRow>(
      `select TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION,
              NUMERIC_SCALE, DATETIME_PRECISION, COLLATION_NAME, COLUMN_TYPE, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION
         from information_schema.COLUMNS where TABLE_SCHEMA = database() order by TABLE_NAME, ORDINAL_POSITION`,
    ),
    // Unordered on purpose: the server lists each table's keys in their own order (the order SHOW CREATE TABLE shows), parts in sequence.
    db.rows<StatRow>("select * from information_schema.STATISTICS where TABLE_SCHEMA = database()"),
    db.rows<ForeignRow>(
      `select TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,
              REFERENCED_COLUMN_NAME, database() as DB
         from information_schema.KEY_COLUMN_USAGE
        where TABLE_SCHEMA = database() and REFERENCED_TABLE_NAME is not null
        order by TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    ),
    db.rows<RuleRow>("select TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE from information_schema.REFERENTIAL_CONSTRAINTS where CONSTRAINT_SCHEMA = database()"),
    // Unordered too: checks come back in the order they were made, as SHOW CREATE TABLE lists them.
    db.rows<CheckRow>("select TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL from information_schema.CHECK_CONSTRAINTS where CONSTRAINT_SCHEMA = database()"),
    // As a whole: MariaDB has ALGORITHM, MySQL 8 does not.
    db.rows<ViewRow>("select v.*, database() as DB from information_schema.VIEWS v where TABLE_SCHEMA = database()"),
    // Triggers of one table and timing in the order they fire (made again in that order, they fire so again).
    db.rows<ObjectRow>(
      `select * from (
         select 'trigger' as KIND, TRIGGER_NAME as NAME, EVENT_OBJECT_TABLE as TABLE_NAME, ACTION_TIMING as T, EVENT_MANIPULATION as E, ACTION_ORDER as O
           from information_schema.TRIGGERS where TRIGGER_SCHEMA = database()
         union all select lower(ROUTINE_TYPE), ROUTINE_NAME, null, '', '', 0 from information_schema.ROUTINES where ROUTINE_SCHEMA = database()
         union all select 'event', EVENT_NAME, null, '', '', 0 from information_schema.EVENTS where EVENT_SCHEMA = database()
       ) o order by KIND, TABLE_NAME, T, E, O, NAME`,
    ),
  ]);

  const group = <T extends { TABLE_NAME: string }>(rows: T[]): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const r of rows) (m.get(r.TABLE_NAME) ?? m.set(r.TABLE_NAME, []).get(r.TABLE_NAME)!).push(r);
    return m;
  };
  const cols = group(columnRows);
  const stats = group(statRows);
  const fks = group(keyRows);
  // A constraint's name is unique within its table.
  const rules = new Map(ruleRows.map((r) => [`${r.TABLE_NAME}\u0000${r.CONSTRAINT_NAME}`, r]));
  const checks = group(checkRows);

  const notCompared: NotComparedModel[] = [];
  // MariaDB's sequences and system-versioned tables are listed among the tables, with their own type.
  for (const t of tableRows) if (t.TABLE_TYPE === "SYSTEM VERSIONED") notCompared.push({ kind: "system-versioned table", name: t.TABLE_NAME });
  const baseTables = tableRows.filter((t) => t.TABLE_TYPE === "BASE TABLE" && !excluded.has(t.TABLE_NAME));
  const partitioned = baseTables.filter((t) => /\bpartitioned\b/i.test(t.CREATE_OPTIONS ?? ""));
  const shown = (k: string): k is ShownKind => Object.hasOwn(SHOW_CREATE, k);
  for (const r of objectRows) if (!shown(r.KIND)) notCompared.push({ kind: r.KIND, name: r.NAME });
  const wanted: { kind: ShownKind; name: string; table: string | null }[] = [
    ...objectRows.filter((r) => shown(r.KIND) && !(r.TABLE_NAME && excluded.has(r.TABLE_NAME))).map((r) => ({ kind: r.KIND as ShownKind, name: r.NAME, table: r.TABLE_NAME })),
    ...tableRows.filter((t) => t.TABLE_TYPE === "SEQUENCE").map((t) => ({ kind: "sequence" as const, name: t.TABLE_NAME, table: null })),
    ...partitioned.map((t) => ({ kind: "table" as const, name: t.TABLE_NAME, table: null })),
  ];
  // One statement each, side by side on the pool.
  const texts = await Promise.all(
    wanted.map(async (w) => String((await db.rows<Record<string, string>>(`show create ${SHOW_CREATE[w.kind].what} ${mysqlSchema.quote(w.name)}`))[0]![SHOW_CREATE[w.kind].column])),
  );
  const objects: DefinedObjectModel[] = [];
  const partitionClauses = new Map<string, string>();
  for (const [i, w] of wanted.entries()) {
    const text = texts[i]!;
    if (w.kind === "table") {
      partitionClauses.set(w.name, partitionClause(text));
      continue;
    }
    const statement = withoutDefiner(text);
    objects.push({
      kind: w.kind,
      schema: null,
      name: w.name,
      ...(w.table ? { table: w.table } : {}),
      statements: [statement],
      drop: `drop ${w.kind} ${mysqlSchema.quote(w.name)}`,
      // An event made without STARTS is stamped with the time it was made: that is no part of what it does.
      ...(w.kind === "event" ? { comparedAs: statement.replace(/\s+STARTS\s+'[^']*'/i, "") } : {}),
    });
  }
  // Sequences first: a column default may call nextval() of one.
  objects.sort((a, b) => Number(b.kind === "sequence") - Number(a.kind === "sequence"));

  const tables: TableModel[] = [];
  for (const t of baseTables) {
    const tableChecks = checks.get(t.TABLE_NAME) ?? [];
    // MariaDB stores JSON as LONGTEXT plus a column check json_valid(`col`): that pair is the JSON type.
    const jsonColumns = new Set(
      tableChecks.filter((c) => c.LEVEL === "Column" && /^json_valid\(`[^`]+`\)$/i.test(c.CHECK_CLAUSE.trim())).map((c) => c.CONSTRAINT_NAME),
    );
    const columns = (cols.get(t.TABLE_NAME) ?? []).map((c) => mysqlColumn(c, t.TABLE_COLLATION, jsonColumns.has(c.COLUMN_NAME), defaults?.DB ?? ""));
    const { primaryKey, uniques, indexes } = mysqlKeys(stats.get(t.TABLE_NAME) ?? []);
    // MariaDB's INVISIBLE columns (left out of SELECT *) are read as plain columns: that they are hidden is not compared.
    for (const c of cols.get(t.TABLE_NAME) ?? []) if (/\binvisible\b/i.test(c.EXTRA)) notCompared.push({ kind: "invisible column", name: c.COLUMN_NAME, table: t.TABLE_NAME });
    for (const option of (t.CREATE_OPTIONS ?? "").split(/\s+/).filter((o) => o && !/^partitioned$/i.test(o))) {
      notCompared.push({ kind: "table option", name: option, table: t.TABLE_NAME });
    }
    const fkGroups = new Map<string, ForeignRow[]>();
    for (const f of fks.get(t.TABLE_NAME) ?? []) (fkGroups.get(f.CONSTRAINT_NAME) ?? fkGroups.set(f.CONSTRAINT_NAME, []).get(f.CONSTRAINT_NAME)!).push(f);
    const foreignKeys: ForeignKeyModel[] = [...fkGroups].map(([name, rows]) => {
      const rule = rules.get(`${t.TABLE_NAME}\u0000${name}`);
      return {
        name,
        columns: rows.map((r) => r.COLUMN_NAME),
        refSchema: rows[0]!.REFERENCED_TABLE_SCHEMA === rows[0]!.DB ? null : rows[0]!.REFERENCED_TABLE_SCHEMA,
        refTable: rows[0]!.REFERENCED_TABLE_NAME,
        refColumns: rows.map((r) => r.REFERENCED_COLUMN_NAME),
        onDelete: mysqlAction(rule?.DELETE_RULE ?? "RESTRICT"),
        onUpdate: mysqlAction(rule?.UPDATE_RULE ?? "RESTRICT"),
      };
    });
    const checkModels: CheckModel[] = tableChecks
      .filter((c) => !(c.LEVEL === "Column" && jsonColumns.has(c.CONSTRAINT_NAME)))
      .map((c) => ({ name: c.CONSTRAINT_NAME, expression: c.CHECK_CLAUSE.trim() }));
    tables.push({
      schema: null,
      name: t.TABLE_NAME,
      comment: t.TABLE_COMMENT || null,
      columns,
      primaryKey,
      foreignKeys,
      indexes,
      uniques,
      checks: checkModels,
      partitionBy: partitionClauses.get(t.TABLE_NAME) ?? null,
      engine: t.ENGINE && defaults && t.ENGINE.toLowerCase() !== defaults.ENGINE.toLowerCase() ? t.ENGINE : null,
      collation: t.TABLE_COLLATION && defaults && t.TABLE_COLLATION !== defaults.COLLATION ? t.TABLE_COLLATION : null,
    });
  }
  for (const v of viewRows) {
    if (v.ALGORITHM && v.ALGORITHM !== "UNDEFINED") notCompared.push({ kind: "view option", name: `algorithm=${v.ALGORITHM.toLowerCase()}`, table: v.TABLE_NAME });
    if (v.SECURITY_TYPE && v.SECURITY_TYPE !== "DEFINER") notCompared.push({ kind: "view option", name: `sql security ${v.SECURITY_TYPE.toLowerCase()}`, table: v.TABLE_NAME });
  }
  const views: ViewModel[] = viewsByDependency(viewRows.map((v) => ({
    schema: null,
    name: v.TABLE_NAME,
    // MariaDB qualifies every table with the database's name; another database would spell it differently.
    definition: `${v.VIEW_DEFINITION.split(`\`${v.DB}\`.`).join("").trim()}${v.CHECK_OPTION && v.CHECK_OPTION !== "NONE" ? ` with ${v.CHECK_OPTION.toLowerCase()} check option` : ""}`,
  })));
  return { model: { client: "mysql2", tables, views, enums: [], objects, notCompared }, queries: db.queries };
}

/** Views in an order where one that names another comes after it (made in this order, each finds what it reads). */
function viewsByDependency(views: readonly ViewModel[]): ViewModel[] {
  const pending = [...views];
  const out: ViewModel[] = [];
  while (pending.length) {
    const next = pending.findIndex((v) => !pending.some((o) => o !== v && v.definition.includes(mysqlSchema.quote(o.name))));
    out.push(pending.splice(next < 0 ? 0 : next, 1)[0]!);
  }
  return out;
}

/** "CREATE DEFINER=`root`@`%` TRIGGER ..." -> "CREATE TRIGGER ...": made again, it belongs to whoever runs the revision. */
function withoutDefiner(statement: string): string {
  return statement.replace(/^(\s*create\s+)definer\s*=\s*(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[^\s@]+)@(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[^\s]+)\s+/i, "$1");
}

/** The text after PARTITION BY in SHOW CREATE TABLE ("HASH (`id`)\nPARTITIONS 2"); MySQL wraps it in a version comment. */
function partitionClause(createTable: string): string {
  const at = createTable.search(/\n\s*(?:\/\*!\d+\s*)?PARTITION BY /);
  return createTable
    .slice(at)
    .replace(/^\s*(?:\/\*!\d+\s*)?PARTITION BY /, "")
    .replace(/\s*\*\/\s*$/, "")
    .trim();
}

/**
 * A table's keys from its STATISTICS rows: the primary key, plain unique keys, and the other
 * indexes. A key with a prefix length, a descending part, an expression, or one the optimizer
 * ignores (MariaDB IGNORED, MySQL INVISIBLE) keeps its part list as MySQL writes it in `definition`.
 */
function mysqlKeys(rows: readonly StatRow[]): { primaryKey: TableModel["primaryKey"]; uniques: UniqueModel[]; indexes: IndexModel[] } {
  const groups = new Map<string, StatRow[]>();
  for (const s of rows) (groups.get(s.INDEX_NAME) ?? groups.set(s.INDEX_NAME, []).get(s.INDEX_NAME)!).push(s);
  let primaryKey: TableModel["primaryKey"] = null;
  const uniques: UniqueModel[] = [];
  const indexes: IndexModel[] = [];
  for (const [name, parts] of groups) {
    const first = parts[0]!;
    const columns = parts.map((p) => p.COLUMN_NAME ?? p.EXPRESSION ?? "");
    if (name === "PRIMARY") {
      primaryKey = { name: "PRIMARY", columns };
      continue;
    }
    const type = first.INDEX_TYPE.toUpperCase();
    const method = type !== "BTREE" ? type.toLowerCase() : null;
    const unique = Number(first.NON_UNIQUE) === 0;
    // A spatial key always reports a prefix of its own (32): not one the user wrote.
    const prefixed = type !== "SPATIAL" && parts.some((p) => p.SUB_PART !== null);
    const descending = parts.some((p) => p.COLLATION === "D");
    const expression = parts.some((p) => !p.COLUMN_NAME && p.EXPRESSION);
    const ignored = first.IGNORED === "YES" ? " ignored" : first.IS_VISIBLE === "NO" ? " invisible" : "";
    const comment = first.INDEX_COMMENT ? ` comment '${first.INDEX_COMMENT.replace(/\\/g, "\\\\").replace(/'/g, "''")}'` : "";
    const definition =
      prefixed || descending || expression || ignored || comment
        ? `(${parts
            .map((p) => `${p.COLUMN_NAME ? mysqlSchema.quote(p.COLUMN_NAME) : `(${p.EXPRESSION})`}${p.SUB_PART !== null && type !== "SPATIAL" ? `(${p.SUB_PART})` : ""}${p.COLLATION === "D" ? " desc" : ""}`)
            .join(", ")})${comment}${ignored}`
        : null;
    if (unique && !method && !definition) uniques.push({ name, columns });
    else indexes.push({ name, columns, unique, expression, where: null, method, ...(definition ? { definition } : {}) });
  }
  return { primaryKey, uniques, indexes };
}
/** InnoDB treats NO ACTION as RESTRICT; one spelling keeps the two from showing as a change. */
function mysqlAction(rule: string): ReferentialAction {
  const r = rule.toUpperCase();
  if (r === "NO ACTION" || r === "RESTRICT") return "RESTRICT";
  if (r === "CASCADE" || r === "SET NULL" || r === "SET DEFAULT") return r;
  return "RESTRICT";
}

function mysqlColumn(c: ColumnRow, tableCollation: string | null, isJson: boolean, database: string): ColumnModel {
  const dataType = c.DATA_TYPE.toLowerCase();
  const columnType = c.COLUMN_TYPE.toLowerCase();
  let type = dataType === "int" ? "integer" : dataType;
  if (columnType.startsWith("tinyint(1)")) type = "boolean";
  if (isJson) type = "json";
  const enumValues = dataType === "enum" || dataType === "set" ? parseEnumValues(c.COLUMN_TYPE) : null;
  const numericParams = /^(decimal|numeric|float|double)\((\d+)(?:,(\d+))?\)/.exec(columnType);
  const isChar = CHAR_TYPES.has(dataType);
  const isTime = dataType === "datetime" || dataType === "timestamp" || dataType === "time";
  let precision: number | null = null;
  let scale: number | null = null;
  if (numericParams) {
    precision = Number(numericParams[2]);
    scale = numericParams[3] === undefined ? null : Number(numericParams[3]);
  } else if (isTime && c.DATETIME_PRECISION) precision = Number(c.DATETIME_PRECISION);
  // EXTRA says "STORED GENERATED" / "VIRTUAL GENERATED" (MySQL 8, MariaDB 10.2+) or "PERSISTENT" / "VIRTUAL" (older MariaDB).
  const generation = /^(VIRTUAL|STORED|PERSISTENT)(?: GENERATED)?$/i.exec(c.EXTRA.trim());
  const onUpdate = /\bon update (\S+)/i.exec(c.EXTRA);
  // A default naming a sequence (nextval(`db`.`seq`)) names this database: another one would spell it differently.
  let rawDefault = generation || c.COLUMN_DEFAULT === null ? null : c.COLUMN_DEFAULT.split(`\`${database}\`.`).join("");
  // MySQL 8 gives string defaults unquoted (MariaDB quotes them); a generated default is an expression.
  if (rawDefault !== null && (isChar || dataType.endsWith("text") || dataType === "enum") && !/^'.*'$/s.test(rawDefault) && !/DEFAULT_GENERATED/i.test(c.EXTRA) && rawDefault !== "NULL") {
    rawDefault = `'${rawDefault.replace(/'/g, "''")}'`;
  }
  return {
    name: c.COLUMN_NAME,
    type,
    nativeType: isJson ? "json" : c.COLUMN_TYPE,
    length: isChar ? Number(c.CHARACTER_MAXIMUM_LENGTH) : null,
    precision,
    scale,
    unsigned: / unsigned/.test(columnType),
    enumValues,
    nullable: c.IS_NULLABLE === "YES",
    default: normalizeDefault(rawDefault, type),
    identity: /auto_increment/i.test(c.EXTRA),
    collation: c.COLLATION_NAME && tableCollation && c.COLLATION_NAME !== tableCollation && !isJson ? c.COLLATION_NAME : null,
    comment: c.COLUMN_COMMENT || null,
    generated: generation && c.GENERATION_EXPRESSION !== null ? { expression: c.GENERATION_EXPRESSION, stored: !/^VIRTUAL/i.test(generation[1]!) } : null,
    onUpdate: onUpdate ? normalizeDefault(onUpdate[1], type) : null,
  };
}

function parseEnumValues(columnType: string): string[] {
  const inner = columnType.slice(columnType.indexOf("(") + 1, columnType.lastIndexOf(")"));
  return splitTopLevel(inner).map((v) => v.slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, "\\"));
}

/**
 * The current database's tables as SHOW CREATE TABLE says them (the server's own words: types,
 * charsets, generated columns, checks), their foreign keys split out into ALTER TABLE statements
 * run after every table exists (so neither order nor a cycle of references matters), then its views;
 * its sequences and routines first and its triggers and events last, as introspectMysql reads them.
 */
export async function readMysqlSchemaDdl(knex: Knex, opts: IntrospectOptions): Promise<string[]> {
  const db = new CountingReader(knex);
  const excluded = new Set(opts.exclude.map((t) => t.toLowerCase()));
  const [tableRows, [current], { model }] = await Promise.all([
    db.rows<TableRow>("select TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_COLLATION from information_schema.TABLES where TABLE_SCHEMA = database() and TABLE_TYPE = 'BASE TABLE' order by TABLE_NAME"),
    db.rows<{ DB: string }>("select database() as DB"),
    // Views (with their check option), sequences, routines, triggers and events as introspectMysql reads them.
    introspectMysql(knex, opts),
  ]);
  const tables = tableRows.filter((t) => !excluded.has(t.TABLE_NAME.toLowerCase()));
  // One statement per table, but all at once: the pool sends them side by side.
  // A default calling nextval() names this database: the copy goes to another one.
  const creates = await Promise.all(tables.map(async (t) => (await db.rows<Record<string, string>>(`show create table ${mysqlSchema.quote(t.TABLE_NAME)}`))[0]!["Create Table"]!.split(`${mysqlSchema.quote(current?.DB ?? "")}.`).join("")));
  const out: string[] = [];
  const foreignKeys: string[] = [];
  for (const [i, ddl] of creates.entries()) {
    const lines = ddl.split("\n");
    // The column list ends at the line that starts with ")" (ENGINE=...; partitions may follow it).
    let closing = lines.length - 1;
    while (closing > 0 && !lines[closing]!.startsWith(")")) closing--;
    const body = lines.slice(1, closing).map((l) => l.trim().replace(/,$/, ""));
    const isForeignKey = (l: string): boolean => /^constraint\s+`(?:[^`]|``)+`\s+foreign\s+key\b/i.test(l);
    out.push([lines[0], body.filter((l) => !isForeignKey(l)).map((l) => `  ${l}`).join(",\n"), ...lines.slice(closing)].join("\n"));
    for (const fk of body.filter(isForeignKey)) foreignKeys.push(`alter table ${mysqlSchema.quote(tables[i]!.TABLE_NAME)} add ${fk}`);
  }
  out.push(...foreignKeys);
  out.push(...model.views.map((v) => mysqlSchema.createViewSql(v)));
  // Sequences and routines before the tables (a default may call nextval(); MySQL does not check a routine's body), triggers and events after.
  const objects = model.objects ?? [];
  const early = (o: DefinedObjectModel): boolean => o.kind === "sequence" || o.kind === "function" || o.kind === "procedure";
  return [...objects.filter(early).flatMap((o) => o.statements), ...out, ...objects.filter((o) => !early(o)).flatMap((o) => o.statements)];
}

/** MySQL/MariaDB's side of the schema seam. */
export const mysqlSchema: SchemaDialect = {
  introspect: introspectMysql,
  readSchemaDdl: readMysqlSchemaDdl,
  rebuildsTables: false,
  scratch: {
    async create(admin, name) {
      await admin.raw(`create database \`${name}\``);
    },
    async drop(admin, name) {
      // A session still building the scratch database would hold its metadata locks: end it first.
      const r = await admin.raw("select ID from information_schema.PROCESSLIST where DB = ? and ID <> connection_id()", [name]);
      for (const row of r[0] as { ID: number }[]) await admin.raw(`kill ${Number(row.ID)}`).catch(() => undefined);
      await admin.raw(`drop database if exists \`${name}\``);
    },
    async list(admin, prefix) {
      const r = await admin.raw("select SCHEMA_NAME as name from information_schema.SCHEMATA where SCHEMA_NAME like ? order by 1", [`${prefix}%`]);
      return (r[0] as { name: string }[]).map((x) => x.name);
    },
    retarget(config, database) {
      const c = config.connection;
      if (typeof c === "string") {
        const u = new URL(c);
        u.pathname = `/${database}`;
        return { ...config, connection: u.toString() };
      }
      return { ...config, connection: { ...(c as object), database } as Knex.StaticConnectionConfig };
    },
  },
  incrementsUnsigned: true,
  altersColumnPiecewise: false,
  identityTypeSql: (c) => `${c.nativeType} auto_increment`,
  collateClause: (c) => `collate ${c}`,
  quote: (id) => `\`${id.replace(/`/g, "``")}\``,
  createEnumSql: () => "",
  dropEnumSql: () => "",
  createViewSql: (v) => `create view ${mysqlSchema.quote(v.name)} as ${v.definition}`,
  dropViewSql: (v) => `drop view ${mysqlSchema.quote(v.name)}`,
  createIndexSql(t, i) {
    const kind = i.unique ? "unique " : i.method === "fulltext" || i.method === "spatial" ? `${i.method} ` : "";
    const using = i.method && i.method !== "fulltext" && i.method !== "spatial" ? ` using ${i.method}` : "";
    const parts = i.definition ?? `(${i.columns.map((c) => (i.expression ? `(${c})` : mysqlSchema.quote(c))).join(", ")})`;
    return `create ${kind}index ${mysqlSchema.quote(i.name)} on ${mysqlSchema.quote(t.name)}${using} ${parts}`;
  },
  dropIndexSql: (t, i) => `drop index ${mysqlSchema.quote(i.name)} on ${mysqlSchema.quote(t.name)}`,
  tableRewrite(p) {
    // InnoDB's own rules (MariaDB 10.4+, MySQL 8): these run as ALGORITHM=COPY or rebuild the clustered index.
    switch (p.kind) {
      case "alter-column": {
        const why = p.aspects.flatMap((a) => (a === "type" ? ["the column's type changes"] : a === "nullable" && !p.to.nullable ? ["the column becomes not null"] : a === "collation" ? ["the column's collation changes"] : a === "generated" ? ["the column's generation changes"] : a === "identity" ? ["auto_increment changes"] : []));
        return why.length ? why.join(", ") : null;
      }
      case "add-column":
        return p.column.generated?.stored ? "a stored generated column is computed for every row" : p.column.identity ? "an auto_increment column is numbered for every row" : null;
      case "set-primary-key":
      case "drop-primary-key":
        return "InnoDB keeps the rows in primary key order";
      case "add-foreign-key":
        return "with foreign_key_checks on, the server adds a foreign key by copying the table";
      case "add-index":
        return p.index.method === "fulltext" ? "the first FULLTEXT index of a table adds a hidden column to it" : null;
      case "set-table-options":
        return "its engine or charset changes";
      default:
        return null;
    }
  },
  tableOptionsSql(from, to) {
    const table = mysqlSchema.quote(to.name);
    const out: string[] = [];
    // No spelling says "the server's default engine": InnoDB is that default on every MySQL and MariaDB since 5.5.
    if ((from.engine ?? "") !== (to.engine ?? "")) out.push(`alter table ${table} engine = ${to.engine ?? "InnoDB"}`);
    // CONVERT TO changes the columns that follow the table's collation too, as a table made with the new one would have them.
    if ((from.collation ?? "") !== (to.collation ?? "")) {
      out.push(to.collation ? `alter table ${table} convert to character set ${to.collation.split("_")[0]} collate ${to.collation}` : `alter table ${table} convert to character set default`);
    }
    return out;
  },
};
