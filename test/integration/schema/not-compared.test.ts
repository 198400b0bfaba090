import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { useAppAndTarget } from "../../helpers/app-and-target.js";
import { envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import { strata, writeProject } from "../../helpers/strata-cli.js";

interface Named { readonly kind: string; readonly name: string; readonly table?: string }

/**
 * Issue 16, point 2: what Strata does not model is named by kind and name, per dialect, from the
 * database's own catalog. `base` is built on both sides; `extras` only on the target; `named` is
 * what the diff must list for the extras; `objectOnly` is one extra that changes nothing Strata models.
 */
const CASES: Record<DbClient, { base: string[]; extras: string[]; named: Named[]; objectOnly: { sql: string; named: Named } }> = {
  pg: {
    base: ["create table orders (id integer primary key, net numeric, tax numeric)"],
    extras: [
      "create policy p_orders on orders using (true)",
      "alter table orders enable row level security",
      "create rule r_orders as on update to orders do also notify orders",
      "create publication pub_orders for table orders",
      "create function evt() returns event_trigger language plpgsql as $$begin end$$",
      "create aggregate total_of(numeric) (sfunc = numeric_add, stype = numeric)",
      "create type span as range (subtype = integer)",
      "create table tagged (id integer) inherits (orders)",
      "create unlogged table scratch_rows (id integer)",
      "create table slots (n integer primary key deferrable initially deferred, m integer unique nulls not distinct)",
      "create view v_orders as select id from orders",
      "comment on view v_orders is 'the orders'",
      "create index ix_orders_net on orders (net)",
      "comment on index ix_orders_net is 'for totals'",
      "create statistics st_orders on net, tax from orders",
      "create event trigger et_noop on ddl_command_end execute function evt()",
    ],
    named: [
      { kind: "policy", name: "p_orders", table: "orders" },
      { kind: "row level security", name: "enabled", table: "orders" },
      { kind: "rule", name: "r_orders", table: "orders" },
      { kind: "publication", name: "pub_orders" },
      { kind: "event trigger", name: "et_noop" },
      { kind: "aggregate", name: "total_of(numeric)" },
      { kind: "range type", name: "span" },
      { kind: "inheritance", name: "orders", table: "tagged" },
      { kind: "unlogged table", name: "scratch_rows" },
      { kind: "deferrable primary key", name: "slots_pkey", table: "slots" },
      { kind: "unique nulls not distinct", name: "slots_m_key", table: "slots" },
      { kind: "comment", name: "view v_orders" },
      { kind: "comment", name: "index ix_orders_net" },
      { kind: "statistics", name: "st_orders" },
    ],
    objectOnly: { sql: "create policy p_only on orders using (true)", named: { kind: "policy", name: "p_only", table: "orders" } },
  },
  mysql2: {
    base: ["create table orders (id int primary key, net int, tax int)"],
    extras: [
      "create table versioned (id int) with system versioning",
      "create table hidden_cols (id int primary key, secret int invisible)",
      "create table tuned (id int primary key) stats_persistent = 0",
      "create algorithm = merge sql security invoker view v_orders as select id from orders",
    ],
    named: [
      { kind: "system-versioned table", name: "versioned" },
      { kind: "invisible column", name: "secret", table: "hidden_cols" },
      { kind: "table option", name: "stats_persistent=0", table: "tuned" },
      { kind: "view option", name: "algorithm=merge", table: "v_orders" },
      { kind: "view option", name: "sql security invoker", table: "v_orders" },
    ],
    objectOnly: { sql: "create table versioned_only (id int) with system versioning", named: { kind: "system-versioned table", name: "versioned_only" } },
  },
  "better-sqlite3": {
    base: ["create table orders (id integer primary key, net int, tax int)"],
    extras: [
      "create virtual table docs using fts5(body)",
      "create virtual table boxes using rtree(id, x0, x1)",
      "create table slots (id integer primary key on conflict replace, code text unique on conflict ignore, owner int references orders (id) deferrable initially deferred)",
      "create table pairs (a int, b int, constraint pairs_ab unique (a, b) on conflict rollback, foreign key (a) references orders (id) deferrable initially deferred)",
      "create view v_named (order_id, net_total) as select id, net from orders",
    ],
    named: [
      { kind: "virtual table", name: "docs" },
      { kind: "virtual table", name: "boxes" },
      { kind: "conflict clause", name: "id on conflict replace", table: "slots" },
      { kind: "conflict clause", name: "code on conflict ignore", table: "slots" },
      { kind: "deferrable foreign key", name: "owner", table: "slots" },
      { kind: "conflict clause", name: "pairs_ab on conflict rollback", table: "pairs" },
      { kind: "deferrable foreign key", name: "foreign key (a)", table: "pairs" },
      { kind: "view column list", name: "v_named(order_id, net_total)" },
    ],
    objectOnly: { sql: "create virtual table notes using fts5(body)", named: { kind: "virtual table", name: "notes" } },
  },
};

describe.each(TEST_CLIENTS)("what Strata does not compare is named on %s", (client: DbClient) => {
  const dbs = useAppAndTarget(client);

  it("diff lists each unmodelled object by kind and name (text, --json), exits 1 when one is on one side only, and autogenerate's header names them", async () => {
    const c = CASES[client];
    for (const s of c.base) {
      await dbs.app.knex.raw(s);
      await dbs.target.knex.raw(s);
    }
    for (const s of c.extras) await dbs.target.knex.raw(s);
    const dir = writeProject({ environments: { app: envEntry(dbs.app), target: envEntry(dbs.target) } });
    const p = ["--project", dir, "--env", "app"];

    const json = await strata([...p, "diff", "--from", "app", "--to", "target", "--json"]);
    expect(json.code, json.stderr).toBe(1);
    expect(json.json.equal).toBe(false);
    const listed = json.json.notCompared as (Named & { presence: string })[];
    for (const n of c.named) expect(listed, JSON.stringify(n)).toContainEqual({ ...n, presence: "to" });

    const text = await strata([...p, "diff", "--from", "app", "--to", "target"]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("not compared (Strata does not model these;");
    for (const n of c.named) expect(text.stdout).toContain(`! ${n.kind} ${n.name}${n.table ? ` on ${n.table}` : ""} (only in target)`);

    const gen = await strata([...p, "revision", "--autogenerate", "-m", "from target", "--from", "target", "--rev-id", "a1a1a1a1a1a1"]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toContain("not compared");
    const written = /created a1a1a1a1a1a1 in (\S+) /.exec(gen.stdout)?.[1];
    expect(written, gen.stdout).toBeTruthy();
    const file = fs.readFileSync(path.resolve(dir, written!), "utf8");
    expect(file).toMatch(/\/\/ Not compared \(Strata does not model these; docs\/WHAT-STRATA-COMPARES\.md\): \d+ objects/);
    for (const n of c.named) expect(file).toContain(`//   ${n.kind} ${n.name}${n.table ? ` on ${n.table}` : ""} (only in target: write it by hand)`);
  });

  it("an unmodelled object alone makes the diff differ (exit 1, no changes); on both sides it is listed and the diff is equal", async () => {
    const c = CASES[client];
    for (const s of c.base) {
      await dbs.app.knex.raw(s);
      await dbs.target.knex.raw(s);
    }
    await dbs.target.knex.raw(c.objectOnly.sql);
    const dir = writeProject({ environments: { app: envEntry(dbs.app), target: envEntry(dbs.target) } });
    const p = ["--project", dir, "--env", "app"];
    const one = await strata([...p, "diff", "--from", "app", "--to", "target", "--json"]);
    expect(one.json.changes).toEqual([]);
    expect(one.json.equal).toBe(false);
    expect(one.json.notCompared).toEqual([{ ...c.objectOnly.named, presence: "to" }]);
    expect(one.code).toBe(1);
    const oneText = await strata([...p, "diff", "--from", "app", "--to", "target"]);
    expect(oneText.stdout).toContain("no changes Strata can make: app and target differ only in objects it does not compare");

    await dbs.app.knex.raw(c.objectOnly.sql);
    const both = await strata([...p, "diff", "--from", "app", "--to", "target", "--json"]);
    expect(both.json.notCompared).toEqual([{ ...c.objectOnly.named, presence: "both" }]);
    expect(both.json.equal).toBe(true);
    expect(both.code).toBe(0);
  });

  it("status and check count an unmodelled object added to the live database as drift", async () => {
    const c = CASES[client];
    const dir = writeProject({
      environments: { app: envEntry(dbs.app) },
      revisions: [{ revision: "b1b1b1b1b1b1", downRevision: null, message: "base", up: c.base.map((s) => `await knex.raw(${JSON.stringify(s)});`).join("\n"), down: "" }],
    });
    const p = ["--project", dir, "--env", "app"];
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
    expect((await strata([...p, "check"])).code).toBe(0);
    await dbs.app.knex.raw(c.objectOnly.sql);
    const status = await strata([...p, "status", "--json"]);
    const drift = status.json.environments[0].drift;
    expect(drift.drifted).toBe(true);
    expect(drift.changes).toEqual([]);
    expect(drift.notCompared).toEqual([{ ...c.objectOnly.named, presence: "to" }]);
    const check = await strata([...p, "check"]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("0 changes from the revisions to the live schema, 1 not-compared object on one side only");
    const n = c.objectOnly.named;
    expect(check.stdout).toContain(`! ${n.kind} ${n.name}${n.table ? ` on ${n.table}` : ""} (only in the live schema)`);
  });
});
