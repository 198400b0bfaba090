import { describe, expect, it } from "vitest";
import type { HistoryEntryDto } from "../../../shared/api.js";
import { historyRuns } from "../../../electron/engine/app-session/history-runs.js";

let nextId = 1;
/** A row starting at `startMs` after midnight that took 10 ms. */
const row = (startMs: number, over: Partial<HistoryEntryDto> = {}): HistoryEntryDto => ({
  id: nextId++,
  revision: `r${nextId}`,
  direction: "up",
  message: "m",
  checksum: null,
  startedAt: new Date(Date.UTC(2026, 11, 1) + startMs).toISOString(),
  finishedAt: new Date(Date.UTC(2026, 11, 1) + startMs + 10).toISOString(),
  durationMs: 10,
  status: "succeeded",
  error: null,
  user: "ann",
  host: "h",
  strataVersion: "0.1.0",
  ...over,
});

describe("historyRuns", () => {
  it("keeps back-to-back steps of one user in one run and splits on a pause, another user, a direction or a failure", () => {
    nextId = 1;
    const rows = [row(0), row(12), row(5_000), row(5_012, { user: "bob" }), row(5_024, { user: "bob", direction: "down" }), row(9_000, { status: "failed", error: "boom" }), row(9_012)];
    const { runs } = historyRuns(rows);
    expect(runs.map((r) => r.steps).reverse()).toEqual([2, 1, 1, 1, 1, 1]);
    expect(runs.at(-1)!.target).toBe(rows[1]!.revision);
  });

  it("marks a failure a person resolved as rolled back as settled, and its run as resolved", () => {
    nextId = 1;
    const { rows, runs } = historyRuns([row(0, { status: "failed", error: "resolved as rolled back by ann@h at 2026-12-01T10:00:00Z; it was: boom" })]);
    expect(rows[0]!.resolved).toEqual({ how: "resolved-rolled-back", note: "resolved as rolled back by ann@h at 2026-12-01T10:00:00Z" });
    expect(runs[0]!.result).toBe("resolved");
  });

  it("leaves a failure nobody settled as failed", () => {
    nextId = 1;
    const { rows, runs } = historyRuns([row(0, { revision: "x", status: "failed", error: "boom" }), row(60_000, { revision: "y" })]);
    expect(rows.find((r) => r.revision === "x")!.resolved).toBeNull();
    expect(runs.map((r) => r.result)).toEqual(["succeeded", "failed"]);
  });

  it("groups rows by run id when they have one, however close in time, and by time only those without", () => {
    nextId = 1;
    const rows = [
      row(0),
      row(12),
      // The first run of a Strata that records run ids, 5 ms after the old rows: a run of its own.
      row(27, { runId: "run-a", runTarget: "heads" }),
      row(39, { runId: "run-a", runTarget: "heads" }),
      // The next command, started as the last one ended.
      row(49, { runId: "run-b", runTarget: "+1" }),
    ];
    const { rows: out, runs } = historyRuns(rows);
    expect(runs.map((r) => [r.runId, r.requestedTarget, r.steps])).toEqual([
      ["run-b", "+1", 1],
      ["run-a", "heads", 2],
      [null, null, 2],
    ]);
    expect(out.map((r) => r.run)).toEqual([5, 3, 3, 1, 1]);
  });
});
