import type { RepairResultDto } from "../../../shared/api.js";
import type { CurrentDto } from "../../../shared/dto.js";
import { StrataError } from "../errors.js";
import type { EnvironmentConfig } from "../project/index.js";
import { adoptKnex, forceUnlock, readAppliedChecksums, readKnexMigrations, recordRepair, stamp } from "../runner/index.js";
import { STRATA_VERSION } from "../version.js";
import { knexTableOf, withDatabase } from "./database-session.js";
import type { KnexChainState } from "../revisions/index.js";
import { findFileProblems } from "./inspect.js";
import { relativeFile } from "./open-project.js";
import type { OpenProject } from "./open-project.js";
import { refuseUnconfirmedResolve } from "./resolve.js";
import { resolveOneRevision } from "./open-project.js";

/** Sets the version table to the targets without running any revision. */
export async function stampEnvironment(project: OpenProject, env: EnvironmentConfig, targets: readonly string[]): Promise<CurrentDto> {
  // knex mode keeps no version table: knex_migrations is the record, and a stamp there would be a row knex never ran (issue #15).
  if (project.knex) {
    throw new StrataError(
      "NOT_SUPPORTED",
      `${project.config.migrations}/ is a knex folder, where knex_migrations records what ran and Strata keeps no version table to stamp; run or undo files with \`strata upgrade\` and \`strata downgrade\` instead; nothing was changed`,
    );
  }
  // Resolve the targets before connecting, so a typo changes nothing.
  project.map.planStamp([], targets);
  return withDatabase(env, async (db) => {
    const result = await stamp(db.knex, db.dialect, {
      makeStamp: (heads) => project.map.planStamp(heads, targets),
      versionTable: env.versionTable,
      historyTable: env.historyTable,
      strataVersion: STRATA_VERSION,
      target: targets.join(" "),
    });
    return { environment: env.name, heads: result.heads };
  });
}

/** Frees the migration lock of a runner that hangs (a killed one leaves none behind). */
export async function unlockEnvironment(env: EnvironmentConfig): Promise<{ environment: string; released: boolean; holder: string | null }> {
  return withDatabase(env, async (db) => ({ environment: env.name, ...(await forceUnlock(db.knex, db.dialect)) }));
}

/**
 * Stamping the last file of knex_migrations would mark a file in the middle that never ran as
 * applied (issue #15): adopt waits until what knex ran is a prefix of the folder.
 */
function refuseKnexGaps(project: OpenProject, env: EnvironmentConfig, state: KnexChainState): void {
  if (state.gaps.length === 0 && state.unknown.length === 0) return;
  const parts: string[] = [];
  if (state.gaps.length) parts.push(`${state.gaps.join(", ")} never ran though later files did`);
  if (state.unknown.length) parts.push(`knex_migrations names ${state.unknown.join(", ")}, which ${state.unknown.length === 1 ? "is no file" : "are no files"} in ${project.config.migrations}/`);
  throw new StrataError(
    "NOT_SUPPORTED",
    `environment ${env.name}: knex_migrations is not a prefix of ${project.config.migrations}/ (${parts.join("; ")}); run \`strata upgrade heads\`${state.unknown.length ? " once the missing files are restored" : ""}, then adopt; nothing was changed`,
    { environment: env.name, gaps: state.gaps, unknown: state.unknown },
  );
}

/** Moves a database migrated by knex onto Strata's tables, stamping the revision knex last ran; runs nothing. */
export async function adoptEnvironment(project: OpenProject, env: EnvironmentConfig): Promise<CurrentDto> {
  return withDatabase(env, async (db) => {
    const names = await readKnexMigrations(db.knex, project.knex ? knexTableOf(project) : undefined);
    if (project.knex && names) refuseKnexGaps(project, env, project.knex.state(names));
    if (!names || names.length === 0) {
      throw new StrataError("NOT_SUPPORTED", `environment ${env.name}: no knex_migrations table with applied migrations; nothing to adopt`);
    }
    if (await db.knex.schema.hasTable(env.versionTable)) {
      throw new StrataError("NOT_SUPPORTED", `environment ${env.name}: already has ${env.versionTable}; it is adopted`);
    }
    // knex mode: the last applied file in knex's order, the end of the prefix knex ran.
    const last = project.knex?.state(names).heads[0] ?? names[names.length - 1]!.replace(/\.(ts|mts|cts|js|mjs|cjs)$/, "");
    if (!project.map.has(last)) {
      throw new StrataError(
        "REVISION_MISSING",
        `environment ${env.name}: knex last ran ${names[names.length - 1]}, which is not in ${project.config.migrations}/; open the migrations folder that built this database`,
      );
    }
    const result = await adoptKnex(db.knex, db.dialect, {
      headRevision: last,
      versionTable: env.versionTable,
      historyTable: env.historyTable,
      strataVersion: STRATA_VERSION,
    });
    return { environment: env.name, heads: result.heads };
  });
}

/** What `strata repair` / repairRevision asks. */
export interface RepairRequest {
  /** A revision id or unique prefix. */
  readonly revision: string;
  /** A protected environment is repaired only when this equals its name. */
  readonly confirmName?: string;
  readonly lockTimeoutMs?: number;
}

/**
 * Accepts an applied revision's edited file (issue 14): records the file's current checksum,
 * who and when as a `repair` history row, so runs stop refusing the edit. Refused in one line,
 * changing nothing, when the revision is not applied or its file matches what ran.
 */
export async function repairRevision(project: OpenProject, env: EnvironmentConfig, req: RepairRequest): Promise<RepairResultDto> {
  const revision = resolveOneRevision(project, req.revision);
  const script = project.scripts.get(revision);
  if (!script) {
    throw new StrataError("REVISION_MISSING", `revision ${revision} has no file in ${project.config.migrations}/, so there is no edited file to accept; restore it first`, { revision });
  }
  refuseUnconfirmedResolve(env, req.confirmName, "the repair");
  const file = relativeFile(project, script.file);
  return withDatabase(env, async (session) => {
    const result = await recordRepair(session.knex, session.dialect, {
      revision,
      checksum: script.checksum,
      versionTable: env.versionTable,
      historyTable: env.historyTable,
      strataVersion: STRATA_VERSION,
      lockTimeoutMs: req.lockTimeoutMs,
      previousChecksum: async (db, heads) => {
        const applied = project.map.ancestorsOf(heads.filter((h) => project.map.has(h))).includes(revision);
        if (!applied) {
          throw new StrataError("USAGE", `revision ${revision} is not applied on ${env.name}, so there is nothing to repair; \`strata repair\` accepts the edited file of an applied revision`, {
            environment: env.name,
            revision,
          });
        }
        const problems = await findFileProblems(project, { ...session, knex: db }, heads);
        const previous = (await readAppliedChecksums(db, { historyTable: env.historyTable })).get(revision);
        if (!problems.some((p) => p.revision === revision && p.kind === "edited") || previous === undefined) {
          throw new StrataError("USAGE", `revision ${revision} on ${env.name}: its file ${file} matches what ran, so there is nothing to repair`, { environment: env.name, revision });
        }
        return previous;
      },
    });
    return { environment: env.name, file, ...result };
  });
}
