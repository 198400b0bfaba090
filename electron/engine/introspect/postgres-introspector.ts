import type { Knex } from "knex";
import type { CheckModel, ColumnModel, EnumModel, ForeignKeyModel, IndexModel, ReferentialAction, TableModel, UniqueModel, ViewModel } from "../../../shared/schema.js";
import { CountingReader } from "./types.js";
import type { Introspection, IntrospectOptions, SchemaDialect } from "./types.js";
import { normalizeDefault, parseTypeSpelling, stripOuterParens, unquoteIdentifier } from "./normal-form.js";

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  "character varying": "varchar",
  character: "char",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamptz",
  "time without time zone": "time",
  "time with time zone": "timetz",
  "double precision": "double",
  numeric: "decimal",
  "bit varying": "varbit",
};

const ACTIONS: Readonly<Record<string, ReferentialAction>> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

interface RelationRow { oid: number; schema: string; name: string; relkind: string; comment: string | null; viewdef: string | null }
interface ColumnRow {
  table_oid: number; name: string; native: string; typtype: string; type_oid: number; notnull: boolean;
  default: string | null; identity: string; comment: string | null; collation: string | null;
}
interface ConstraintRow {
  table_oid: number; name: string; contype: string; def: string; cols: string[]; ref_cols: string[] | null;
  ref_schema: string | null; ref_table: string | null; upd: string; del: string;
}
interface IndexRow { table_oid: number; name: string; unique: boolean; pred: string | null; has_expr: boolean; keys: string[] }
interface EnumRow { oid: number; schema: string; name: string; vals: string[] }

/** Reads PostgreSQL's catalogs: six queries per run, whatever the number of tables. */
export async function introspectPostgres(knex: Knex, opts: IntrospectOptions): Promise<Introspection> {
  const db = new CountingReader(knex);
  const schemas = [...(opts.schemas?.length ? opts.schemas : ["public"])];
  const excluded = new Set(opts.exclude);
  const schemaOf = (s: string | null): string | null => (s === null || s === "public" ? null : s);
  const [relations, columns, constraints, indexes, enums] = await Promise.all([
    db.rows<RelationRow>(
      `select c.oid::int as oid, n.nspname as schema, c.relname as name, c.relkind::text as relkind,
              obj_description(c.oid, 'pg_class') as comment,
              case when c.relkind = 'v' then pg_get_viewdef(c.oid) end as viewdef
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(?) and c.relkind in ('r', 'p', 'v') and not c.relispartition`,
      [schemas],
    ),
    db.rows<ColumnRow>(
      `select a.attrelid::int as table_oid, a.attname::text as name, format_type(a.atttypid, a.atttypmod) as native,
              t.typtype::text as typtype, a.atttypid::int as type_oid, a.attnotnull as notnull,
              pg_get_expr(d.adbin, d.adrelid) as default, a.attidentity::text as identity,
              col_description(a.attrelid, a.attnum) as comment,
              case when a.attcollation <> t.typcollation then co.collname::text end as collation
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p')
         join pg_namespace n on n.oid = c.relnamespace
         join pg_type t on t.oid = a.atttypid
         left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
         left join pg_collation co on co.oid = a.attcollation
        where n.nspname = any(?) and a.attnum > 0 and not a.attisdropped
        order by a.attrelid, a.attnum`,
      [schemas],
    ),
    db.rows<ConstraintRow>(
      `select con.conrelid::int as table_oid, con.conname::text as name, con.contype::text as contype,
              pg_get_constraintdef(con.oid) as def,
              array(select a.attname::text from unnest(con.conkey) with ordinality k(n, o)
                      join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o) as cols,
              case when con.contype = 'f' then array(select a.attname::text from unnest(con.confkey) with ordinality k(n, o)
                      join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o) end as ref_cols,
              rn.nspname::text as ref_schema, rc.relname::text as ref_table,
              con.confupdtype::text as upd, con.confdeltype::text as del
         from pg_constraint con
         join pg_class c on c.oid = con.conrelid
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_class rc on rc.oid = con.confrelid
         left join pg_namespace rn on rn.oid = rc.relnamespace
        where n.nspname = any(?) and con.contype in ('p', 'u', 'f', 'c')
        order by con.conrelid, con.conname`,
      [schemas],
    ),
    db.rows<IndexRow>(
      `select i.indrelid::int as table_oid, ic.relname::text as name, i.indisunique as unique,
              pg_get_expr(i.indpred, i.indrelid) as pred, i.indexprs is not null as has_expr,
              array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k order by k) as keys
         from pg_index i
         join pg_class ic on ic.oid = i.indexrelid
         join pg_class c on c.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(?) and not i.indisprimary
          and not exists (select 1 from pg_constraint x where x.conindid = i.indexrelid and x.contype in ('p', 'u', 'x'))
        order by i.indrelid, ic.relname`,
      [schemas],
    ),
    db.rows<EnumRow>(
      `select t.oid::int as oid, n.nspname::text as schema, t.typname::text as name,
              array_agg(e.enumlabel::text order by e.enumsortorder) as vals
         from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
        where n.nspname = any(?)
        group by t.oid, n.nspname, t.typname
        order by n.nspname, t.typname`,
      [schemas],
    ),
  ]);

  const enumModels: EnumModel[] = enums.map((e) => ({ schema: schemaOf(e.schema), name: e.name, values: e.vals }));
  const enumOids = new Set(enums.map((e) => e.oid));
  const byTable = <T extends { table_oid: number }>(rows: T[]): Map<number, T[]> => {
    const m = new Map<number, T[]>();
    for (const r of rows) (m.get(r.table_oid) ?? m.set(r.table_oid, []).get(r.table_oid)!).push(r);
    return m;
  };
  const colsBy = byTable(columns);
  const consBy = byTable(constraints);
  const idxBy = byTable(indexes);

  const tables: TableModel[] = [];
  const views: ViewModel[] = [];
  for (const rel of relations) {
    if (rel.relkind === "v") {
      views.push({ schema: schemaOf(rel.schema), name: rel.name, definition: (rel.viewdef ?? "").trim().replace(/;$/, "") });
      continue;
    }
    if (excluded.has(rel.name)) continue;
    const cons = consBy.get(rel.oid) ?? [];
    const pk = cons.find((c) => c.contype === "p");
    const columnModels = (colsBy.get(rel.oid) ?? []).map((c) => postgresColumn(c, enumOids.has(c.type_oid)));
    const foreignKeys: ForeignKeyModel[] = cons
      .filter((c) => c.contype === "f")
      .map((c) => ({
        name: c.name,
        columns: c.cols,
        refSchema: schemaOf(c.ref_schema),
        refTable: c.ref_table ?? "",
        refColumns: c.ref_cols ?? [],
        onDelete: ACTIONS[c.del] ?? "NO ACTION",
        onUpdate: ACTIONS[c.upd] ?? "NO ACTION",
      }));
    const uniques: UniqueModel[] = cons.filter((c) => c.contype === "u").map((c) => ({ name: c.name, columns: c.cols }));
    const checks: CheckModel[] = cons
      .filter((c) => c.contype === "c")
      .map((c) => ({ name: c.name, expression: stripOuterParens(c.def.replace(/^CHECK\s*/i, "").replace(/\s+NOT VALID$/i, "")) }));
    const indexModels: IndexModel[] = (idxBy.get(rel.oid) ?? []).map((i) => ({
      name: i.name,
      columns: i.has_expr ? i.keys : i.keys.map(unquoteIdentifier),
      unique: i.unique,
      expression: i.has_expr,
      where: i.pred === null ? null : stripOuterParens(i.pred),
    }));
    tables.push({
      schema: schemaOf(rel.schema),
      name: rel.name,
      comment: rel.comment || null,
      columns: columnModels,
      primaryKey: pk ? { name: pk.name, columns: pk.cols } : null,
      foreignKeys,
      indexes: indexModels,
      uniques,
      checks,
    });
  }
  return { model: { client: "pg", tables, views, enums: enumModels }, queries: db.queries };
}

function postgresColumn(c: ColumnRow, isEnum: boolean): ColumnModel {
  const spelled = parseTypeSpelling(c.native);
  // "timestamp(3) with time zone": the parameter sits in the middle of the name.
  const base = `${spelled.base}${spelled.suffix ? ` ${spelled.suffix}` : ""}`.replace(/\s+/g, " ");
  const type = isEnum ? c.native : (TYPE_ALIASES[base] ?? base);
  const serial = c.default !== null && /^nextval\(/i.test(c.default);
  const identity = serial || c.identity === "a" || c.identity === "d";
  const isChar = type === "varchar" || type === "char" || type === "bit" || type === "varbit";
  return {
    name: c.name,
    type,
    nativeType: c.native,
    length: isChar ? (spelled.params[0] ?? null) : null,
    precision: isChar ? null : (spelled.params[0] ?? null),
    scale: isChar ? null : (spelled.params[1] ?? null),
    unsigned: false,
    enumValues: null,
    nullable: !c.notnull,
    default: identity ? null : normalizeDefault(c.default, type),
    identity,
    collation: c.collation,
    comment: c.comment || null,
  };
}

/** PostgreSQL's side of the schema seam. */
export const postgresSchema: SchemaDialect = {
  introspect: introspectPostgres,
  rebuildsTables: false,
  scratch: {
    async create(admin, name) {
      await admin.raw(`create database "${name}"`);
    },
    async drop(admin, name) {
      // WITH (FORCE) ends sessions still connected (PostgreSQL 13+), so an interrupted build cannot keep it alive.
      await admin.raw(`drop database if exists "${name}" with (force)`);
    },
    async list(admin, prefix) {
      const r = await admin.raw("select datname from pg_database where datname like ? order by 1", [`${prefix}%`]);
      return (r.rows as { datname: string }[]).map((x) => x.datname);
    },
    retarget(config, database) {
      const c = config.connection;
      if (typeof c === "string") return { ...config, connection: { connectionString: c, database } as Knex.StaticConnectionConfig };
      return { ...config, connection: { ...(c as object), database } as Knex.StaticConnectionConfig };
    },
  },
  incrementsUnsigned: false,
  identityTypeSql: (c) => (c.type === "integer" ? "serial" : c.type === "bigint" ? "bigserial" : c.type === "smallint" ? "smallserial" : `${c.nativeType} generated by default as identity`),
  collateClause: (c) => `collate "${c.replace(/"/g, '""')}"`,
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  createEnumSql: (e) => `create type ${qualified(e.schema, e.name)} as enum (${e.values.map(literal).join(", ")})`,
  dropEnumSql: (e) => `drop type ${qualified(e.schema, e.name)}`,
  createViewSql: (v) => `create view ${qualified(v.schema, v.name)} as ${v.definition}`,
  dropViewSql: (v) => `drop view ${qualified(v.schema, v.name)}`,
  createIndexSql: (t, i) =>
    `create ${i.unique ? "unique " : ""}index ${postgresSchema.quote(i.name)} on ${qualified(t.schema, t.name)} (${i.columns
      .map((c) => (i.expression ? c : postgresSchema.quote(c)))
      .join(", ")})${i.where ? ` where ${i.where}` : ""}`,
  dropIndexSql: (t, i) => `drop index ${qualified(t.schema, i.name)}`,
};

function qualified(schema: string | null, name: string): string {
  return schema ? `${postgresSchema.quote(schema)}.${postgresSchema.quote(name)}` : postgresSchema.quote(name);
}

function literal(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}
