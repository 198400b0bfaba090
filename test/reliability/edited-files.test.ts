/**
 * Issue 5, item 4: a revision file edited after it was applied stops `upgrade` and `downgrade`
 * before anything runs, unless `--allow-edited`; an applied revision with no file stops them
 * too (and --allow-edited cannot run through it). Both show in `status`, `check` (exit 1) and
 * what the app shows (the environments matrix and the apply screen's plan).
 */
import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createAppService } from "../../electron/engine/app-session/app-service.js";
import { environmentMatrix } from "../../electron/engine/app-session/environment-matrix.js";
import { planWithSql } from "../../electron/engine/app-session/migration-plan.js";
import { openProject, selectEnvironment } from "../../electron/engine/use-cases/open-project.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../electron/engine/app-session/profile-store.js";
import { TEST_CLIENTS, versionHeads } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { createProjectDatabase, removeProjectDatabase } from "../helpers/project-database.js";
import { revisionSource, strata, writeRevision } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";
const C3 = "c3c3c3c3c3c3";

const REVISIONS: readonly RevisionSpec[] = [
  { revision: A1, downRevision: null, message: "create accounts", up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); t.string("name", 100); });`, down: `await knex.schema.dropTable("accounts");` },
  { revision: B2, downRevision: A1, message: "create invoices", up: `await knex.schema.createTable("invoices", (t) => { t.increments("id"); t.integer("n"); });`, down: `await knex.schema.dropTable("invoices");` },
  { revision: C3, downRevision: B2, message: "create notes", up: `await knex.schema.createTable("notes", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("notes");` },
];

/** Figures for docs/RELIABILITY.md. */
const figures = { runsRefused: 0, filesEdited: 0, filesRemoved: 0 };

/** Runs through the app's service (what the apply screen calls) and waits for the run to end (bounded). */
async function appRun(dir: string, req: { command: "upgrade" | "downgrade"; target: string; allowEdited?: boolean }): Promise<{ state: string; error: { code: string; message: string } | null; heads: readonly string[] | null }> {
  const data = fs.mkdtempSync(`${dir}-app-`);
  const service = createAppService({ host: "browser", projectRoot: dir, profiles: new ProfileStore(`${data}/profiles.json`, NO_PASSWORD_STORAGE), recentFile: null });
  try {
    const ticket = await service.handlers.runMigration({ environment: "dev", ...req });
    for (let i = 0; i < 300; i++) {
      const run = await service.handlers.getRun({ runId: ticket.runId });
      if (run.state === "succeeded" || run.state === "failed") return { state: run.state, error: run.error, heads: run.result?.heads ?? null };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the app's run did not end within 30 s");
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
}

/** Everything a refused run must leave as it was: the version table, the history, the tables. */
async function snapshot(db: TestDatabase): Promise<{ heads: string[]; history: number; tables: Record<string, boolean> }> {
  const heads = await versionHeads(db);
  const history = Number(((await db.knex("strata_history").count({ n: "*" })) as { n: number | string }[])[0]!.n);
  const tables: Record<string, boolean> = {};
  for (const t of ["accounts", "invoices", "notes"]) tables[t] = await db.knex.schema.hasTable(t);
  return { heads, history, tables };
}

describe.each(TEST_CLIENTS)("edited and missing revision files on %s", (client: DbClient) => {
  let db: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    ({ db, dir } = await createProjectDatabase(client, REVISIONS));
  });
  afterEach(() => removeProjectDatabase(db, dir));

  it("an edited file stops upgrade and downgrade before anything runs, shows in status, check and the app; --allow-edited runs", async () => {
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", B2])).code).toBe(0);
    // Edit the applied b2 after the fact (a changed body, as a person would).
    const file = writeRevision(dir, { ...REVISIONS[1]!, up: `await knex.schema.createTable("invoices", (t) => { t.increments("id"); t.bigInteger("n"); });` });
    figures.filesEdited++;
    const before = await snapshot(db);

    const up = await strata([...p, "upgrade", "heads"]);
    expect(up.code).toBe(2);
    expect(up.reason).toContain(B2);
    expect(up.reason).toContain(`migrations/${file.split("/").pop()}`);
    expect(up.reason).toMatch(/edited after it was applied/);
    expect(up.reason).toMatch(/--allow-edited/);
    expect(up.stderr.trim().split("\n")).toHaveLength(1);
    const down = await strata([...p, "downgrade", "-1"]);
    expect(down.code).toBe(2);
    expect(down.reason).toContain(B2);
    figures.runsRefused += 2;
    expect(await snapshot(db)).toEqual(before);
    // --plan changes nothing and says so.
    const plan = await strata([...p, "upgrade", "heads", "--plan", "--json"]);
    expect(plan.code).toBe(0);
    expect(plan.json.problems).toEqual([{ revision: B2, kind: "edited", file: expect.stringContaining(B2) }]);

    const status = await strata([...p, "status", "--no-drift"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`edited: ${B2} \\(migrations/.*\\) changed after it was applied`));
    const check = await strata([...p, "check", "--no-drift", "--json"]);
    expect(check.code).toBe(1);
    expect(check.json.environments[0].problems).toEqual([{ revision: B2, kind: "edited", file: expect.stringContaining(B2) }]);

    // What the app shows: the environments matrix and the apply screen's plan, with the same refusal.
    const project = await openProject({ project: dir, cwd: dir });
    const env = selectEnvironment(project, "dev");
    const matrix = await environmentMatrix(project, [{ dto: { name: "dev", error: null }, resolve: () => env } as never], null);
    expect(matrix.environments[0]!.problems).toEqual([{ revision: B2, kind: "edited", file: expect.stringContaining(B2) }]);
    const guiPlan = await planWithSql(project, env, "upgrade", "heads");
    expect(guiPlan.refusal).toEqual({ message: up.reason.replace(/^strata: /, ""), allowEdited: true });
    expect(await snapshot(db)).toEqual(before);

    // The app's run is refused the same way unless allowEdited (the apply screen's "Run anyway").
    const appRefused = await appRun(dir, { command: "upgrade", target: "heads" });
    expect(appRefused).toMatchObject({ state: "failed", error: { code: "REVISION_EDITED", message: guiPlan.refusal!.message } });
    figures.runsRefused++;
    expect(await snapshot(db)).toEqual(before);
    expect(await appRun(dir, { command: "upgrade", target: B2, allowEdited: true })).toMatchObject({ state: "succeeded", heads: [B2] });

    const allowed = await strata([...p, "upgrade", "heads", "--allow-edited", "--json"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.json.heads).toEqual([C3]);
    const back = await strata([...p, "downgrade", A1, "--allow-edited", "--json"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.json.heads).toEqual([A1]);

    // Restored file: no flag needed.
    fs.writeFileSync(file, revisionSource(REVISIONS[1]!));
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
    expect((await strata([...p, "check", "--no-drift"])).code).toBe(0);
  });

  it("an applied revision with no file stops every run, --allow-edited or not, and shows in status, check and the app", async () => {
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
    const c3File = fs.readdirSync(`${dir}/migrations`).find((f) => f.startsWith(C3))!;
    fs.rmSync(`${dir}/migrations/${c3File}`);
    figures.filesRemoved++;
    const before = await snapshot(db);

    for (const args of [["upgrade", "heads"], ["upgrade", "heads", "--allow-edited"], ["downgrade", "-1"], ["downgrade", "-1", "--allow-edited"], ["downgrade", "base", "--allow-edited"]]) {
      const r = await strata([...p, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.reason).toContain(C3);
      expect(r.reason).toMatch(/no file/);
      figures.runsRefused++;
    }
    expect(await snapshot(db)).toEqual(before);

    const status = await strata([...p, "status", "--no-drift"]);
    expect(status.stdout).toContain(`missing: ${C3} is applied but has no file`);
    const check = await strata([...p, "check", "--no-drift", "--json"]);
    expect(check.code).toBe(1);
    expect(check.json.environments[0].problems).toEqual([{ revision: C3, kind: "missing", file: null }]);

    const project = await openProject({ project: dir, cwd: dir });
    const env = selectEnvironment(project, "dev");
    const matrix = await environmentMatrix(project, [{ dto: { name: "dev", error: null }, resolve: () => env } as never], null);
    expect(matrix.environments[0]!.problems).toEqual([{ revision: C3, kind: "missing", file: null }]);
    await expect(planWithSql(project, env, "downgrade", "-1")).rejects.toMatchObject({ code: "REVISION_MISSING" });

    // Put back, everything runs again.
    writeRevision(dir, REVISIONS[2]!);
    const down = await strata([...p, "downgrade", "base", "--json"]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.json.heads).toEqual([]);
  });

  it("reports its figures", () => {
    console.log(`edited-files ${client}: ${JSON.stringify(figures)}`);
  });
});
