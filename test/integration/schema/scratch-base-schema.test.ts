import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject } from "../../helpers/strata-cli.js";

// Issue #15 point 6: a scratch build that fails says it was a scratch build, names the revision
// and the statement, and claims nothing about the user's database; a base schema fixes it.

/** The first file alters a table that another system (or a dump) made: knex projects have these. */
const ALTERS_ACCOUNTS = `exports.up = (knex) => knex.schema.alterTable("accounts", (t) => { t.string("email", 100); });
exports.down = (knex) => knex.schema.alterTable("accounts", (t) => { t.dropColumn("email"); });
`;
const REVISION = "20230816120000_add_email";
const WORDS = "while building the migrations' schema in a scratch database";
const BASE_SQL = "-- made by the legacy app\ncreate table accounts (id integer primary key);\n";
const BASE_MODULE = `module.exports = async (knex) => {
  await knex.schema.createTable("accounts", (t) => { t.increments("id"); });
};
`;

describe.each(TEST_CLIENTS)("scratch builds on %s", (client: DbClient) => {
  const db = useTestDatabase(client);
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function project(config: Record<string, unknown> = {}, files: Record<string, string> = {}): string {
    dir = writeProject({ environments: { dev: envEntry(db) }, config });
    fs.writeFileSync(path.join(dir, "migrations", `${REVISION}.js`), ALTERS_ACCOUNTS);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }

  it("a failure says it happened in a scratch database, names revision and statement, and says nothing of the user's database", async () => {
    project();
    const liveBefore = await db.knex.schema.hasTable("accounts");
    for (const args of [
      ["diff", "--from", "migrations", "--to", "dev"],
      ["revision", "--autogenerate", "-m", "sync"],
    ]) {
      const r = await strata([...args, "--json"], { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.json.error.code).toBe("SCRATCH_BUILD_FAILED");
      expect(r.json.error.details).toMatchObject({ revision: REVISION, direction: "up" });
      expect(r.json.error.details.statement).toMatch(/alter table .*accounts/i);
      expect(r.reason).toMatch(new RegExp(`^strata: ${WORDS}, revision ${REVISION} failed on up in \`alter table .*accounts.*\`: .+; if the first revision assumes tables made elsewhere, name a schema to start from in "baseSchema" of strata\\.config\\.json$`, "i"));
      expect(r.reason).not.toMatch(/rolled back|as it was|your database/i);
    }
    // Nothing was written: no revision file, nothing in the user's database.
    expect(fs.readdirSync(path.join(dir, "migrations"))).toEqual([`${REVISION}.js`]);
    expect(await db.knex.schema.hasTable("accounts")).toBe(liveBefore);
    expect(await db.knex.schema.hasTable("strata_version")).toBe(false);

    // Drift: the live database has the table (made elsewhere) and the revision applied; the scratch build cannot say what it should hold.
    await db.knex.raw("create table accounts (id integer primary key)");
    expect((await strata(["upgrade", "heads"], { cwd: dir })).code).toBe(0);
    const check = await strata(["check", "--json"], { cwd: dir });
    const drift = check.json.environments[0].drift;
    expect(drift).toMatchObject({ checked: false, drifted: false });
    expect(drift.error).toMatch(new RegExp(`^${WORDS}, revision ${REVISION} failed on up in \`alter table .*accounts`, "i"));
    expect(drift.error).not.toMatch(/rolled back|as it was/i);
  });

  if (client === "better-sqlite3") {
    it("SQLite's offline script, rendered in a scratch database, says the same and starts from the base schema", async () => {
      project();
      const failed = await strata(["upgrade", "heads", "--sql"], { cwd: dir });
      expect(failed.code).toBe(2);
      expect(failed.reason).toMatch(new RegExp(`^strata: revision ${REVISION} cannot be rendered as SQL: it failed ${WORDS} in \`alter table .*accounts.*\`: no such table: accounts;`, "i"));
      expect(failed.reason).not.toMatch(/rolled back|as it was/i);
      fs.rmSync(dir, { recursive: true, force: true });

      project({ baseSchema: "db/base.sql" }, { "db/base.sql": BASE_SQL });
      const rendered = await strata(["upgrade", "heads", "--sql"], { cwd: dir });
      expect(rendered.code, rendered.stderr).toBe(0);
      expect(rendered.stdout).toMatch(/alter table `accounts` add column `email` varchar\(100\)/i);
      // The base schema is where the script starts, not part of it.
      expect(rendered.stdout).not.toMatch(/create table accounts/i);
    });
  }

  for (const form of [
    { label: "a .sql file", file: "db/base.sql", text: BASE_SQL, makeLive: (t: TestDatabase) => t.knex.raw("create table accounts (id integer primary key)") },
    {
      label: "a module exporting async (knex) => ...",
      file: "db/base.cjs",
      text: BASE_MODULE,
      makeLive: (t: TestDatabase) => t.knex.schema.createTable("accounts", (c) => { c.increments("id"); }),
    },
  ]) {
    it(`baseSchema as ${form.label}: diff and autogenerate start from it`, async () => {
      project({ baseSchema: form.file }, { [form.file]: form.text });
      // The live database: the base made elsewhere, then the migrations run by Strata.
      await form.makeLive(db);
      const up = await strata(["upgrade", "heads", "--json"], { cwd: dir });
      expect(up.code, up.stderr).toBe(0);

      const diff = await strata(["diff", "--from", "migrations", "--to", "dev", "--json"], { cwd: dir });
      expect(diff.code, diff.stderr).toBe(0);
      expect(diff.json.equal).toBe(true);
      expect(diff.json.changes).toEqual([]);
      const check = await strata(["check", "--json"], { cwd: dir });
      expect(check.code, check.stdout).toBe(0);
      expect(check.json.environments[0].drift).toMatchObject({ checked: true, drifted: false, changes: [], error: null });

      // A table the live database has beyond base + migrations is what autogenerate writes, nothing else.
      await db.knex.schema.createTable("notes", (t) => { t.increments("id"); });
      const made = await strata(["revision", "--autogenerate", "-m", "notes", "--json"], { cwd: dir });
      expect(made.code, made.stderr).toBe(0);
      expect(made.json.changes.map((c: { kind: string; object: string }) => `${c.kind} ${c.object}`)).toEqual(["create-table notes"]);
    });
  }

  it("a base schema that fails says so, in the scratch words", async () => {
    project({ baseSchema: "db/base.sql" }, { "db/base.sql": "create table accounts (id integer primary key);\ncreate tablex oops;\n" });
    const r = await strata(["diff", "--from", "migrations", "--to", "dev"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(new RegExp(`^strata: ${WORDS}: baseSchema db/base\\.sql line 2: .+; fix that statement and run again$`));
  });
});

describe("baseSchema in strata.config.json", () => {
  it("a missing file is one line, before anything connects", async () => {
    const dir = writeProject({ environments: { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } }, config: { baseSchema: "db/base.sql" } });
    try {
      const r = await strata(["diff", "--from", "migrations", "--to", "dev"], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.reason).toBe(`strata: strata.config.json: baseSchema: db/base.sql does not exist in ${fs.realpathSync(dir)}; create it or fix the path`);
      expect(fs.existsSync(path.join(dir, "dev.sqlite3"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
