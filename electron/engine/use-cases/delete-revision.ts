import { unlink } from "node:fs/promises";
import path from "node:path";
import { StrataError, isStrataError } from "../errors.js";
import type { EnvironmentConfig } from "../project/index.js";
import { readHistory } from "../runner/index.js";
import { readDatabaseState, withDatabase } from "./database-session.js";
import type { OpenProject } from "./open-project.js";

/** An environment to look in before a file goes: ready to connect, or why it cannot be. */
export type EnvironmentToCheck =
  | { readonly name: string; readonly env: EnvironmentConfig }
  | { readonly name: string; readonly error: string };

/** What deleteRevision removed. */
export interface DeletedRevision {
  readonly revision: string;
  /** Relative to the project root. */
  readonly file: string;
  /** The environments whose version and history tables were read and found without it. */
  readonly checked: readonly string[];
}

function refuse(revision: string, why: string, details: Record<string, unknown>): StrataError {
  return new StrataError("TARGET_INVALID", `revision ${revision} cannot be deleted: ${why}; nothing was deleted`, { revision, ...details });
}

/** Whether the environment's database has ever run, stamped or stands on the revision; null when it has not. */
async function traceIn(project: OpenProject, env: EnvironmentConfig, revision: string): Promise<string | null> {
  return withDatabase(env, async (db) => {
    const state = await readDatabaseState(db, project);
    if (state.heads.includes(revision) || state.knex?.applied.includes(revision)) return "stands on it";
    const rows = await readHistory(db.knex, { historyTable: env.historyTable, revision, limit: 1 });
    return rows.length ? `its history has it (${rows[0]!.direction} on ${rows[0]!.startedAt})` : null;
  });
}

/**
 * Deletes a revision's file, only where nothing could miss it (issue 19 point 2): no revision
 * names it as parent or depends on it, and no environment's version or history table has ever
 * held it. Every environment must be reachable to say so; `file` is the file the person confirmed.
 */
export async function deleteRevision(project: OpenProject, environments: readonly EnvironmentToCheck[], revision: string, file: string): Promise<DeletedRevision> {
  const script = project.scripts.get(revision);
  if (!script) throw new StrataError("TARGET_UNKNOWN", `revision ${revision} is not in the migrations folder; it may be deleted already`, { revision });
  const relative = path.relative(project.root, script.file);
  if (path.normalize(file) !== relative) {
    throw new StrataError("CONFIRMATION_REQUIRED", `revision ${revision} is in ${relative}, not ${file}; confirm the file again; nothing was deleted`, { revision, file: relative });
  }
  const children = project.map.children(revision);
  if (children.length) throw refuse(revision, `revision ${children[0]} names it as its parent`, { reason: "parent", revisions: children });
  const dependents = project.map.dependents(revision);
  if (dependents.length) throw refuse(revision, `revision ${dependents[0]} depends on it`, { reason: "dependency", revisions: dependents });
  for (const e of environments) {
    if ("error" in e) throw refuse(revision, `environment ${e.name} cannot be checked (${e.error})`, { reason: "unchecked", environment: e.name });
    let trace: string | null;
    try {
      trace = await traceIn(project, e.env, revision);
    } catch (err) {
      if (!isStrataError(err)) throw err;
      throw refuse(revision, `environment ${e.name} cannot be checked (${err.message})`, { reason: "unchecked", environment: e.name });
    }
    if (trace !== null) throw refuse(revision, `environment ${e.name} ${trace}`, { reason: "applied", environment: e.name });
  }
  await unlink(script.file);
  return { revision, file: relative, checked: environments.map((e) => e.name) };
}
