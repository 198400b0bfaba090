import { describe, expect, it } from "vitest";
import type { ColumnModel, DefinedObjectModel, SchemaModel, TableModel } from "../../../shared/schema.js";
import { compareNotCompared, diffSchemas, renderKnexBody } from "../../../electron/engine/diff/index.js";
import { dialectFor } from "../../../electron/engine/dialect/index.js";

// Issue 16's model additions, without a database: what is named, what is ordered, what is rendered.

function col(name: string, over: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type: "integer", nativeType: "integer", length: null, precision: null, scale: null, unsigned: false, enumValues: null, nullable: true, default: null, identity: false, collation: null, comment: null, ...over };
}
function table(name: string, columns: ColumnModel[] = [col("id", { nullable: false })]): TableModel {
  return { schema: null, name, comment: null, columns, primaryKey: { name: null, columns: ["id"] }, foreignKeys: [], indexes: [], uniques: [], checks: [] };
}
function schema(over: Partial<SchemaModel> = {}): SchemaModel {
  return { client: "pg", tables: [], views: [], enums: [], ...over };
}
function object(kind: DefinedObjectModel["kind"], name: string, extra: Partial<DefinedObjectModel> = {}): DefinedObjectModel {
  return { kind, schema: null, name, statements: [`create ${kind} ${name}`], drop: `drop ${kind} ${name}`, ...extra };
}

describe("not compared", () => {
  it("pairs objects by kind, table and name and says which side holds each", () => {
    const from = schema({ notCompared: [{ kind: "policy", name: "p", table: "orders" }, { kind: "rule", name: "r", table: "orders" }] });
    const to = schema({ notCompared: [{ kind: "policy", name: "p", table: "orders" }, { kind: "policy", name: "p", table: "lines" }] });
    expect(compareNotCompared(from, to)).toEqual([
      { kind: "policy", name: "p", table: "lines", presence: "to" },
      { kind: "policy", name: "p", table: "orders", presence: "both" },
      { kind: "rule", name: "r", table: "orders", presence: "from" },
    ]);
    expect(compareNotCompared(schema(), schema())).toEqual([]);
  });
});

describe("objects compared by definition", () => {
  it("makes extensions, domains, sequences and functions before the tables, triggers and materialized views after the views; drops in reverse", () => {
    const objects = [object("trigger", "t_touch", { table: "orders" }), object("function", "touch()"), object("materialized view", "mv"), object("domain", "money"), object("extension", "pg_trgm"), object("sequence", "seq")];
    const full = schema({ tables: [table("orders")], views: [{ schema: null, name: "v", definition: "select 1" }], objects });
    expect(diffSchemas(schema(), full).map((c) => c.dto.summary)).toEqual([
      "create extension pg_trgm",
      "create domain money",
      "create sequence seq",
      "create function touch()",
      "create table orders (1 columns)",
      "create view v",
      "create materialized view mv",
      "create trigger t_touch on orders",
    ]);
    expect(diffSchemas(full, schema()).map((c) => c.dto.summary)).toEqual([
      "drop trigger t_touch on orders",
      "drop materialized view mv",
      "drop view v",
      "drop table orders (1 columns)",
      "drop function touch()",
      "drop sequence seq",
      "drop domain money",
      "drop extension pg_trgm",
    ]);
  });

  it("drops and makes anew an object whose definition changes, and leaves one that differs only in whitespace", () => {
    const a = schema({ objects: [object("function", "f()", { statements: ["create or replace function f() returns int\n  language sql as $$select 1$$"] })] });
    const same = schema({ objects: [object("function", "f()", { statements: ["create or replace function f() returns int language sql as $$select 1$$"] })] });
    const changed = schema({ objects: [object("function", "f()", { statements: ["create or replace function f() returns int language sql as $$select 2$$"] })] });
    expect(diffSchemas(a, same)).toEqual([]);
    const out = diffSchemas(a, changed);
    // A function is replaced where it stands (pg_get_functiondef writes CREATE OR REPLACE), keeping what depends on it.
    expect(out.map((c) => [c.dto.kind, c.dto.note])).toEqual([["create-object", "its definition changes: replaced in place (create or replace)"]]);
    // A function whose text cannot replace it (MySQL's SHOW CREATE FUNCTION) is dropped and made anew.
    const mysqlFunction = (body: string) => schema({ objects: [object("function", "f", { statements: [`CREATE FUNCTION \`f\`() RETURNS int(11) DETERMINISTIC return ${body}`] })] });
    expect(diffSchemas(mysqlFunction("1"), mysqlFunction("2")).map((c) => [c.dto.kind, c.dto.note])).toEqual([["drop-object", "its definition changes: dropped and made anew"], ["create-object", null]]);
    // Another kind is dropped right before it is made again, after the tables that may still use it are left alone.
    const seq = (start: number) => schema({ tables: [table("orders")], objects: [object("sequence", "seq", { statements: [`create sequence seq start with ${start}`] })] });
    expect(diffSchemas(seq(1), seq(5)).map((c) => [c.dto.kind, c.dto.note])).toEqual([["drop-object", "its definition changes: dropped and made anew"], ["create-object", null]]);
    // A function is made with its body unchecked, as pg_dump does: the tables it reads may come later.
    expect(renderKnexBody(out, dialectFor("pg").schema)).toContain('await knex.raw("set check_function_bodies = off");');
  });
});

describe("partitioning (PostgreSQL)", () => {
  it("names a changed partition key as not compared (no ALTER changes it); partitions are made after their parent and dropped deepest first", () => {
    const parent = (key: string): TableModel => ({ ...table("m"), partitionBy: key });
    const parts = [object("partition", "m_2026", { table: "m" }), object("partition", "m_2026_a", { table: "m_2026" })];
    expect(compareNotCompared(schema({ tables: [parent("RANGE (taken)")] }), schema({ tables: [parent("LIST (id)")] }))).toEqual([
      { kind: "partitioning", name: "LIST (id)", table: "m", presence: "to" },
      { kind: "partitioning", name: "RANGE (taken)", table: "m", presence: "from" },
    ]);
    const full = schema({ tables: [parent("RANGE (taken)")], objects: parts });
    expect(diffSchemas(schema(), full).map((c) => c.dto.summary)).toEqual(["create table m (1 columns)", "create partition m_2026 on m", "create partition m_2026_a on m_2026"]);
    expect(diffSchemas(full, schema()).map((c) => c.dto.summary)).toEqual(["drop partition m_2026_a on m_2026", "drop partition m_2026 on m", "drop table m (1 columns)"]);
    expect(renderKnexBody(diffSchemas(schema(), full), dialectFor("pg").schema)).toContain("partition by RANGE (taken)");
  });
});

describe("identity and generated columns (PostgreSQL)", () => {
  const identity = col("id", { nullable: false, identity: true, identityGeneration: { kind: "always", options: "start with 100" } });
  const gross = col("gross", { type: "decimal", nativeType: "numeric(10,2)", precision: 10, scale: 2, generated: { expression: "net + tax", stored: true } });

  it("renders GENERATED ... AS IDENTITY and GENERATED ALWAYS AS (...) STORED, never serial or a default", () => {
    const body = renderKnexBody(diffSchemas(schema(), schema({ tables: [table("t", [identity, col("net"), col("tax"), gross])] })), dialectFor("pg").schema);
    expect(body).toContain('t.specificType("id", "integer generated always as identity (start with 100)").notNullable()');
    expect(body).toContain('t.specificType("gross", "numeric(10,2) generated always as (net + tax) stored")');
    expect(body).not.toContain("increments");
    expect(body).not.toContain("defaultTo");
  });

  it("sees a change of identity kind, of its options and of a generated expression", () => {
    const before = schema({ tables: [table("t", [identity, gross])] });
    const after = schema({ tables: [table("t", [{ ...identity, identityGeneration: { kind: "by default", options: null } }, { ...gross, generated: { expression: "net * 2", stored: true } }])] });
    expect(diffSchemas(before, after).map((c) => c.dto.summary)).toEqual([
      "alter column id: identity generated by default",
      "alter column gross: generated always as (net * 2) stored",
    ]);
  });
});

describe("SQLite: AUTOINCREMENT, table options, expression defaults, generated columns", () => {
  const sqlite = (tables: TableModel[]): SchemaModel => schema({ client: "better-sqlite3", tables });
  const sd = dialectFor("better-sqlite3").schema;
  const rowid = col("id", { nullable: false, identity: true, autoincrement: false });

  it("writes a plain INTEGER PRIMARY KEY without increments() (which adds AUTOINCREMENT), and AUTOINCREMENT with it", () => {
    const plain = renderKnexBody(diffSchemas(sqlite([]), sqlite([table("t", [rowid])])), sd);
    expect(plain).toContain('t.specificType("id", "integer").notNullable();');
    expect(plain).toContain('t.primary(["id"]);');
    expect(plain).not.toContain("t.increments");
    const auto = renderKnexBody(diffSchemas(sqlite([]), sqlite([table("t", [{ ...rowid, autoincrement: true }])])), sd);
    expect(auto).toContain('t.increments("id");');
  });

  it("compares AUTOINCREMENT only where both sides say, and a change of it rebuilds the table", () => {
    const changes = diffSchemas(sqlite([table("t", [rowid])]), sqlite([table("t", [{ ...rowid, autoincrement: true }])]));
    expect(changes.map((c) => c.dto.summary)).toEqual(["alter column id: make autoincrement"]);
    expect(renderKnexBody(changes, sd)).toContain("SQLite cannot alter column id: make autoincrement in place: t is rebuilt");
    const serial = col("id", { nullable: false, identity: true });
    expect(diffSchemas(schema({ tables: [table("t", [serial])] }), sqlite([table("t", [rowid])]))).toEqual([]);
  });

  it("writes STRICT / WITHOUT ROWID after knex's CREATE TABLE, and a change of them rebuilds the table", () => {
    const strict = { ...table("t", [rowid]), options: "strict" };
    const made = renderKnexBody(diffSchemas(sqlite([]), sqlite([strict])), sd);
    expect(made).toContain("// knex's builder cannot write table options (strict)");
    expect(made).toContain("await knex.raw(i === 0 ? `${s.sql} strict` : s.sql, s.bindings);");
    const changes = diffSchemas(sqlite([table("t", [rowid])]), sqlite([strict]));
    expect(changes.map((c) => c.dto.summary)).toEqual(["table options none -> strict"]);
    expect(renderKnexBody(changes, sd)).toContain("in place: t is rebuilt");
  });

  it("puts an expression default in parentheses and leaves a literal as it is", () => {
    const body = renderKnexBody(diffSchemas(sqlite([]), sqlite([table("t", [rowid, col("at", { type: "datetime", nativeType: "datetime", default: "datetime('now')" }), col("n", { default: "0" }), col("s", { type: "text", nativeType: "text", default: "'x'" })])])), sd);
    expect(body).toContain(`.defaultTo(knex.raw("(datetime('now'))"))`);
    expect(body).toContain(`t.integer("n").defaultTo(knex.raw("0"))`);
    expect(body).toContain(`t.text("s").defaultTo(knex.raw("'x'"))`);
  });

  it("adds a virtual generated column in place, rebuilds for a stored one, and copies no generated column", () => {
    const before = table("t", [rowid, col("n")]);
    const virtual = renderKnexBody(diffSchemas(sqlite([before]), sqlite([table("t", [rowid, col("n"), col("half", { generated: { expression: "n / 2", stored: false } })])])), sd);
    expect(virtual).toContain('t.specificType("half", "integer generated always as (n / 2)");');
    expect(virtual).not.toContain("rebuilt");
    const stored = renderKnexBody(diffSchemas(sqlite([before]), sqlite([table("t", [rowid, col("n"), col("twice", { generated: { expression: "n * 2", stored: true } })])])), sd);
    expect(stored).toContain("t is rebuilt");
    expect(stored).toContain(`insert into \\"_strata_new_t\\" (\\"id\\", \\"n\\") select \\"id\\", \\"n\\" from \\"t\\"`);
  });
});
