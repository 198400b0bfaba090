import { readFile } from "node:fs/promises";
import type { RevisionDetailDto, RevisionEnvironmentDto, RevisionNodeDto, RenderedSqlDto } from "../../../shared/api.js";
import { dialectFor } from "../dialect/index.js";
import { findDestructiveStatements } from "../lint/destructive-sql.js";
import { StrataError, defaultErrorShape, isStrataError } from "../errors.js";
import type { EnvironmentConfig } from "../project/index.js";
import type { Plan } from "../revisions/types.js";
import { readAppliedChecksums } from "../runner/index.js";
import { readDatabaseState, withDatabase } from "../use-cases/database-session.js";
import { revisionDto } from "../use-cases/inspect.js";
import { resolveOneRevision } from "../use-cases/open-project.js";
import type { OpenProject } from "../use-cases/open-project.js";
import { planToHeads, renderPlanSql } from "../use-cases/plan-sql.js";
import type { EnvironmentChoice } from "./project-holder.js";
import { extractExportedFunction } from "./revision-source-text.js";

/** A revision with what the graph knows about it. */
export function revisionNode(project: OpenProject, id: string): RevisionNodeDto {
  const children = project.map.children(id);
  const base = revisionDto(project, id);
  return {
    ...base,
    children,
    isHead: project.map.heads.includes(id),
    isBase: base.downRevisions.length === 0,
    isBranchPoint: children.length > 1,
    isMergePoint: base.downRevisions.length > 1,
  };
}

/** Everything the revision detail screen shows about one revision. */
export async function revisionDetail(
  project: OpenProject,
  ref: string,
  environments: readonly EnvironmentChoice[],
  sqlEnvironment: string | undefined,
): Promise<RevisionDetailDto> {
  const id = resolveOneRevision(project, ref);
  const script = project.scripts.get(id);
  const source = script ? await readFile(script.file, "utf8").catch(() => null) : null;
  const usable = environments.filter((c) => c.dto.error === null);
  const states = await Promise.all(usable.map((c) => revisionInEnvironment(project, id, c.resolve())));
  let sqlEnv: EnvironmentConfig | null = null;
  if (sqlEnvironment !== undefined) {
    const chosen = environments.find((c) => c.dto.name === sqlEnvironment);
    if (!chosen) throw new StrataError("ENV_UNKNOWN", `unknown environment "${sqlEnvironment}"; this project has ${environments.map((c) => c.dto.name).join(", ")}`, { env: sqlEnvironment });
    sqlEnv = chosen.resolve();
  } else if (usable[0]) {
    sqlEnv = usable[0].resolve();
  }
  const sql = sqlEnv ? await revisionSql(project, id, sqlEnv) : { up: null, down: null };
  return {
    revision: revisionNode(project, id),
    checksum: script?.checksum ?? null,
    source,
    upSource: source === null ? null : extractExportedFunction(source, "up"),
    downSource: source === null ? null : extractExportedFunction(source, "down"),
    transaction: script?.transaction ?? true,
    environments: states,
    upSql: sql.up,
    downSql: sql.down,
  };
}

async function revisionInEnvironment(project: OpenProject, id: string, env: EnvironmentConfig): Promise<RevisionEnvironmentDto> {
  try {
    return await withDatabase(env, async (db) => {
      const state = await readDatabaseState(db, project);
      const known = state.heads.filter((h) => project.map.has(h));
      // knex mode: applied is what knex_migrations names, gaps and all (issue #15).
      const applied = state.knex ? state.knex.applied.includes(id) : project.map.ancestorsOf(known).includes(id);
      const checksums = await readAppliedChecksums(db.knex, { historyTable: env.historyTable });
      const appliedChecksum = checksums.get(id) ?? null;
      const current = project.scripts.get(id)?.checksum;
      const checksum = !applied ? "not-applied" : appliedChecksum === null || current === undefined ? "unknown" : appliedChecksum === current ? "matches" : "edited";
      return { environment: env.name, applied, checksum, appliedChecksum, error: null };
    });
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return { environment: env.name, applied: null, checksum: "unreachable", appliedChecksum: null, error: e.toShape() };
  }
}

/** The SQL of this one revision's up and down for the environment's dialect, rendered offline. */
async function revisionSql(project: OpenProject, id: string, env: EnvironmentConfig): Promise<{ up: RenderedSqlDto; down: RenderedSqlDto }> {
  const dialect = dialectFor(env.client).label;
  const failed = (e: unknown): RenderedSqlDto => {
    if (!isStrataError(e)) throw e;
    return { environment: env.name, dialect, sql: null, error: defaultErrorShape(e) };
  };
  // The full path from base to the revision: everything before its own step is replayed first.
  let full: Plan;
  try {
    full = project.map.planUpgrade([], id);
  } catch (e) {
    const f = failed(e);
    return { up: f, down: f };
  }
  const ownIndex = full.steps.findIndex((s) => s.revision === id);
  const earlierSteps = full.steps.slice(0, ownIndex);
  const earlierHeads = earlierSteps.length ? earlierSteps[earlierSteps.length - 1]!.headsAfter : [];
  const earlier: Plan = { command: "upgrade", target: "earlier", headsBefore: [], steps: earlierSteps, headsAfter: earlierHeads };
  const ownStep = full.steps[ownIndex]!;
  const upPlan: Plan = { command: "upgrade", target: id, headsBefore: earlierHeads, steps: [ownStep], headsAfter: ownStep.headsAfter };
  const up = await renderPlanSql(project, env, upPlan, earlier);
  let down: RenderedSqlDto;
  try {
    // The revision's own down step from where its up left the table: a merge's parent is not one
    // relative step away ("-1" is ambiguous where the history forks), so no target is resolved.
    const step = project.map.planStep(ownStep.headsAfter, id, "down");
    const parents = project.map.get(id)!.downRevisions;
    const downPlan: Plan = { command: "downgrade", target: parents.length ? parents.join(", ") : "base", headsBefore: ownStep.headsAfter, steps: [step], headsAfter: step.headsAfter };
    down = await renderPlanSql(project, env, downPlan, planToHeads(project.map, ownStep.headsAfter));
  } catch (e) {
    down = failed(e);
  }
  return { up: withDestructive(up, env), down: withDestructive(down, env) };
}

/**
 * The rendered SQL with the statements that drop or narrow something, for the pane to mark. Only
 * this revision's SQL is read: a narrowing whose old type an earlier revision set is reported as
 * a type change whose current type is not known, so nothing that may cut values goes unmarked.
 */
function withDestructive(rendered: RenderedSqlDto, env: EnvironmentConfig): RenderedSqlDto {
  if (rendered.sql === null) return rendered;
  return { ...rendered, destructive: findDestructiveStatements(rendered.sql, [env.versionTable, env.historyTable]) };
}
