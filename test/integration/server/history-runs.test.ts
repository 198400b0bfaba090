/**
 * Issue 19 point 5, the history: rows grouped by run (who, when, target, result), a failure that
 * a later run fixed shown as settled (not pinned first as failed), the date filter, and the
 * database user named. Runs are made with the real CLI; the history table is counted by SQL.
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
    // Runs are told apart by the time between them (the history table has no run id: see
    // electron/engine/app-session/history-runs.ts); a person's next command comes later than the
    // 250 ms that takes, and a fast SQLite process now starts, runs and stops within it.
    const apart = () => new Promise((r) => setTimeout(r, 400));
    await run(["upgrade", A], true);
    await apart();
    await run(["upgrade", "heads"], false);
    // The fix: B's file no longer throws; the next run applies B and C.
    const file = fs.readdirSync(path.join(dir, "migrations")).find((f) => f.includes(B))!;
    fs.rmSync(path.join(dir, "migrations", file));
    writeRevision(dir, rev(false));
    await apart();
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
    expect(h.runs!.map((r) => [r.target, r.steps, r.result])).toEqual([
      [C, 2, "succeeded"],
      [B, 1, "resolved"],
      [A, 1, "succeeded"],
    ]);
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
