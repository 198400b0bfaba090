import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { useAppAndTarget } from "../../helpers/app-and-target.js";
import { envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject } from "../../helpers/strata-cli.js";

const raw = (statements: readonly string[]): string => statements.map((s) => `await knex.raw(${JSON.stringify(s)});`).join("\n  ");

/**
 * Issue 16, point 3: a change the database refuses while something depends on it runs once the
 * dependents are dropped first and recreated after, in the same revision, and the file says why.
 */
async function roundTrip(client: DbClient, app: TestDatabase, target: TestDatabase, before: readonly string[], after: readonly string[]): Promise<string> {
  for (const s of after) await target.knex.raw(s);
  const dir = writeProject({
    environments: { app: envEntry(app), target: envEntry(target) },
    revisions: [{ revision: "b1b1b1b1b1b1", downRevision: null, message: "before", up: raw(before), down: "" }],
  });
  const p = ["--project", dir, "--env", "app"];
  expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
  const gen = await strata([...p, "revision", "--autogenerate", "-m", "after", "--from", "target", "--rev-id", "c2c2c2c2c2c2", "--json"]);
  expect(gen.code, gen.stderr).toBe(0);
  const file = fs.readFileSync(path.resolve(dir, gen.json.file), "utf8");
  const up = await strata([...p, "upgrade", "heads"]);
  expect(up.code, `${up.stderr}\n${file}`).toBe(0);
  const same = await strata([...p, "diff", "--from", "app", "--to", "target", "--json"]);
  expect(same.json?.changes ?? same.stderr).toEqual([]);
  const down = await strata([...p, "downgrade", "b1b1b1b1b1b1"]);
  expect(down.code, `${down.stderr}\n${file}`).toBe(0);
  const back = await strata([...p, "diff", "--from", "app", "--to", "migrations@b1b1b1b1b1b1", "--json"]);
  expect(back.json?.changes ?? back.stderr).toEqual([]);
  void client;
  return file;
}

describe.each(TEST_CLIENTS)("dependents of a change on %s", (client: DbClient) => {
  const dbs = useAppAndTarget(client);

  it("a column's type changes under a view and a view on that view: the revision runs both ways", async () => {
    const table = (qty: string): string => `create table items (id integer primary key, qty ${qty} not null)`;
    const views = [
      "create view v_items as select id, qty from items",
      "create view v_items_ids as select id from v_items",
      ...(client === "pg" ? ["create materialized view mv_qty as select sum(qty) as total from items", "create unique index ux_mv_qty on mv_qty (total)"] : []),
    ];
    const file = await roundTrip(client, dbs.app, dbs.target, [table("integer"), ...views], [table("bigint"), ...views]);
    if (client === "pg") {
      // PostgreSQL refuses "alter column type" under a view: the file drops both views first, deepest first, and says why.
      expect(file).toContain("// Note: reads items.qty, whose type changes: PostgreSQL refuses the change while the view stands");
      expect(file).toContain("// Note: reads view v_items, which is dropped and recreated");
      expect(file).toContain("// Note: reads items.qty, whose type changes: PostgreSQL refuses the change while it stands, so it is dropped first and recreated after, in this revision (its rows are computed again)");
      const drops = [file.indexOf('drop view \\"v_items_ids\\"'), file.indexOf('drop view \\"v_items\\"'), file.indexOf("alterTable(\"items\"")];
      expect(drops.every((i) => i >= 0), file).toBe(true);
      expect(drops[0]! < drops[1]! && drops[1]! < drops[2]!, file).toBe(true);
    }
  });

  it.runIf(client === "pg")("an enum value removed under a partial index, an expression index and a view: the revision runs both ways", async () => {
    const type = (values: string): string => `create type order_state as enum (${values})`;
    const rest = [
      "create table orders (id integer primary key, state order_state not null default 'new')",
      "create index ix_orders_open on orders (id) where state <> 'shipped'",
      "create index ix_orders_paid on orders ((state = 'paid'))",
      "create view v_open as select id, state from orders where state <> 'shipped'",
    ];
    const file = await roundTrip(client, dbs.app, dbs.target, [type("'new', 'paid', 'lost', 'shipped'"), ...rest], [type("'new', 'paid', 'shipped'"), ...rest]);
    expect(file).toContain("// Note: uses orders.state, whose enum order_state is made anew: dropped first and recreated after, in this revision");
    expect(file).toContain("// Note: reads orders.state, whose enum order_state is made anew");
    expect(file.indexOf('drop index \\"ix_orders_open\\"')).toBeLessThan(file.indexOf("rename to"));
    expect(file.indexOf("rename to")).toBeLessThan(file.indexOf('create index \\"ix_orders_open\\"'));
  });
});
