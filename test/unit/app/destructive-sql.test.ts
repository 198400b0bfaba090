import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { findDestructiveStatements, tablesNeedingLiveSchema, typeChangeReason } from "../../../electron/engine/lint/destructive-sql.js";
import { openProject, selectEnvironment } from "../../../electron/engine/use-cases/open-project.js";
import { planToHeads, renderPlanSql } from "../../../electron/engine/use-cases/plan-sql.js";
import { TEST_CLIENTS } from "../../helpers/databases.js";
import { writeProject } from "../../helpers/strata-cli.js";
import type { RevisionSpec } from "../../helpers/strata-cli.js";

// Each revision is one kind of change; the lint reads the SQL knex renders for it on each dialect
// (offline on PostgreSQL and MySQL, on an in-memory scratch database on SQLite).
const REVISIONS: readonly RevisionSpec[] = [
  {
    revision: "a1",
    downRevision: null,
    message: "tables",
    up: `await knex.schema.createTable("parent", (t) => { t.increments("id"); t.string("name", 255).notNullable(); t.bigInteger("big"); t.text("body"); t.decimal("amt", 10, 4); t.string("note", 40); });
  await knex.schema.createTable("child", (t) => { t.increments("id"); t.integer("parent_id").unsigned().references("id").inTable("parent").onDelete("CASCADE"); });`,
    down: `await knex.schema.dropTable("child"); await knex.schema.dropTable("parent");`,
  },
  { revision: "b2", downRevision: "a1", message: "drop column", up: `await knex.schema.alterTable("parent", (t) => { t.dropColumn("big"); });`, down: `await knex.schema.alterTable("parent", (t) => { t.bigInteger("big"); });` },
  { revision: "c3", downRevision: "b2", message: "narrow name", up: `await knex.schema.alterTable("parent", (t) => { t.string("name", 50).notNullable().alter(); });`, down: `await knex.schema.alterTable("parent", (t) => { t.string("name", 255).notNullable().alter(); });` },
  { revision: "d4", downRevision: "c3", message: "text to varchar", up: `await knex.schema.alterTable("parent", (t) => { t.string("body", 100).alter(); });`, down: `await knex.schema.alterTable("parent", (t) => { t.text("body").alter(); });` },
  { revision: "e5", downRevision: "d4", message: "widen note", up: `await knex.schema.alterTable("parent", (t) => { t.string("note", 200).alter(); });`, down: `await knex.schema.alterTable("parent", (t) => { t.string("note", 40).alter(); });` },
  { revision: "f6", downRevision: "e5", message: "nullable only", up: `await knex.schema.alterTable("parent", (t) => { t.string("name", 50).nullable().alter(); });`, down: `await knex.schema.alterTable("parent", (t) => { t.string("name", 50).notNullable().alter(); });` },
  { revision: "g7", downRevision: "f6", message: "drop child", up: `await knex.schema.dropTable("child");`, down: `await knex.schema.createTable("child", (t) => { t.increments("id"); t.integer("parent_id"); });` },
];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function renderedPlan(client: DbClient, command: "upgrade" | "downgrade"): Promise<string> {
  const dir = writeProject({ environments: { dev: { client, connection: client === "better-sqlite3" ? { filename: "dev.sqlite3" } : { host: "127.0.0.1", database: "none" } } }, revisions: REVISIONS });
  dirs.push(dir);
  const project = await openProject({ project: dir, cwd: dir });
  const env = selectEnvironment(project, "dev");
  const up = project.map.planUpgrade([], "heads");
  const plan = command === "upgrade" ? up : project.map.planDowngrade(up.headsAfter, "base");
  const rendered = await renderPlanSql(project, env, plan, command === "upgrade" ? undefined : planToHeads(project.map, up.headsAfter));
  expect(rendered.error).toBeNull();
  return rendered.sql!;
}

describe.each(TEST_CLIENTS)("the destructive-statement lint over knex's SQL for %s", (client) => {
  it("finds the dropped column, the narrowed types and the dropped table of an upgrade, and nothing else", async () => {
    const sql = await renderedPlan(client, "upgrade");
    const found = findDestructiveStatements(sql, ["strata_version", "strata_history"]);
    expect(found.map((f) => f.revision)).toEqual(["b2", "c3", "d4", "g7"]);
    expect(found[0]!.reason).toMatch(/drops column parent\.big/);
    expect(found[1]!.reason).toMatch(/narrows column parent\.name from varchar\(255\) to varchar\(50\)/);
    expect(found[2]!.reason).toMatch(/narrows column parent\.body from text to varchar\(100\)/);
    expect(found[3]).toMatchObject({ reason: "drops table child and all its rows" });
    expect(found[3]!.statement).toMatch(/^drop table ["`]child["`]$/i);
    // Every table was made in the script: the live schema is not needed.
    expect(tablesNeedingLiveSchema(sql, ["strata_version", "strata_history"])).toEqual([]);
  });

  it("finds a downgrade's narrowing and drops, where the old types come from the live schema", async () => {
    const sql = await renderedPlan(client, "downgrade");
    const bookkeeping = ["strata_version", "strata_history"];
    expect(tablesNeedingLiveSchema(sql, bookkeeping)).toContain("parent");
    // Without the live schema a type change is still listed, said to be of an unknown old type.
    const blind = findDestructiveStatements(sql, bookkeeping);
    expect(blind.some((f) => /current type is not known/.test(f.reason))).toBe(client !== "better-sqlite3");
    // The schema as the upgrade left it, spelled the way each database gives it back (knex makes decimal a float on SQLite).
    const spell = client === "pg" ? { v: (n: number) => `character varying(${n})`, big: "bigint" } : { v: (n: number) => `varchar(${n})`, big: "bigint" };
    const live = new Map([
      ["parent", new Map([["id", "integer"], ["name", spell.v(50)], ["body", spell.v(100)], ["amt", client === "better-sqlite3" ? "float" : "decimal(10,4)"], ["note", spell.v(200)]])],
    ]);
    const found = findDestructiveStatements(sql, bookkeeping, live);
    const byRevision = (rev: string) => found.filter((f) => f.revision === rev).map((f) => f.reason).join(" | ");
    expect(byRevision("e5")).toMatch(/narrows column parent\.note from .*200\) to varchar\(40\)/);
    expect(byRevision("a1")).toMatch(/drops table parent/);
    expect(byRevision("a1")).toMatch(/drops table child/);
    // Widening back (c3, d4 down) and re-adding a column (b2 down) lose nothing.
    expect(byRevision("c3")).toBe("");
    expect(byRevision("d4")).toBe("");
    expect(byRevision("b2")).toBe("");
    expect(byRevision("f6")).toBe("");
  });

  it("the lint's own rendering (before a run) finds what the shown script finds, without the version-table statements", async () => {
    const dir = writeProject({ environments: { dev: { client, connection: client === "better-sqlite3" ? { filename: "dev.sqlite3" } : { host: "127.0.0.1", database: "none" } } }, revisions: REVISIONS });
    dirs.push(dir);
    const project = await openProject({ project: dir, cwd: dir });
    const env = selectEnvironment(project, "dev");
    const bookkeeping = ["strata_version", "strata_history"];
    // Creates only (SQLite renders them without a database), then the whole plan (its rebuilds read the table).
    for (const target of ["a1", "heads"]) {
      const plan = project.map.planUpgrade([], target);
      const shown = await renderPlanSql(project, env, plan, undefined);
      const lint = await renderPlanSql(project, env, plan, undefined, { seedSchema: client === "better-sqlite3" ? [] : undefined, lintOnly: true });
      expect(lint.error).toBeNull();
      expect(shown.sql).toMatch(/strata_version/);
      expect(lint.sql).not.toMatch(/strata_version/);
      // knex names SQLite's rebuild table at random.
      const found = (sql: string) => JSON.stringify(findDestructiveStatements(sql, bookkeeping)).replace(/_knex_temp_alter\d+/g, "_knex_temp_alter");
      expect(found(lint.sql!)).toEqual(found(shown.sql!));
    }
    expect(findDestructiveStatements((await renderPlanSql(project, env, project.map.planUpgrade([], "heads"), undefined, { seedSchema: undefined, lintOnly: true })).sql!, bookkeeping).map((f) => f.revision)).toEqual(["b2", "c3", "d4", "g7"]);
  });
});

describe("type changes", () => {
  it("tells narrowing from widening", () => {
    const narrows = (a: string, b: string) => typeChangeReason("t", "c", a, b);
    expect(narrows("varchar(255)", "varchar(50)")).toMatch(/^narrows/);
    expect(narrows("character varying(50)", "varchar(255)")).toBeNull();
    expect(narrows("bigint", "integer")).toMatch(/^narrows/);
    expect(narrows("int(11)", "bigint")).toBeNull();
    expect(narrows("int unsigned", "int")).toMatch(/^narrows/);
    expect(narrows("int unsigned", "bigint")).toBeNull();
    expect(narrows("text", "varchar(50)")).toMatch(/^narrows/);
    expect(narrows("varchar(50)", "text")).toBeNull();
    expect(narrows("decimal(10,4)", "decimal(6, 2)")).toMatch(/^narrows/);
    expect(narrows("numeric(8,2)", "decimal(10, 2)")).toBeNull();
    expect(narrows("decimal(10,2)", "decimal(10,4)")).toMatch(/^narrows/);
    expect(narrows("enum('a','b')", "enum('a')")).toMatch(/^narrows/);
    expect(narrows("enum('a')", "enum('a', 'b')")).toBeNull();
    expect(narrows("integer", "varchar(5)")).toMatch(/^narrows/);
    expect(narrows("integer", "text")).toBeNull();
    expect(narrows("tinyint(1)", "boolean")).toBeNull();
    expect(narrows("double precision", "real")).toMatch(/^narrows/);
    expect(narrows("timestamptz", "timestamp with time zone")).toBeNull();
    expect(narrows("varchar(20)", "integer")).toMatch(/^narrows/);
    expect(narrows("timestamp", "date")).toMatch(/^changes/);
  });

  it("reads MySQL's several changes in one ALTER and a raw PostgreSQL ALTER ... TYPE", () => {
    const script = [
      "-- Running upgrade r1: raw",
      'CREATE TABLE "t" ("a" varchar(100), "b" integer, "c" text);',
      "alter table `t` modify `a` varchar(10) not null, modify `b` bigint, drop `c`;",
      'ALTER TABLE public."t" ALTER COLUMN "b" SET DATA TYPE smallint USING b::smallint;',
      "truncate table `audit`;",
      "",
    ].join("\n");
    const found = findDestructiveStatements(script, []);
    expect(found.map((f) => f.reason)).toEqual([
      "narrows column t.a from varchar(100) to varchar(10): values that do not fit are cut or refused; drops column t.c and its data",
      "narrows column t.b from bigint to smallint: values that do not fit are cut or refused",
      "empties a table",
    ]);
  });
});
