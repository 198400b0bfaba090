import type { MigrationResultDto } from "../../../shared/dto.js";
import { StrataError } from "../errors.js";
import type { EnvironmentConfig } from "../project/index.js";
import type { Plan } from "../revisions/types.js";
import { migrate, renderSql } from "../runner/index.js";
import type { RunEvent } from "../runner/types.js";
import { STRATA_VERSION } from "../version.js";
import { readDatabaseState, withDatabase } from "./database-session.js";
import type { OpenProject } from "./open-project.js";

/** An upgrade or downgrade as a person asked for it. */
export interface MigrateRequest {
  readonly command: "upgrade" | "downgrade";
  readonly target: string;
  readonly singleTransaction?: boolean;
  readonly lockTimeoutMs?: number;
  readonly onEvent?: (e: RunEvent) => void;
}

function makePlanner(project: OpenProject, req: MigrateRequest): (heads: readonly string[]) => Plan {
  return (heads) =>
    req.command === "upgrade" ? project.map.planUpgrade(heads, req.target) : project.map.planDowngrade(heads, req.target);
}

function refuseUnadoptedKnex(env: EnvironmentConfig): never {
  throw new StrataError(
    "NOT_SUPPORTED",
    `environment ${env.name}: this database was migrated by knex (knex_migrations) and has no ${env.versionTable} table; run \`strata adopt\` first`,
    { environment: env.name },
  );
}

/** Works out what the command would do against the live database, changing nothing. */
export async function planMigration(project: OpenProject, env: EnvironmentConfig, req: MigrateRequest): Promise<MigrationResultDto> {
  preflightTarget(project, req.target);
  return withDatabase(env, async (db) => {
    const state = await readDatabaseState(db);
    const plan = makePlanner(project, req)(state.heads);
    if (state.source === "knex" && plan.steps.length > 0) refuseUnadoptedKnex(env);
    return {
      environment: env.name,
      planned: true,
      steps: plan.steps.map((s) => ({ revision: s.revision, direction: s.direction, message: project.map.get(s.revision)?.message ?? "" })),
      heads: plan.headsAfter,
    };
  });
}

/**
 * Resolves the parts of a target that do not depend on the database (ids, prefixes, labels),
 * so that a typo is refused before any connection is made (SQLite would create an empty file).
 */
export function preflightTarget(project: OpenProject, target: string): void {
  if (/^[+-]\d+$/.test(target)) return;
  const relative = /^(.*?)(?:@)?([+-]\d+)$/.exec(target);
  const anchor = relative ? relative[1]! : target;
  if (!anchor) return;
  const label = /^(.+)@(head|base|heads)$/.exec(anchor);
  if (label && project.map.records.some((r) => r.branchLabels.includes(label[1]!))) return;
  project.map.resolve(anchor);
}

/** Runs an upgrade or downgrade under the database's migration lock. */
export async function runMigration(project: OpenProject, env: EnvironmentConfig, req: MigrateRequest): Promise<MigrationResultDto> {
  const planner = makePlanner(project, req);
  preflightTarget(project, req.target);
  return withDatabase(env, async (db) => {
    const state = await readDatabaseState(db);
    // Refuse a bad target before the lock is taken or any table is made: nothing may change.
    const preview = planner(state.heads);
    if (state.source === "knex" && preview.steps.length > 0) refuseUnadoptedKnex(env);
    // Compile every file the plan needs first: a broken file must stop the run before anything ran.
    await compilePlanScripts(project, preview);
    const result = await migrate(db.knex, db.dialect, {
      scripts: project.scripts,
      makePlan: planner,
      versionTable: env.versionTable,
      historyTable: env.historyTable,
      singleTransaction: req.singleTransaction ?? false,
      lockTimeoutMs: req.lockTimeoutMs,
      onEvent: req.onEvent,
      strataVersion: STRATA_VERSION,
    });
    return {
      environment: env.name,
      steps: result.steps.map((s) => ({ revision: s.revision, direction: s.direction, durationMs: s.durationMs })),
      heads: result.heads,
    };
  });
}

/** Loads (compiles and evaluates) the revision files a plan will run; throws on the first broken one. */
export async function compilePlanScripts(project: OpenProject, plan: Plan): Promise<void> {
  // All at once: the compiler works on several files in parallel; the first failure (in plan order) is reported.
  const loads = plan.steps.map((step) => project.scripts.get(step.revision)?.load());
  const settled = await Promise.allSettled(loads);
  for (const r of settled) if (r.status === "rejected") throw r.reason;
}

/**
 * Renders `[START:]TARGET` as a SQL script without connecting (Alembic's offline mode).
 * Upgrades start at base unless START is given; downgrades need START, as in Alembic.
 */
export async function renderMigrationSql(project: OpenProject, env: EnvironmentConfig, req: MigrateRequest): Promise<string> {
  const { start, target } = splitRange(req.target);
  if (req.command === "downgrade" && start === null) {
    throw new StrataError("USAGE", "downgrade with --sql needs a starting point: `strata downgrade START:TARGET --sql`");
  }
  const earlierPlan = start === null ? null : project.map.planUpgrade([], start);
  const startHeads = earlierPlan?.headsAfter ?? [];
  const plan = req.command === "upgrade" ? project.map.planUpgrade(startHeads, target) : project.map.planDowngrade(startHeads, target);
  return renderSql(env.client, {
    plan,
    scripts: project.scripts,
    earlierPlan: earlierPlan ?? undefined,
    versionTable: env.versionTable,
    historyTable: env.historyTable,
  });
}

function splitRange(target: string): { start: string | null; target: string } {
  const i = target.indexOf(":");
  if (i < 0) return { start: null, target };
  const start = target.slice(0, i);
  const end = target.slice(i + 1);
  if (!start || !end) throw new StrataError("TARGET_INVALID", `"${target}" is not START:TARGET; give both ends or just the target`);
  return { start, target: end };
}
