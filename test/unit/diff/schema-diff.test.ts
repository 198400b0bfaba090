import { describe, expect, it } from "vitest";
import type { ColumnModel, SchemaModel, TableModel } from "../../../shared/schema.js";
import { diffSchemas, renderBodySql, renderKnexBody } from "../../../electron/engine/diff/index.js";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import { expressionKey, normalizeDefault, stripOuterParens } from "../../../electron/engine/introspect/normal-form.js";
import { parseCreateTable } from "../../../electron/engine/introspect/sqlite-introspector.js";
import { splitSqlStatements } from "../../../electron/engine/use-cases/schema-diff.js";

function col(name: string, over: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type: "integer", nativeType: "integer", length: null, precision: null, scale: null, unsigned: false, enumValues: null, nullable: true, default: null, identity: false, collation: null, comment: null, ...over };
}

function table(name: string, over: Partial<TableModel> = {}): TableModel {
  return { schema: null, name, comment: null, columns: [col("id", { identity: true, nullable: false })], primaryKey: { name: null, columns: ["id"] }, foreignKeys: [], indexes: [], uniques: [], checks: [], ...over };
}

function schema(tables: TableModel[], over: Partial<SchemaModel> = {}): SchemaModel {
  return { client: "pg", tables, views: [], enums: [], ...over };
}

const fk = (columns: string[], refTable: string, onDelete: "CASCADE" | "SET NULL" | "NO ACTION" = "NO ACTION") =>
  ({ name: null, columns, refSchema: null, refTable, refColumns: ["id"], onDelete, onUpdate: "NO ACTION" }) as const;

const summaries = (from: SchemaModel, to: SchemaModel): string[] => diffSchemas(from, to).map((c) => `${c.dto.object}: ${c.dto.summary}`);

describe("diffSchemas ordering", () => {
  it("creates a referenced table before the table that points at it, whatever the input order", () => {
    const orders = table("orders", { columns: [col("id"), col("customer_id")], foreignKeys: [fk(["customer_id"], "customers")] });
    const lines = table("lines", { columns: [col("id"), col("order_id")], foreignKeys: [fk(["order_id"], "orders")] });
    const out = summaries(schema([]), schema([lines, orders, table("customers")]));
    expect(out).toEqual(["customers: create table customers (1 columns)", "orders: create table orders (2 columns)", "lines: create table lines (2 columns)"]);
  });

  it("drops a table after the keys that point at it and before the tables it points at are dropped", () => {
    const customers = table("customers");
    const orders = table("orders", { columns: [col("id"), col("customer_id")], foreignKeys: [fk(["customer_id"], "customers")] });
    const invoices = table("invoices", { columns: [col("id"), col("customer_id")], foreignKeys: [fk(["customer_id"], "customers")] });
    const out = summaries(schema([customers, orders, invoices]), schema([invoices.columns ? { ...invoices, foreignKeys: [] } : invoices]));
    expect(out).toEqual([
      "invoices: drop foreign key (customer_id) -> customers (id) on delete no action on update no action",
      "orders: drop table orders (2 columns)",
      "customers: drop table customers (1 columns)",
    ]);
  });

  it("adds a key between two new tables that point at each other once both exist", () => {
    const a = table("a", { columns: [col("id"), col("b_id")], foreignKeys: [fk(["b_id"], "b")] });
    const b = table("b", { columns: [col("id"), col("a_id")], foreignKeys: [fk(["a_id"], "a")] });
    const kinds = diffSchemas(schema([]), schema([a, b])).map((c) => `${c.dto.kind} ${c.dto.object}`);
    expect(kinds).toEqual(["create-table b", "create-table a", "add-foreign-key b"]);
    const body = renderKnexBody(diffSchemas(schema([]), schema([a, b])), dialectFor("pg").schema);
    expect(body.indexOf(`t.foreign(["a_id"])`)).toBeGreaterThan(body.indexOf(`createTable("a"`));
    expect(body.indexOf(`t.foreign(["b_id"])`)).toBeGreaterThan(body.indexOf(`createTable("b"`));
  });

  it("drops views first and creates them last; changed keys are dropped before and added after the column changes", () => {
    const before = schema([table("t", { columns: [col("id"), col("x")], indexes: [{ name: "ix", columns: ["x"], unique: false, expression: false, where: null }] })], {
      views: [{ schema: null, name: "v", definition: "select x from t" }],
    });
    const after = schema([table("t", { columns: [col("id"), col("x", { type: "bigint", nativeType: "bigint" })], indexes: [{ name: "ix2", columns: ["x"], unique: true, expression: false, where: null }] })], {
      views: [{ schema: null, name: "v", definition: "select x, id from t" }],
    });
    expect(diffSchemas(before, after).map((c) => c.dto.kind)).toEqual(["drop-view", "drop-index", "alter-column", "add-index", "create-view"]);
  });

  it("creates an enum before a table uses it and drops it after the last column using it", () => {
    const mood = { schema: null, name: "mood", values: ["a", "b"] };
    const up = diffSchemas(schema([]), schema([table("t", { columns: [col("id"), col("m", { type: "mood", nativeType: "mood" })] })], { enums: [mood] }));
    expect(up.map((c) => c.dto.kind)).toEqual(["create-enum", "create-table"]);
    const down = diffSchemas(schema([table("t", { columns: [col("id"), col("m", { type: "mood", nativeType: "mood" })] })], { enums: [mood] }), schema([table("t", { columns: [col("id")] })]));
    expect(down.map((c) => c.dto.kind)).toEqual(["drop-column", "drop-enum"]);
  });
});

describe("diffSchemas normalisation and wording", () => {
  it("sees no change where only names differ: key, index and constraint names, index name case", () => {
    const a = table("t", {
      columns: [col("id"), col("x"), col("y")],
      foreignKeys: [{ ...fk(["x"], "t"), name: "t_x_fkey" }],
      indexes: [{ name: "IX_T_Y", columns: ["y"], unique: false, expression: false, where: null }],
      uniques: [{ name: "t_x_key", columns: ["x"] }],
      checks: [{ name: "t_check", expression: "(x > 0)" }],
      primaryKey: { name: "t_pkey", columns: ["id"] },
    });
    const b = table("t", {
      columns: [col("id"), col("x"), col("y")],
      foreignKeys: [{ ...fk(["x"], "t"), name: "t_x_foreign" }],
      indexes: [{ name: "ix_t_y", columns: ["y"], unique: false, expression: false, where: null }],
      uniques: [{ name: null, columns: ["x"] }],
      checks: [{ name: null, expression: '"x" > 0' }],
      primaryKey: { name: "PRIMARY", columns: ["id"] },
    });
    expect(diffSchemas(schema([a]), schema([b]))).toEqual([]);
  });

  it("folds default spellings and literal casts", () => {
    expect(normalizeDefault("'abc'::character varying", "varchar")).toBe("'abc'");
    expect(normalizeDefault("now()", "timestamptz")).toBe("current_timestamp");
    expect(normalizeDefault("current_timestamp()", "timestamp")).toBe("current_timestamp");
    expect(normalizeDefault("CURRENT_TIMESTAMP", "datetime")).toBe("current_timestamp");
    expect(normalizeDefault("'0'", "integer")).toBe("0");
    expect(normalizeDefault("'0'", "varchar")).toBe("'0'");
    expect(normalizeDefault("('1')", "boolean")).toBe("true");
    expect(normalizeDefault("0", "boolean")).toBe("false");
    expect(normalizeDefault("NULL", "text")).toBeNull();
    expect(normalizeDefault("NULL::character varying", "varchar")).toBeNull();
    expect(normalizeDefault("(-1)", "integer")).toBe("-1");
    expect(normalizeDefault("10.50", "decimal")).toBe("10.5");
    expect(expressionKey("((`qty` > 0))")).toBe(expressionKey("qty > 0"));
    expect(stripOuterParens("(a) and (b)")).toBe("(a) and (b)");
  });

  it("says a dropped and an added column might be a rename, and marks only the drop destructive", () => {
    const changes = diffSchemas(schema([table("t", { columns: [col("id"), col("fullname", { type: "text" })] })]), schema([table("t", { columns: [col("id"), col("name", { type: "text" })] })]));
    expect(changes.map((c) => [c.dto.kind, c.dto.destructive, c.dto.note])).toEqual([
      ["add-column", false, "might be a rename (column fullname is on the other side); renames are not guessed"],
      ["drop-column", true, "might be a rename (column name is on the other side); renames are not guessed"],
    ]);
  });

  it("marks a narrowed type destructive and a widened one not", () => {
    const v = (n: number) => schema([table("t", { columns: [col("id"), col("s", { type: "varchar", nativeType: `varchar(${n})`, length: n })] })]);
    expect(diffSchemas(v(100), v(50))[0]!.dto).toMatchObject({ kind: "alter-column", destructive: true, summary: "alter column s: type varchar(100) -> varchar(50)" });
    expect(diffSchemas(v(50), v(100))[0]!.dto).toMatchObject({ kind: "alter-column", destructive: false });
  });

  it("reports each aspect of a changed column in one change", () => {
    const a = schema([table("t", { columns: [col("id"), col("n", { nullable: true, default: "1", comment: "old" })] })]);
    const b = schema([table("t", { columns: [col("id"), col("n", { nullable: false, default: null, comment: null })] })]);
    expect(diffSchemas(a, b).map((c) => c.dto.summary)).toEqual(["alter column n: set not null, drop default (was 1), remove comment"]);
  });

  it("adds enum values in place and rebuilds the type when one goes", () => {
    const e = (values: string[]) => schema([table("t", { columns: [col("id"), col("m", { type: "mood", nativeType: "mood", default: "'a'" })] })], { enums: [{ schema: null, name: "mood", values }] });
    const add = diffSchemas(e(["a", "c"]), e(["a", "b", "c"]));
    expect(add.map((c) => [c.dto.kind, c.dto.destructive])).toEqual([["alter-enum", false]]);
    expect(renderKnexBody(add, dialectFor("pg").schema)).toContain(`alter type \\"mood\\" add value 'b' before 'c'`);
    const remove = diffSchemas(e(["a", "b", "c"]), e(["a", "c"]));
    expect(remove[0]!.dto.destructive).toBe(true);
    const body = renderKnexBody(remove, dialectFor("pg").schema);
    expect(body).toContain(`create type \\"mood\\" as enum ('a', 'c')`);
    expect(body).toContain(`using \\"m\\"::text::\\"mood\\"`);
  });
});

describe("rendering", () => {
  it("writes builder calls, and knex.raw with a comment for a partial index and a view", async () => {
    const t = table("t", {
      columns: [col("id", { identity: true, nullable: false }), col("email", { type: "varchar", nativeType: "varchar(200)", length: 200, nullable: false, default: "'x'" })],
      indexes: [{ name: "ix_recent", columns: ["email"], unique: false, expression: false, where: "email <> ''" }],
    });
    const changes = diffSchemas(schema([]), schema([t], { views: [{ schema: null, name: "v", definition: "select id from t" }] }));
    const body = renderKnexBody(changes, dialectFor("pg").schema);
    expect(body).toContain(`t.increments("id");`);
    expect(body).toContain(`t.string("email", 200).notNullable().defaultTo(knex.raw("'x'"));`);
    expect(body).toContain("// knex's builder cannot write a partial index on every dialect: raw SQL");
    expect(body).toContain(`create index \\"ix_recent\\" on \\"t\\" (\\"email\\") where email <> ''`);
    expect(body).toContain("// knex's builder has no views: raw SQL");
    const sql = await renderBodySql("pg", body);
    expect(sql).toEqual([
      `create table "t" ("id" serial primary key, "email" varchar(200) not null default 'x');`,
      `create index "ix_recent" on "t" ("email") where email <> '';`,
      `create view "v" as select id from t;`,
    ]);
  });

  it("rebuilds a SQLite table for a change SQLite cannot make in place, copying the shared columns, and warns about ON DELETE actions of children", () => {
    const parent = table("parent", { columns: [col("id", { identity: true, nullable: false }), col("a"), col("gone")] });
    const child = table("child", { columns: [col("id"), col("parent_id")], foreignKeys: [fk(["parent_id"], "parent", "CASCADE")] });
    const next = { ...parent, columns: [parent.columns[0]!, col("a", { nullable: false, default: "0" })], checks: [{ name: "a_pos", expression: "a >= 0" }] };
    const from = schema([parent, child], { client: "better-sqlite3" });
    const changes = diffSchemas(from, schema([next, child], { client: "better-sqlite3" }));
    const body = renderKnexBody(changes, dialectFor("better-sqlite3").schema, from);
    expect(body).toContain(`createTable("_strata_new_parent"`);
    expect(body).toContain(`insert into \\"_strata_new_parent\\" (\\"id\\", \\"a\\") select \\"id\\", \\"a\\" from \\"parent\\"`);
    expect(body).toContain(`renameTable("_strata_new_parent", "parent")`);
    expect(body).toContain("// DESTRUCTIVE: read this before applying: drop column gone");
    expect(body).toContain("runs ON DELETE CASCADE of child.parent_id");
    expect(body.match(/createTable/g)).toHaveLength(1);
  });
});

describe("reading", () => {
  it("splits a SQL file into statements with the line each starts on, past comments, quotes and $$ bodies", () => {
    const text = "-- header\ncreate table a (x text default 'a;b');\n\n/* c; */ create function f() returns int as $$ select 1; $$ language sql;\ninsert into a values ('it''s');";
    expect(splitSqlStatements(text).map((s) => [s.line, s.sql.slice(0, 15)])).toEqual([
      [2, "create table a "],
      [4, "create function"],
      [5, "insert into a v"],
    ]);
  });

  it("reads SQLite check constraints, collations and constraint names from CREATE TABLE", () => {
    const p = parseCreateTable(`CREATE TABLE t (id integer primary key, n text collate nocase check (length(n) > 1), q int, constraint q_pos check ((q > 0)), constraint fk_q foreign key (q) references o(id))`);
    expect(p.checks).toEqual([{ name: null, expression: "length(n) > 1" }, { name: "q_pos", expression: "q > 0" }]);
    expect(p.collations.get("n")).toBe("nocase");
    expect(p.foreignKeyNames).toEqual(["fk_q"]);
  });
});
