import { openConnection } from "../project/connect.js";
import type { DatabaseSession, EnvironmentConfig } from "../project/index.js";
import { dialectFor } from "../dialect/index.js";
import { connectionLostElsewhere, readHeads, readKnexMigrations } from "../runner/index.js";
import type { KnexChainState } from "../revisions/index.js";
import type { OpenProject } from "./open-project.js";

// The type lives with the environment it connects (project/), so that lint/ below may take one.
export type { DatabaseSession } from "../project/index.js";

/** Opens the environment's database, runs fn, and always closes the connection. */
export async function withDatabase<T>(env: EnvironmentConfig, fn: (db: DatabaseSession) => Promise<T>): Promise<T> {
  const knex = await openConnection(env);
  const dialect = dialectFor(env.client);
  try {
    return await fn({ env, knex, dialect });
  } catch (e) {
    // A run says itself what a lost connection left (the runner); anything else lost on the way is still one plain line.
    throw connectionLostElsewhere(e, { environment: env.name, label: dialect.label }) ?? e;
  } finally {
    await knex.destroy();
  }
}

/** Where the database stands, with where that came from (Strata's table, or knex's for an unadopted knex project). */
export interface DatabaseState {
  readonly heads: readonly string[];
  /** "knex-mode": a knex folder, whose state is knex_migrations read against it (issue #15). */
  readonly source: "strata" | "knex" | "empty" | "knex-mode";
  /** In knex mode: applied, pending, gaps and unknown rows. */
  readonly knex?: KnexChainState;
}

/**
 * Reads the current heads; a database migrated by knex alone shows its real position from
 * knex_migrations. Given a knex-mode project, knex_migrations is the truth whatever else the
 * database holds, and the heads are the last applied file in knex's order.
 */
export async function readDatabaseState(db: DatabaseSession, project?: OpenProject): Promise<DatabaseState> {
  if (project?.knex) {
    const knex = project.knex.state((await readKnexMigrations(db.knex, knexTableOf(project))) ?? []);
    return { heads: knex.heads, source: "knex-mode", knex };
  }
  if (await db.knex.schema.hasTable(db.env.versionTable)) {
    return { heads: await readHeads(db.knex, { versionTable: db.env.versionTable }), source: "strata" };
  }
  const knexNames = await readKnexMigrations(db.knex);
  if (knexNames && knexNames.length > 0) {
    const last = knexNames[knexNames.length - 1]!;
    return { heads: [stripExtension(last)], source: "knex" };
  }
  return { heads: [], source: "empty" };
}

/**
 * knex's table for a knex-mode project: the knexfile's or config's `tableName` once the project
 * config carries it (issue #15 point 7, `knexMigrations`), else knex's default.
 */
export function knexTableOf(project: OpenProject): string {
  return project.config.knexMigrations?.tableName ?? "knex_migrations";
}

function stripExtension(name: string): string {
  return name.replace(/\.(ts|mts|cts|js|mjs|cjs)$/, "");
}
