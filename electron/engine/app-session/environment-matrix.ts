import type { DriftDto, EnvironmentHealthDto, EnvironmentMatrixDto, EnvironmentStateDto, HistoryEntryDto } from "../../../shared/api.js";
import { isStrataError } from "../errors.js";
import { readHistory } from "../runner/index.js";
import type { HistoryRow } from "../runner/types.js";
import { readDatabaseState, withDatabase } from "../use-cases/database-session.js";
import { findFileProblems, knexStateDto } from "../use-cases/inspect.js";
import type { OpenProject } from "../use-cases/open-project.js";
import type { EnvironmentChoice } from "./project-holder.js";
import { readUnresolvedRuns } from "../use-cases/resolve.js";

/** Checks one environment's live schema against what its applied revisions build (issue 3), when available. */
export type DriftCheck = (project: OpenProject, choice: EnvironmentChoice, signal?: AbortSignal) => Promise<DriftDto>;

/** The environments matrix: every environment's heads, pending revisions, last run, file problems and drift. */
export async function environmentMatrix(
  project: OpenProject,
  choices: readonly EnvironmentChoice[],
  drift: DriftCheck | null,
  signal?: AbortSignal,
): Promise<EnvironmentMatrixDto> {
  const check: DriftCheck | null = drift && ((p, c) => drift(p, c, signal));
  const environments = await Promise.all(choices.map((c) => environmentState(project, c, check)));
  return { heads: project.map.heads, environments };
}

async function environmentState(project: OpenProject, choice: EnvironmentChoice, drift: DriftCheck | null): Promise<EnvironmentStateDto> {
  const s = await readEnvironmentState(project, choice, drift);
  return { ...s, state: worstState(s) };
}

async function readEnvironmentState(project: OpenProject, choice: EnvironmentChoice, drift: DriftCheck | null): Promise<EnvironmentStateDto> {
  const notChecked: DriftDto = { state: "not-checked", changes: [] };
  if (choice.dto.error) return { environment: choice.dto, heads: null, pending: [], lastRun: null, problems: [], drift: notChecked, error: choice.dto.error };
  try {
    const env = choice.resolve();
    const base = await withDatabase(env, async (db) => {
      const state = await readDatabaseState(db, project);
      const problems = await findFileProblems(project, db, state.heads);
      const known = state.heads.every((h) => project.map.has(h));
      const pending = state.knex ? state.knex.pending : known ? pendingRevisions(project, state.heads) : [];
      const behind = state.knex ? Object.fromEntries(project.map.heads.map((h) => [h, pending.length])) : known ? behindEachHead(project, state.heads) : undefined;
      const [last] = await readHistory(db.knex, { historyTable: env.historyTable, limit: 1 });
      const unresolved = await readUnresolvedRuns(db, project);
      return { heads: state.heads, pending, problems, lastRun: last ? historyEntry(last) : null, unresolved, ...(behind ? { behind } : {}), ...knexStateDto(state) };
    });
    const driftState = drift ? await drift(project, choice) : notChecked;
    return { environment: choice.dto, ...base, drift: driftState, error: null };
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return { environment: choice.dto, heads: null, pending: [], lastRun: null, problems: [], drift: notChecked, error: e.toShape() };
  }
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const short = (revision: string): string => revision.slice(0, 12);

/**
 * The worst thing about an environment, so that a chip never says "15 pending" for a database
 * left half applied (issue 14): unreachable > half-applied > running > failed > drift >
 * edited / missing > pending > up to date.
 */
export function worstState(s: Omit<EnvironmentStateDto, "environment" | "state">): EnvironmentHealthDto {
  if (s.error || s.heads === null) return { kind: "unreachable", count: 0, revision: null, label: "unreachable" };
  const unresolved = s.unresolved ?? [];
  // A revision that may be half done blocks every run: nothing else about the environment matters as much.
  const stuck = unresolved.find((u) => u.state === "failed") ?? unresolved.find((u) => u.state === "interrupted");
  if (stuck) {
    const words = stuck.state === "failed" ? "half-applied" : "interrupted";
    return { kind: "half-applied", count: unresolved.filter((u) => u.state !== "running").length, revision: stuck.revision, label: `${words}: ${short(stuck.revision)}` };
  }
  const running = unresolved.find((u) => u.state === "running");
  if (running) return { kind: "running", count: 1, revision: running.revision, label: `running: ${short(running.revision)}` };
  // The last thing done failed (and was rolled back): the next run is likely to fail the same way.
  const last = s.lastRun;
  if (last && last.status === "failed" && (last.direction === "up" || last.direction === "down")) {
    return { kind: "failed", count: 1, revision: last.revision, label: `failed: ${short(last.revision)}` };
  }
  if (s.drift.state === "drifted") {
    const n = s.drift.changes.length;
    return { kind: "drift", count: n, revision: null, label: `drift: ${plural(n, "difference", "differences")}` };
  }
  // knex mode (issue #15): a knex_migrations row naming no file of the folder is an applied revision without its file; runs refuse it.
  const unknownRows = s.knex?.unknown.length ?? 0;
  if (unknownRows) return { kind: "missing", count: unknownRows, revision: null, label: `${plural(unknownRows, "ran file", "ran files")} not in folder` };
  const edited = s.problems.filter((p) => p.kind === "edited").length;
  const missing = s.problems.filter((p) => p.kind === "missing").length;
  if (edited || missing) {
    const label = [edited ? `${edited} edited` : "", missing ? `${missing} missing` : ""].filter(Boolean).join(", ");
    return { kind: edited ? "edited" : "missing", count: edited + missing, revision: null, label };
  }
  // Files knex_migrations skipped are pending out of order: said, since knex's own `latest` runs them too.
  const gaps = s.knex?.gaps.length ?? 0;
  if (s.pending.length) return { kind: "pending", count: s.pending.length, revision: null, label: `${s.pending.length} pending${gaps ? `, ${gaps} out of order` : ""}` };
  return { kind: "up-to-date", count: 0, revision: null, label: "up to date" };
}

// Per loaded project and version-table heads: an upgrade plan over a big graph is costly and the
// matrix is asked for on every page load while the heads rarely move.
const pendingCache = new WeakMap<OpenProject, Map<string, readonly string[]>>();

/** The revisions an upgrade to `target` (default every head) would run from these version-table heads, in order. */
function pendingRevisions(project: OpenProject, heads: readonly string[], target = "heads"): readonly string[] {
  let byHeads = pendingCache.get(project);
  if (!byHeads) {
    byHeads = new Map();
    pendingCache.set(project, byHeads);
  }
  const key = `${[...heads].sort().join(" ")}>${target}`;
  let pending = byHeads.get(key);
  if (!pending) {
    pending = project.map.planUpgrade(heads, target).steps.map((s) => s.revision);
    // A handful of environments and heads; a bound keeps a long session's stamps and runs from piling up.
    if (byHeads.size >= 64) byHeads.clear();
    byHeads.set(key, pending);
  }
  return pending;
}

/**
 * Per graph head, how many revisions an upgrade to it would run (depends-on pulled along, as the
 * run would): the environments screen's "N behind". A head the planner refuses from here is left out.
 */
function behindEachHead(project: OpenProject, heads: readonly string[]): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const h of project.map.heads) {
    try {
      out[h] = pendingRevisions(project, heads, h).length;
    } catch (e) {
      if (!isStrataError(e)) throw e;
    }
  }
  return out;
}

/** A history row as the GUI shows it. */
export function historyEntry(r: HistoryRow): HistoryEntryDto {
  return { ...r };
}
