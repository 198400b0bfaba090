import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import knexFactory from "knex";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import { SCRATCH_PREFIX } from "../../../electron/engine/use-cases/schema-diff.js";
import { createTestDatabase, envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { STRATA_BIN, strata, writeProject } from "../../helpers/strata-cli.js";
import { ROUND_TRIP } from "./round-trip-schemas.js";

const raw = (statements: readonly string[]): string => statements.map((s) => `await knex.raw(${JSON.stringify(s)});`).join("\n  ");

/** A plain knex migrations folder, as a knex project has it (CommonJS, exports.up/down). */
const KNEX_MIGRATIONS: Record<string, string> = {
  "20240101000000_users.js": `exports.up = (knex) => knex.schema.createTable("users", (t) => {
  t.increments("id");
  t.string("email", 120).notNullable().unique();
  t.string("name");
  t.boolean("active").notNullable().defaultTo(true);
  t.decimal("balance", 12, 2).defaultTo(0);
  t.timestamps(true, true);
});
exports.down = (knex) => knex.schema.dropTable("users");
`,
  "20240102000000_posts.js": `exports.up = (knex) => knex.schema.createTable("posts", (t) => {
  t.bigIncrements("id");
  t.integer("user_id").unsigned().notNullable().references("id").inTable("users").onDelete("CASCADE");
  t.string("title", 200).notNullable();
  t.text("body");
  t.enu("state", ["draft", "published"]).defaultTo("draft");
  t.json("meta");
  t.date("published_on");
  t.index(["user_id", "published_on"], "posts_user_published");
});
exports.down = (knex) => knex.schema.dropTable("posts");
`,
  "20240103000000_tags.js": `exports.up = async (knex) => {
  await knex.schema.createTable("tags", (t) => { t.increments("id"); t.string("label", 40).notNullable(); t.unique(["label"]); });
  await knex.schema.createTable("post_tags", (t) => {
    t.bigInteger("post_id").unsigned().references("posts.id").onDelete("CASCADE");
    t.integer("tag_id").unsigned().references("tags.id").onDelete("RESTRICT");
    t.primary(["post_id", "tag_id"]);
  });
  await knex.schema.alterTable("users", (t) => { t.string("nickname", 30); t.index(["name"]); });
};
exports.down = async (knex) => {
  await knex.schema.alterTable("users", (t) => { t.dropIndex(["name"]); t.dropColumn("nickname"); });
  await knex.schema.dropTable("post_tags");
  await knex.schema.dropTable("tags");
};
`,
};

describe.each(TEST_CLIENTS)("strata diff on %s", (client: DbClient) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(client);
  });
  afterEach(async () => {
    await db.drop();
  });

  it("a database diffed against itself is empty, for a DDL-built schema with every object kind", async () => {
    for (const s of ROUND_TRIP[client].a) await db.knex.raw(s);
    const dir = writeProject({ environments: { app: envEntry(db) } });
    const r = await strata(["--project", dir, "diff", "--from", "app", "--to", "app", ...(client === "pg" ? ["--schema", "billing"] : []), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.equal).toBe(true);
    expect(r.json.changes).toEqual([]);
    const text = await strata(["--project", dir, "diff", "--from", "app", "--to", "app"]);
    expect(text.stdout).toBe("no differences: app and app have the same schema\n");
  });

  it("a database built by a real knex project's migrations equals itself and what Strata builds from the same files", async () => {
    const dir = writeProject({ environments: { app: envEntry(db) } });
    for (const [name, source] of Object.entries(KNEX_MIGRATIONS)) fs.writeFileSync(path.join(dir, "migrations", name), source);
    await db.knex.migrate.latest({ directory: path.join(dir, "migrations"), loadExtensions: [".js"] });
    expect(await db.knex.schema.hasTable("knex_migrations")).toBe(true);
    const self = await strata(["--project", dir, "diff", "--from", "app", "--to", "app", "--json"]);
    expect(self.code, self.stderr).toBe(0);
    expect(self.json.changes).toEqual([]);
    const built = await strata(["--project", dir, "diff", "--from", "migrations", "--to", "app", "--json"]);
    expect(built.json?.changes ?? built.stderr).toEqual([]);
    expect(built.code).toBe(0);
  });

  it("--sql prints the statements that turn FROM into TO, and a .sql file of the desired schema is a source", async () => {
    const dir = writeProject({
      environments: { app: envEntry(db) },
      revisions: [{ revision: "b1b1b1b1b1b1", downRevision: null, message: "schema b", up: raw(ROUND_TRIP[client].b), down: "" }],
    });
    const sqlFile = path.join(dir, "desired.sql");
    fs.writeFileSync(sqlFile, `-- the schema we want\n${ROUND_TRIP[client].b.join(";\n")};\ncreate table extra_table (id integer primary key, label varchar(20));\n`);
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
    const d = await strata([...p, "diff", "--from", "app", "--to", sqlFile, "--json"]);
    expect(d.code, d.stderr).toBe(1);
    expect(d.json.changes.map((c: { summary: string }) => c.summary)).toEqual(["create table extra_table (2 columns)"]);
    expect(d.json.to.kind).toBe("sql-file");
    const sql = await strata([...p, "diff", "--from", "app", "--to", sqlFile, "--sql"]);
    expect(sql.code).toBe(1);
    expect(sql.stdout).toMatch(/^create table .extra_table. \(/m);
    // The script runs: applied to the live database, the two agree.
    for (const statement of sql.stdout.split(/;\n/).filter((s) => s.trim())) await db.knex.raw(statement);
    const again = await strata([...p, "diff", "--from", "app", "--to", sqlFile]);
    expect(again.stdout).toContain("no differences");
    expect(again.code).toBe(0);
  });

  it("errors are one line: unknown source, a .sql file that fails (naming its line), an unreadable file, an unreachable environment", async () => {
    const dir = writeProject({ environments: { app: envEntry(db) } });
    const p = ["--project", dir];
    const unknown = await strata([...p, "diff", "--from", "app", "--to", "staging"]);
    expect(unknown.code).toBe(2);
    expect(unknown.reason).toBe(`strata: unknown source "staging": name an environment (app), migrations, migrations@REV, or a .sql file`);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);

    const bad = path.join(dir, "bad.sql");
    fs.writeFileSync(bad, "create table ok_one (id integer primary key);\n\n-- next one is wrong\ncreate tabel broken (id integer);\n");
    const failed = await strata([...p, "diff", "--from", "app", "--to", bad]);
    expect(failed.code).toBe(2);
    expect(failed.reason).toMatch(new RegExp(`^strata: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} line 4: .+; fix that statement and run again$`));
    expect(failed.stderr.trim().split("\n")).toHaveLength(1);

    const missing = await strata([...p, "diff", "--from", "app", "--to", path.join(dir, "nope.sql")]);
    expect(missing.code).toBe(2);
    expect(missing.reason).toMatch(/^strata: cannot read .*nope\.sql: ENOENT; check the path$/);

    if (client !== "better-sqlite3") {
      const down = writeProject({ environments: { app: { client, connection: { host: "127.0.0.1", port: 1, user: "x", database: "x" } } } });
      const unreachable = await strata(["--project", down, "diff", "--from", "app", "--to", "migrations"]);
      expect(unreachable.code).toBe(2);
      expect(unreachable.reason).toMatch(/^strata: environment app: .*127\.0\.0\.1:1/);
      expect(unreachable.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

/** Lists scratch databases made by one strata process (its pid is in the name). */
async function scratchDatabases(client: "pg" | "mysql2", pid?: number): Promise<string[]> {
  const admin = knexFactory({
    client,
    connection: client === "pg" ? { host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" } : { host: "127.0.0.1", port: 3306, user: "root", password: "" },
    pool: { min: 0, max: 1 },
  });
  try {
    const names = await dialectFor(client).schema.scratch!.list(admin, SCRATCH_PREFIX);
    return pid === undefined ? names : names.filter((n) => n.startsWith(`${SCRATCH_PREFIX}${pid}_`));
  } finally {
    await admin.destroy();
  }
}

describe.each(["pg", "mysql2"] as const)("scratch databases on %s", (client) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(client);
  });
  afterEach(async () => {
    await db.drop();
  });

  it("is gone after a diff that finishes and after one whose revision fails", async () => {
    const before = await scratchDatabases(client);
    const dir = writeProject({
      environments: { app: envEntry(db) },
      revisions: [{ revision: "a1a1a1a1a1a1", downRevision: null, message: "one", up: `await knex.schema.createTable("t", (t) => { t.increments("id"); });`, down: "" }],
    });
    const ok = await strata(["--project", dir, "diff", "--from", "app", "--to", "migrations"]);
    expect(ok.code).toBe(1);
    expect(ok.stdout).toContain("create table t");
    expect(await scratchDatabases(client)).toEqual(before);

    fs.writeFileSync(path.join(dir, "migrations", "b.ts"), `export const revision = "b2b2b2b2b2b2"; export const downRevision = "a1a1a1a1a1a1"; export const message = "fails";
export async function up(knex) { await knex.raw("select * from no_such_table"); }
export async function down() {}
`);
    const failed = await strata(["--project", dir, "diff", "--from", "app", "--to", "migrations"]);
    expect(failed.code).toBe(2);
    expect(failed.reason).toContain("b2b2b2b2b2b2");
    expect(await scratchDatabases(client)).toEqual(before);
  });

  it("is gone after a diff interrupted with SIGINT while a revision runs", async () => {
    const sleep = client === "pg" ? "select pg_sleep(30)" : "select sleep(30)";
    const dir = writeProject({
      environments: { app: envEntry(db) },
      revisions: [{ revision: "a1a1a1a1a1a1", downRevision: null, message: "slow", up: `await knex.schema.createTable("t", (t) => { t.increments("id"); }); await knex.raw("${sleep}");`, down: "" }],
    });
    const child = spawn(process.execPath, [STRATA_BIN, "--project", dir, "diff", "--from", "app", "--to", "migrations"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    let seen: string[] = [];
    for (let i = 0; i < 100 && seen.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await scratchDatabases(client, child.pid);
    }
    expect(seen).toHaveLength(1);
    // Let the revision reach its sleep, so the interruption lands mid-build.
    await new Promise((r) => setTimeout(r, 1000));
    child.kill("SIGINT");
    const code = await exited;
    expect(code).toBe(130);
    expect(stderr).toContain("interrupted; dropping scratch databases");
    expect(await scratchDatabases(client, child.pid)).toEqual([]);
  });
});
