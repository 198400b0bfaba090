/**
 * Issue 5, item 5: dropping a table or a column, or narrowing a column's type, is found by a lint
 * of the plan's SQL and listed before a run (stderr; `--plan` text and JSON; the app's plan); on
 * a protected environment every run that has something to run needs `--confirm NAME` (the app:
 * the name typed), and so does `stamp`; refused runs exit 2 with one line and change nothing.
 */
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { planWithSql } from "../../electron/engine/app-session/migration-plan.js";
import { openProject, selectEnvironment } from "../../electron/engine/use-cases/open-project.js";
import { useTestDatabase } from "../helpers/database-hooks.js";
import { envEntry, TEST_CLIENTS } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { strata, writeProject } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";
const C3 = "c3c3c3c3c3c3";
const D4 = "d4d4d4d4d4d4";
const E5 = "e5e5e5e5e5e5";

const REVISIONS: readonly RevisionSpec[] = [
  {
    revision: A1,
    downRevision: null,
    message: "tables",
    up: `await knex.schema.createTable("parent", (t) => { t.increments("id"); t.string("name", 255); t.bigInteger("big"); t.text("body"); t.decimal("amt", 10, 4); });
  await knex.schema.createTable("child", (t) => { t.increments("id"); t.integer("parent_id"); });
  await knex("parent").insert([{ name: "p1", big: 1, body: "b", amt: 1.5 }, { name: "p2", big: 2, body: "b", amt: 2.5 }]);`,
    down: `await knex.schema.dropTable("child"); await knex.schema.dropTable("parent");`,
  },
  { revision: B2, downRevision: A1, message: "add a harmless column", up: `await knex.schema.alterTable("parent", (t) => { t.string("extra", 20); });`, down: `await knex.schema.alterTable("parent", (t) => { t.dropColumn("extra"); });` },
  { revision: C3, downRevision: B2, message: "drop big", up: `await knex.schema.alterTable("parent", (t) => { t.dropColumn("big"); });`, down: `await knex.schema.alterTable("parent", (t) => { t.bigInteger("big"); });` },
  {
    revision: D4,
    downRevision: C3,
    message: "narrow types",
    up: `await knex.schema.alterTable("parent", (t) => { t.string("name", 50).alter(); });
  await knex.schema.alterTable("parent", (t) => { t.string("body", 100).alter(); });`,
    down: `await knex.schema.alterTable("parent", (t) => { t.string("name", 255).alter(); t.text("body").alter(); });`,
  },
  { revision: E5, downRevision: D4, message: "drop child", up: `await knex.schema.dropTable("child");`, down: `await knex.schema.createTable("child", (t) => { t.increments("id"); t.integer("parent_id"); });` },
];

/** Figures for docs/RELIABILITY.md: destructive statements found per dialect and runs refused. */
const figures: Record<string, { upgrade: number; downgrade: number; refused: number }> = {};

async function snapshot(db: TestDatabase): Promise<{ heads: string[]; history: number; rows: number; columns: string[] }> {
  const heads = (await db.knex.schema.hasTable("strata_version"))
    ? ((await db.knex("strata_version").select("version_num")) as { version_num: string }[]).map((r) => r.version_num).sort()
    : [];
  const history = (await db.knex.schema.hasTable("strata_history")) ? Number(((await db.knex("strata_history").count({ n: "*" })) as { n: string }[])[0]!.n) : 0;
  const rows = (await db.knex.schema.hasTable("parent")) ? Number(((await db.knex("parent").count({ n: "*" })) as { n: string }[])[0]!.n) : -1;
  const columns = (await db.knex.schema.hasTable("parent")) ? Object.keys(await db.knex("parent").columnInfo()).sort() : [];
  return { heads, history, rows, columns };
}

describe.each(TEST_CLIENTS)("destructive changes on %s", (client: DbClient) => {
  const db = useTestDatabase(client);
  let dir: string;
  const mine = (figures[client] = { upgrade: 0, downgrade: 0, refused: 0 });
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the dropped column, the narrowed types and the dropped table before the run, in --plan and in the app's plan", async () => {
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: REVISIONS });
    const p = ["--project", dir];
    // Applied first, so the old column types come from the live schema, not from the script.
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);

    const plan = await strata([...p, "upgrade", "heads", "--plan", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const found = plan.json.destructive as { revision: string; statement: string; reason: string }[];
    expect(found.map((d) => d.revision)).toEqual([C3, D4, D4, E5]);
    expect(found[0]!.reason).toMatch(/drops column parent\.big/);
    expect(found[1]!.reason).toMatch(/narrows column parent\.name from .*255\) to varchar\(50\)/);
    expect(found[2]!.reason).toMatch(/narrows column parent\.body from .*text to varchar\(100\)/);
    expect(found[3]!.reason).toBe("drops table child and all its rows");
    const text = await strata([...p, "upgrade", "heads", "--plan"]);
    expect(text.stdout).toContain("destructive: 4 statements would lose data or structure:");
    expect(text.stdout).toContain(`  ${C3}: drops column parent.big`);

    // The app's apply screen gets the same list.
    const project = await openProject({ project: dir, cwd: dir });
    const gui = await planWithSql(project, selectEnvironment(project, "dev"), "upgrade", "heads");
    expect(gui.destructive.map((d) => d.reason)).toEqual(found.map((d) => d.reason));

    const run = await strata([...p, "upgrade", "heads", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const listed = run.stderr.indexOf("destructive: 4 statements will lose data or structure:");
    expect(listed).toBeGreaterThanOrEqual(0);
    // Listed before the first revision ran (progress lines name each revision as it is done).
    expect(listed).toBeLessThan(run.stderr.indexOf(B2));
    expect(run.json.destructive).toHaveLength(4);
    mine.upgrade = found.length;

    const down = await strata([...p, "downgrade", A1, "--plan", "--json"]);
    // Down: b2 drops "extra"; d4's widening and c3's re-added column lose nothing.
    expect(down.json.destructive.map((d: { revision: string }) => d.revision)).toEqual([B2]);
    expect(down.json.destructive[0].reason).toMatch(/drops column parent\.extra/);
    mine.downgrade = down.json.destructive.length;
    const base = await strata([...p, "downgrade", "base", "--plan", "--json"]);
    expect(base.json.destructive.filter((d: { reason: string }) => /drops table/.test(d.reason)).map((d: { revision: string }) => d.revision)).toEqual([A1, A1]);
  });

  it("a protected environment runs only with --confirm and its exact name, stamp too; refusals change nothing", async () => {
    dir = writeProject({ environments: { prod: envEntry(db, { protected: true }) }, revisions: REVISIONS });
    const p = ["--project", dir];
    const before = await snapshot(db);
    for (const confirm of [[], ["--confirm", "dev"], ["--confirm", "PROD"], ["--confirm", ""]]) {
      const r = await strata([...p, "upgrade", "heads", ...confirm]);
      expect(r.code, confirm.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
      expect(r.reason).toMatch(/environment prod is protected/);
      expect(r.reason).toContain("--confirm prod");
      mine.refused++;
    }
    expect(await snapshot(db)).toEqual(before);

    const ok = await strata([...p, "upgrade", A1, "--confirm", "prod", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    const applied = await snapshot(db);
    // A destructive upgrade says how many statements it would lose in its one line.
    const refused = await strata([...p, "upgrade", "heads"]);
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(/4 destructive statements/);
    mine.refused++;
    const downRefused = await strata([...p, "downgrade", "base"]);
    expect(downRefused.code).toBe(2);
    mine.refused++;
    const stampRefused = await strata([...p, "stamp", "heads"]);
    expect(stampRefused.code).toBe(2);
    expect(stampRefused.reason).toContain("--confirm prod");
    mine.refused++;
    expect(await snapshot(db)).toEqual(applied);

    const all = await strata([...p, "upgrade", "heads", "--confirm", "prod", "--json"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json.heads).toEqual([E5]);
    // Nothing to run: nothing to confirm.
    const again = await strata([...p, "upgrade", "heads", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.steps).toEqual([]);
    const stamped = await strata([...p, "stamp", A1, "--confirm", "prod", "--json"]);
    expect(stamped.code, stamped.stderr).toBe(0);
    expect(stamped.json.heads).toEqual([A1]);
  });

  it("--no-lint skips the dry run and its list, but never a protected environment's confirmation", async () => {
    dir = writeProject({ environments: { dev: envEntry(db), prod: envEntry(db, { protected: true }) }, revisions: REVISIONS });
    const p = ["--project", dir];
    const refused = await strata([...p, "--env", "prod", "upgrade", "heads", "--no-lint"]);
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(/environment prod is protected/);
    // dev reaches prod's database, so it asks for prod's name as well (issue 14); --no-lint skips neither.
    const dev = await strata([...p, "--env", "dev", "upgrade", "heads", "--no-lint"]);
    expect(dev.code).toBe(2);
    expect(dev.reason).toMatch(/environment dev reaches the same database as protected environment prod/);
    const run = await strata([...p, "--env", "dev", "upgrade", "heads", "--no-lint", "--json", "--confirm", "prod"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("destructive:");
    expect(run.json.heads).toEqual([E5]);
    expect(run.json.destructive).toBeUndefined();
  });

  it("reports its figures", () => {
    console.log(`destructive ${client}: ${JSON.stringify(mine)}`);
  });
});
