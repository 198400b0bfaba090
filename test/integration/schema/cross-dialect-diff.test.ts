import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import type { SchemaObjectDto } from "../../../shared/schema.js";
import { createTestDatabase, describeColumns, envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject } from "../../helpers/strata-cli.js";
import { buildShop, PROD_DIFFERENCES } from "../../fixtures/cross-dialect/shop-schema.js";

/** Each dialect's staging against the next one's prod: PostgreSQL -> MariaDB -> SQLite -> PostgreSQL. */
const other = (client: DbClient): DbClient => TEST_CLIENTS[(TEST_CLIENTS.indexOf(client) + 1) % TEST_CLIENTS.length]!;

/** The tables of a database by its own catalog (its column list, which names the view too). */
const tablesOf = async (db: TestDatabase): Promise<Set<string>> =>
  new Set((await describeColumns(db.knex, db.env.client as DbClient, ["active_customers"])).map((c) => c.split(".")[0]!));

describe.each(TEST_CLIENTS)("strata diff across dialects, %s staging against the next dialect's prod", (client: DbClient) => {
  let staging: TestDatabase;
  let prod: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    staging = await createTestDatabase(client);
    prod = await createTestDatabase(other(client));
    await buildShop(staging.knex, client, "staging");
    await buildShop(prod.knex, other(client), "prod");
    dir = writeProject({ environments: { staging: envEntry(staging), prod: envEntry(prod) } });
  });
  afterEach(async () => {
    await staging.drop();
    await prod.drop();
  });

  it("--json lists each object with its status, the changes by what both dialects share, and no script", async () => {
    const r = await strata(["--project", dir, "diff", "--from", "staging", "--to", "prod", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.crossDialect).toBe(true);
    expect(r.json.sql).toBeUndefined();
    expect(r.json.sqlUnavailable).toMatch(/a script written for one does not run on the other/);
    const sqlite = client === "better-sqlite3" || other(client) === "better-sqlite3";
    expect(r.json.changes.map((c: { summary: string }) => c.summary).sort()).toEqual(PROD_DIFFERENCES.map((s) => (sqlite ? s.replace("decimal(10,2)", "float") : s)).sort());
    const objects = r.json.objects as SchemaObjectDto[];
    const status = (kind: string, name: string): string | undefined => objects.find((o) => o.kind === kind && o.name === name)?.status;
    // The tables each database's own catalog holds decide which are on one side only.
    const left = await tablesOf(staging);
    const right = await tablesOf(prod);
    for (const t of new Set([...left, ...right])) {
      const expected = !right.has(t) ? "only-left" : !left.has(t) ? "only-right" : t === "customers" || t === "orders" ? "different" : "same";
      expect(status("table", t), t).toBe(expected);
    }
    expect(status("index", "orders_placed")).toBe("only-right");
    expect(status("index", "orders_customer_placed")).toBe("same");
    expect(status("view", "active_customers")).toBe("not-compared");
    expect(objects.find((o) => o.name === "customers")?.columns?.find((c) => c.name === "name")?.attributes).toEqual([
      { attribute: "type", left: "varchar(255)", right: "varchar(200)" },
      { attribute: "nullable", left: "null", right: "not null" },
    ]);
    // Every change belongs to an object, by the same key.
    const keys = objects.flatMap((o) => o.changes);
    expect(r.json.changes.map((c: { key: string }) => c.key).sort()).toEqual([...keys].sort());
    if (client === "pg") expect(objects.find((o) => o.kind === "function")).toMatchObject({ name: "order_count()", status: "only-left" });
  });

  it("says in words what it compared and what it could not, per object", async () => {
    const r = await strata(["--project", dir, "diff", "--from", "staging", "--to", "prod"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("alter column name: type varchar(255) -> varchar(200), set not null");
    expect(r.stdout).toMatch(/^compared across dialects \(\S+ and \S+\): tables, columns \(normalised types\), keys and indexes; no SQL script: /m);
    expect(r.stdout).toMatch(/^ {2}view active_customers \(both sides\): each database writes a view's query back in its own SQL/m);
  });

  it("refuses --sql in one line, changing nothing", async () => {
    const before = [await describeColumns(staging.knex, client), await describeColumns(prod.knex, other(client))];
    const r = await strata(["--project", dir, "diff", "--from", "staging", "--to", "prod", "--sql"]);
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(/^strata: no SQL script across dialects: staging is \S+ and prod is \S+, and a script for one does not run on the other; /);
    expect(r.stdout).toBe("");
    expect([await describeColumns(staging.knex, client), await describeColumns(prod.knex, other(client))]).toEqual(before);
  });

  it("finds the same knex schema on two dialects equal", async () => {
    const twin = await createTestDatabase(other(client));
    try {
      await buildShop(twin.knex, other(client), "staging");
      const d = writeProject({ environments: { staging: envEntry(staging), twin: envEntry(twin) } });
      const r = await strata(["--project", d, "diff", "--from", "staging", "--to", "twin", "--json"]);
      expect(r.json?.changes ?? r.stderr).toEqual([]);
      const statuses = new Set((r.json.objects as SchemaObjectDto[]).filter((o) => o.kind === "table" || o.kind === "index").map((o) => o.status));
      expect([...statuses]).toEqual(["same"]);
      // Only PostgreSQL's function (in a dialect's own language) keeps them from being equal.
      expect(r.code).toBe(client === "pg" || other(client) === "pg" ? 1 : 0);
    } finally {
      await twin.drop();
    }
  });
});
