import type { Knex } from "knex";
import type { CheckModel, ColumnModel, DefinedObjectModel, EnumModel, ForeignKeyModel, IndexModel, ReferentialAction, TableModel, UniqueModel, ViewModel } from "../../../shared/schema.js";
import { StrataError } from "../errors.js";
import { CountingReader } from "./types.js";
import type { Introspection, IntrospectOptions, SchemaDialect } from "./types.js";
import { normalizeDefault, parseTypeSpelling, stripOuterParens } from "./normal-form.js";

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

interface RelationRow { oid: number; schema: string; name: string; relkind: string; comment: string | null; viewdef: string | null; partkey: string | null }
interface ColumnRow {
  table_oid: number; name: string; native: string; typtype: string; type_oid: number; notnull: boolean;
  default: string | null; identity: string; comment: string | null; collation: string | null; attnum: number; generated: string;
}
interface ConstraintRow {
  table_oid: number; name: string; contype: string; def: string | null; cols: number[]; ref_cols: number[] | null; ref_oid: number;
  ref_schema: string | null; ref_table: string | null; upd: string; del: string;
}
interface IndexRow {
  table_oid: number; name: string; unique: boolean; pred: string | null; has_expr: boolean; method: string; attnums: number[]; keys: string[] | null; def: string | null;
}
interface IdentityRow { table_oid: number; attnum: number; deptype: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean; type: string }
interface NotComparedRow { kind: string; schema: string | null; name: string; tschema: string | null; tname: string | null }
interface ObjectRow { kind: DefinedObjectModel["kind"]; schema: string | null; name: string; tschema: string | null; tname: string | null; statements: string[]; drop: string }
interface EnumRow { oid: number; schema: string; name: string; vals: string[] }

/**
 * Reads PostgreSQL's catalogs: eight queries per run (run side by side), whatever the number of
 * tables (a sixth only for keys to tables in schemas not asked for).
 */
export async function introspectPostgres(knex: Knex, opts: IntrospectOptions): Promise<Introspection> {
  const db = new CountingReader(knex);
  const schemas = [...(opts.schemas?.length ? opts.schemas : ["public"])];
  const excluded = new Set(opts.exclude);
  const schemaOf = (s: string | null): string | null => (s === null || s === "public" ? null : s);
  const [relations, columns, constraints, indexes, enums, identities, unmodelled, objectRows] = await Promise.all([
    db.rows<RelationRow>(
      `select c.oid::int as oid, n.nspname as schema, c.relname as name, c.relkind::text as relkind,
              ds.description as comment,
              case when c.relkind = 'v' then pg_get_viewdef(c.oid) end as viewdef,
              case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partkey
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         left join pg_description ds on ds.objoid = c.oid and ds.classoid = 'pg_class'::regclass and ds.objsubid = 0
        where n.nspname = any(?) and c.relkind in ('r', 'p', 'v') and not c.relispartition`,
      [schemas],
    ),
    db.rows<ColumnRow>(
      `select a.attrelid::int as table_oid, a.attname::text as name, format_type(a.atttypid, a.atttypmod) as native,
              t.typtype::text as typtype, a.atttypid::int as type_oid, a.attnotnull as notnull,
              pg_get_expr(d.adbin, d.adrelid) as default, a.attidentity::text as identity, a.attgenerated::text as generated,
              ds.description as comment, a.attnum::int as attnum,
              case when a.attcollation <> t.typcollation then co.collname::text end as collation
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p')
         join pg_namespace n on n.oid = c.relnamespace
         join pg_type t on t.oid = a.atttypid
         left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
         left join pg_collation co on co.oid = a.attcollation
         left join pg_description ds on ds.objoid = a.attrelid and ds.classoid = 'pg_class'::regclass and ds.objsubid = a.attnum
        where n.nspname = any(?) and a.attnum > 0 and not a.attisdropped`,
      [schemas],
    ),
    db.rows<ConstraintRow>(
      `select con.conrelid::int as table_oid, con.conname::text as name, con.contype::text as contype,
              case when con.contype = 'c' then pg_get_constraintdef(con.oid) end as def,
              con.conkey::int[] as cols, con.confkey::int[] as ref_cols, con.confrelid::int as ref_oid,
              rn.nspname::text as ref_schema, rc.relname::text as ref_table,
              con.confupdtype::text as upd, con.confdeltype::text as del
         from pg_constraint con
         join pg_class c on c.oid = con.conrelid
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_class rc on rc.oid = con.confrelid
         left join pg_namespace rn on rn.oid = rc.relnamespace
        where n.nspname = any(?) and con.contype in ('p', 'u', 'f', 'c')
          -- A deferrable unique or foreign key is read whole, as a defined object (OBJECTS_SQL).
          and not (con.condeferrable and con.contype in ('u', 'f'))
        order by con.conrelid, con.conname`,
      [schemas],
    ),
    db.rows<IndexRow>(
      `select i.indrelid::int as table_oid, ic.relname::text as name, i.indisunique as unique,
              pg_get_expr(i.indpred, i.indrelid) as pred, i.indexprs is not null as has_expr, am.amname::text as method,
              (i.indkey::int2[])[0:i.indnkeyatts - 1]::int[] as attnums,
              case when i.indexprs is not null then
                array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k order by k) end as keys,
              -- The whole definition only where columns, method and predicate cannot say it all
              -- (issue 16): desc / nulls, include, operator classes, nulls not distinct.
              case when i.indexprs is not null or i.indpred is not null or am.amname <> 'btree' or i.indnatts > i.indnkeyatts
                     or to_jsonb(i) ->> 'indnullsnotdistinct' = 'true'
                     or exists (select 1 from unnest(i.indoption::int2[]) o where o <> 0)
                     or exists (select 1 from unnest(i.indclass::oid[]) oc join pg_opclass op on op.oid = oc where not op.opcdefault)
                   then pg_get_indexdef(i.indexrelid) end as def
         from pg_index i
         join pg_class ic on ic.oid = i.indexrelid
         join pg_am am on am.oid = ic.relam
         join pg_class c on c.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_constraint x on x.conindid = i.indexrelid and x.contype in ('p', 'u', 'x')
        where n.nspname = any(?) and not i.indisprimary and x.oid is null
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
    db.rows<IdentityRow>(
      `select d.refobjid::int as table_oid, d.refobjsubid::int as attnum, d.deptype::text as deptype, s.seqstart::text as start, s.seqincrement::text as increment,
              s.seqmin::text as min, s.seqmax::text as max, s.seqcache::text as cache, s.seqcycle as cycle, format_type(s.seqtypid, null) as type
         from pg_depend d
         join pg_sequence s on s.seqrelid = d.objid
         join pg_class c on c.oid = d.objid
         join pg_namespace n on n.oid = c.relnamespace
        where d.classid = 'pg_class'::regclass and d.deptype in ('i', 'a') and d.refobjsubid > 0 and n.nspname = any(?)`,
      [schemas],
    ),
    db.rows<NotComparedRow>(NOT_COMPARED_SQL, [schemas, schemas]),
    db.rows<ObjectRow>(OBJECTS_SQL, [schemas]),
  ]);

  const enumModels: EnumModel[] = enums.map((e) => ({ schema: schemaOf(e.schema), name: e.name, values: e.vals }));
  const enumOids = new Set(enums.map((e) => e.oid));
  const byTable = <T extends { table_oid: number }>(rows: T[]): Map<number, T[]> => {
    const m = new Map<number, T[]>();
    for (const r of rows) (m.get(r.table_oid) ?? m.set(r.table_oid, []).get(r.table_oid)!).push(r);
    return m;
  };
  // Sorted here rather than by the server: 10,000 rows sort faster in JS than in a catalog query plan.
  columns.sort((x, y) => x.table_oid - y.table_oid || x.attnum - y.attnum);
  const colsBy = byTable(columns);
  // Key columns come as attribute numbers: named here from the columns already read, not by a join per key.
  const attName = new Map<number, Map<number, string>>();
  for (const c of columns) (attName.get(c.table_oid) ?? attName.set(c.table_oid, new Map()).get(c.table_oid)!).set(c.attnum, c.name);
  const outside = [...new Set(constraints.filter((c) => c.contype === "f" && !attName.has(c.ref_oid)).map((c) => c.ref_oid))];
  if (outside.length) {
    // A key to a table in a schema that was not asked for: one more query, for those tables only.
    const rows = await db.rows<{ table_oid: number; attnum: number; name: string }>(
      "select attrelid::int as table_oid, attnum::int as attnum, attname::text as name from pg_attribute where attrelid = any(?) and attnum > 0",
      [outside],
    );
    for (const r of rows) (attName.get(r.table_oid) ?? attName.set(r.table_oid, new Map()).get(r.table_oid)!).set(r.attnum, r.name);
  }
  const names = (table: number, nums: readonly number[] | null): string[] => (nums ?? []).map((n) => attName.get(table)?.get(n) ?? String(n));
  const consBy = byTable(constraints);
  // A sequence a column owns: by identity ('i'), or by serial or OWNED BY ('a').
  const identityOf = new Map(identities.map((r) => [`${r.table_oid}.${r.attnum}`, r] as const));
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
    const columnModels = (colsBy.get(rel.oid) ?? []).map((c) => postgresColumn(c, enumOids.has(c.type_oid), identityOf.get(`${c.table_oid}.${c.attnum}`)));
    const foreignKeys: ForeignKeyModel[] = cons
      .filter((c) => c.contype === "f")
      .map((c) => ({
        name: c.name,
        columns: names(c.table_oid, c.cols),
        refSchema: schemaOf(c.ref_schema),
        refTable: c.ref_table ?? "",
        refColumns: names(c.ref_oid, c.ref_cols),
        onDelete: ACTIONS[c.del] ?? "NO ACTION",
        onUpdate: ACTIONS[c.upd] ?? "NO ACTION",
      }));
    const uniques: UniqueModel[] = cons.filter((c) => c.contype === "u").map((c) => ({ name: c.name, columns: names(c.table_oid, c.cols) }));
    const checks: CheckModel[] = cons
      .filter((c) => c.contype === "c")
      .map((c) => ({ name: c.name, expression: stripOuterParens((c.def ?? "").replace(/^CHECK\s*/i, "").replace(/\s+NOT VALID$/i, "")) }));
    const indexModels: IndexModel[] = (idxBy.get(rel.oid) ?? []).map((i) => ({
      name: i.name,
      // pg_get_indexdef deparses, which is slow: only expression indexes need it.
      columns: i.has_expr ? (i.keys ?? []) : names(i.table_oid, i.attnums),
      unique: i.unique,
      expression: i.has_expr,
      where: i.pred === null ? null : stripOuterParens(i.pred),
      method: i.method === "btree" ? null : i.method,
      definition: i.def === null ? null : indexBody(i.def),
    }));
    tables.push({
      schema: schemaOf(rel.schema),
      name: rel.name,
      comment: rel.comment || null,
      ...(rel.partkey ? { partitionBy: rel.partkey } : {}),
      columns: columnModels,
      primaryKey: pk ? { name: pk.name, columns: names(pk.table_oid, pk.cols) } : null,
      foreignKeys,
      indexes: indexModels,
      uniques,
      checks,
    });
  }
  const qualify = (schema: string | null, name: string): string => (schemaOf(schema) ? `${schema}.${name}` : name);
  const notCompared = unmodelled
    .filter((r) => !(r.tname !== null && excluded.has(r.tname)))
    .map((r) => ({ kind: r.kind, name: r.schema === null ? r.name : qualify(r.schema, r.name), ...(r.tname !== null ? { table: qualify(r.tschema, r.tname) } : {}) }));
  // A partition that is itself partitioned is made before its own partitions.
  const parentOf = new Map(objectRows.filter((r) => r.kind === "partition").map((r) => [qualify(r.schema, r.name), qualify(r.tschema, r.tname ?? "")] as const));
  const depth = (o: DefinedObjectModel): number => {
    let d = 0;
    for (let at = o.table; o.kind === "partition" && at !== undefined && parentOf.has(at) && d < 64; at = parentOf.get(at)) d++;
    return d;
  };
  const objects: DefinedObjectModel[] = objectRows
    .filter((r) => !(r.tname !== null && excluded.has(r.tname)))
    .map((r) => ({ kind: r.kind, schema: schemaOf(r.schema), name: r.name, ...(r.tname !== null ? { table: qualify(r.tschema, r.tname) } : {}), statements: r.statements, drop: r.drop }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || depth(a) - depth(b) || `${a.schema}.${a.name}`.localeCompare(`${b.schema}.${b.name}`));
  return { model: { client: "pg", tables, views, enums: enumModels, objects, notCompared, dependentsBlockChanges: true }, queries: db.queries };
}

/** "CREATE INDEX ix ON public.t USING btree (a DESC)" -> "using btree (a DESC)": the part that does not name the index or table. */
function indexBody(def: string): string {
  const on = def.indexOf(" ON ");
  const using = def.indexOf(" USING ", on);
  return using < 0 ? def : `using ${def.slice(using + " USING ".length)}`;
}

/**
 * What the catalogs hold that the model does not (issue 16, "nothing passes in silence"): one query,
 * every kind by name. Objects an extension owns are left to the extension, which is named itself.
 */
const NOT_COMPARED_SQL = `
with ns as (select oid, nspname::text as nspname from pg_namespace where nspname = any(?)),
ext as (select classid, objid from pg_depend where deptype = 'e')
select 'policy' as kind, null as schema, p.polname::text as name, ns.nspname as tschema, c.relname::text as tname
  from pg_policy p join pg_class c on c.oid = p.polrelid join ns on ns.oid = c.relnamespace
union all
select 'rule', null, r.rulename::text, ns.nspname, c.relname::text
  from pg_rewrite r join pg_class c on c.oid = r.ev_class join ns on ns.oid = c.relnamespace where r.rulename <> '_RETURN'

union all
select 'row level security', null, case when c.relforcerowsecurity then 'forced' else 'enabled' end, ns.nspname, c.relname::text
  from pg_class c join ns on ns.oid = c.relnamespace where c.relrowsecurity
union all
select case c.relkind when 'f' then 'foreign table' else 'composite type' end, ns.nspname, c.relname::text, null, null
  from pg_class c join ns on ns.oid = c.relnamespace
 where c.relkind in ('f', 'c')
union all
select 'inheritance', pn.nspname::text, p.relname::text, ns.nspname, c.relname::text
  from pg_inherits i join pg_class c on c.oid = i.inhrelid join ns on ns.oid = c.relnamespace
  join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace where not c.relispartition
union all
select 'unlogged table', ns.nspname, c.relname::text, null, null
  from pg_class c join ns on ns.oid = c.relnamespace where c.relpersistence = 'u' and c.relkind in ('r', 'p')
union all
select case p.prokind when 'a' then 'aggregate' else 'window function' end,
       ns.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', null, null
  from pg_proc p join ns on ns.oid = p.pronamespace
 where p.prokind in ('a', 'w') and not exists (select 1 from ext where ext.classid = 'pg_proc'::regclass and ext.objid = p.oid)
union all
select case t.typtype when 'r' then 'range type' else 'type' end, ns.nspname, t.typname::text, null, null
  from pg_type t join ns on ns.oid = t.typnamespace
 where (t.typtype = 'r' or (t.typtype = 'b' and t.typcategory <> 'A'))
   and not exists (select 1 from ext where ext.classid = 'pg_type'::regclass and ext.objid = t.oid)
union all
select 'deferrable primary key', null, con.conname::text, ns.nspname, c.relname::text
  from pg_constraint con join pg_class c on c.oid = con.conrelid join ns on ns.oid = c.relnamespace
 where con.condeferrable and con.contype = 'p'
union all
select 'statistics', ns.nspname, s.stxname::text, null, null from pg_statistic_ext s join ns on ns.oid = s.stxnamespace
union all
select 'collation', ns.nspname, co.collname::text, null, null from pg_collation co join ns on ns.oid = co.collnamespace

union all
select 'unique nulls not distinct', null, con.conname::text, ns.nspname, c.relname::text
  from pg_constraint con join pg_class c on c.oid = con.conrelid join ns on ns.oid = c.relnamespace join pg_index i on i.indexrelid = con.conindid
 where con.contype = 'u' and to_jsonb(i) ->> 'indnullsnotdistinct' = 'true'
union all
-- Comments on anything but tables and their columns (those are compared).
select 'comment', null, pg_describe_object(d.classoid, d.objoid, d.objsubid), null, null
  from pg_description d
 -- 16384 is FirstNormalObjectId: the catalog's own thousands of comments are skipped before any is described.
 where d.objoid >= 16384 and (pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema = any(?)
   and not (d.classoid = 'pg_class'::regclass and exists (select 1 from pg_class c where c.oid = d.objoid and c.relkind in ('r', 'p')))
   and not exists (select 1 from ext where ext.classid = d.classoid and ext.objid = d.objoid)
union all
select 'publication', null, p.pubname::text, null, null from pg_publication p
union all
select 'event trigger', null, e.evtname::text, null, null from pg_event_trigger e`;

/**
 * Objects compared by their definition (issue 16): the statements that make each, as the server
 * writes them back (pg_get_functiondef, pg_get_triggerdef, pg_get_viewdef, pg_get_indexdef), or
 * built from its catalog row (sequences, domains, extensions). Extension members are the extension's.
 */
const OBJECTS_SQL = `
with ns as (select oid, nspname::text as nspname from pg_namespace where nspname = any(?)),
ext as (select classid, objid from pg_depend where deptype = 'e')
select 'extension' as kind, null as schema, e.extname::text as name, null as tschema, null as tname,
       array['create extension ' || quote_ident(e.extname) || ' schema ' || quote_ident(n.nspname)] as statements,
       'drop extension ' || quote_ident(e.extname) as drop
  from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname <> 'plpgsql'
union all
select 'sequence', ns.nspname, c.relname::text, null, null,
       array['create sequence ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || ' as ' || format_type(s.seqtypid, null)
             || ' increment by ' || s.seqincrement || ' minvalue ' || s.seqmin || ' maxvalue ' || s.seqmax || ' start with ' || s.seqstart
             || ' cache ' || s.seqcache || case when s.seqcycle then ' cycle' else ' no cycle' end],
       'drop sequence ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname)
  from pg_class c join ns on ns.oid = c.relnamespace join pg_sequence s on s.seqrelid = c.oid
 where c.relkind = 'S'
   and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))
   and not exists (select 1 from ext where ext.classid = 'pg_class'::regclass and ext.objid = c.oid)
union all
select 'domain', ns.nspname, t.typname::text, null, null,
       array['create domain ' || quote_ident(ns.nspname) || '.' || quote_ident(t.typname) || ' as ' || format_type(t.typbasetype, t.typtypmod)
             || coalesce(' default ' || t.typdefault, '') || case when t.typnotnull then ' not null' else '' end
             || coalesce((select string_agg(' constraint ' || quote_ident(con.conname) || ' ' || pg_get_constraintdef(con.oid), '' order by con.conname)
                            from pg_constraint con where con.contypid = t.oid and con.contype = 'c'), '')],
       'drop domain ' || quote_ident(ns.nspname) || '.' || quote_ident(t.typname)
  from pg_type t join ns on ns.oid = t.typnamespace
 where t.typtype = 'd' and not exists (select 1 from ext where ext.classid = 'pg_type'::regclass and ext.objid = t.oid)
union all
select case p.prokind when 'p' then 'procedure' else 'function' end, ns.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', null, null,
       array[pg_get_functiondef(p.oid)],
       'drop ' || case p.prokind when 'p' then 'procedure' else 'function' end || ' ' || quote_ident(ns.nspname) || '.' || quote_ident(p.proname)
         || '(' || pg_get_function_identity_arguments(p.oid) || ')'
  from pg_proc p join ns on ns.oid = p.pronamespace
 where p.prokind in ('f', 'p') and not exists (select 1 from ext where ext.classid = 'pg_proc'::regclass and ext.objid = p.oid)
union all
select 'trigger', null, t.tgname::text, ns.nspname, c.relname::text, array[pg_get_triggerdef(t.oid)],
       'drop trigger ' || quote_ident(t.tgname) || ' on ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname)
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join ns on ns.oid = c.relnamespace
 -- A row trigger on a partitioned table is cloned onto each partition by the server: only the parent's is made.
 where not t.tgisinternal and t.tgparentid = 0
union all
select 'materialized view', ns.nspname, c.relname::text, null, null,
       array['create materialized view ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || ' as ' || rtrim(btrim(pg_get_viewdef(c.oid)), ';')]
         || array(select pg_get_indexdef(i.indexrelid) from pg_index i where i.indrelid = c.oid order by 1),
       'drop materialized view ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname)
  from pg_class c join ns on ns.oid = c.relnamespace where c.relkind = 'm'
union all
select 'constraint', null, con.conname::text, ns.nspname, c.relname::text,
       array['alter table ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || ' add constraint ' || quote_ident(con.conname) || ' ' || pg_get_constraintdef(con.oid)],
       'alter table ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || ' drop constraint ' || quote_ident(con.conname)
  from pg_constraint con join pg_class c on c.oid = con.conrelid join ns on ns.oid = c.relnamespace
 where (con.contype = 'x' or (con.condeferrable and con.contype in ('u', 'f'))) and con.conparentid = 0
union all
select 'partition', ns.nspname, c.relname::text, pn.nspname::text, p.relname::text,
       array['create table ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname) || ' partition of ' || quote_ident(pn.nspname) || '.' || quote_ident(p.relname)
             || ' ' || pg_get_expr(c.relpartbound, c.oid) || case when c.relkind = 'p' then ' partition by ' || pg_get_partkeydef(c.oid) else '' end],
       'drop table ' || quote_ident(ns.nspname) || '.' || quote_ident(c.relname)
  from pg_class c join ns on ns.oid = c.relnamespace join pg_inherits i on i.inhrelid = c.oid
  join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
 -- Indexes of partitions are partitions of the parent's index: made by the server with the partition.
 where c.relispartition and c.relkind in ('r', 'p')`;

const INTEGER_MAX: Readonly<Record<string, string>> = { smallint: "32767", integer: "2147483647", bigint: "9223372036854775807" };

/** An identity's sequence options that differ from PostgreSQL's defaults for its type, in CREATE's words. */
function identityOptions(r: IdentityRow): string | null {
  const ascending = !r.increment.startsWith("-");
  const opts: string[] = [];
  if (r.increment !== "1") opts.push(`increment by ${r.increment}`);
  // Defaults of a descending sequence depend on its type's minimum: written out in full.
  if (!ascending || r.min !== "1") opts.push(`minvalue ${r.min}`);
  if (!ascending || r.max !== INTEGER_MAX[r.type]) opts.push(`maxvalue ${r.max}`);
  if (r.start !== (ascending ? r.min : r.max)) opts.push(`start with ${r.start}`);
  if (r.cache !== "1") opts.push(`cache ${r.cache}`);
  if (r.cycle) opts.push("cycle");
  return opts.length ? opts.join(" ") : null;
}

function postgresColumn(c: ColumnRow, isEnum: boolean, seq: IdentityRow | undefined): ColumnModel {
  const spelled = parseTypeSpelling(c.native);
  // "timestamp(3) with time zone": the parameter sits in the middle of the name.
  const base = `${spelled.base}${spelled.suffix ? ` ${spelled.suffix}` : ""}`.replace(/\s+/g, " ");
  const type = isEnum ? c.native : (TYPE_ALIASES[base] ?? base);
  // serial is nextval() of a sequence the column owns; nextval() of a standalone sequence is a plain default.
  const serial = c.default !== null && /^nextval\(/i.test(c.default) && seq?.deptype === "a";
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
    // A stored generated column's expression sits where a default would (pg_attrdef): it is not one.
    default: identity || c.generated === "s" ? null : normalizeDefault(c.default, type),
    identity,
    collation: c.collation,
    comment: c.comment || null,
    identityGeneration: c.identity === "a" || c.identity === "d" ? { kind: c.identity === "a" ? "always" : "by default", options: seq?.deptype === "i" ? identityOptions(seq) : null } : null,
    generated: c.generated === "s" ? { expression: stripOuterParens(c.default ?? ""), stored: true } : null,
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
      // pg takes a connectionString's database over the `database` key: the scratch name must go inside it,
      // or the revisions would be built on the environment's own database.
      const inside = (url: string): string => {
        let u: URL;
        try {
          u = new URL(url);
        } catch {
          throw new StrataError("NOT_SUPPORTED", "cannot make a scratch database from this PostgreSQL connection string; write the connection as { host, user, database, ... } in strata.config.json");
        }
        u.pathname = `/${encodeURIComponent(database)}`;
        return u.toString();
      };
      if (typeof c === "string") return { ...config, connection: { connectionString: inside(c), database } as Knex.StaticConnectionConfig };
      const o = c as Record<string, unknown>;
      return {
        ...config,
        connection: { ...o, ...(typeof o.connectionString === "string" ? { connectionString: inside(o.connectionString) } : {}), database } as Knex.StaticConnectionConfig,
      };
    },
  },
  incrementsUnsigned: false,
  altersColumnPiecewise: true,
  identityTypeSql: (c) => (c.type === "integer" ? "serial" : c.type === "bigint" ? "bigserial" : c.type === "smallint" ? "smallserial" : `${c.nativeType} generated by default as identity`),
  collateClause: (c) => `collate "${c.replace(/"/g, '""')}"`,
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  createEnumSql: (e) => `create type ${qualified(e.schema, e.name)} as enum (${e.values.map(literal).join(", ")})`,
  dropEnumSql: (e) => `drop type ${qualified(e.schema, e.name)}`,
  createViewSql: (v) => `create view ${qualified(v.schema, v.name)} as ${v.definition}`,
  dropViewSql: (v) => `drop view ${qualified(v.schema, v.name)}`,
  createIndexSql: (t, i) =>
    i.definition
      ? `create ${i.unique ? "unique " : ""}index ${postgresSchema.quote(i.name)} on ${qualified(t.schema, t.name)} ${i.definition}`
      : `create ${i.unique ? "unique " : ""}index ${postgresSchema.quote(i.name)} on ${qualified(t.schema, t.name)}${i.method ? ` using ${i.method}` : ""} (${i.columns
      .map((c) => (i.expression ? c : postgresSchema.quote(c)))
      .join(", ")})${i.where ? ` where ${i.where}` : ""}`,
  dropIndexSql: (t, i) => `drop index ${qualified(t.schema, i.name)}`,
  uncheckedRoutineBodies: { off: "set check_function_bodies = off", on: "reset check_function_bodies" },
};

function qualified(schema: string | null, name: string): string {
  return schema ? `${postgresSchema.quote(schema)}.${postgresSchema.quote(name)}` : postgresSchema.quote(name);
}

function literal(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}
