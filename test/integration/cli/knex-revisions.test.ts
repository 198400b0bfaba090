import fs from "node:fs";
import path from "node:path";
import knexFactory from "knex";
import type { Knex } from "knex";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, envEntry, tableExists, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject } from "../../helpers/strata-cli.js";

// Issue #15 point 4: a revision Strata writes in a knex folder is a knex migration that knex's
// own migrator lists and runs, and that Strata runs once.

const CJS_FIRST = [
  `exports.up = async function (knex) {`,
  `  await knex.schema.createTable("users", (t) => { t.increments("id"); t.string("name"); });`,
  `};`,
  `exports.down = async function (knex) {`,
  `  await knex.schema.dropTable("users");`,
  `};`,
  ``,
].join("\n");

const TS_FIRST = [
  `import type { Knex } from "knex";`,
  ``,
  `export async function up(knex: Knex): Promise<void> {`,
  `  await knex.schema.createTable("users", (t) => { t.increments("id"); t.string("name"); });`,
  `}`,
  ``,
  `export async function down(knex: Knex): Promise<void> {`,
  `  await knex.schema.dropTable("users");`,
  `}`,
  ``,
].join("\n");

/** What a person writes into the generated file's placeholders. */
function fillIn(file: string): void {
  const text = fs.readFileSync(file, "utf8");
  const filled = text
    .replace("// Write the schema change here, e.g. await knex.schema.createTable(...).", `await knex.schema.createTable("notes", (t) => { t.increments("id"); t.text("body"); });`)
    .replace("// Undo what up() did.", `await knex.schema.dropTable("notes");`);
  expect(filled).not.toBe(text);
  fs.writeFileSync(file, filled);
}

/** knex's own migrator on the folder, as the app's boot-time `knex.migrate.latest()` runs it. */
function appKnex(db: TestDatabase, dir: string): Knex {
  return knexFactory({
    client: db.env.client,
    connection: db.env.knexConfig.connection as Knex.Config["connection"],
    useNullAsDefault: true,
    migrations: { directory: path.join(dir, "migrations") },
  });
}

let unregisterTs: (() => void) | undefined;
beforeAll(async () => {
  // knex require()s a .ts migration: the app would run under ts-node or tsx; this test under tsx's hook.
  const api = (await import("tsx/cjs/api")) as unknown as { register(): () => void };
  unregisterTs = api.register();
});
afterAll(() => unregisterTs?.());

describe.each(TEST_CLIENTS)("a revision written by Strata in a knex folder on %s", (client) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function knexProject(first: { name: string; text: string }): Promise<{ dir: string; app: TestDatabase; mine: TestDatabase }> {
    const app = await createTestDatabase(client);
    cleanups.push(() => app.drop());
    const mine = await createTestDatabase(client);
    cleanups.push(() => mine.drop());
    const dir = writeProject({ environments: { app: envEntry(app), dev: envEntry(mine) } });
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, "migrations", first.name), first.text);
    return { dir, app, mine };
  }

  for (const style of [
    { label: "CommonJS .js", first: { name: "20230816120000_create_users.js", text: CJS_FIRST }, ext: ".js", shape: /^exports\.up = async function up\(knex\) \{$/m },
    { label: "TypeScript", first: { name: "20230816120000_create_users.ts", text: TS_FIRST }, ext: ".ts", shape: /^import type \{ Knex \} from "knex";\n\nexport async function up\(knex: Knex\): Promise<void> \{$/m },
  ]) {
    it(`in a ${style.label} folder: knex lists it pending and runs it, Strata runs it once`, async () => {
      const { dir, app, mine } = await knexProject(style.first);
      const made = await strata(["revision", "-m", "add notes", "--json"], { cwd: dir });
      expect(made.code, made.stderr).toBe(0);
      expect(made.json.revision).toMatch(/^\d{14}_add_notes$/);
      expect(made.json.downRevisions).toEqual(["20230816120000_create_users"]);
      expect(made.json.file).toBe(`migrations/${made.json.revision}${style.ext}`);
      const file = path.join(dir, made.json.file);
      const text = fs.readFileSync(file, "utf8");
      expect(text).toMatch(style.shape);
      expect(text).not.toMatch(/\brevision\b|downRevision/);
      fillIn(file);

      // The folder still opens in knex mode, the new file linear on the last one.
      const history = await strata(["history", "--json"], { cwd: dir });
      expect(history.code, history.stderr).toBe(0);
      expect(history.json.revisions.map((r: { revision: string; downRevisions: string[] }) => [r.revision, r.downRevisions])).toEqual([
        [made.json.revision, ["20230816120000_create_users"]],
        ["20230816120000_create_users", []],
      ]);

      // knex's own migrator: pending, then run by latest().
      const k = appKnex(app, dir);
      try {
        const [done, pending] = (await k.migrate.list()) as [unknown[], { file: string }[]];
        expect(done).toEqual([]);
        expect(pending.map((p) => p.file)).toEqual([style.first.name, `${made.json.revision}${style.ext}`]);
        await k.migrate.latest();
        expect(await tableExists(k, "notes")).toBe(true);
        const [doneAfter, pendingAfter] = (await k.migrate.list()) as [{ name: string }[], unknown[]];
        expect(doneAfter.map((d) => d.name)).toEqual([style.first.name, `${made.json.revision}${style.ext}`]);
        expect(pendingAfter).toEqual([]);
      } finally {
        await k.destroy();
      }

      // Strata on its own database: runs it once.
      const up = await strata(["--env", "dev", "upgrade", "heads", "--json"], { cwd: dir });
      expect(up.code, up.stderr).toBe(0);
      expect(up.json.steps.map((s: { revision: string }) => s.revision)).toEqual(["20230816120000_create_users", made.json.revision]);
      expect(up.json.heads).toEqual([made.json.revision]);
      expect(await tableExists(mine.knex, "notes")).toBe(true);
      const again = await strata(["--env", "dev", "upgrade", "heads", "--json"], { cwd: dir });
      expect(again.code, again.stderr).toBe(0);
      expect(again.json.steps).toEqual([]);
      const runs = await mine.knex("strata_history").where({ revision: made.json.revision, direction: "up" }).count({ n: "*" });
      expect(Number(runs[0]!.n)).toBe(1);
    });
  }

  it("--autogenerate writes a knex migration in the folder's style", async () => {
    const { dir, app } = await knexProject({ name: "20230816120000_create_users.js", text: CJS_FIRST });
    // The desired schema: the users table plus a notes table, made in the app's database by hand.
    await app.knex.schema.createTable("users", (t) => {
      t.increments("id");
      t.string("name");
    });
    await app.knex.schema.createTable("notes", (t) => {
      t.increments("id");
    });
    const made = await strata(["--env", "app", "revision", "--autogenerate", "-m", "notes table", "--json"], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    expect(made.json.revision).toMatch(/^\d{14}_notes_table$/);
    expect(made.json.changes.map((c: { kind: string; object: string }) => `${c.kind} ${c.object}`)).toEqual(["create-table notes"]);
    const text = fs.readFileSync(path.join(dir, made.json.file), "utf8");
    expect(text).toMatch(/^exports\.up = async function up\(knex\) \{$/m);
    expect(text).toContain(`createTable("notes"`);
    expect(text).not.toMatch(/downRevision/);
  });
});

describe("what a knex folder cannot hold is refused, with one line", () => {
  it("labels, depends-on, another parent, a chosen id and merges", async () => {
    const dir = writeProject({ environments: { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } } });
    try {
      fs.writeFileSync(path.join(dir, "migrations", "20230816120000_create_users.js"), CJS_FIRST);
      fs.writeFileSync(path.join(dir, "migrations", "20230817120000_add_name.js"), CJS_FIRST.replace(/users/g, "others"));
      const before = fs.readdirSync(path.join(dir, "migrations")).sort();
      const linear = "a knex migrations folder is one linear chain; `strata adopt` moves the project onto Strata's revision graph, where branches, labels and merges are";
      const cases: [string[], string][] = [
        [["revision", "-m", "x", "--branch-label", "billing"], `strata: --branch-label is not possible in migrations/: ${linear}`],
        [["revision", "-m", "x", "--depends-on", "20230816120000_create_users"], `strata: --depends-on is not possible in migrations/: ${linear}`],
        [
          ["revision", "-m", "x", "--head", "20230816120000_create_users"],
          `strata: --head 20230816120000_create_users (a parent other than the last file, 20230817120000_add_name) is not possible in migrations/: ${linear}`,
        ],
        [["revision", "-m", "x", "--rev-id", "abc"], "strata: --rev-id does not apply to a knex migrations folder: a knex migration's id is its file name (YYYYMMDDHHMMSS_slug)"],
        [["merge", "-m", "join", "heads"], `strata: a merge is not possible in migrations/: ${linear}`],
      ];
      for (const [args, reason] of cases) {
        const r = await strata(args, { cwd: dir });
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.reason).toBe(reason);
      }
      expect(fs.readdirSync(path.join(dir, "migrations")).sort()).toEqual(before);
      // --head naming the last file is the default, and allowed.
      const ok = await strata(["revision", "-m", "x", "--head", "20230817120000_add_name", "--json"], { cwd: dir });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.json.downRevisions).toEqual(["20230817120000_add_name"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
