import { readFileSync, statSync } from "node:fs";
import type { BranchDto, CurrentDto, EnvironmentStatusDto, FileProblemDto, HeadDto, KnexMigrationsDto, RevisionDto, StatusDto } from "../../../shared/dto.js";
import { isStrataError } from "../errors.js";
import type { EnvironmentConfig } from "../project/index.js";
import { readAppliedChecksums } from "../runner/index.js";
import { readDatabaseState, withDatabase } from "./database-session.js";
import type { DatabaseSession, DatabaseState } from "./database-session.js";
import { relativeFile } from "./open-project.js";
import type { OpenProject } from "./open-project.js";
import { readUnresolvedRuns } from "./resolve.js";
import { environmentDrift } from "./schema-diff.js";

/** What status reads besides heads and files. */
export interface StatusOptions {
  /** Build what the applied revisions make on a scratch database and compare (default true). */
  readonly drift?: boolean;
}

/** A revision as the front ends show it. */
export function revisionDto(project: OpenProject, id: string): RevisionDto {
  const r = project.map.get(id);
  if (!r) throw new Error(`no revision ${id}`);
  return {
    revision: r.revision,
    downRevisions: r.downRevisions,
    branchLabels: r.branchLabels,
    dependsOn: r.dependsOn,
    message: r.message,
    file: relativeFile(project, project.scripts.get(id)?.file),
    labels: project.map.branchLabels(id),
    effectiveHead: project.map.heads.includes(id) && !project.map.isRealHead(id),
  };
}

/**
 * The heads of the revision graph, with the labels in effect on each. `resolveDependencies`
 * (Alembic's `heads --resolve-dependencies`) leaves out the heads another revision depends on.
 */
export function listHeads(project: OpenProject, options: { readonly resolveDependencies?: boolean } = {}): readonly HeadDto[] {
  const ids = options.resolveDependencies ? project.map.realHeads : project.map.heads;
  return ids.map((id) => {
    const r = project.map.get(id)!;
    return { revision: r.revision, branchLabels: r.branchLabels, message: r.message, labels: project.map.branchLabels(id), effectiveHead: !project.map.isRealHead(id) };
  });
}

/**
 * The "Create Date" a revision's file gives (an Alembic-style `Create Date: ...` line, kept by
 * files ported from Alembic), else the file's modification time in Python's datetime format,
 * which is what Alembic's verbose output shows.
 */
export function revisionCreateDate(project: OpenProject, id: string): string | null {
  const file = project.scripts.get(id)?.file;
  if (!file) return null;
  try {
    const m = /Create Date:[ \t]*([^\r\n*]*?)[ \t]*$/m.exec(readFileSync(file, "utf8"));
    if (m && m[1]) return m[1];
    return pythonDatetime(statSync(file, { bigint: true }).mtimeNs);
  } catch {
    return null;
  }
}

/** Local time as Python's str(datetime) writes it, to the microsecond (nanoseconds, so no float rounding). */
function pythonDatetime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const p = (n: number | bigint, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p((ns / 1000n) % 1_000_000n, 6)}`;
}

/** Revisions with more than one child: where branches start. */
export function listBranchPoints(project: OpenProject): readonly BranchDto[] {
  const out: BranchDto[] = [];
  for (const r of project.map.records) {
    const children = project.map.children(r.revision);
    if (children.length > 1) out.push({ revision: r.revision, message: r.message, branchLabels: r.branchLabels, children });
  }
  return out;
}

/** The revisions in a history range (Alembic's `-r START:END`), newest first. */
export function listHistory(project: OpenProject, range?: string): readonly RevisionDto[] {
  return project.map.iterateHistory(range).map((r) => revisionDto(project, r.revision));
}

/** The environment's current heads. */
export async function currentHeads(env: EnvironmentConfig, project?: OpenProject): Promise<CurrentDto> {
  return withDatabase(env, async (db) => ({ environment: env.name, heads: (await readDatabaseState(db, project)).heads }));
}

/** Applied revisions whose file changed since they ran, or whose file is gone. */
export async function findFileProblems(project: OpenProject, db: DatabaseSession, heads: readonly string[]): Promise<FileProblemDto[]> {
  const problems: FileProblemDto[] = [];
  for (const h of heads) {
    if (!project.map.has(h)) problems.push({ revision: h, kind: "missing", file: null });
  }
  const applied = new Set(project.map.ancestorsOf(heads.filter((h) => project.map.has(h))));
  const checksums = await readAppliedChecksums(db.knex, { historyTable: db.env.historyTable });
  for (const [revision, checksum] of checksums) {
    const script = project.scripts.get(revision);
    if (!script) {
      if (!heads.includes(revision)) problems.push({ revision, kind: "missing", file: null });
      continue;
    }
    if (applied.has(revision) && checksum && checksum !== script.checksum) {
      problems.push({ revision, kind: "edited", file: relativeFile(project, script.file) });
    }
  }
  return problems;
}

/** One environment's state: heads, what an upgrade to heads would run, and file problems. */
export async function environmentStatus(project: OpenProject, env: EnvironmentConfig, options: StatusOptions = {}): Promise<EnvironmentStatusDto> {
  const base = { environment: env.name, client: env.client, target: env.displayTarget, protected: env.protected };
  let status: EnvironmentStatusDto;
  try {
    status = await withDatabase(env, async (db) => {
      const state = await readDatabaseState(db, project);
      const problems = await findFileProblems(project, db, state.heads);
      const known = state.heads.every((h) => project.map.has(h));
      const pending = state.knex ? state.knex.pending : known ? project.map.planUpgrade(state.heads, "heads").steps.map((s) => s.revision) : [];
      const unresolved = await readUnresolvedRuns(db, project);
      return { ...base, heads: state.heads, pending, problems, error: null, unresolved, ...knexStateDto(state) };
    });
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return { ...base, heads: null, pending: [], problems: [], error: { code: e.code, message: e.message } };
  }
  if (options.drift === false) return status;
  return { ...status, drift: await environmentDrift(project, env) };
}

/** knex mode's gaps and unknown rows for the front ends (issue #15); nothing outside knex mode. */
export function knexStateDto(state: DatabaseState): { readonly knex?: KnexMigrationsDto } {
  if (!state.knex) return {};
  return { knex: { applied: state.knex.applied.length + state.knex.unknown.length, gaps: state.knex.gaps, unknown: state.knex.unknown } };
}

/** Every environment of the project, one after another. */
export async function projectStatus(project: OpenProject, envs: readonly EnvironmentConfig[], options: StatusOptions = {}): Promise<StatusDto> {
  const environments: EnvironmentStatusDto[] = [];
  for (const env of envs) environments.push(await environmentStatus(project, env, options));
  return { environments };
}
