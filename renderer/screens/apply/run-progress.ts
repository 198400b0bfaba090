import type { EngineRestartedEventDto, RunDto, RunEventDto, RunLogLineDto } from "../../../shared/api.js";
import type { MigrationResultDto } from "../../../shared/dto.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { assertNever } from "../../app/assert-never.js";

/** A step as the run view shows it. */
export interface RunStepView {
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly message: string;
  readonly status: "waiting" | "running" | "done" | "failed";
  readonly durationMs: number | null;
}

/** The progress of one run, folded from its events. */
export interface RunProgress {
  readonly runId: string;
  readonly state: RunDto["state"];
  readonly total: number | null;
  readonly done: number;
  readonly steps: readonly RunStepView[];
  readonly log: readonly RunLogLineDto[];
  readonly lockHolder: string | null;
  readonly result: MigrationResultDto | null;
  readonly error: ErrorShape | null;
}

/** A run just queued, with the steps the plan announced. */
export function startProgress(runId: string, planned: readonly { readonly revision: string; readonly direction: "up" | "down"; readonly message: string }[]): RunProgress {
  return {
    runId,
    state: "queued",
    total: planned.length,
    done: 0,
    steps: planned.map((s) => ({ ...s, status: "waiting", durationMs: null })),
    log: [],
    lockHolder: null,
    result: null,
    error: null,
  };
}

function setStep(steps: readonly RunStepView[], revision: string, direction: "up" | "down", patch: Partial<RunStepView>, message = ""): RunStepView[] {
  const i = steps.findIndex((s) => s.revision === revision && s.direction === direction);
  if (i < 0) return [...steps, { revision, direction, message, status: "waiting", durationMs: null, ...patch }];
  return steps.map((s, k) => (k === i ? { ...s, ...patch } : s));
}

/** Folds one event of this run into its progress (events of other runs leave it as it is). */
export function applyRunEvent(p: RunProgress, e: RunEventDto): RunProgress {
  if (e.runId !== p.runId) return p;
  const log = (line: string, level: RunLogLineDto["level"] = "info"): RunLogLineDto[] => [...p.log, { at: e.at, level, line }];
  switch (e.type) {
    case "run-queued":
      return { ...p, state: "queued" };
    case "run-started":
      return { ...p, state: "running", lockHolder: null };
    case "lock-wait":
      return { ...p, lockHolder: e.holder ?? "another runner", log: log(`waiting for the lock held by ${e.holder ?? "another runner"}`, "warn") };
    case "plan":
      return { ...p, total: e.total };
    case "step-started":
      return { ...p, state: "running", total: e.total, steps: setStep(p.steps, e.revision, e.direction, { status: "running" }, e.message) };
    case "step-done":
      return { ...p, total: e.total, done: Math.max(p.done, e.index + 1), steps: setStep(p.steps, e.revision, e.direction, { status: "done", durationMs: e.durationMs }) };
    case "log":
      return { ...p, log: log(e.line, e.level) };
    case "run-finished":
      return { ...p, state: "succeeded", result: e.result, done: p.total ?? p.done };
    case "run-failed":
      return { ...p, state: "failed", error: e.error, steps: p.steps.map((s) => (s.status === "running" ? { ...s, status: "failed" } : s)) };
    default:
      return assertNever(e);
  }
}

/**
 * The desktop app's engine process died while it held the run (issue 18): a run not yet ended is
 * over, whatever it had done, and says so in the window's words; an ended one stays as it was.
 */
export function loseRunWithEngine(p: RunProgress, e: EngineRestartedEventDto): RunProgress {
  if (p.state !== "queued" && p.state !== "running") return p;
  return {
    ...p,
    state: "failed",
    error: { code: "INTERNAL", message: e.message },
    steps: p.steps.map((s) => (s.status === "running" ? { ...s, status: "failed" } : s)),
    log: [...p.log, { at: e.at, level: "error", line: e.message }],
  };
}

/** Takes a run's stored state (after the event stream missed something): its end, its log. */
export function mergeRunDto(p: RunProgress, run: RunDto): RunProgress {
  if (run.runId !== p.runId) return p;
  const ended = run.state === "succeeded" || run.state === "failed";
  if (!ended && p.state !== "queued") return p;
  const steps = run.state === "succeeded" ? p.steps.map((s) => ({ ...s, status: "done" as const })) : run.state === "failed" ? p.steps.map((s) => (s.status === "running" ? { ...s, status: "failed" as const } : s)) : p.steps;
  return {
    ...p,
    state: run.state,
    log: run.log.length >= p.log.length ? run.log : p.log,
    result: run.result ?? p.result,
    error: run.error ?? p.error,
    steps,
    done: run.state === "succeeded" ? (p.total ?? p.done) : p.done,
  };
}
