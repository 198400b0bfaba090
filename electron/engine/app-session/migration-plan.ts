import type { MigrateCommandDto, MigrationPlanDto } from "../../../shared/api.js";
import { confirmationNameOf } from "../project/database-protection.js";
import type { EnvironmentConfig } from "../project/index.js";
import { readDatabaseState, withDatabase } from "../use-cases/database-session.js";
import { findFileProblems } from "../use-cases/inspect.js";
import { checkDestructive, fileRefusal, planFromState, planMigration, preflightTarget } from "../use-cases/migrate.js";
import type { OpenProject } from "../use-cases/open-project.js";

/**
 * What an upgrade / downgrade would do on the environment, with its SQL, its destructive
 * statements and the edited or missing files that would stop it; changes nothing.
 */
export async function planWithSql(project: OpenProject, env: EnvironmentConfig, command: MigrateCommandDto, target: string): Promise<MigrationPlanDto> {
  preflightTarget(project, target);
  const planned = await withDatabase(env, async (db) => {
    const state = await readDatabaseState(db, project);
    const problems = await findFileProblems(project, db, state.heads);
    const refusal = fileRefusal(project, env, problems, state.heads);
    // A head without a file cannot be planned from: the same refusal as a run's.
    if (refusal && !refusal.allowable) throw refusal.error;
    const plan = planFromState(project, command, target, state);
    // An unadopted knex database is refused with the same words as the CLI's --plan.
    if (state.source === "knex" && plan.steps.length > 0) return { plan, source: state.source, problems, refusal, check: null };
    return { plan, source: state.source, problems, refusal, check: await checkDestructive(project, db, plan, "shown") };
  });
  const { plan, problems, refusal, check } = planned;
  if (check === null) await planMigration(project, env, { command, target });
  return {
    environment: env.name,
    command,
    target,
    protected: env.protected,
    headsBefore: plan.headsBefore,
    steps: plan.steps.map((s) => ({
      revision: s.revision,
      direction: s.direction,
      message: project.map.get(s.revision)?.message ?? "",
      file: project.scripts.get(s.revision) ? relative(project, project.scripts.get(s.revision)!.file) : null,
      checksum: project.scripts.get(s.revision)?.checksum ?? null,
    })),
    headsAfter: plan.headsAfter,
    sql: check?.sql ?? null,
    // The SQL's own error only where there is no SQL: a plan rendered on a scratch copy whose revision read rows still shows its script.
    sqlError: check && check.sql === null ? check.error : null,
    destructive: check?.destructive ?? [],
    checked: check !== null && check.error === null,
    uncheckedReason: check === null ? "the plan was not rendered" : (check.error?.message ?? null),
    confirmationName: confirmationNameOf(env),
    problems,
    refusal: refusal ? { message: refusal.error.message, allowEdited: refusal.allowable } : null,
    ...(plan.warnings?.length ? { warnings: plan.warnings } : {}),
  };
}

function relative(project: OpenProject, file: string): string {
  return file.startsWith(project.root) ? file.slice(project.root.length + 1) : file;
}
