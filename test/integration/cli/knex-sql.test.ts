import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_CLIENTS, createTestDatabase, envEntry, tableExists } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { dumpSchema, knexList, knexMigrator, knexRows, runWithDatabaseClient } from "../../helpers/knex-projects.js";
import { strata } from "../../helpers/strata-cli.js";

/**
 * Issue #15 point 2 for offline scripts: `upgrade --sql` / `downgrade --sql` on a knex folder
 * write what a Strata run writes (knex_migrations rows, knex's lock, Strata's history), never
 * strata_version. Each script is fed to the database's own client, and knex's own migrator judges
 * the database it leaves.
 */

/** A knex folder as projects write them: dash-named CommonJS, rows inserted, a TypeScript file, a SQLite rebuild. */
const FILES: Readonly<Record<string, string>> = {
  "2024-01-01-0000-create-account.js": [
    `exports.up = async function (knex) {`,
    `  await knex.schema.createTable("account", (t) => { t.increments("id"); t.string("email").notNullable(); t.string("nickname"); });`,
    `};`,
    `exports.down = async function (knex) { await knex.schema.dropTable("account"); };`,
  ].join("\n"),
  "2024-01-02-0000-seed-plans.js": [
    `exports.up = async function (knex) {`,
    `  await knex.schema.createTable("plan", (t) => { t.increments("id"); t.string("code", 32).notNullable().unique(); });`,
    `  await knex("plan").insert([{ code: "free" }, { code: "it's pro" }]);`,
    `};`,
    `exports.down = async function (knex) { await knex.schema.dropTable("plan"); };`,
  ].join("\n"),
  "2024-01-03-0000-drop-nickname.ts": [
    `import type { Knex } from "knex";`,
    `export async function up(knex: Knex): Promise<void> {`,
    `  await knex.schema.alterTable("account", (t) => { t.dropColumn("nickname"); });`,
    `}`,
    `export async function down(knex: Knex): Promise<void> {`,
    `  await knex.schema.alterTable("account", (t) => { t.string("nickname"); });`,
    `}`,
  ].join("\n"),
  "2024-01-04-0000-index-email.js": [
    `exports.up = async function (knex) { await knex.schema.alterTable("account", (t) => { t.index(["email"], "account_email_index"); }); };`,
    `exports.down = async function (knex) { await knex.schema.alterTable("account", (t) => { t.dropIndex(["email"], "account_email_index"); }); };`,
  ].join("\n"),
};
const files = Object.keys(FILES).sort();
/** A statement on Strata's version table (the history table has a column of that name). */
const VERSION_TABLE = /\b(table( if not exists)?|into|update|from) [`"]?strata_version\b/i;
const ids = files.map((f) => f.replace(/\.(js|ts)$/, ""));

describe.each(TEST_CLIENTS)("knex mode --sql on %s", (client) => {
  let db: TestDatabase;
  let dir: string;
  let migrator: { knex: Knex; config: Knex.MigratorConfig };
  const extraDbs: TestDatabase[] = [];
  const run = (...args: string[]) => strata(["--project", dir, ...args]);

  /** Renders a script with Strata and feeds it to the database's own client; the script must apply cleanly. */
  async function applyScript(...args: string[]): Promise<string> {
    const rendered = await run(...args, "--sql");
    expect(rendered.code, rendered.stderr).toBe(0);
    const fed = runWithDatabaseClient(db, rendered.stdout);
    expect(fed.code, fed.stderr).toBe(0);
    return rendered.stdout;
  }

  beforeEach(async () => {
    db = await createTestDatabase(client);
    // Outside the repository, so no package.json of ours decides the module type of the .js files.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-knex-sql-"));
    fs.mkdirSync(path.join(dir, "migrations"));
    for (const f of files) fs.writeFileSync(path.join(dir, "migrations", f), `${FILES[f]}\n`);
    fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ migrations: "migrations", environments: { dev: envEntry(db) } }, null, 2));
    migrator = knexMigrator(db, dir);
  });
  afterEach(async () => {
    await migrator.knex.destroy();
    for (const d of extraDbs.splice(0)) await d.drop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("upgrade --sql, fed to the database's own client, writes knex's rows: knex lists nothing pending and migrate.latest() runs nothing", async () => {
    const first = await applyScript("upgrade", ids[1]!);
    expect(first).not.toMatch(VERSION_TABLE);
    expect(await knexList(migrator)).toEqual({ completed: files.slice(0, 2), pending: files.slice(2) });
    // A range START:TARGET continues where the database stands: a second script is a second batch, as a second `latest` is.
    await applyScript("upgrade", `${ids[1]}:heads`);
    expect(await knexList(migrator)).toEqual({ completed: files, pending: [] });
    const [, log] = (await migrator.knex.migrate.latest(migrator.config)) as [number, string[]];
    expect(log).toEqual([]);
    const rows = await knexRows(db.knex);
    expect(rows.map((r) => [r.name, r.batch])).toEqual([
      [files[0], 1],
      [files[1], 1],
      [files[2], 2],
      [files[3], 2],
    ]);
    expect(rows.every((r) => r.migration_time !== null)).toBe(true);
    expect(await db.knex("knex_migrations_lock").select("is_locked")).toEqual([{ is_locked: 0 }]);
    expect(await tableExists(db.knex, "strata_version")).toBe(false);
    // Strata's own history records each step, as a run does.
    const history = await db.knex("strata_history").select("revision", "direction", "status").orderBy("id");
    expect(history).toEqual(ids.map((revision) => ({ revision, direction: "up", status: "succeeded" })));
    expect(await db.knex("plan").orderBy("id").pluck("code")).toEqual(["free", "it's pro"]);
    // Strata reads the same record.
    const status = await run("status", "--no-drift", "--json");
    expect(status.json.environments[0]).toMatchObject({ pending: [], heads: [ids[3]], knex: { applied: files.length, gaps: [], unknown: [] } });

    // The schema equals what knex's own latest builds on a fresh database, by the database's dump tool.
    const fresh = await createTestDatabase(client);
    extraDbs.push(fresh);
    const freshMigrator = knexMigrator(fresh, dir);
    try {
      await freshMigrator.knex.migrate.latest(freshMigrator.config);
    } finally {
      await freshMigrator.knex.destroy();
    }
    expect(dumpSchema(db)).toContain("account_email_index");
    expect(dumpSchema(db)).toEqual(dumpSchema(fresh));
  });

  it("downgrade --sql deletes knex's rows: knex then lists the files pending and its migrate.latest() runs them again", async () => {
    await migrator.knex.migrate.latest(migrator.config);
    const script = await applyScript("downgrade", `${ids[3]}:${ids[1]}`);
    expect(script).not.toMatch(VERSION_TABLE);
    expect(await knexList(migrator)).toEqual({ completed: files.slice(0, 2), pending: files.slice(2) });
    const history = await db.knex("strata_history").select("revision", "direction").orderBy("id");
    expect(history).toEqual([
      { revision: ids[3], direction: "down" },
      { revision: ids[2], direction: "down" },
    ]);
    const current = await run("current", "--json");
    expect(current.json.heads).toEqual([ids[1]]);
    const [, log] = (await migrator.knex.migrate.latest(migrator.config)) as [number, string[]];
    expect(log).toEqual(files.slice(2));
    expect(await knexList(migrator)).toEqual({ completed: files, pending: [] });
  });

  it("stops before any migration while a knex migration holds knex_migrations_lock, and the error names it", async () => {
    await migrator.knex.migrate.up(migrator.config);
    await db.knex("knex_migrations_lock").update({ is_locked: 1 });
    const rendered = await run("upgrade", `${ids[0]}:heads`, "--sql");
    expect(rendered.code, rendered.stderr).toBe(0);
    const fed = runWithDatabaseClient(db, rendered.stdout);
    expect(fed.code).not.toBe(0);
    expect(fed.stderr).toContain("knex_migrations_lock");
    expect((await knexRows(db.knex)).map((r) => r.name)).toEqual([files[0]]);
    expect(await tableExists(db.knex, "plan")).toBe(false);
    expect(await db.knex("knex_migrations_lock").select("is_locked")).toEqual([{ is_locked: 1 }]);
  });
});
