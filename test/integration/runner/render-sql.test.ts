import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Knex } from "knex";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { migrate, readHeads, renderSql } from "../../../electron/engine/runner/index.js";
import type { Plan } from "../../../electron/engine/revisions/types.js";
import { TEST_CLIENTS, createTestDatabase, describeColumns } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { plan, revisionScript, scriptMap, step } from "../../helpers/revision-fixtures.js";

const TABLES = { versionTable: "strata_version", historyTable: "strata_history" } as const;

const scripts = scriptMap(
  revisionScript("a1", [], (k) => k.schema.createTable("users", (t) => { t.increments("id"); t.string("name").notNullable().defaultTo("it's"); }), (k) => k.schema.dropTable("users"), { message: "create users" }),
  revisionScript("b2", ["a1"], async (k) => {
    await k.schema.alterTable("users", (t) => { t.string("email"); });
    await k("users").insert({ name: "O'Brien; --", email: "q?@x" });
  }, (k) => k.schema.alterTable("users", (t) => { t.dropColumn("email"); })),
  revisionScript("c3", ["b2"], (k) => k.schema.createTable("posts", (t) => { t.increments("id"); t.integer("user_id"); t.string("title"); t.text("body"); }), (k) => k.schema.dropTable("posts")),
  // knex rebuilds a SQLite table to drop a column: it must read the table first.
  revisionScript("d4", ["c3"], (k) => k.schema.alterTable("posts", (t) => { t.dropColumn("body"); }), (k) => k.schema.alterTable("posts", (t) => { t.text("body"); })),
);

const toA1: Plan = plan("upgrade", "a1", [], [step("a1", "up", [{ kind: "insert", revision: "a1" }], ["a1"])]);
const toB2: Plan = plan("upgrade", "b2", [], [...toA1.steps, step("b2", "up", [{ kind: "update", from: "a1", to: "b2" }], ["b2"])]);
const fullUpgrade: Plan = plan("upgrade", "d4", [], [
  ...toB2.steps,
  step("c3", "up", [{ kind: "update", from: "b2", to: "c3" }], ["c3"]),
  step("d4", "up", [{ kind: "update", from: "c3", to: "d4" }], ["d4"]),
]);
const fromB2: Plan = plan("upgrade", "d4", ["b2"], fullUpgrade.steps.slice(2));

/** Runs a rendered script statement by statement, as psql or mysql would. */
async function runScript(knex: Knex, client: DbClient, sql: string): Promise<void> {
  for (const chunk of sql.split(/;\n/)) {
    const statement = chunk.split("\n").filter((l) => !l.startsWith("--")).join("\n").trim();
    // knex's pg client turns a bare "?" into "$1" even without bindings; the others pass it through.
    if (statement) await knex.raw(client === "pg" ? statement.replace(/\?/g, "\\?") : statement);
  }
}

describe.each(TEST_CLIENTS)("renderSql for %s", (client) => {
  let online: TestDatabase;
  let offline: TestDatabase;
  beforeEach(async () => {
    online = await createTestDatabase(client);
    offline = await createTestDatabase(client);
  });
  afterEach(async () => {
    await online.drop();
    await offline.drop();
  });

  it("renders a script that builds what migrate() builds, version table included", async () => {
    const sql = await renderSql(client, { plan: fullUpgrade, scripts, ...TABLES });
    expect(sql).toContain("-- Running upgrade a1: create users");
    expect(sql.split("\n").filter((l) => /^(begin|commit);$/i.test(l)).length).toBe(dialectFor(client).transactionalDdl ? 8 : 0);
    expect(sql).toMatch(/O''Brien; --|O\\'Brien; --/);
    await runScript(offline.knex, client, sql);
    await migrate(online.knex, dialectFor(client), { scripts, makePlan: () => fullUpgrade, ...TABLES, strataVersion: "t" });
    const built = await describeColumns(offline.knex, client);
    expect(built).toEqual(await describeColumns(online.knex, client, [TABLES.historyTable]));
    expect(built).toContain("users.email");
    expect(built).not.toContain("posts.body");
    expect(await readHeads(offline.knex, TABLES)).toEqual(["d4"]);
    expect(await offline.knex("users").select("name", "email")).toEqual([{ name: "O'Brien; --", email: "q?@x" }]);
  });

  it("renders from a starting point, and a downgrade", async () => {
    const tail = await renderSql(client, { plan: fromB2, earlierPlan: toB2, scripts, ...TABLES });
    expect(tail).not.toContain("create users");
    const down = plan("downgrade", "b2", ["d4"], [
      step("d4", "down", [{ kind: "update", from: "d4", to: "c3" }], ["c3"]),
      step("c3", "down", [{ kind: "update", from: "c3", to: "b2" }], ["b2"]),
    ]);
    const downSql = await renderSql(client, { plan: down, earlierPlan: fullUpgrade, scripts, ...TABLES });
    await runScript(offline.knex, client, await renderSql(client, { plan: toB2, scripts, ...TABLES }));
    await runScript(offline.knex, client, tail);
    expect(await readHeads(offline.knex, TABLES)).toEqual(["d4"]);
    expect(await describeColumns(offline.knex, client, [TABLES.versionTable])).toContain("posts.body".replace("body", "title"));
    await runScript(offline.knex, client, downSql);
    expect(await readHeads(offline.knex, TABLES)).toEqual(["b2"]);
    expect(await describeColumns(offline.knex, client, [TABLES.versionTable])).toEqual(["users.email", "users.id", "users.name"]);
  });

  it("refuses a revision that reads data, naming it", async () => {
    const reading = scriptMap(
      ...scripts.values(),
      revisionScript("e5", ["d4"], async (k) => {
        const rows = await k("users").select("id");
        for (const r of rows) await k("posts").insert({ user_id: r.id });
      }, () => undefined),
    );
    const p = plan("upgrade", "e5", ["d4"], [step("e5", "up", [{ kind: "update", from: "d4", to: "e5" }], ["e5"])]);
    const error = await renderSql(client, { plan: p, earlierPlan: fullUpgrade, scripts: reading, ...TABLES }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOT_SUPPORTED", details: { revision: "e5" } });
    expect((error as Error).message).toMatch(/^revision e5 cannot be rendered as SQL: it reads data \(`select .*users.*`\)/);
  });
});
