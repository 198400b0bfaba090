/**
 * Issue 19 point 5: every history row names its run (a random id shared by the run's rows, and
 * the target as the person gave it), on each way the runner writes rows: a revision in its own
 * transaction, a batch (`--single-transaction`, MySQL's deferred commits), a revision outside a
 * transaction (its `running` row first), a failure, a stamp. Runs made back to back, a few ms
 * apart, are still told apart; a history table made before run ids gets the columns from the
 * first run and keeps its rows, which are still grouped by time.
 */
import type { Knex } from "knex";
import { beforeEach, describe, expect, it } from "vitest";
import { historyRuns } from "../../../electron/engine/app-session/history-runs.js";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import { migrate, readHistory, stamp } from "../../../electron/engine/runner/index.js";
import type { HistoryRow } from "../../../electron/engine/runner/index.js";
import type { Plan } from "../../../electron/engine/revisions/types.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { createPreRunIdTables } from "../../helpers/pre-run-id-tables.js";
import { TEST_CLIENTS } from "../../helpers/databases.js";
import { linearUpgradePlanner, revisionScript, scriptMap } from "../../helpers/revision-fixtures.js";

const TABLES = { versionTable: "strata_version", historyTable: "strata_history" } as const;
const CHAIN = ["r1", "r2", "r3", "r4", "r5", "r6"];
const noop = () => undefined;
const scripts = scriptMap(
  revisionScript("r1", [], noop, noop),
  revisionScript("r2", ["r1"], noop, noop),
  revisionScript("r3", ["r2"], noop, noop),
  revisionScript("r4", ["r3"], noop, noop),
  revisionScript("r5", ["r4"], noop, noop, { transaction: false }),
  revisionScript("r6", ["r5"], () => Promise.reject(new Error("r6 refused")), noop),
);

/** Upgrades to `last` along CHAIN, the plan carrying `target` as a person would have typed it. */
const upTo = (last: string, target: string) => (heads: readonly string[]): Plan => ({ ...linearUpgradePlanner(CHAIN.slice(0, CHAIN.indexOf(last) + 1))(heads), target });

/** The rows by run id, oldest run first: each run's revisions (and the failed ones marked) and its target. */
function byRun(rows: readonly HistoryRow[]): [string | null, string][] {
  const out = new Map<string | null | undefined, { target: string | null; revisions: string[] }>();
  for (const r of [...rows].sort((a, b) => a.id - b.id)) {
    const run = out.get(r.runId) ?? { target: r.runTarget ?? null, revisions: [] };
    run.revisions.push(`${r.direction}:${r.revision}${r.status === "failed" ? "!" : ""}`);
    out.set(r.runId, run);
  }
  return [...out.values()].map((r) => [r.target, r.revisions.join(" ")]);
}

describe.each(TEST_CLIENTS)("history run ids on %s", (client) => {
  const db = useTestDatabase(client);
  const dialect = dialectFor(client);
  let knex: Knex;
  beforeEach(() => {
    knex = db.knex;
  });

  it("gives every row of a run the run's id and target, and tells back-to-back runs apart", async () => {
    await migrate(knex, dialect, { scripts, makePlan: upTo("r2", "heads"), ...TABLES, strataVersion: "t" });
    await migrate(knex, dialect, { scripts, makePlan: upTo("r4", "+2"), ...TABLES, strataVersion: "t", singleTransaction: true });
    await expect(migrate(knex, dialect, { scripts, makePlan: upTo("r6", "heads"), ...TABLES, strataVersion: "t" })).rejects.toThrow(/r6 refused/);
    await stamp(knex, dialect, { makeStamp: (heads) => ({ headsBefore: heads, ops: [{ kind: "update", from: "r5", to: "r4" }], headsAfter: ["r4"] }), ...TABLES, strataVersion: "t", target: "r4" });
    const rows = await readHistory(knex, TABLES);
    expect(byRun(rows)).toEqual([
      ["heads", "up:r1 up:r2"],
      ["+2", "up:r3 up:r4"],
      ["heads", "up:r5 up:r6!"],
      ["r4", "stamp:r4"],
    ]);
    expect(rows.every((r) => /^[0-9a-f-]{36}$/.test(r.runId ?? ""))).toBe(true);
    // The runs followed each other within milliseconds, the same user, host and direction: only the id tells them apart.
    const { runs } = historyRuns(rows);
    expect(runs.map((r) => [r.requestedTarget, r.target, r.steps, r.result])).toEqual([
      ["r4", "r4", 1, "succeeded"],
      ["heads", "r6", 2, "failed"],
      ["+2", "r4", 2, "succeeded"],
      ["heads", "r2", 2, "succeeded"],
    ]);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(4);
  });

  it("adds the run columns to a history table made before them, keeps its rows and groups them by time", async () => {
    // The tables as Strata made them before run ids, with one run of two steps in its history.
    await createPreRunIdTables(knex, TABLES.versionTable, TABLES.historyTable);
    const old = (revision: string, at: string) => ({ revision, direction: "up", message: `revision ${revision}`, checksum: `sha-${revision}`, started_at: at, finished_at: at, duration_ms: 0, status: "succeeded", error: null, user_name: "ann", host_name: "old-host", strata_version: "0.0.9" });
    await knex(TABLES.historyTable).insert([old("r1", "2026-11-01T10:00:00.000Z"), old("r2", "2026-11-01T10:00:00.020Z")]);
    await knex(TABLES.versionTable).insert({ version_num: "r2" });
    const before = await knex(TABLES.historyTable).select("*").orderBy("id");

    await migrate(knex, dialect, { scripts, makePlan: upTo("r3", "+1"), ...TABLES, strataVersion: "t" });
    // The second run finds the columns there and adds nothing.
    await migrate(knex, dialect, { scripts, makePlan: upTo("r4", "+1"), ...TABLES, strataVersion: "t" });

    expect(await knex.schema.hasColumn(TABLES.historyTable, "run_id")).toBe(true);
    expect(await knex.schema.hasColumn(TABLES.historyTable, "run_target")).toBe(true);
    const after = (await knex(TABLES.historyTable).select("*").orderBy("id")) as Record<string, unknown>[];
    // The old rows are as they were, their run columns empty.
    expect(after.slice(0, 2)).toEqual(before.map((r: Record<string, unknown>) => ({ ...r, run_id: null, run_target: null })));
    const rows = await readHistory(knex, TABLES);
    expect(byRun(rows)).toEqual([
      [null, "up:r1 up:r2"],
      ["+1", "up:r3"],
      ["+1", "up:r4"],
    ]);
    const { runs } = historyRuns(rows);
    expect(runs.map((r) => [r.runId === null, r.target, r.steps, r.user])).toEqual([
      [false, "r4", 1, expect.any(String)],
      [false, "r3", 1, expect.any(String)],
      [true, "r2", 2, "ann"],
    ]);
  });
});
