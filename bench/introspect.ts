// Issue 3's benchmark: builds 1,000 tables (10 columns, a primary key, a unique, a check, an index
// and a foreign key each) on each dialect, then times Strata's full introspection (with its
// number of catalog queries) beside the database's own dump tool on the same database in the same
// run, and a diff of two such 1,000-table models. Issue 16 adds per table a generated column, a
// trigger and a DESC/INCLUDE index (INCLUDE on PostgreSQL only), so the new catalog reads are timed;
// on SQLite also STRICT and plain INTEGER PRIMARY KEY on every other table, a collation in the DESC
// index and a default written as an expression; on MariaDB also an ON UPDATE column and a prefix-length index.
// Targets: introspection at most 0.5x the dump tool on PostgreSQL and MariaDB, under 0.3 s on
// SQLite; a diff of two 1,000-table models under 0.2 s.
// Usage: npx tsx bench/introspect.ts [TABLES] [pg,mysql2,better-sqlite3]
import { spawnSync } from "node:child_process";
import type { SchemaModel, TableModel } from "../shared/schema.js";
import type { DbClient } from "../electron/engine/dialect/index.js";
import { dialectFor } from "../electron/engine/dialect/index.js";
import { diffSchemas } from "../electron/engine/diff/index.js";
import { createTestDatabase } from "../test/helpers/databases.js";

const N = Number(process.argv[2] ?? 1000);
const clients = (process.argv[3] ?? "pg,mysql2,better-sqlite3").split(",") as DbClient[];
const RUNS = 5;

const name = (i: number) => `t${String(i).padStart(4, "0")}`;

/** One table's DDL per dialect: 10 columns, primary key, unique, check, index, and a key to the table before it. */
function tableDdl(client: DbClient, i: number): string[] {
  const t = name(i);
  const ref = name(Math.max(0, i - 1));
  switch (client) {
    case "pg":
      return [
        `create table ${t} (id serial primary key, ref_id integer references ${ref}(id) on delete cascade, code varchar(40) not null, name varchar(100), qty integer not null default 0, price numeric(10,2), active boolean default true, created timestamp default now(), note text, extra integer, constraint ${t}_code_key unique (code), constraint ${t}_qty_check check (qty >= 0))`,
        `create index ${t}_name_idx on ${t} (name)`,
        `alter table ${t} add column gross numeric(12,2) generated always as (price * qty) stored`,
        `create index ${t}_recent_idx on ${t} (created desc nulls last) include (code)`,
        `create trigger ${t}_touch before update on ${t} for each row execute function bench_touch()`,
      ];
    case "mysql2":
      return [
        `create table ${t} (id int unsigned auto_increment primary key, ref_id int unsigned, code varchar(40) not null, name varchar(100), qty int not null default 0, price decimal(10,2), active tinyint(1) default 1, created timestamp null default current_timestamp, note text, extra int, unique key ${t}_code_key (code), key ${t}_name_idx (name), constraint ${t}_qty_check check (qty >= 0), constraint ${t}_ref_fk foreign key (ref_id) references ${ref}(id) on delete cascade, gross decimal(12,2) as (price * qty) stored, key ${t}_recent_idx (created desc), changed timestamp null on update current_timestamp, key ${t}_name_prefix_idx (name(8)))`,
        `create trigger ${t}_touch before update on ${t} for each row set new.extra = coalesce(new.extra, 0)`,
      ];
    case "better-sqlite3":
      return [
        // Every other table STRICT (its types are SQLite's five), every other one a plain INTEGER PRIMARY KEY; a default written as an expression.
        `create table ${t} (id integer primary key${i % 2 ? "" : " autoincrement"}, ref_id integer references ${ref}(id) on delete cascade, code text not null, name text, qty integer not null default 0, price real, active integer default 1, created text default (datetime('now')), note text, extra integer, constraint ${t}_code_key unique (code), constraint ${t}_qty_check check (qty >= 0))${i % 2 ? " strict" : ""}`,
        `create index ${t}_name_idx on ${t} (name)`,
        `alter table ${t} add column gross real generated always as (price * qty) virtual`,
        `create index ${t}_recent_idx on ${t} (created desc, name collate nocase)`,
        `create trigger ${t}_touch after update on ${t} begin select 1; end`,
      ];
  }
}

/** Columns each table reads back with, its generated column included (MariaDB's ON UPDATE column too). */
const COLUMNS: Record<DbClient, number> = { pg: 11, mysql2: 12, "better-sqlite3": 11 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

function dumpCommand(client: DbClient, database: string): string[] | null {
  if (client === "pg") return ["pg_dump", "--schema-only", "-h", "127.0.0.1", "-U", "postgres", database];
  if (client === "mysql2") return ["mariadb-dump", "--no-data", "--routines", "--triggers", "--events", "-h", "127.0.0.1", "-uroot", database];
  return null;
}

/** The second model of the diff: every tenth table changed (a column widened, one added, the index dropped). */
function changedModel(m: SchemaModel): SchemaModel {
  return {
    ...m,
    tables: m.tables.map((t, i): TableModel => {
      if (i % 10 !== 0) return t;
      return {
        ...t,
        columns: [...t.columns.map((c) => (c.name === "name" ? { ...c, length: 200, nativeType: "varchar(200)" } : c)), { ...t.columns[9]!, name: "added" }],
        indexes: [],
      };
    }),
  };
}

const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};

async function main(): Promise<void> {
  say(`Introspection and diff, ${N} tables (10 columns, PK, unique, check, index, FK, generated column, trigger, DESC/INCLUDE index each); median of ${RUNS} runs`);
  for (const client of clients) {
    const db = await createTestDatabase(client);
    try {
      const build = await timed(async () => {
        if (client === "pg") await db.knex.raw("create function bench_touch() returns trigger language plpgsql as $$begin return new; end$$");
        if (client === "better-sqlite3") {
          await db.knex.transaction(async (trx) => {
            for (let i = 0; i < N; i++) for (const s of tableDdl(client, i)) await trx.raw(s);
          });
        } else {
          for (let i = 0; i < N; i++) for (const s of tableDdl(client, i)) await db.knex.raw(s);
        }
      });
      const schema = dialectFor(client).schema;
      const intro: number[] = [];
      let model: SchemaModel | null = null;
      let queries = 0;
      for (let r = 0; r < RUNS; r++) {
        const t = await timed(() => schema.introspect(db.knex, { exclude: [] }));
        intro.push(t.seconds);
        model = t.value.model;
        queries = t.value.queries;
      }
      const tables = model!.tables;
      const check =
        tables.every((t) => t.columns.length === COLUMNS[client] && t.primaryKey && t.uniques.length === 1 && t.checks.length === 1 && t.foreignKeys.length === 1 && t.indexes.length >= 2) &&
        (client !== "better-sqlite3" || (model!.objects?.filter((o) => o.kind === "trigger").length === N && tables.filter((t) => t.options === "strict").length === Math.floor(N / 2)));
      const notCompared = model!.notCompared?.length ?? 0;
      const dumpArgs = dumpCommand(client, (db.env.knexConfig.connection as { database?: string }).database ?? "");
      const dumps: number[] = [];
      if (dumpArgs) {
        for (let r = 0; r < RUNS; r++) {
          const t = await timed(() => spawnSync(dumpArgs[0]!, dumpArgs.slice(1), { encoding: "utf8", maxBuffer: 1 << 30 }));
          if (t.value.status !== 0) throw new Error(`${dumpArgs[0]} failed: ${t.value.stderr}`);
          dumps.push(t.seconds);
        }
      }
      const other = changedModel(model!);
      const diffs: number[] = [];
      let changes = 0;
      for (let r = 0; r < RUNS; r++) {
        const t = await timed(() => diffSchemas(model!, other));
        diffs.push(t.seconds);
        changes = t.value.length;
      }
      const same = await timed(() => diffSchemas(model!, model!));
      const label = dialectFor(client).label;
      say(`${label}: built ${tables.length} tables in ${build.seconds.toFixed(1)} s${check ? "" : " (WARNING: a table did not read back with all its parts)"}`);
      say(`  introspection: ${median(intro).toFixed(3)} s, ${queries} queries, ${notCompared} objects named as not compared (runs: ${intro.map((x) => x.toFixed(3)).join(", ")})`);
      if (dumpArgs) {
        const ratio = median(intro) / median(dumps);
        say(`  ${dumpArgs.slice(0, 2).join(" ")}: ${median(dumps).toFixed(3)} s  -> Strata/dump = ${ratio.toFixed(2)}x (target <= 0.5x: ${ratio <= 0.5 ? "met" : "NOT met"})`);
      } else {
        say(`  (target < 0.3 s: ${median(intro) < 0.3 ? "met" : "NOT met"})`);
      }
      say(`  diff of two ${tables.length}-table models: ${median(diffs).toFixed(3)} s, ${changes} changes (target < 0.2 s: ${median(diffs) < 0.2 ? "met" : "NOT met"}); a model against itself: ${same.seconds.toFixed(3)} s, ${same.value.length} changes`);
    } finally {
      await db.drop();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
