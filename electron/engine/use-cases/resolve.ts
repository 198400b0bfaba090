import type { ResolveResultDto } from "../../../shared/api.js";
import type { UnresolvedRunDto } from "../../../shared/dto.js";
import { StrataError } from "../errors.js";
import { refuseUnconfirmedChange } from "../project/database-protection.js";
import type { EnvironmentConfig } from "../project/index.js";
import { describeUnresolved, readLockHolder, readUnresolved, resolveAdvice, resolveRun, sketchStatements } from "../runner/index.js";
import type { ResolveOutcome, UnresolvedRun } from "../runner/index.js";
import type { Knex } from "knex";
import type { Dialect } from "../dialect/index.js";
import { refuseContradicted } from "./recovery.js";
import type { DatabaseSession } from "./database-session.js";
import { knexTableOf, withDatabase } from "./database-session.js";
import type { OpenProject } from "./open-project.js";

/** What `strata resolve` / resolveRevision asks. */
export interface ResolveRequest {
  /** A revision id or unique prefix. */
  readonly revision: string;
  readonly outcome: ResolveOutcome;
  /** A protected environment is resolved only when this equals its name. */
  readonly confirmName?: string;
  readonly lockTimeoutMs?: number;
  /** Record it although the live schema contradicts the outcome: the person checked the database. */
  readonly override?: boolean;
}

/**
 * Refuses to change a protected database's bookkeeping unless its confirmation name was typed
 * (CLI `--confirm NAME`, GUI field); `action` names the change in the message (resolve, repair).
 */
export function refuseUnconfirmedResolve(env: EnvironmentConfig, confirmName: string | undefined, action = "the resolve"): void {
  refuseUnconfirmedChange(env, confirmName, { what: action, outcome: "nothing was changed" });
}

/**
 * Records what a person found after a revision was interrupted or failed half way, under the
 * migration lock: `applied` moves the version table as the step would have, `rolled-back` leaves it.
 * The live schema is checked first (recovery.ts): an outcome it contradicts is refused
 * (RESOLVE_CONTRADICTED) unless `override` says the person checked the database.
 */
export async function resolveRevision(project: OpenProject, env: EnvironmentConfig, req: ResolveRequest): Promise<ResolveResultDto> {
  refuseUnconfirmedResolve(env, req.confirmName);
  return resolveRecorded(project, env, {
    revision: resolvedRevisionId(project, req.revision),
    outcome: req.outcome,
    ...(req.lockTimeoutMs !== undefined ? { lockTimeoutMs: req.lockTimeoutMs } : {}),
    beforeRecord: (db, dialect, row) => refuseContradicted(db, dialect, env, project.scripts.get(row.revision), row, req.outcome, Boolean(req.override)),
  });
}

/** A revision id or unique prefix as the project knows it; a revision with no file any more is taken as written. */
export function resolvedRevisionId(project: OpenProject, ref: string): string {
  try {
    const ids = project.map.resolve(ref);
    if (ids.length === 1) return ids[0]!;
  } catch {
    // Not in the graph: the history may still name it.
  }
  return ref;
}

/** Records the outcome under the lock, after `beforeRecord` (which may refuse, or undo what ran first). */
export async function resolveRecorded(
  project: OpenProject,
  env: EnvironmentConfig,
  req: {
    readonly revision: string;
    readonly outcome: ResolveOutcome;
    readonly lockTimeoutMs?: number;
    readonly beforeRecord: (db: Knex, dialect: Dialect, row: UnresolvedRun) => Promise<string | null>;
  },
): Promise<ResolveResultDto> {
  const chain = project.knex;
  return withDatabase(env, async (db) => {
    const r = await resolveRun(db.knex, db.dialect, {
      revision: req.revision,
      outcome: req.outcome,
      versionTable: env.versionTable,
      historyTable: env.historyTable,
      lockTimeoutMs: req.lockTimeoutMs,
      beforeRecord: (knex, row) => req.beforeRecord(knex, db.dialect, row),
      // knex mode (issue #15): knex_migrations is the record that --applied writes.
      ...(chain ? { knex: { tableName: knexTableOf(project), nameOf: (id: string) => chain.fileName(id), headsOf: (names: readonly string[]) => chain.state(names).heads } } : {}),
      makeStep: (heads, rev, direction) => {
        if (!project.map.has(rev)) {
          const advice = "restore its file, or resolve it --rolled-back and `strata stamp`";
          throw new StrataError("REVISION_MISSING", `revision ${rev} has no file, so Strata cannot tell how --applied would move the version table; ${advice}`, { revision: rev, advice });
        }
        return project.map.planStep(heads, rev, direction);
      },
    });
    return { environment: env.name, revision: r.revision, direction: r.direction, outcome: r.outcome, historyId: r.historyId, heads: r.heads, note: r.note };
  });
}

/**
 * The environment's unresolved revisions, for status, check and the GUI. A `running` row while
 * the migration lock is held may be a run in progress, so it shows as running, not interrupted.
 */
export async function readUnresolvedRuns(db: DatabaseSession, project?: OpenProject): Promise<UnresolvedRunDto[]> {
  const rows = await readUnresolved(db.knex, db.env.historyTable);
  if (rows.length === 0) return [];
  const busy = rows.some((r) => r.status === "running") ? (await readLockHolder(db.knex, db.dialect).catch(() => null)) !== null : false;
  const out: UnresolvedRunDto[] = [];
  for (const u of rows) {
    // An interrupted run recorded no statements: list what the revision issues, so the person knows what to look for.
    const script = u.status === "running" && !busy ? project?.scripts.get(u.revision) : undefined;
    const statements = script ? await sketchStatements(db.env.client, script, u.direction) : null;
    out.push({
      revision: u.revision,
      direction: u.direction,
      state: u.status === "failed" ? "failed" : busy ? "running" : "interrupted",
      historyId: u.id,
      message: u.message,
      startedAt: u.startedAt,
      user: u.user,
      host: u.host,
      description: describeUnresolved(u, statements),
      advice: resolveAdvice(u.revision),
    });
  }
  return out;
}
