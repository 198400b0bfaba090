import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SchemaModel } from "../../../shared/schema.js";
import { compareNotCompared, compareObjects, diffSchemas, enumCheckValues, normaliseAcrossDialects } from "../../../electron/engine/diff/index.js";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { PROD_DIFFERENCES } from "../../fixtures/cross-dialect/shop-schema.js";

// Models introspected from real servers by test/fixtures/cross-dialect/capture-models.ts: the same knex code run on each.
const model = (client: DbClient, variant: "staging" | "prod"): SchemaModel =>
  JSON.parse(readFileSync(path.join(__dirname, "../../fixtures/cross-dialect", `${client}-${variant}.json`), "utf8")) as SchemaModel;

const CLIENTS: readonly DbClient[] = ["pg", "mysql2", "better-sqlite3"];
const PAIRS = CLIENTS.flatMap((a) => CLIENTS.filter((b) => b !== a).map((b) => [a, b] as const));

function compare(from: SchemaModel, to: SchemaModel) {
  const n = normaliseAcrossDialects(from, to);
  const changes = diffSchemas(n.from, n.to);
  return { n, changes, objects: compareObjects(n.from, n.to, changes, compareNotCompared(n.from, n.to), n.setAside) };
}

describe.each(PAIRS)("normaliseAcrossDialects, %s against %s", (a, b) => {
  it("finds no difference between the same knex schema built on the two databases", () => {
    const { changes, objects } = compare(model(a, "staging"), model(b, "staging"));
    expect(changes.map((c) => c.dto.summary)).toEqual([]);
    const tables = objects.filter((o) => o.kind === "table" || o.kind === "index");
    expect(tables.map((o) => `${o.kind} ${o.name}: ${o.status}`)).toEqual([
      "table audit_log: same",
      "table customers: same",
      "table orders: same",
      "index orders_customer_placed: same",
    ]);
  });

  it("finds each way prod moved on from staging, and nothing else", () => {
    const { changes } = compare(model(a, "staging"), model(b, "prod"));
    // SQLite keeps no decimal: knex writes it as float there, so against SQLite the new column is a float.
    const expected = PROD_DIFFERENCES.map((s) => (a === "better-sqlite3" || b === "better-sqlite3" ? s.replace("decimal(10,2)", "float") : s));
    expect(changes.map((c) => c.dto.summary).sort()).toEqual([...expected].sort());
  });

  it("gives old -> new per changed attribute, and a status per object", () => {
    const { objects } = compare(model(a, "staging"), model(b, "prod"));
    const byName = new Map(objects.map((o) => [`${o.kind} ${o.name}`, o] as const));
    expect(byName.get("table audit_log")?.status).toBe("only-left");
    expect(byName.get("table invoices")?.status).toBe("only-right");
    expect(byName.get("index orders_placed")?.status).toBe("only-right");
    // MySQL's own index for invoices' foreign key is part of that table, not an object of its own.
    expect(objects.some((o) => o.name === "invoices_order_id_foreign")).toBe(false);
    const customers = byName.get("table customers")!;
    expect(customers.status).toBe("different");
    expect(customers.columns).toEqual([
      { name: "name", status: "different", attributes: [{ attribute: "type", left: "varchar(255)", right: "varchar(200)" }, { attribute: "nullable", left: "null", right: "not null" }] },
      { name: "active", status: "different", attributes: [{ attribute: "default", left: "true", right: "false" }] },
    ]);
    expect(byName.get("table orders")?.columns?.find((c) => c.name === "status")?.attributes).toEqual([
      { attribute: "type", left: "enum('new', 'paid')", right: "enum('new', 'paid', 'shipped')" },
    ]);
    expect(byName.get("table orders")?.changes).toContain("add-column|orders|column total");
  });

  it("says per object what it could not compare across the two dialects", () => {
    const { objects } = compare(model(a, "staging"), model(b, "prod"));
    const view = objects.find((o) => o.kind === "view" && o.name === "active_customers")!;
    expect(view.status).toBe("not-compared");
    expect(view.reason).toMatch(/view's query .* its own SQL/);
    const fn = objects.find((o) => o.kind === "function");
    if (a === "pg") expect(fn).toMatchObject({ name: "order_count()", status: "only-left", changes: [] });
    else expect(fn).toBeUndefined();
    if (a === "mysql2" || b === "mysql2") expect(objects.find((o) => o.name === "orders")?.reason).toContain("unsigned (MySQL only)");
  });
});

describe("the normalised types", () => {
  it("fold each dialect's spelling to one (bool / tinyint(1), timestamptz / timestamp / datetime, uuid / char(36)), keeping the native spelling", () => {
    const { n } = compare(model("pg", "staging"), model("mysql2", "staging"));
    const col = (m: SchemaModel, t: string, c: string) => m.tables.find((x) => x.name === t)!.columns.find((x) => x.name === c)!;
    expect([col(n.from, "customers", "active").type, col(n.to, "customers", "active").type]).toEqual(["boolean", "boolean"]);
    expect(col(n.to, "customers", "active").nativeType).toBe("tinyint(1)");
    expect([col(n.from, "customers", "created_at").type, col(n.to, "customers", "created_at").type]).toEqual(["timestamp", "timestamp"]);
    expect(col(n.from, "customers", "created_at").nativeType).toBe("timestamp with time zone");
    expect([col(n.from, "orders", "placed_at").type, col(n.to, "orders", "placed_at").type]).toEqual(["timestamp", "timestamp"]);
    expect(col(n.from, "orders", "status")).toMatchObject({ type: "enum", enumValues: ["new", "paid"], nativeType: "text" });
    expect(col(n.to, "orders", "status")).toMatchObject({ type: "enum", enumValues: ["new", "paid"], nativeType: "enum('new','paid')" });
    // PostgreSQL's check that knex wrote for the enum became the column's values, not a check to compare.
    expect(n.from.tables.find((t) => t.name === "orders")!.checks).toEqual([]);
  });

  it("still tells integer sizes apart between PostgreSQL and MySQL, and not against SQLite, which keeps none", () => {
    const base = model("pg", "staging");
    const widened: SchemaModel = {
      ...model("mysql2", "staging"),
      tables: model("mysql2", "staging").tables.map((t) => (t.name === "orders" ? { ...t, columns: t.columns.map((c) => (c.name === "customer_id" ? { ...c, type: "bigint", nativeType: "bigint(20) unsigned" } : c)) } : t)),
    };
    expect(compare(base, widened).changes.map((c) => c.dto.summary)).toEqual(["alter column customer_id: type integer -> bigint"]);
    const sqliteSide = { ...widened, client: "better-sqlite3" };
    expect(compare(base, sqliteSide).changes).toEqual([]);
  });

  it("reads the enum values out of the checks knex writes, and nothing out of other checks", () => {
    expect(enumCheckValues("`status` in ('new', 'paid')")).toEqual({ column: "status", values: ["new", "paid"] });
    expect(enumCheckValues("(status = ANY (ARRAY['new'::text, 'it''s'::text]))")).toEqual({ column: "status", values: ["new", "it's"] });
    expect(enumCheckValues("price > 0")).toBeNull();
    expect(enumCheckValues("status in ('a', upper(x))")).toBeNull();
  });
});
