import type { Knex } from "knex";
import type { CheckModel, ColumnModel, ForeignKeyModel, IndexModel, NotComparedModel, ReferentialAction, TableModel, UniqueModel, ViewModel } from "../../../shared/schema.js";
import { CountingReader } from "./types.js";
import type { Introspection, IntrospectOptions, SchemaDialect } from "./types.js";
import { normalizeDefault, splitTopLevel } from "./normal-form.js";

interface TableRow { TABLE_NAME: string; TABLE_TYPE: string; TABLE_COMMENT: string | null; TABLE_COLLATION: string | null }
interface ColumnRow {
  TABLE_NAME: string; COLUMN_NAME: string; COLUMN_DEFAULT: string | null; IS_NULLABLE: string; DATA_TYPE: string;
  CHARACTER_MAXIMUM_LENGTH: number | null; NUMERIC_PRECISION: number | null; NUMERIC_SCALE: number | null;
  DATETIME_PRECISION: number | null; COLLATION_NAME: string | null; COLUMN_TYPE: string; EXTRA: string; COLUMN_COMMENT: string | null;
}
interface StatRow { TABLE_NAME: string; INDEX_NAME: string; NON_UNIQUE: number | string; COLUMN_NAME: string | null; INDEX_TYPE: string; SUB_PART: number | null; COLLATION: string | null }
interface OtherRow { KIND: string; NAME: string; TABLE_NAME: string | null }
interface ForeignRow {
  TABLE_NAME: string; CONSTRAINT_NAME: string; COLUMN_NAME: string; REFERENCED_TABLE_SCHEMA: string;
  REFERENCED_TABLE_NAME: string; REFERENCED_COLUMN_NAME: string; DB: string;
}
interface RuleRow { TABLE_NAME: string; CONSTRAINT_NAME: string; UPDATE_RULE: string; DELETE_RULE: string }
interface CheckRow { TABLE_NAME: string; CONSTRAINT_NAME: string; CHECK_CLAUSE: string; LEVEL: string | null }
interface ViewRow { TABLE_NAME: string; VIEW_DEFINITION: string; DB: string }

const CHAR_TYPES = new Set(["varchar", "char", "varbinary", "binary"]);

/**
 * Reads MySQL/MariaDB's information_schema for the current database: seven queries, whatever the
 * number of tables. Check constraints are read the MariaDB way (CHECK_CONSTRAINTS.TABLE_NAME).
 * Each query names its schema as a constant: the server then opens only that schema's tables.
 * (A join of two information_schema views is not narrowed that way: KEY_COLUMN_USAGE joined to
 * REFERENTIAL_CONSTRAINTS took 27 s on a server of 140,000 tables, so the two are joined here.)
 */
export async function introspectMysql(knex: Knex, opts: IntrospectOptions): Promise<Introspection> {
  const db = new CountingReader(knex);
  const excluded = new Set(opts.exclude);
  const [tableRows, columnRows, statRows, keyRows, ruleRows, checkRows, viewRows, otherRows] = await Promise.all([
    db.rows<TableRow>("select TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_COLLATION from information_schema.TABLES where TABLE_SCHEMA = database()"),
    db.rows<ColumnRow>(
      `select TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION,
              NUMERIC_SCALE, DATETIME_PRECISION, COLLATION_NAME, COLUMN_TYPE, EXTRA, COLUMN_COMMENT
         from information_schema.COLUMNS where TABLE_SCHEMA = database() order by TABLE_NAME, ORDINAL_POSITION`,
    ),
    db.rows<StatRow>(
      `select TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, INDEX_TYPE, SUB_PART, COLLATION from information_schema.STATISTICS
        where TABLE_SCHEMA = database() order by TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    ),
    db.rows<ForeignRow>(
      `select TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,
              REFERENCED_COLUMN_NAME, database() as DB
         from information_schema.KEY_COLUMN_USAGE
        where TABLE_SCHEMA = database() and REFERENCED_TABLE_NAME is not null
        order by TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    ),
    db.rows<RuleRow>("select TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE from information_schema.REFERENTIAL_CONSTRAINTS where CONSTRAINT_SCHEMA = database()"),
    db.rows<CheckRow>("select TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL from information_schema.CHECK_CONSTRAINTS where CONSTRAINT_SCHEMA = database() order by TABLE_NAME, CONSTRAINT_NAME"),
    db.rows<ViewRow>("select TABLE_NAME, VIEW_DEFINITION, database() as DB from information_schema.VIEWS where TABLE_SCHEMA = database()"),
    // What the model leaves out (issue 16): named, each schema narrowed by a constant as above.
    db.rows<OtherRow>(
      `select 'trigger' as KIND, TRIGGER_NAME as NAME, EVENT_OBJECT_TABLE as TABLE_NAME from information_schema.TRIGGERS where TRIGGER_SCHEMA = database()
       union all select lower(ROUTINE_TYPE), ROUTINE_NAME, null from information_schema.ROUTINES where ROUTINE_SCHEMA = database()
       union all select 'event', EVENT_NAME, null from information_schema.EVENTS where EVENT_SCHEMA = database()
       union all select 'partition', PARTITION_NAME, TABLE_NAME from information_schema.PARTITIONS where TABLE_SCHEMA = database() and PARTITION_NAME is not null`,
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

  const notCompared: NotComparedModel[] = otherRows
    .filter((r) => !(r.TABLE_NAME && excluded.has(r.TABLE_NAME)))
    .map((r) => ({ kind: r.KIND, name: r.NAME, ...(r.TABLE_NAME ? { table: r.TABLE_NAME } : {}) }));
  for (const t of tableRows) {
    // MariaDB's sequences and system-versioned tables are listed among the tables, with their own type.
    if (t.TABLE_TYPE === "SEQUENCE") notCompared.push({ kind: "sequence", name: t.TABLE_NAME });
    else if (t.TABLE_TYPE === "SYSTEM VERSIONED") notCompared.push({ kind: "system-versioned table", name: t.TABLE_NAME });
  }
  for (const c of columnRows) {
    if (excluded.has(c.TABLE_NAME)) continue;
    if (/\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b|^(VIRTUAL|STORED|PERSISTENT)$/i.test(c.EXTRA)) notCompared.push({ kind: "generated column", name: c.COLUMN_NAME, table: c.TABLE_NAME });
    if (/on update/i.test(c.EXTRA)) notCompared.push({ kind: "on update column", name: c.COLUMN_NAME, table: c.TABLE_NAME });
  }
  for (const s of statRows) {
    if (excluded.has(s.TABLE_NAME)) continue;
    if (s.SUB_PART !== null) notCompared.push({ kind: "index prefix length", name: `${s.INDEX_NAME}(${s.COLUMN_NAME}(${s.SUB_PART}))`, table: s.TABLE_NAME });
    if (s.COLLATION === "D") notCompared.push({ kind: "descending index part", name: `${s.INDEX_NAME}(${s.COLUMN_NAME} desc)`, table: s.TABLE_NAME });
  }

  const tables: TableModel[] = [];
  for (const t of tableRows) {
    if (t.TABLE_TYPE !== "BASE TABLE" || excluded.has(t.TABLE_NAME)) continue;
    const tableChecks = checks.get(t.TABLE_NAME) ?? [];
    // MariaDB stores JSON as LONGTEXT plus a column check json_valid(`col`): that pair is the JSON type.
    const jsonColumns = new Set(
      tableChecks.filter((c) => c.LEVEL === "Column" && /^json_valid\(`[^`]+`\)$/i.test(c.CHECK_CLAUSE.trim())).map((c) => c.CONSTRAINT_NAME),
    );
    const columns = (cols.get(t.TABLE_NAME) ?? []).map((c) => mysqlColumn(c, t.TABLE_COLLATION, jsonColumns.has(c.COLUMN_NAME)));
    const indexGroups = new Map<string, { unique: boolean; columns: string[]; method: string | null }>();
    for (const s of stats.get(t.TABLE_NAME) ?? []) {
      const method = s.INDEX_TYPE && s.INDEX_TYPE.toUpperCase() !== "BTREE" ? s.INDEX_TYPE.toLowerCase() : null;
      const g = indexGroups.get(s.INDEX_NAME) ?? indexGroups.set(s.INDEX_NAME, { unique: Number(s.NON_UNIQUE) === 0, columns: [], method }).get(s.INDEX_NAME)!;
      g.columns.push(s.COLUMN_NAME ?? "");
    }
    const pk = indexGroups.get("PRIMARY");
    const uniques: UniqueModel[] = [];
    const indexes: IndexModel[] = [];
    for (const [name, g] of indexGroups) {
      if (name === "PRIMARY") continue;
      if (g.unique && !g.method) uniques.push({ name, columns: g.columns });
      else indexes.push({ name, columns: g.columns, unique: g.unique, expression: false, where: null, method: g.method });
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
      primaryKey: pk ? { name: "PRIMARY", columns: pk.columns } : null,
      foreignKeys,
      indexes,
      uniques,
      checks: checkModels,
    });
  }
  const views: ViewModel[] = viewRows.map((v) => ({
    schema: null,
    name: v.TABLE_NAME,
    // MariaDB qualifies every table with the database's name; another database would spell it differently.
    definition: v.VIEW_DEFINITION.split(`\`${v.DB}\`.`).join("").trim(),
  }));
  return { model: { client: "mysql2", tables, views, enums: [], notCompared }, queries: db.queries };
}

/** InnoDB treats NO ACTION as RESTRICT; one spelling keeps the two from showing as a change. */
function mysqlAction(rule: string): ReferentialAction {
  const r = rule.toUpperCase();
  if (r === "NO ACTION" || r === "RESTRICT") return "RESTRICT";
  if (r === "CASCADE" || r === "SET NULL" || r === "SET DEFAULT") return r;
  return "RESTRICT";
}

function mysqlColumn(c: ColumnRow, tableCollation: string | null, isJson: boolean): ColumnModel {
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
  let rawDefault = c.COLUMN_DEFAULT;
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
  };
}

function parseEnumValues(columnType: string): string[] {
  const inner = columnType.slice(columnType.indexOf("(") + 1, columnType.lastIndexOf(")"));
  return splitTopLevel(inner).map((v) => v.slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, "\\"));
}

/**
 * The current database's tables as SHOW CREATE TABLE says them (the server's own words: types,
 * charsets, generated columns, checks), their foreign keys split out into ALTER TABLE statements
 * run after every table exists (so neither order nor a cycle of references matters), then its views.
 */
export async function readMysqlSchemaDdl(knex: Knex, opts: IntrospectOptions): Promise<string[]> {
  const db = new CountingReader(knex);
  const excluded = new Set(opts.exclude.map((t) => t.toLowerCase()));
  const [tableRows, viewRows] = await Promise.all([
    db.rows<TableRow>("select TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_COLLATION from information_schema.TABLES where TABLE_SCHEMA = database() and TABLE_TYPE = 'BASE TABLE' order by TABLE_NAME"),
    db.rows<ViewRow>("select TABLE_NAME, VIEW_DEFINITION, database() as DB from information_schema.VIEWS where TABLE_SCHEMA = database() order by TABLE_NAME"),
  ]);
  const tables = tableRows.filter((t) => !excluded.has(t.TABLE_NAME.toLowerCase()));
  // One statement per table, but all at once: the pool sends them side by side.
  const creates = await Promise.all(tables.map(async (t) => (await db.rows<Record<string, string>>(`show create table ${mysqlSchema.quote(t.TABLE_NAME)}`))[0]!["Create Table"]!));
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
  // A view that names another comes after it; its definition loses the database's name, as in introspectMysql.
  const pending = viewRows.map((v) => ({ name: v.TABLE_NAME, sql: `create view ${mysqlSchema.quote(v.TABLE_NAME)} as ${v.VIEW_DEFINITION.split(`\`${v.DB}\`.`).join("")}` }));
  while (pending.length) {
    const next = pending.findIndex((v) => !pending.some((o) => o !== v && v.sql.includes(mysqlSchema.quote(o.name))));
    out.push(pending.splice(next < 0 ? 0 : next, 1)[0]!.sql);
  }
  return out;
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
  identityTypeSql: (c) => `${c.nativeType} auto_increment`,
  collateClause: (c) => `collate ${c}`,
  quote: (id) => `\`${id.replace(/`/g, "``")}\``,
  createEnumSql: () => "",
  dropEnumSql: () => "",
  createViewSql: (v) => `create view ${mysqlSchema.quote(v.name)} as ${v.definition}`,
  dropViewSql: (v) => `drop view ${mysqlSchema.quote(v.name)}`,
  createIndexSql: (t, i) =>
    `create ${i.unique ? "unique " : i.method === "fulltext" || i.method === "spatial" ? `${i.method} ` : ""}index ${mysqlSchema.quote(i.name)} on ${mysqlSchema.quote(t.name)}${i.method && i.method !== "fulltext" && i.method !== "spatial" ? ` using ${i.method}` : ""} (${i.columns
      .map((c) => (i.expression ? `(${c})` : mysqlSchema.quote(c)))
      .join(", ")})`,
  dropIndexSql: (t, i) => `drop index ${mysqlSchema.quote(i.name)} on ${mysqlSchema.quote(t.name)}`,
};
