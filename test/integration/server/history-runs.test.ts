/**
 * Issue 19 point 5, the history: rows grouped by run (who, when, target, result), a failure that
 * a later run fixed shown as settled (not pinned first as failed), the date filter, and the
 * database user named. Runs are made with the real CLI, back to back (as fast as a script runs
 * them); the history table is counted by SQL. Runs are told apart by the run id each writes in
 * its rows; a history table made before run ids is upgraded by the next run and keeps its rows.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppService } from "../../../electron/engine/app-session/app-service.js";
import { browserService } from "../../helpers/browser-service.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import { TEST_CLIENTS, type TestDatabase } from "../../helpers/databases.js";
import { createProjectDatabase, removeProjectDatabase } from "../../helpers/project-database.js";
import { createPreRunIdTables } from "../../helpers/pre-run-id-tables.js";
import { strata, writeRevision } from "../../helpers/strata-cli.js";

const A = "a1a1a1a1a1a1";
const B = "b2b2b2b2b2b2";
const C = "c3c3c3c3c3c3";
const rev = (fails: boolean) => ({
  revision: B,
  downRevision: A,
  message: "add email",
  up: fails ? `throw new Error("email column refused");` : `await knex.schema.alterTable("users", (t) => { t.string("email", 320); });`,
  down: `await knex.schema.alterTable("users", (t) => { t.dropColumn("email"); });`,
});

describe.each(TEST_CLIENTS)("history runs on %s", (client) => {
  let db: TestDatabase;
  let dir: string;
  let closeService: () => void;
  let service: AppService;
  beforeAll(async () => {
    ({ db, dir } = await createProjectDatabase(client, [
      { revision: A, downRevision: null, message: "create users", up: `await knex.schema.createTable("users", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("users");` },
      rev(true),
      { revision: C, downRevision: B, message: "create audit", up: `await knex.schema.createTable("audit", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("audit");` },
    ]));
    const run = async (args: string[], ok: boolean) => {
      const r = await strata(["--project", dir, "--env", "dev", ...args]);
      expect(r.code === 0, r.stderr).toBe(ok);
    };
    // Back to back: a fast SQLite process starts, runs and stops within the 250 ms that the time
    // rule (rows without a run id) would take for one run.
    await run(["upgrade", A], true);
    await run(["upgrade", "heads"], false);
    // The fix: B's file no longer throws; the next run applies B and C.
    const file = fs.readdirSync(path.join(dir, "migrations")).find((f) => f.includes(B))!;
    fs.rmSync(path.join(dir, "migrations", file));
    writeRevision(dir, rev(false));
    await run(["upgrade", "heads"], true);
    ({ service, close: closeService } = browserService(dir));
  }, 120_000);
  afterAll(async () => {
    await removeProjectDatabase(db, dir);
    closeService();
  });
  const history = (req: Record<string, unknown> = {}) => service.handlers.history({ environment: "dev", ...req }, undefined);

  it("groups the rows into the three runs, newest first, with who, target and result", async () => {
    const h = await history();
    const counted = (await db.knex("strata_history").count({ n: "*" }))[0] as { n: number | string };
    expect(h.rows).toHaveLength(Number(counted.n));
    expect(h.runs!.map((r) => [r.requestedTarget, r.target, r.steps, r.result])).toEqual([
      ["heads", C, 2, "succeeded"],
      ["heads", B, 1, "resolved"],
      [A, A, 1, "succeeded"],
    ]);
    // Each run's id is on its rows and on no other run's.
    const ids = h.runs!.map((r) => r.runId);
    expect(ids.every((id) => typeof id === "string" && id.length === 36)).toBe(true);
    expect(new Set(ids).size).toBe(3);
    for (const run of h.runs!) expect(new Set(h.rows.filter((r) => r.run === run.id).map((r) => r.runId))).toEqual(new Set([run.runId]));
    expect(h.runs!.every((r) => r.user === os.userInfo().username && r.host === os.hostname())).toBe(true);
    // Every row names its run, and the runs' steps add up to the rows.
    expect(new Set(h.rows.map((r) => r.run))).toEqual(new Set(h.runs!.map((r) => r.id)));
  });

  it("shows the failure a later run fixed as settled, not first as failed", async () => {
    const h = await history({ failuresFirst: true });
    const failed = h.rows.find((r) => r.status === "failed")!;
    expect(failed.revision).toBe(B);
    expect(failed.resolved?.how).toBe("retried");
    expect(h.rows[0]!.status).toBe("succeeded");
    expect(h.runs![0]!.result).toBe("succeeded");
  });

  it("filters by day and refuses a range that ends before it starts", async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect((await history({ since: today, until: today })).rows.length).toBe(4);
    expect((await history({ since: "2999-01-01" })).rows).toEqual([]);
    expect((await history({ until: "2000-01-01" })).runs).toEqual([]);
    const e = await history({ since: "2026-12-05", until: "2026-12-01" }).catch(asErrorShape);
    expect(e).toMatchObject({ code: "USAGE" });
    expect((e as { message: string }).message).toMatch(/“from” date 2026-12-05 is after its “to” date 2026-12-01/);
  });

  it("names the database user the environment connects as", async () => {
    const h = await history();
    if (client === "better-sqlite3") expect(h.databaseUser).toBeNull();
    else expect(h.databaseUser).toMatch(client === "pg" ? /^postgres$/ : /^root@/);
  });
});

describe.each(TEST_CLIENTS)("a history table from before run ids on %s", (client) => {
  let db: TestDatabase;
  let dir: string;
  let closeService: () => void;
  let service: AppService;
  let oldRows: Record<string, unknown>[];
  const runs: [string, boolean][] = [];
  beforeAll(async () => {
    const empty = (revision: string, downRevision: string | null) => ({ revision, downRevision, message: `step ${revision}`, up: "", down: "" });
    ({ db, dir } = await createProjectDatabase(client, [empty(A, null), empty(B, A), empty(C, B)]));
    // The tables as the previous version made them, A and B applied by one run (two rows 15 ms apart) a month ago.
    await createPreRunIdTables(db.knex, "strata_version", "strata_history");
    const old = (revision: string, at: string) => ({ revision, direction: "up", message: `step ${revision}`, checksum: null, started_at: at, finished_at: at, duration_ms: 0, status: "succeeded", error: null, user_name: "ann", host_name: "old-host", strata_version: "0.0.9" });
    await db.knex("strata_history").insert([old(A, "2026-11-01T10:00:00.000Z"), old(B, "2026-11-01T10:00:00.015Z")]);
    await db.knex("strata_version").insert({ version_num: B });
    oldRows = await db.knex("strata_history").select("*").orderBy("id");
    // Three runs of this version back to back: up to C, back down to B, up again.
    for (const args of [["upgrade", "heads"], ["downgrade", "-1"], ["upgrade", "+1"]]) {
      const r = await strata(["--project", dir, "--env", "dev", ...args]);
      runs.push([r.stderr, r.code === 0]);
    }
    ({ service, close: closeService } = browserService(dir));
  }, 120_000);
  afterAll(async () => {
    await removeProjectDatabase(db, dir);
    closeService();
  });

  it("runs there, keeps the old rows as they were and groups them by time, the new ones by run id", async () => {
    expect(runs.map(([stderr, ok]) => (ok ? "ok" : stderr))).toEqual(["ok", "ok", "ok"]);
    const now = (await db.knex("strata_history").select("*").orderBy("id")) as Record<string, unknown>[];
    expect(now).toHaveLength(5);
    expect(now.slice(0, 2)).toEqual(oldRows.map((r) => ({ ...r, run_id: null, run_target: null })));
    const h = await service.handlers.history({ environment: "dev" }, undefined);
    expect(h.rows).toHaveLength(5);
    expect(h.runs!.map((r) => [r.direction, r.requestedTarget, r.target, r.steps, r.runId === null])).toEqual([
      ["up", "+1", C, 1, false],
      ["down", "-1", C, 1, false],
      ["up", "heads", C, 1, false],
      ["up", null, B, 2, true],
    ]);
    expect(h.runs!.at(-1)!.user).toBe("ann");
  });
});
