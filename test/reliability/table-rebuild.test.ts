/**
 * Issue 5, item 6: a change that makes knex rebuild a SQLite table (copy, drop, rename) with
 * foreign keys on and ON DELETE CASCADE children loses no child row, up and down; a rebuild that
 * would break a foreign key is refused, says why, and leaves everything as it was. The same
 * revisions run as ALTERs on PostgreSQL and MariaDB, with the same row counts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { TEST_CLIENTS, versionHeads } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { createProjectDatabase, removeProjectDatabase } from "../helpers/project-database.js";
import { strata } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";
const C3 = "c3c3c3c3c3c3";
const PARENTS = 60;
const CHILDREN_PER_PARENT = 10;
const NOTES = 40;

const REVISIONS: readonly RevisionSpec[] = [
  {
    revision: A1,
    downRevision: null,
    message: "parents, cascading children, notes",
    up: `await knex.schema.createTable("parent", (t) => { t.increments("id"); t.string("name", 100).notNullable(); t.boolean("flag"); });
  await knex.schema.createTable("child", (t) => { t.increments("id"); t.integer("parent_id").unsigned().notNullable().references("id").inTable("parent").onDelete("CASCADE"); t.string("label", 20); });
  await knex.schema.createTable("note", (t) => { t.increments("id"); t.integer("parent_ref").unsigned(); });
  for (let p = 1; p <= ${PARENTS}; p++) await knex("parent").insert({ id: p, name: "parent " + p, flag: p % 2 === 0 });
  for (let p = 1; p <= ${PARENTS}; p++) await knex("child").insert(Array.from({ length: ${CHILDREN_PER_PARENT} }, (_, i) => ({ parent_id: p, label: "c" + i })));
  // One note points at a parent that does not exist: adding a foreign key over it must fail.
  await knex("note").insert(Array.from({ length: ${NOTES} }, (_, i) => ({ parent_ref: i === 0 ? 9999 : 1 + (i % ${PARENTS}) })));`,
    down: `await knex.schema.dropTable("note"); await knex.schema.dropTable("child"); await knex.schema.dropTable("parent");`,
  },
  {
    revision: B2,
    downRevision: A1,
    message: "alter parent (SQLite rebuilds it)",
    // Nullability, a wider type and a dropped column: knex rebuilds "parent" on SQLite for each.
    up: `await knex.schema.alterTable("parent", (t) => { t.string("name", 200).nullable().alter(); });
  await knex.schema.alterTable("parent", (t) => { t.dropColumn("flag"); });`,
    down: `await knex.schema.alterTable("parent", (t) => { t.boolean("flag"); });
  await knex.schema.alterTable("parent", (t) => { t.string("name", 100).notNullable().alter(); });`,
  },
  {
    revision: C3,
    downRevision: B2,
    message: "notes get a foreign key (SQLite rebuilds note)",
    up: `await knex.schema.alterTable("note", (t) => { t.foreign("parent_ref").references("id").inTable("parent").onDelete("CASCADE"); });`,
    down: `await knex.schema.alterTable("note", (t) => { t.dropForeign(["parent_ref"]); });`,
  },
];

/** Figures for docs/RELIABILITY.md. */
const figures: Record<string, { childRowsChecked: number; rebuilds: number; refused: number }> = {};

async function count(db: TestDatabase, table: string): Promise<number> {
  return Number(((await db.knex(table).count({ n: "*" })) as { n: number | string }[])[0]!.n);
}

async function counts(db: TestDatabase): Promise<{ parent: number; child: number; note: number }> {
  return { parent: await count(db, "parent"), child: await count(db, "child"), note: await count(db, "note") };
}

describe.each(TEST_CLIENTS)("table rebuilds with cascading children on %s", (client: DbClient) => {
  let db: TestDatabase;
  let dir: string;
  const mine = (figures[client] = { childRowsChecked: 0, rebuilds: 0, refused: 0 });
  beforeEach(async () => {
    ({ db, dir } = await createProjectDatabase(client, REVISIONS));
  });
  afterEach(() => removeProjectDatabase(db, dir));

  const full = { parent: PARENTS, child: PARENTS * CHILDREN_PER_PARENT, note: NOTES };

  it("altering the parent keeps every child row, up and down, and the cascade still works", async () => {
    const p = ["--project", dir];
    if (client === "better-sqlite3") {
      // Foreign keys are on for the connection (better-sqlite3's default), so a plain DROP TABLE would cascade.
      expect(((await db.knex.raw("pragma foreign_keys")) as { foreign_keys: number }[])[0]!.foreign_keys).toBe(1);
      const sql = await strata([...p, "upgrade", `${A1}:${B2}`, "--sql"]);
      const rebuilds = sql.stdout.match(/ALTER TABLE "_knex_temp_alter\d+" RENAME TO "parent"/g) ?? [];
      expect(rebuilds.length).toBe(2);
      mine.rebuilds += rebuilds.length;
    }
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);
    expect(await counts(db)).toEqual(full);

    const up = await strata([...p, "upgrade", B2, "--json"]);
    expect(up.code, up.stderr).toBe(0);
    expect(await counts(db)).toEqual(full);
    mine.childRowsChecked += full.child;
    expect(Object.keys(await db.knex("parent").columnInfo()).sort()).toEqual(["id", "name"]);

    const down = await strata([...p, "downgrade", A1, "--json"]);
    expect(down.code, down.stderr).toBe(0);
    expect(await counts(db)).toEqual(full);
    mine.childRowsChecked += full.child;
    if (client === "better-sqlite3") mine.rebuilds += 2;

    // The foreign key survived the rebuilds: deleting a parent still cascades to its children.
    await db.knex("parent").where({ id: 1 }).delete();
    expect(await count(db, "child")).toBe(full.child - CHILDREN_PER_PARENT);
    mine.childRowsChecked += full.child - CHILDREN_PER_PARENT;
  });

  it("a rebuild that would break a foreign key is refused, says why, and leaves everything as it was", async () => {
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", B2])).code).toBe(0);
    const before = { counts: await counts(db), heads: await versionHeads(db) };

    const r = await strata([...p, "upgrade", C3]);
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(/foreign key/i);
    // Names the revision on the servers; on SQLite the check runs at commit, over the whole run.
    if (client !== "better-sqlite3") expect(r.reason).toContain(C3);
    else expect(r.reason).toMatch(/rolled back/);
    mine.refused++;
    expect(await counts(db)).toEqual(before.counts);
    expect(await versionHeads(db)).toEqual(before.heads);
    mine.childRowsChecked += before.counts.child;
    // No foreign key was added to note: the orphan note can still be written.
    await db.knex("note").insert({ parent_ref: 12345 });
    expect(await count(db, "note")).toBe(NOTES + 1);
  });

  it("reports its figures", () => {
    console.log(`table-rebuild ${client}: ${JSON.stringify(mine)}`);
  });
});
