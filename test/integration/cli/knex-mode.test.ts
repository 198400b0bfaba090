import fs from "node:fs";
import type { Knex } from "knex";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_CLIENTS, createTestDatabase } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { KNEX_FIXTURES, copyKnexProject, dumpSchema, fixtureFiles, idOf, knexList, knexMigrator, knexRows } from "../../helpers/knex-projects.js";
import { strata } from "../../helpers/strata-cli.js";
import { environmentMatrix } from "../../../electron/engine/app-session/environment-matrix.js";
import { planWithSql } from "../../../electron/engine/app-session/migration-plan.js";
import { openProject, selectEnvironment } from "../../../electron/engine/use-cases/open-project.js";

/**
 * Issue #15 points 1-3 and 5: real knex folders open as-is, knex_migrations is the truth in
 * knex mode (Strata and the app's own knex migrator, run for real on the same database and
 * folder, agree whatever order they run in), gaps are shown and run, and the plan verdict holds.
 */
describe.each(TEST_CLIENTS)("knex mode on %s", (client) => {
  describe.each(KNEX_FIXTURES)("the %s project", (fixture) => {
    const files = fixtureFiles(fixture);
    const ids = files.map(idOf);
    let db: TestDatabase;
    let dir: string;
    let migrator: { knex: Knex; config: Knex.MigratorConfig };
    const made: string[] = [];
    const extraDbs: TestDatabase[] = [];
    const run = (...args: string[]) => strata(["--project", dir, ...args]);

    beforeEach(async () => {
      db = await createTestDatabase(client);
      dir = copyKnexProject(fixture, db, made);
      migrator = knexMigrator(db, dir);
    });
    afterEach(async () => {
      await migrator.knex.destroy();
      for (const d of extraDbs.splice(0)) await d.drop();
      await db.drop();
      for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    });

    it("opens as-is: ids are the file names, in knex's order, and every target form works on them", async () => {
      const history = await run("history", "--json");
      expect(history.code, history.stderr).toBe(0);
      expect(history.json.revisions.map((r: { revision: string }) => r.revision)).toEqual([...ids].reverse());
      // The exact id wins over relative syntax: "2023-08-16-0000-create-monitor" is that file, not "2023-08-16" minus 0.
      const show = await run("show", ids[0]!, "--json");
      expect(show.code, show.stderr).toBe(0);
      expect(show.json.revisions[0].revision).toBe(ids[0]);
      const plan = await run("upgrade", ids[1]!, "--plan", "--json");
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.json.steps.map((s: { revision: string }) => s.revision)).toEqual(ids.slice(0, 2));
      const relative = await run("upgrade", "+3", "--plan", "--json");
      expect(relative.json.steps.map((s: { revision: string }) => s.revision)).toEqual(ids.slice(0, 3));
    });

    it("upgrade writes knex's rows: the app's knex.migrate.latest() then runs nothing, and the schema equals knex's own by the dump tool", async () => {
      const up = await run("upgrade", "heads", "--json");
      expect(up.code, up.stderr).toBe(0);
      expect(up.json.steps.map((s: { revision: string }) => s.revision)).toEqual(ids);
      expect(up.json.heads).toEqual([ids[ids.length - 1]]);
      const rows = await knexRows(db.knex);
      expect(rows.map((r) => r.name)).toEqual(files);
      // One Strata run is one batch, as one `latest` is.
      expect(rows.every((r) => r.batch === 1 && r.migration_time !== null)).toBe(true);
      // No version table beside knex's: knex_migrations is the truth.
      expect(await db.knex.schema.hasTable("strata_version")).toBe(false);
      expect(await db.knex("knex_migrations_lock").select("is_locked")).toEqual([{ is_locked: 0 }]);

      const [, log] = (await migrator.knex.migrate.latest(migrator.config)) as [number, string[]];
      expect(log).toEqual([]);
      expect(await knexList(migrator)).toEqual({ completed: files, pending: [] });

      // The same folder run by knex alone on a fresh database dumps the same.
      const fresh = await createTestDatabase(client);
      extraDbs.push(fresh);
      const freshMigrator = knexMigrator(fresh, dir);
      try {
        const [, freshLog] = (await freshMigrator.knex.migrate.latest(freshMigrator.config)) as [number, string[]];
        expect(freshLog).toEqual(files);
      } finally {
        await freshMigrator.knex.destroy();
      }
      const ours = dumpSchema(db);
      expect(ours).toContain("knex_migrations");
      expect(ours).toContain(fixture === "monitor-js" ? "heartbeat_monitor_id_index" : "note_tags");
      expect(ours).not.toContain("strata_history");
      expect(ours).toEqual(dumpSchema(fresh));

      const status = await run("status", "--no-drift", "--json");
      expect(status.json.environments[0]).toMatchObject({ pending: [], heads: [ids[ids.length - 1]], knex: { applied: files.length, gaps: [], unknown: [] } });
    });

    it("interleaved with knex's migrate.up()/down()/latest() in both orders: nothing runs twice, nothing is skipped, both agree", async () => {
      await migrator.knex.migrate.up(migrator.config);
      const second = await run("upgrade", "+1", "--json");
      expect(second.code, second.stderr).toBe(0);
      expect(second.json.steps.map((s: { revision: string }) => s.revision)).toEqual([ids[1]]);
      await migrator.knex.migrate.up(migrator.config);
      expect((await knexRows(db.knex)).map((r) => [r.name, r.batch])).toEqual([
        [files[0], 1],
        [files[1], 2],
        [files[2], 3],
      ]);
      const status = await run("status", "--no-drift");
      expect(status.stdout).toContain(`current: ${ids[2]}`);
      expect(status.stdout).toContain(`pending: ${ids.length - 3} (${ids.slice(3).join(", ")})`);

      // downgrade -1 undoes what knex's migrate.down() would: the last applied file in knex's order.
      const down = await run("downgrade", "-1", "--json");
      expect(down.code, down.stderr).toBe(0);
      expect(down.json.steps.map((s: { revision: string; direction: string }) => [s.revision, s.direction])).toEqual([[ids[2], "down"]]);
      expect(await knexList(migrator)).toEqual({ completed: files.slice(0, 2), pending: files.slice(2) });
      await migrator.knex.migrate.down(migrator.config);
      const current = await run("current", "--json");
      expect(current.json.heads).toEqual([ids[0]]);

      const rest = await run("upgrade", "heads", "--json");
      expect(rest.code, rest.stderr).toBe(0);
      expect(rest.json.steps.map((s: { revision: string }) => s.revision)).toEqual(ids.slice(1));
      const [, log] = (await migrator.knex.migrate.latest(migrator.config)) as [number, string[]];
      expect(log).toEqual([]);
      expect(await knexList(migrator)).toEqual({ completed: files, pending: [] });
      expect((await knexRows(db.knex)).map((r) => r.name)).toEqual(files);

      // And back the other way: knex rolls back, Strata sees it and runs it again, once.
      await migrator.knex.migrate.down(migrator.config);
      const again = await run("upgrade", "heads", "--json");
      expect(again.json.steps.map((s: { revision: string }) => s.revision)).toEqual([ids[ids.length - 1]]);
      const none = await run("upgrade", "heads", "--json");
      expect(none.json.steps).toEqual([]);
    });

    it("respects knex_migrations_lock: a run waits while knex holds it, goes on once it is freed, refuses in one line with nothing run at its timeout; --single-transaction writes knex's rows too", async () => {
      await migrator.knex.migrate.up(migrator.config);
      await db.knex("knex_migrations_lock").update({ is_locked: 1 });
      const refused = await run("upgrade", "heads", "--lock-timeout", "1");
      expect(refused.code).toBe(2);
      expect(refused.reason).toContain("knex_migrations_lock is locked (is_locked = 1): a knex migration is running, or one was killed");
      expect((await knexRows(db.knex)).map((r) => r.name)).toEqual([files[0]]);
      expect(await db.knex("knex_migrations_lock").select("is_locked")).toEqual([{ is_locked: 1 }]);
      // Freed while the run waits (knex's own run finishing), the run goes on.
      const waiting = run("upgrade", "+1", "--lock-timeout", "30", "--json");
      await new Promise((r) => setTimeout(r, 1500));
      expect((await knexRows(db.knex)).map((r) => r.name)).toEqual([files[0]]);
      await db.knex("knex_migrations_lock").update({ is_locked: 0 });
      const waited = await waiting;
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.json.steps.map((s: { revision: string }) => s.revision)).toEqual([ids[1]]);
      await run("downgrade", "-1");

      const batch = await run("upgrade", "heads", "--single-transaction", "--json");
      expect(batch.code, batch.stderr).toBe(0);
      expect(batch.json.steps.map((s: { revision: string }) => s.revision)).toEqual(ids.slice(1));
      expect((await knexRows(db.knex)).map((r) => [r.name, r.batch])).toEqual(files.map((f, i) => [f, i === 0 ? 1 : 2]));
      const [, log] = (await migrator.knex.migrate.latest(migrator.config)) as [number, string[]];
      expect(log).toEqual([]);
      expect(await db.knex("knex_migrations_lock").select("is_locked")).toEqual([{ is_locked: 0 }]);
    });

    it("a gap is real: status and check list it, adopt refuses, upgrade runs it in folder order; an unknown row is named", async () => {
      await migrator.knex.migrate.up({ ...migrator.config, name: files[0] });
      await migrator.knex.migrate.up({ ...migrator.config, name: files[2] });
      const pendingIds = [ids[1], ...ids.slice(3)];

      const status = await run("status", "--no-drift", "--json");
      expect(status.json.environments[0]).toMatchObject({ heads: [ids[2]], pending: pendingIds, knex: { applied: 2, gaps: [ids[1]], unknown: [] } });
      const check = await run("check", "--no-drift");
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`gaps: ${ids[1]} never ran though later files did`);
      expect(check.stdout).toContain(`pending: ${pendingIds.length} (${pendingIds.join(", ")})`);

      // The app's environment matrix and its plan screen read the same.
      const project = await openProject({ project: dir, cwd: dir });
      const env = selectEnvironment(project, "dev");
      const matrix = await environmentMatrix(project, [{ dto: { name: "dev", error: null }, resolve: () => env } as never], null);
      expect(matrix.environments[0]).toMatchObject({ heads: [ids[2]], pending: pendingIds, knex: { gaps: [ids[1]], unknown: [] }, error: null });
      const screenPlan = await planWithSql(project, env, "upgrade", "heads");
      expect(screenPlan.steps.map((s) => s.revision)).toEqual(pendingIds);

      const adopt = await run("adopt");
      expect(adopt.code).toBe(2);
      expect(adopt.reason).toContain(`knex_migrations is not a prefix of migrations/ (${ids[1]} never ran though later files did)`);
      expect(await db.knex.schema.hasTable("strata_version")).toBe(false);

      const up = await run("upgrade", "heads", "--json");
      expect(up.code, up.stderr).toBe(0);
      expect(up.json.steps.map((s: { revision: string }) => s.revision)).toEqual(pendingIds);
      expect(await knexList(migrator)).toEqual({ completed: [files[0], files[2], files[1], ...files.slice(3)], pending: [] });

      // A row whose file is not in the folder: named, and no run goes past it (knex's own latest refuses too).
      await db.knex("knex_migrations").insert({ name: "20990101000000_gone.js", batch: 9, migration_time: new Date() });
      const withUnknown = await run("status", "--no-drift");
      expect(withUnknown.stdout).toContain("unknown: knex_migrations names 20990101000000_gone.js, which is no file in the migrations folder");
      const refused = await run("downgrade", "-1");
      expect(refused.code).toBe(2);
      expect(refused.reason).toContain("knex_migrations names 20990101000000_gone.js, which is no file in migrations/");
      await expect(migrator.knex.migrate.latest(migrator.config)).rejects.toThrow(/20990101000000_gone\.js/);
      await db.knex("knex_migrations").where({ name: "20990101000000_gone.js" }).delete();

      // No version table to stamp in knex mode: refused in one line, nothing written.
      const stamp = await run("stamp", ids[0]!);
      expect(stamp.code).toBe(2);
      expect(stamp.reason).toContain("is a knex folder, where knex_migrations records what ran and Strata keeps no version table to stamp");
      expect((await knexRows(db.knex)).map((r) => r.name)).toHaveLength(files.length);

      // A prefix again: adopt stamps the last file.
      const adopted = await run("adopt", "--json");
      expect(adopted.code, adopted.stderr).toBe(0);
      expect(adopted.json.heads).toEqual([ids[ids.length - 1]]);
    });

    it("the plan verdict holds on hasTable/hasColumn guards (rendered in a scratch copy of the live schema); row reads are named unchecked", async () => {
      await run("upgrade", ids[1]!);
      // The guards read the schema: the plan is rendered for real on the live schema's copy, so it is checked.
      const guarded = await run("upgrade", ids[2]!, "--plan", "--json");
      expect(guarded.code, guarded.stderr).toBe(0);
      expect(guarded.json).toMatchObject({ checked: true, uncheckedReason: null, destructive: [] });
      const all = await run("upgrade", "heads", "--plan", "--json");
      expect(all.code, all.stderr).toBe(0);
      // Both fixtures' fourth file reads rows (a backfill, a seed that looks first).
      expect(all.json.checked).toBe(false);
      expect(all.json.uncheckedReason).toContain(`revision ${ids[3]} reads rows`);
      if (fixture === "monitor-js") {
        expect(all.json.destructive).toHaveLength(1);
        expect(all.json.destructive[0]).toMatchObject({ revision: ids[4] });
        expect(all.json.destructive[0].reason).toContain("drops column monitor.interval and its data");
      }
      // Nothing ran for the plans.
      expect((await knexRows(db.knex)).map((r) => r.name)).toEqual(files.slice(0, 2));
    });
  });
});
