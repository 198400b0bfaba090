import type { ConfirmedPlanDto } from "../../../shared/api.js";
import { StrataError } from "../errors.js";
import type { Plan } from "../revisions/types.js";
import type { OpenProject } from "./open-project.js";

/** A plan as the person confirmed it: the heads it starts from, each step with its file's checksum. */
export type ExpectedPlan = ConfirmedPlanDto;

/** The step of a plan with the checksum its file has now (null: no file), as the app shows and confirms it. */
export function stepsWithChecksums(project: OpenProject, plan: Plan): ExpectedPlan["steps"] {
  return plan.steps.map((s) => ({ revision: s.revision, direction: s.direction, checksum: project.scripts.get(s.revision)?.checksum ?? null }));
}

const short = (ids: readonly string[]): string => (ids.length === 0 ? "(base)" : ids.map((h) => h.slice(0, 12)).join(", "));
const stepText = (steps: ExpectedPlan["steps"]): string => (steps.length === 0 ? "nothing to run" : steps.map((s) => `${s.direction} ${s.revision.slice(0, 12)}`).join(", "));

/** What differs between the confirmed plan and the one made now, in words; empty when they are the same. */
function differences(expected: ExpectedPlan, plan: Plan, now: ExpectedPlan["steps"]): string[] {
  const out: string[] = [];
  const before = [...plan.headsBefore].sort();
  const confirmed = [...expected.headsBefore].sort();
  if (before.join(",") !== confirmed.join(",")) out.push(`the database is now at ${short(before)}, not ${short(confirmed)}`);
  const sameSteps = now.length === expected.steps.length && now.every((s, i) => s.revision === expected.steps[i]!.revision && s.direction === expected.steps[i]!.direction);
  if (!sameSteps) {
    out.push(now.length === 0 ? `there is nothing left to run (you confirmed ${stepText(expected.steps)})` : `it would run ${stepText(now)}, not ${stepText(expected.steps)}`);
    return out;
  }
  const edited = now.filter((s, i) => s.checksum !== expected.steps[i]!.checksum).map((s) => s.revision);
  if (edited.length) out.push(`${edited.length === 1 ? "the file of" : "the files of"} ${edited.join(", ")} changed`);
  return out;
}

/**
 * Refuses a run whose plan is not the one the person confirmed (issue 14, "what you see is what
 * runs"): other starting heads (another runner moved them), other steps, or a file edited since.
 * Called before the lock and again on the heads read under it; nothing has run either time.
 */
export function refuseChangedPlan(project: OpenProject, environment: string, expected: ExpectedPlan | undefined, plan: Plan): void {
  if (!expected) return;
  const now = stepsWithChecksums(project, plan);
  const diff = differences(expected, plan, now);
  if (diff.length === 0) return;
  throw new StrataError("PLAN_CHANGED", `the plan changed since you looked: ${diff.join("; ")}; look at the new plan and confirm it again; nothing was run`, {
    environment,
    headsBefore: plan.headsBefore,
    steps: now,
    headsAfter: plan.headsAfter,
  });
}
