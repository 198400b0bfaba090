import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_CLIENTS, createTestDatabase, describeColumns, envEntry, tableExists } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { knexList, knexMigrator, knexRows } from "../../helpers/knex-projects.js";
import { strata } from "../../helpers/strata-cli.js";

/**
 * Issue #15 point 2 for `strata resolve`: a knex file that runs outside a transaction and fails
 * half way is settled by resolve's answers, and knex_migrations says the same afterwards: after
 * "it took effect" knex sees the file as run, after "it did not" (or --undo) as pending, and
 * knex's own migrate.latest() agrees.
 */

const BASE = "2024-01-01-0000-create-base.js";
const HALF = "2024-01-02-0000-add-note.js";
const LATER = "2024-01-03-0000-create-later.js";
const HALF_ID = "2024-01-02-0000-add-note";

/** The half-failing file: its first statement commits (no transaction), its second names a table that does not exist. */
const HALF_FAILING = [
  `exports.config = { transaction: false };`,
  `exports.up = async function (knex) {`,
  `  await knex.schema.alterTable("base_t", (t) => { t.string("note", 20); });`,
  `  await knex.schema.alterTable("extra_t", (t) => { t.integer("x"); });`,
  `};`,
  `exports.down = async function (knex) { await knex.schema.alterTable("base_t", (t) => { t.dropColumn("note"); }); };`,
].join("\n");

/** The same file once the person fixed it: the table it needs is made first. */
const HALF_FIXED = HALF_FAILING.replace(`await knex.schema.alterTable("extra_t", (t) => { t.integer("x"); });`, `await knex.schema.createTable("extra_t", (t) => { t.integer("x"); });`);

const FILES: Readonly<Record<string, string>> = {
  [BASE]: [
    `exports.up = async function (knex) { await knex.schema.createTable("base_t", (t) => { t.integer("id"); }); };`,
    `exports.down = async function (knex) { await knex.schema.dropTable("base_t"); };`,
  ].join("\n"),
  [HALF]: HALF_FAILING,
  [LATER]: [
    `exports.up = async function (knex) { await knex.schema.createTable("later_t", (t) => { t.integer("id"); }); };`,
    `exports.down = async function (knex) { await knex.schema.dropTable("later_t"); };`,
  ].join("\n"),
};
const OWN_TABLES = ["strata_history", "knex_migrations", "knex_migrations_lock"];

describe.each(TEST_CLIENTS)("strata resolve in knex mode on %s", (client) => {
  let db: TestDatabase;
  let dir: string;
  let migrator: { knex: Knex; config: Knex.MigratorConfig };
  const run = (...args: string[]) => strata(["--project", dir, ...args]);

  /** Runs the folder until the half-failing file stops: BASE is applied, HALF is unresolved with its first statement done. */
  async function failHalfWay(): Promise<void> {
    const up = await run("upgrade", "heads");
    expect(up.code).toBe(2);
    expect(up.reason).toContain(`revision ${HALF_ID} (${HALF}) failed on up`);
    expect(up.reason).toContain("knex_migrations was left at 2024-01-01-0000-create-base; check the database, then run `strata resolve");
    expect(await knexList(migrator)).toEqual({ completed: [BASE], pending: [HALF, LATER] });
    expect(await describeColumns(db.knex, client, OWN_TABLES)).toEqual(["base_t.id", "base_t.note"]);
    const status = await run("status", "--no-drift", "--json");
    expect(status.json.environments[0].unresolved).toMatchObject([{ revision: HALF_ID, direction: "up", state: "failed" }]);
  }

  /** What knex's own migrator runs now, and what it lists afterwards. */
  async function knexLatest(): Promise<string[]> {
    const [, log] = (await migrator.knex.migrate.latest(migrator.config)) as [number, string[]];
    return log;
  }

  beforeEach(async () => {
    db = await createTestDatabase(client);
    // Outside the repository, so no package.json of ours decides the module type of the .js files.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-knex-resolve-"));
    fs.mkdirSync(path.join(dir, "migrations"));
    for (const [f, text] of Object.entries(FILES)) fs.writeFileSync(path.join(dir, "migrations", f), `${text}\n`);
    fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ migrations: "migrations", environments: { dev: envEntry(db) } }, null, 2));
    migrator = knexMigrator(db, dir);
    await failHalfWay();
  });
  afterEach(async () => {
    await migrator.knex.destroy();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("--check shows what ran; --undo drops it and knex sees the file pending; fixed, knex's migrate.latest() runs it and the rest, once", async () => {
    const check = await run("resolve", HALF_ID, "--check", "--json");
    expect(check.code, check.stderr).toBe(0);
    expect(check.json).toMatchObject({ revision: HALF_ID, state: "failed", contradicted: ["applied", "rolled-back"], undo: { available: true } });
    expect(check.json.statements.map((s: { ran: string }) => s.ran)).toEqual(["ran", "failed"]);

    const undo = await run("resolve", HALF_ID, "--undo", "--json");
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.json.heads).toEqual(["2024-01-01-0000-create-base"]);
    expect(await describeColumns(db.knex, client, OWN_TABLES)).toEqual(["base_t.id"]);
    expect(await knexList(migrator)).toEqual({ completed: [BASE], pending: [HALF, LATER] });

    fs.writeFileSync(path.join(dir, "migrations", HALF), `${HALF_FIXED}\n`);
    expect(await knexLatest()).toEqual([HALF, LATER]);
    expect(await knexList(migrator)).toEqual({ completed: [BASE, HALF, LATER], pending: [] });
    const again = await run("upgrade", "heads", "--json");
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.steps).toEqual([]);
  });

  it("'it took effect' (--applied) writes knex's row in a batch of its own: knex sees the file as run and migrate.latest() runs only what follows", async () => {
    // The person finishes what the file meant by hand, then says so.
    await db.knex.schema.createTable("extra_t", (t) => t.integer("x"));
    const applied = await run("resolve", HALF_ID, "--applied", "--json");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.json).toMatchObject({ outcome: "applied", heads: [HALF_ID] });
    expect((await knexRows(db.knex)).map((r) => [r.name, r.batch])).toEqual([
      [BASE, 1],
      [HALF, 2],
    ]);
    expect(await db.knex("knex_migrations_lock").select("is_locked")).toEqual([{ is_locked: 0 }]);
    expect(await knexList(migrator)).toEqual({ completed: [BASE, HALF], pending: [LATER] });
    expect(await knexLatest()).toEqual([LATER]);
    expect(await tableExists(db.knex, "later_t")).toBe(true);
    const status = await run("status", "--no-drift", "--json");
    expect(status.json.environments[0]).toMatchObject({ pending: [], unresolved: [], heads: ["2024-01-03-0000-create-later"] });
  });

  it("'it did not' (--rolled-back) leaves knex's table: knex sees the file pending, and once fixed runs it", async () => {
    // Refused while the live schema shows the first statement's column: nothing changed.
    const refused = await run("resolve", HALF_ID, "--rolled-back");
    expect(refused.code).toBe(2);
    expect(refused.reason).toContain(`revision ${HALF_ID} was not recorded as rolled-back: the live schema says otherwise (column base_t.note is there`);
    expect(await knexList(migrator)).toEqual({ completed: [BASE], pending: [HALF, LATER] });

    // The person undoes it by hand, then says so.
    await db.knex.schema.alterTable("base_t", (t) => t.dropColumn("note"));
    const rolledBack = await run("resolve", HALF_ID, "--rolled-back", "--json");
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.json).toMatchObject({ outcome: "rolled-back", heads: ["2024-01-01-0000-create-base"] });
    expect((await knexRows(db.knex)).map((r) => r.name)).toEqual([BASE]);
    expect(await knexList(migrator)).toEqual({ completed: [BASE], pending: [HALF, LATER] });

    fs.writeFileSync(path.join(dir, "migrations", HALF), `${HALF_FIXED}\n`);
    expect(await knexLatest()).toEqual([HALF, LATER]);
    expect(await describeColumns(db.knex, client, OWN_TABLES)).toEqual(["base_t.id", "base_t.note", "extra_t.x", "later_t.id"]);
  });

  it("a file knex ran itself after the failure is not recorded twice by --applied", async () => {
    // The app's boot-time knex run, on the fixed file, applies it before anyone resolves Strata's failed run.
    await db.knex.schema.alterTable("base_t", (t) => t.dropColumn("note"));
    fs.writeFileSync(path.join(dir, "migrations", HALF), `${HALF_FIXED}\n`);
    expect(await knexLatest()).toEqual([HALF, LATER]);
    const applied = await run("resolve", HALF_ID, "--applied", "--json");
    expect(applied.code, applied.stderr).toBe(0);
    expect((await knexRows(db.knex)).map((r) => r.name)).toEqual([BASE, HALF, LATER]);
    expect(await knexLatest()).toEqual([]);
  });
});
