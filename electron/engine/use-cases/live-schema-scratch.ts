import type { Knex } from "knex";
import type { RenderedSqlDto } from "../../../shared/api.js";
import type { ErrorShape } from "../../../shared/errors.js";
import type { SchemaModel } from "../../../shared/schema.js";
import { diffSchemas, renderBodySql, renderKnexBody } from "../diff/index.js";
import { StrataError, isStrataError } from "../errors.js";
import { KNEX_TABLES } from "../introspect/index.js";
import type { Plan, Step } from "../revisions/types.js";
import type { DatabaseSession } from "./database-session.js";
import type { OpenProject } from "./open-project.js";
import { renderPlanSql } from "./plan-sql.js";
import { withScratchDatabase } from "./schema-diff.js";

/**
 * The statements that make the live database's schema again, without its rows (Strata's and
 * knex's own tables left out): said by the database itself where the dialect can (SQLite's
 * sqlite_master, MySQL's SHOW CREATE TABLE); elsewhere (PostgreSQL) read by the introspector and
 * written back through the diff's renderer (an empty schema diffed against the live one), the path
 * autogenerate and drift already trust, so tables, keys, indexes, enums and views come in an order that runs.
 */
export async function liveSchemaDdl(db: DatabaseSession): Promise<string[]> {
  const exclude = [db.env.versionTable, db.env.historyTable, ...KNEX_TABLES];
  if (db.dialect.schema.readSchemaDdl) return db.dialect.schema.readSchemaDdl(db.knex, { exclude });
  const { model } = await db.dialect.schema.introspect(db.knex, { exclude });
  const empty: SchemaModel = { client: model.client, tables: [], views: [], enums: [] };
  const changes = diffSchemas(empty, model);
  if (changes.length === 0) return [];
  return renderBodySql(db.env.client, renderKnexBody(changes, db.dialect.schema, empty));
}

/**
 * Renders the plan in a scratch database of the environment's own server holding the live
 * schema (no rows), dropped afterwards (SIGINT too: the CLI drops every scratch database left),
 * for a plan that cannot be rendered offline because a revision reads the schema. The live
 * database is only read. Where no scratch database can be made, the result says why.
 */
export async function renderInLiveSchemaScratch(
  project: OpenProject,
  db: DatabaseSession,
  plan: Plan,
  offline: ErrorShape | null,
  opts: { readonly lintOnly: boolean; readonly onRowRead: (step: Step, sql: string) => void },
): Promise<RenderedSqlDto> {
  let seed: string[];
  try {
    seed = await liveSchemaDdl(db);
  } catch (e) {
    return unrendered(db, `${needsScratch(offline)}, and the live schema could not be read to copy it there (${firstLine(e)})`);
  }
  let made = false;
  try {
    return await withScratchDatabase(db.env, async (scratch: Knex) => {
      made = true;
      const guard = refuseLiveDatabase(db);
      scratch.on("query", guard);
      try {
        return await renderPlanSql(project, db.env, plan, undefined, { seedSchema: seed, lintOnly: opts.lintOnly, database: scratch, onRowRead: opts.onRowRead });
      } finally {
        scratch.off("query", guard);
      }
    });
  } catch (e) {
    if (made || !isStrataError(e)) throw e;
    const refused = typeof e.details.scratchRefused === "string" ? e.details.scratchRefused : e.message;
    return unrendered(db, `${needsScratch(offline)}, and none could be made on ${db.env.displayTarget} (${refused}); grant this user CREATE DATABASE to have the plan checked`);
  }
}

/**
 * A listener that stops, before it is sent, any statement naming the live database (MySQL reaches
 * another database of the same server by `db`.`table`, or USE): the plan runs in the scratch
 * database for real, and must never write to the live one. knex emits "query" just before it
 * sends a statement, so throwing there fails the revision's call instead.
 */
function refuseLiveDatabase(db: DatabaseSession): (q: { sql: string }) => void {
  const name = liveDatabaseName(db.env.knexConfig.connection);
  const quoted = name?.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const names = quoted ? new RegExp(`(^|[^\\w$])[\x60"]?${quoted}[\x60"]?\\s*\\.\\s*[\x60"\\w]`, "i") : null;
  return (q) => {
    if (/^\s*use\s/i.test(q.sql) || names?.test(q.sql)) {
      throw new StrataError("NOT_SUPPORTED", `it names the live database${name ? ` ${name}` : ""} (\`${q.sql.replace(/\s+/g, " ").slice(0, 100)}\`), so it was not run there; check what it does by hand`);
    }
  };
}

/** The database an environment's connection names (project/environment.ts turns a URL into an object with it). */
function liveDatabaseName(connection: unknown): string | null {
  const database = connection && typeof connection === "object" ? (connection as { database?: unknown }).database : undefined;
  return typeof database === "string" && database !== "" ? database : null;
}

/** Why the plan needed a scratch database: the revision and the read the offline rendering refused. */
function needsScratch(offline: ErrorShape | null): string {
  const revision = typeof offline?.details?.revision === "string" ? offline.details.revision : null;
  const statement = typeof offline?.details?.statement === "string" ? offline.details.statement.replace(/\s+/g, " ").slice(0, 100) : null;
  if (revision && statement) return `revision ${revision} reads the schema (\`${statement}\`), so the plan must be rendered in a scratch database`;
  if (revision) return `revision ${revision} cannot be rendered without a database, so the plan must be rendered in a scratch database`;
  return "the plan cannot be rendered without a database, so it must be rendered in a scratch database";
}

function unrendered(db: DatabaseSession, message: string): RenderedSqlDto {
  const error = new StrataError("NOT_SUPPORTED", message, { environment: db.env.name });
  return { environment: db.env.name, dialect: db.dialect.label, sql: null, error: error.toShape() };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}
