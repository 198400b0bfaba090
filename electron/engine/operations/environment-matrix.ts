import type { DriftDto, EnvironmentMatrixDto, EnvironmentStateDto, HistoryEntryDto } from "../../../shared/api.js";
import { isStrataError } from "../errors.js";
import { readHistory } from "../runner/index.js";
import type { HistoryRow } from "../runner/types.js";
import { readDatabaseState, withDatabase } from "./database-session.js";
import { findFileProblems, knexStateDto } from "./inspect.js";
import type { OpenProject } from "./open-project.js";
import type { EnvironmentChoice } from "./project-holder.js";
import { readUnresolvedRuns } from "./resolve.js";

/** Checks one environment's live schema against what its applied revisions build (issue 3), when available. */
export type DriftCheck = (project: OpenProject, choice: EnvironmentChoice) => Promise<DriftDto>;

/** The environments matrix: every environment's heads, pending revisions, last run, file problems and drift. */
export async function environmentMatrix(
  project: OpenProject,
  choices: readonly EnvironmentChoice[],
  drift: DriftCheck | null,
): Promise<EnvironmentMatrixDto> {
  const environments = await Promise.all(choices.map((c) => environmentState(project, c, drift)));
  return { heads: project.map.heads, environments };
}

async function environmentState(project: OpenProject, choice: EnvironmentChoice, drift: DriftCheck | null): Promise<EnvironmentStateDto> {
  const notChecked: DriftDto = { state: "not-checked", changes: [] };
  if (choice.dto.error) return { environment: choice.dto, heads: null, pending: [], lastRun: null, problems: [], drift: notChecked, error: choice.dto.error };
  try {
    const env = choice.resolve();
    const base = await withDatabase(env, async (db) => {
      const state = await readDatabaseState(db, project);
      const problems = await findFileProblems(project, db, state.heads);
      const known = state.heads.every((h) => project.map.has(h));
      const pending = state.knex ? state.knex.pending : known ? pendingRevisions(project, state.heads) : [];
      const [last] = await readHistory(db.knex, { historyTable: env.historyTable, limit: 1 });
      const unresolved = await readUnresolvedRuns(db, project);
      return { heads: state.heads, pending, problems, lastRun: last ? historyEntry(last) : null, unresolved, ...knexStateDto(state) };
    });
    const driftState = drift ? await drift(project, choice) : notChecked;
    return { environment: choice.dto, ...base, drift: driftState, error: null };
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return { environment: choice.dto, heads: null, pending: [], lastRun: null, problems: [], drift: notChecked, error: e.toShape() };
  }
}

// Per loaded project and version-table heads: an upgrade plan over a big graph is costly and the
// matrix is asked for on every page load while the heads rarely move.
const pendingCache = new WeakMap<OpenProject, Map<string, readonly string[]>>();

/** The revisions an upgrade to heads would run from these version-table heads, in order. */
function pendingRevisions(project: OpenProject, heads: readonly string[]): readonly string[] {
  let byHeads = pendingCache.get(project);
  if (!byHeads) {
    byHeads = new Map();
    pendingCache.set(project, byHeads);
  }
  const key = [...heads].sort().join(" ");
  let pending = byHeads.get(key);
  if (!pending) {
    pending = project.map.planUpgrade(heads, "heads").steps.map((s) => s.revision);
    // A handful of environments; a bound keeps a long session's stamps and runs from piling up.
    if (byHeads.size >= 32) byHeads.clear();
    byHeads.set(key, pending);
  }
  return pending;
}

/** A history row as the GUI shows it. */
export function historyEntry(r: HistoryRow): HistoryEntryDto {
  return { ...r };
}
