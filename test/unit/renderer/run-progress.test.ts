import { describe, expect, it } from "vitest";
import type { RunDto, RunEventDto } from "../../../shared/api.js";
import { applyRunEvent, loseRunWithEngine, mergeRunDto, startProgress } from "../../../renderer/screens/apply/run-progress.js";

const at = "2026-01-01T10:00:00.000Z";
const base = { runId: "r1", environment: "dev", at };
const planned = [
  { revision: "aaa", direction: "up" as const, message: "create users" },
  { revision: "bbb", direction: "up" as const, message: "add email" },
];

function fold(events: RunEventDto[]) {
  return events.reduce(applyRunEvent, startProgress("r1", planned));
}

describe("run progress as the apply screen shows it", () => {
  it("marks steps running then done and ends with the result", () => {
    const p = fold([
      { ...base, type: "run-started", command: "upgrade", target: "heads" },
      { ...base, type: "step-started", index: 0, total: 2, revision: "aaa", direction: "up", message: "create users" },
      { ...base, type: "step-done", index: 0, total: 2, revision: "aaa", direction: "up", durationMs: 4 },
      { ...base, type: "step-started", index: 1, total: 2, revision: "bbb", direction: "up", message: "add email" },
    ]);
    expect(p.state).toBe("running");
    expect(p.done).toBe(1);
    expect(p.steps.map((s) => s.status)).toEqual(["done", "running"]);
    const end = applyRunEvent(p, { ...base, type: "run-finished", result: { environment: "dev", steps: [], heads: ["bbb"] } });
    expect(end.state).toBe("succeeded");
    expect(end.done).toBe(2);
    expect(end.result?.heads).toEqual(["bbb"]);
  });

  it("marks the running step failed and keeps the error", () => {
    const p = fold([
      { ...base, type: "step-started", index: 0, total: 2, revision: "aaa", direction: "up", message: "create users" },
      { ...base, type: "log", level: "error", line: "no such table: nope" },
      { ...base, type: "run-failed", error: { code: "REVISION_FAILED", message: "revision aaa failed: no such table: nope" } },
    ]);
    expect(p.state).toBe("failed");
    expect(p.steps.map((s) => s.status)).toEqual(["failed", "waiting"]);
    expect(p.error?.code).toBe("REVISION_FAILED");
    expect(p.log.map((l) => l.line)).toEqual(["no such table: nope"]);
  });

  it("ignores another run's events", () => {
    const p = fold([{ ...base, runId: "r2", type: "run-started", command: "upgrade", target: "heads" }]);
    expect(p.state).toBe("queued");
  });

  it("takes the stored run's end when the event stream missed it", () => {
    const run: RunDto = {
      runId: "r1", environment: "dev", command: "upgrade", target: "heads", state: "succeeded",
      queuedAt: at, startedAt: at, finishedAt: at,
      log: [{ at, level: "info", line: "dev: ran 2 steps" }],
      result: { environment: "dev", steps: [], heads: ["bbb"] }, error: null,
    };
    const p = mergeRunDto(startProgress("r1", planned), run);
    expect(p.state).toBe("succeeded");
    expect(p.steps.every((s) => s.status === "done")).toBe(true);
    expect(p.log).toHaveLength(1);
  });
});

describe("a run whose engine process died (issue 18)", () => {
  const lost = { type: "engine-restarted" as const, restarted: true, message: "Strata's engine process was killed and was restarted; a run that was under way may have stopped: check the environment's state", at };

  it("ends a running run as failed with the window's words, the step under way failed", () => {
    const p = fold([
      { ...base, type: "run-started", command: "upgrade", target: "heads" },
      { ...base, type: "step-started", index: 0, total: 2, revision: "aaa", direction: "up", message: "create users" },
    ]);
    const end = loseRunWithEngine(p, lost);
    expect(end.state).toBe("failed");
    expect(end.error).toEqual({ code: "INTERNAL", message: lost.message });
    expect(end.steps.map((s) => s.status)).toEqual(["failed", "waiting"]);
    expect(end.log.at(-1)).toEqual({ at, level: "error", line: lost.message });
  });

  it("leaves a run that had ended as it was", () => {
    const done = applyRunEvent(fold([{ ...base, type: "run-started", command: "upgrade", target: "heads" }]), { ...base, type: "run-finished", result: { environment: "dev", steps: [], heads: ["bbb"] } });
    expect(loseRunWithEngine(done, lost)).toBe(done);
  });
});
