/**
 * Issue 19 point 5: the revision page's SQL panes show that revision's own SQL, or its own error,
 * on every dialect (an earlier revision that reads rows used to fail every later one on
 * PostgreSQL and MariaDB), and a merge's downgrade SQL renders (it used to be "ambiguous").
 * The merge's down script is run on the real database and its version table read back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppService } from "../../../electron/engine/app-session/app-service.js";
import { browserService } from "../../helpers/browser-service.js";
import { TEST_CLIENTS, versionHeads } from "../../helpers/databases.js";
import { createProjectDatabase, removeProjectDatabase } from "../../helpers/project-database.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata } from "../../helpers/strata-cli.js";

const A = "a1a1a1a1a1a1";
const READS = "b2b2b2b2b2b2";
const C = "c3c3c3c3c3c3";
const SIDE = "d4d4d4d4d4d4";
const MERGE = "e5e5e5e5e5e5";

/** a -> reads rows -> c (adds a column) -> merge, with a side branch from a joined at the merge. */
const REVISIONS = [
  { revision: A, downRevision: null, message: "create users", up: `await knex.schema.createTable("users", (t) => { t.increments("id"); t.string("name", 200); });`, down: `await knex.schema.dropTable("users");` },
  { revision: READS, downRevision: A, message: "backfill names", up: `const rows = await knex("users").select("id"); for (const r of rows) await knex("users").where({ id: r.id }).update({ name: "x" });`, down: `` },
  { revision: C, downRevision: READS, message: "add email", up: `await knex.schema.alterTable("users", (t) => { t.string("email", 320); });`, down: `await knex.schema.alterTable("users", (t) => { t.dropColumn("email"); });` },
  { revision: SIDE, downRevision: A, message: "create audit", up: `await knex.schema.createTable("audit", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("audit");` },
  { revision: MERGE, downRevision: [C, SIDE], message: "join", up: ``, down: `` },
];

/** The statements of a rendered script, comments left out (each ends a line with ";"). */
function statements(script: string): string[] {
  const body = script.split("\n").filter((l) => !l.startsWith("--")).join("\n");
  return body.split(/;\s*\n/).map((s) => s.trim().replace(/;$/, "")).filter((s) => s && !/^(begin|commit)$/i.test(s));
}

describe.each(TEST_CLIENTS)("the revision page's SQL on %s", (client) => {
  let db: TestDatabase;
  let dir: string;
  let service: AppService;
  let closeService: () => void;
  beforeAll(async () => {
    ({ db, dir } = await createProjectDatabase(client, REVISIONS));
    ({ service, close: closeService } = browserService(dir));
  });
  afterAll(async () => {
    await removeProjectDatabase(db, dir);
    closeService();
  });
  const detail = (revision: string) => service.handlers.revisionDetail({ revision, environment: "dev" }, undefined);

  it("shows a later revision's own SQL although an earlier one reads rows", async () => {
    const d = await detail(C);
    expect(d.upSql?.error).toBeNull();
    expect(d.upSql?.sql).toMatch(/alter table .users. add .*email/i);
    expect(d.downSql?.error).toBeNull();
    expect(d.downSql?.sql).toMatch(/email/);
    // The pane marks what the down loses, and nothing of the up.
    expect(d.upSql?.destructive).toEqual([]);
    expect(d.downSql?.destructive?.map((x) => x.reason)).toContainEqual(expect.stringMatching(/^drops column users\.email and its data|^rebuilds table users copying only columns id, name/));
  });

  it("gives the row-reading revision its own error, naming it", async () => {
    const d = await detail(READS);
    expect(d.upSql?.sql).toBeNull();
    expect(d.upSql?.error?.message).toContain(`revision ${READS}`);
    expect(d.upSql?.error?.message).toMatch(/reads data/);
  });

  it("renders a merge's downgrade, which leaves both parents in the version table when run", async () => {
    const d = await detail(MERGE);
    expect(d.downSql?.error).toBeNull();
    expect(d.downSql?.sql).toContain(`-- Running downgrade ${MERGE}`);
    // Run for real up to the merge (the CLI), then the page's down script on the database itself.
    const up = await strata(["--project", dir, "--env", "dev", "upgrade", "heads"]);
    expect(up.code, up.stderr).toBe(0);
    expect(await versionHeads(db)).toEqual([MERGE]);
    for (const s of statements(d.downSql!.sql!)) await db.knex.raw(s);
    expect(await versionHeads(db)).toEqual([C, SIDE]);
  });
});
