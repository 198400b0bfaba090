/**
 * Issue 14, point 6: the state an environment's chip, row and graph badge show is its worst
 * one: unreachable > half-applied > running > failed > drift > edited / missing > pending >
 * up to date, with the words a person reads.
 */
import { describe, expect, it } from "vitest";
import type { EnvironmentStateDto, HistoryEntryDto } from "../../../shared/api.js";
import type { UnresolvedRunDto } from "../../../shared/dto.js";
import { worstState } from "../../../electron/engine/app-session/environment-matrix.js";

type Facts = Omit<EnvironmentStateDto, "environment" | "state">;

const B2 = "b2b2b2b2b2b2b2b2";
const fine: Facts = { heads: ["a1a1a1a1a1a1"], pending: [], lastRun: null, problems: [], drift: { state: "none", changes: [] }, error: null, unresolved: [] };

function unresolved(state: UnresolvedRunDto["state"], revision = B2): UnresolvedRunDto {
  return { revision, direction: "up", state, historyId: 7, message: "m", startedAt: "2026-12-03T09:00:00.000Z", user: "u", host: "h", description: "d", advice: "a" };
}
function run(status: HistoryEntryDto["status"], direction: HistoryEntryDto["direction"] = "up"): HistoryEntryDto {
  return { id: 9, revision: "c3c3c3c3c3c3", direction, message: "m", checksum: null, startedAt: "2026", finishedAt: null, durationMs: null, status, error: null, user: "u", host: "h", strataVersion: "0" };
}
const change = { table: "t", kind: "add-column", objectType: "column", object: "c", destructive: false, sql: "" };
const pending15 = Array.from({ length: 15 }, (_, i) => `r${i}`);

/** Every problem at once; each case below removes the worse ones to uncover the next. */
const all: Facts = {
  ...fine,
  pending: pending15,
  lastRun: run("failed"),
  problems: [
    { revision: "x", kind: "edited", file: "migrations/x.ts" },
    { revision: "y", kind: "edited", file: "migrations/y.ts" },
    { revision: "z", kind: "missing", file: null },
  ],
  drift: { state: "drifted", changes: [change, change, change] },
  unresolved: [unresolved("running", "dddddddddddd"), unresolved("failed")],
};

describe("worstState", () => {
  it("orders unreachable > half-applied > running > failed > drift > edited/missing > pending > up to date", () => {
    const steps: [Facts, string, string][] = [
      [{ ...all, heads: null, error: { code: "CONNECTION_FAILED", message: "refused" } }, "unreachable", "unreachable"],
      [all, "half-applied", `half-applied: ${B2.slice(0, 12)}`],
      [{ ...all, unresolved: [unresolved("running")] }, "running", `running: ${B2.slice(0, 12)}`],
      [{ ...all, unresolved: [] }, "failed", "failed: c3c3c3c3c3c3"],
      [{ ...all, unresolved: [], lastRun: run("succeeded") }, "drift", "drift: 3 differences"],
      [{ ...all, unresolved: [], lastRun: null, drift: { state: "none", changes: [] } }, "edited", "2 edited, 1 missing"],
      [{ ...all, unresolved: [], lastRun: null, drift: { state: "unavailable", changes: [] }, problems: [] }, "pending", "15 pending"],
      [{ ...fine, lastRun: run("succeeded") }, "up-to-date", "up to date"],
    ];
    for (const [facts, kind, label] of steps) expect(worstState(facts), label).toMatchObject({ kind, label });
  });

  it("counts what it names", () => {
    expect(worstState({ ...fine, pending: pending15 })).toEqual({ kind: "pending", count: 15, revision: null, label: "15 pending" });
    expect(worstState({ ...fine, drift: { state: "drifted", changes: [change] } })).toEqual({ kind: "drift", count: 1, revision: null, label: "drift: 1 difference" });
    expect(worstState({ ...fine, problems: [{ revision: "z", kind: "missing", file: null }] })).toEqual({ kind: "missing", count: 1, revision: null, label: "1 missing" });
    expect(worstState({ ...fine, unresolved: [unresolved("interrupted"), unresolved("interrupted", "eeeeeeeeeeee")] })).toEqual({
      kind: "half-applied",
      count: 2,
      revision: B2,
      label: `interrupted: ${B2.slice(0, 12)}`,
    });
  });

  it("a half-applied environment is never shown as merely pending, nor drift as one pending revision", () => {
    expect(worstState({ ...fine, pending: pending15, unresolved: [unresolved("failed")] }).kind).toBe("half-applied");
    expect(worstState({ ...fine, pending: ["r1"], drift: { state: "drifted", changes: [change, change, change] } }).label).toBe("drift: 3 differences");
  });

  it("a knex folder's gaps read as pending out of order, and rows naming no file as ran files not in the folder (issue #15)", () => {
    const gapped = { ...fine, pending: ["003", "005"], knex: { applied: 3, gaps: ["003"], unknown: [] } };
    expect(worstState(gapped)).toEqual({ kind: "pending", count: 2, revision: null, label: "2 pending, 1 out of order" });
    expect(worstState({ ...gapped, knex: { applied: 5, gaps: ["003"], unknown: ["old_a.js", "old_b.js"] } })).toEqual({ kind: "missing", count: 2, revision: null, label: "2 ran files not in folder" });
  });

  it("the last run failing reads as failed, down as well as up; a repair after it does not", () => {
    expect(worstState({ ...fine, lastRun: run("failed", "down") }).kind).toBe("failed");
    expect(worstState({ ...fine, lastRun: run("succeeded", "repair") }).kind).toBe("up-to-date");
  });
});
