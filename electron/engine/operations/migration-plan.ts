import type { MigrateCommandDto, MigrationPlanDto } from "../../../shared/api.js";
import type { EnvironmentConfig } from "../project/index.js";
import { readDatabaseState, withDatabase } from "./database-session.js";
import { findDestructiveStatements } from "./destructive-sql.js";
import { planMigration, preflightTarget } from "./migrate.js";
import type { OpenProject } from "./open-project.js";
import { planToHeads, renderPlanSql } from "./plan-sql.js";

/** What an upgrade / downgrade would do on the environment, with its SQL and destructive statements; changes nothing. */
export async function planWithSql(project: OpenProject, env: EnvironmentConfig, command: MigrateCommandDto, target: string): Promise<MigrationPlanDto> {
  preflightTarget(project, target);
  const { plan, source } = await withDatabase(env, async (db) => {
    const state = await readDatabaseState(db);
    const p = command === "upgrade" ? project.map.planUpgrade(state.heads, target) : project.map.planDowngrade(state.heads, target);
    return { plan: p, source: state.source };
  });
  // An unadopted knex database is refused with the same words as the CLI's --plan.
  if (source === "knex" && plan.steps.length > 0) await planMigration(project, env, { command, target });
  const rendered =
    plan.steps.length === 0
      ? { sql: "", error: null }
      : await renderPlanSql(project, env, plan, plan.headsBefore.every((h) => project.map.has(h)) ? planToHeads(project.map, plan.headsBefore) : undefined);
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
    })),
    headsAfter: plan.headsAfter,
    sql: rendered.sql,
    sqlError: rendered.error,
    destructive: rendered.sql ? findDestructiveStatements(rendered.sql, [env.versionTable, env.historyTable]) : [],
  };
}

function relative(project: OpenProject, file: string): string {
  return file.startsWith(project.root) ? file.slice(project.root.length + 1) : file;
}
