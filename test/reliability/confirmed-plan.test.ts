/**
 * Issue 14, "what you see is what runs": the app's run request carries the plan the person
 * confirmed (starting heads, steps, checksums), and the host refuses it with PLAN_CHANGED when
 * the plan made at run time differs: a revision file edited in between, another runner that
 * moved the heads before the run (checked before the lock) or while the run waited for the
 * lock (checked on the heads read under it). The refusal changes nothing. A destructive plan is
 * refused by the app's host unless the person ticked what it loses.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { MigrationPlanDto, RunDto } from "../../shared/api.js";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import type { AppService } from "../../electron/engine/app-session/app-service.js";
import { TEST_CLIENTS, versionHeads } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { useProjectService } from "../helpers/project-database.js";
import { spawnStrata } from "../helpers/killed-runner.js";
import { strata, writeRevision } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";
const C3 = "c3c3c3c3c3c3";
const PAUSE_ENV = "STRATA_TEST_PAUSE_MARKER";

/** B2 pauses 3 s inside its run (not in the plan's scratch rendering) where PAUSE_ENV names a marker file to write first. */
const pausingUp = [
  `await knex.schema.createTable("invoices", (t) => { t.increments("id"); t.integer("n"); });`,
  `const conn = (knex.client as any).config.connection;`,
  `const marker = process.env.${PAUSE_ENV};`,
  `if (marker && conn && conn.filename !== ":memory:") { require("node:fs").writeFileSync(marker, "running"); await new Promise((r) => setTimeout(r, 3000)); }`,
].join("\n  ");

const REVISIONS: readonly RevisionSpec[] = [
  { revision: A1, downRevision: null, message: "create accounts", up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); t.string("name", 100); });`, down: `await knex.schema.dropTable("accounts");` },
  { revision: B2, downRevision: A1, message: "create invoices", up: pausingUp, down: `await knex.schema.dropTable("invoices");` },
  { revision: C3, downRevision: B2, message: "create notes", up: `await knex.schema.createTable("notes", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("notes");` },
];

/** Figures for docs/RELIABILITY.md. */
const figures = { refused: 0, ranAfterReconfirm: 0 };

/** What the person confirmed, as the apply screen sends it. */
function confirmedPlan(plan: MigrationPlanDto): { headsBefore: string[]; steps: { revision: string; direction: "up" | "down"; checksum: string | null }[] } {
  return { headsBefore: [...plan.headsBefore], steps: plan.steps.map((s) => ({ revision: s.revision, direction: s.direction, checksum: s.checksum })) };
}

async function ended(service: AppService, runId: string): Promise<RunDto> {
  for (let i = 0; i < 600; i++) {
    const run = await service.handlers.getRun({ runId });
    if (run.state === "succeeded" || run.state === "failed") return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the app's run did not end within 30 s");
}

/** Everything a refused run must leave as it was: the version table, the history, the tables. */
async function snapshot(db: TestDatabase): Promise<{ heads: string[]; history: unknown[]; tables: Record<string, boolean> }> {
  const heads = await versionHeads(db);
  const history = await db.knex("strata_history").select("id", "revision", "direction", "status").orderBy("id");
  const tables: Record<string, boolean> = {};
  for (const t of ["accounts", "invoices", "notes"]) tables[t] = await db.knex.schema.hasTable(t);
  return { heads, history, tables };
}

describe.each(TEST_CLIENTS)("the app runs only the plan the person confirmed, on %s", (client: DbClient) => {
  const app = useProjectService(client, REVISIONS);
  beforeEach(async () => {
    expect((await strata(["--project", app.dir, "upgrade", A1])).code).toBe(0);
  });

  const run = async (plan: MigrationPlanDto, extra: { acknowledgedLoss?: boolean } = {}): Promise<RunDto> => {
    const ticket = await app.service.handlers.runMigration({ environment: "dev", command: plan.command, target: plan.target, confirmedPlan: confirmedPlan(plan), ...extra });
    return ended(app.service, ticket.runId);
  };

  it("refuses a run whose pending revision file was edited after the plan was shown, and runs the new plan once confirmed", async () => {
    const plan = await app.service.handlers.planMigration({ environment: "dev", command: "upgrade", target: "heads" });
    expect(plan.steps.map((s) => s.revision)).toEqual([B2, C3]);
    expect(plan.steps.every((s) => /^[0-9a-f]{64}$/.test(s.checksum ?? ""))).toBe(true);
    // Edited between the look and the click: the notes table gains a column.
    writeRevision(app.dir, { ...REVISIONS[2]!, up: `await knex.schema.createTable("notes", (t) => { t.increments("id"); t.text("body"); });` });
    const before = await snapshot(app.db);

    const refused = await run(plan);
    figures.refused++;
    expect(refused.state).toBe("failed");
    expect(refused.error?.code).toBe("PLAN_CHANGED");
    expect(refused.error?.message).toBe(`the plan changed since you looked: the file of ${C3} changed; look at the new plan and confirm it again; nothing was run`);
    const newSteps = (refused.error?.details as { steps: { revision: string; checksum: string }[] }).steps;
    expect(newSteps.map((s) => s.revision)).toEqual([B2, C3]);
    expect(newSteps[1]!.checksum).not.toBe(plan.steps[1]!.checksum);
    expect(await snapshot(app.db)).toEqual(before);

    // Looked at again and confirmed: it runs, with the edited file.
    const again = await app.service.handlers.planMigration({ environment: "dev", command: "upgrade", target: "heads" });
    expect(again.steps[1]!.checksum).toBe(newSteps[1]!.checksum);
    const ran = await run(again);
    expect(ran.state, JSON.stringify(ran.error)).toBe("succeeded");
    figures.ranAfterReconfirm++;
    expect(await versionHeads(app.db)).toEqual([C3]);
    expect(await app.db.knex.schema.hasColumn("notes", "body")).toBe(true);
  });

  it("refuses a run after another runner moved the heads between the plan and the run", async () => {
    const plan = await app.service.handlers.planMigration({ environment: "dev", command: "upgrade", target: "heads" });
    expect(plan.headsBefore).toEqual([A1]);
    // Someone else upgrades to B2 from a terminal meanwhile.
    expect((await strata(["--project", app.dir, "upgrade", B2])).code).toBe(0);
    const before = await snapshot(app.db);

    const refused = await run(plan);
    figures.refused++;
    expect(refused.error?.code).toBe("PLAN_CHANGED");
    expect(refused.error?.message).toBe(
      `the plan changed since you looked: the database is now at ${B2}, not ${A1}; it would run up ${C3}, not up ${B2}, up ${C3}; look at the new plan and confirm it again; nothing was run`,
    );
    expect(refused.error?.details).toMatchObject({ environment: "dev", headsBefore: [B2], steps: [{ revision: C3, direction: "up" }], headsAfter: [C3] });
    expect(await snapshot(app.db)).toEqual(before);
    // A downgrade confirmed at A1 is refused the same way: its steps are other ones now.
    const down = await app.service.handlers.planMigration({ environment: "dev", command: "downgrade", target: "base" });
    expect((await strata(["--project", app.dir, "upgrade", "heads"])).code).toBe(0);
    const downBefore = await snapshot(app.db);
    const downRefused = await run(down, { acknowledgedLoss: true });
    figures.refused++;
    expect(downRefused.error?.code).toBe("PLAN_CHANGED");
    expect(await snapshot(app.db)).toEqual(downBefore);
  });

  it("refuses under the lock when another runner moved the heads while this run waited for it", async () => {
    const plan = await app.service.handlers.planMigration({ environment: "dev", command: "upgrade", target: B2 });
    expect(plan.steps.map((s) => s.revision)).toEqual([B2]);
    const marker = path.join(os.tmpdir(), `strata-pause-${randomBytes(5).toString("hex")}`);
    // The other runner is inside B2 (holding the lock) when the app's run is asked for.
    const other = spawnStrata(["--project", app.dir, "upgrade", B2], { env: { [PAUSE_ENV]: marker } });
    try {
      for (let i = 0; i < 600 && !fs.existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(marker), "the other runner reached B2").toBe(true);
      const ticket = await app.service.handlers.runMigration({ environment: "dev", command: "upgrade", target: B2, confirmedPlan: confirmedPlan(plan) });
      const otherEnd = await other.ended;
      expect(otherEnd.code, otherEnd.stderr).toBe(0);
      const refused = await ended(app.service, ticket.runId);
      figures.refused++;
      expect(refused.error?.code).toBe("PLAN_CHANGED");
      expect(refused.error?.message).toBe(`the plan changed since you looked: the database is now at ${B2}, not ${A1}; there is nothing left to run (you confirmed up ${B2}); look at the new plan and confirm it again; nothing was run`);
      // B2 ran once, by the other runner; the app's run added no history row.
      const history = (await snapshot(app.db)).history as { revision: string; status: string }[];
      expect(history.filter((h) => h.revision === B2).map((h) => h.status)).toEqual(["succeeded"]);
      expect(await versionHeads(app.db)).toEqual([B2]);
    } finally {
      other.child.kill("SIGKILL");
      fs.rmSync(marker, { force: true });
    }
  });

  it("refuses a destructive plan the person did not tick as understood, and runs it once ticked", async () => {
    expect((await strata(["--project", app.dir, "upgrade", "heads"])).code).toBe(0);
    const plan = await app.service.handlers.planMigration({ environment: "dev", command: "downgrade", target: A1 });
    expect(plan.destructive.map((d) => d.reason)).toEqual([expect.stringMatching(/^drops table notes/), expect.stringMatching(/^drops table invoices/)]);
    const before = await snapshot(app.db);
    const refused = await run(plan);
    figures.refused++;
    expect(refused.error?.code).toBe("CONFIRMATION_REQUIRED");
    expect(refused.error?.message).toBe("environment dev: this plan loses data or structure (2 destructive statements); tick what is lost before running it; nothing was run");
    expect(await snapshot(app.db)).toEqual(before);
    const ran = await run(plan, { acknowledgedLoss: true });
    expect(ran.state, JSON.stringify(ran.error)).toBe("succeeded");
    expect(await versionHeads(app.db)).toEqual([A1]);
  });
});

describe("figures", () => {
  it("prints what the suite showed", () => {
    console.log(`confirmed-plan figures: ${JSON.stringify(figures)}`);
  });
});
