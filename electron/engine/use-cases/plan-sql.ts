import type { Knex } from "knex";
import type { RenderedSqlDto } from "../../../shared/api.js";
import { dialectFor } from "../dialect/index.js";
import { isStrataError } from "../errors.js";
import type { EnvironmentConfig } from "../project/index.js";
import type { RevisionMap } from "../revisions/index.js";
import type { Plan, Step } from "../revisions/types.js";
import { renderSql } from "../runner/index.js";
import { compileScriptsAhead } from "../scripts/index.js";
import { defaultErrorShape } from "../errors.js";
import { baseSchemaBuilder } from "./schema-diff.js";
import type { OpenProject } from "./open-project.js";

/**
 * The upgrade from base to exactly these heads, one head after another (several heads cannot be
 * one target). It is what SQLite's offline rendering replays on its scratch database first.
 */
export function planToHeads(map: RevisionMap, heads: readonly string[]): Plan {
  let current: readonly string[] = [];
  const steps: Plan["steps"][number][] = [];
  for (const h of heads) {
    const p = map.planUpgrade(current, h);
    steps.push(...p.steps);
    current = p.headsAfter;
  }
  return { command: "upgrade", target: heads.join(","), headsBefore: [], steps, headsAfter: current };
}

/** Renders a plan for the environment's dialect without connecting; the error says why where it cannot be. */
export async function renderPlanSql(
  project: OpenProject,
  env: EnvironmentConfig,
  plan: Plan,
  earlierPlan: Plan | undefined,
  online?: {
    readonly seedSchema: readonly string[] | undefined;
    readonly lintOnly: boolean;
    /** A scratch database holding the live schema, to render on for real (see RenderSqlOptions.database). */
    readonly database?: Knex;
    readonly onRowRead?: (step: Step, sql: string) => void;
  },
): Promise<RenderedSqlDto> {
  const dialect = dialectFor(env.client).label;
  const baseSchema = baseSchemaBuilder(project);
  // The render loads its revisions one after another: compiled in one batch first, each load is a cache hit (issue 19 point 7).
  await compileScriptsAhead([...(earlierPlan?.steps ?? []), ...plan.steps].map((s) => project.scripts.get(s.revision)));
  try {
    const sql = await renderSql(env.client, {
      plan,
      scripts: project.scripts,
      ...(earlierPlan ? { earlierPlan } : {}),
      ...(baseSchema ? { baseSchema } : {}),
      ...(online?.seedSchema ? { seedSchema: online.seedSchema } : {}),
      ...(online?.lintOnly ? { lintOnly: true } : {}),
      ...(online?.database ? { database: online.database } : {}),
      ...(online?.onRowRead ? { onRowRead: online.onRowRead } : {}),
      versionTable: env.versionTable,
      historyTable: env.historyTable,
    });
    return { environment: env.name, dialect, sql, error: null };
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return { environment: env.name, dialect, sql: null, error: defaultErrorShape(e) };
  }
}
