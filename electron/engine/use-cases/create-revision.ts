import path from "node:path";
import { StrataError } from "../errors.js";
import { readFileSync } from "node:fs";
import { DEFAULT_KNEX_STYLE, knexMigrationName, knexModuleStyle, newRevisionId, writeKnexMigrationFile, writeRevisionFile } from "../scripts/index.js";
import type { KnexModuleStyle } from "../scripts/index.js";
import type { OpenProject } from "./open-project.js";

/** What `strata revision` was asked for. */
export interface NewRevisionRequest {
  readonly message: string;
  /** Parent: "head" (default), "base", a revision, LABEL@head ... */
  readonly head?: string;
  readonly branchLabels?: readonly string[];
  readonly dependsOn?: readonly string[];
  /** Allow a parent that is not a head (starting a branch). */
  readonly splice?: boolean;
  readonly revisionId?: string;
  readonly upBody?: string;
  readonly downBody?: string;
}

/** The file that was written. */
export interface CreatedRevision {
  readonly revision: string;
  readonly downRevisions: readonly string[];
  readonly file: string;
}

function resolveSingle(project: OpenProject, target: string, what: string): string[] {
  const ids = project.map.resolve(target);
  if (ids.length > 1) {
    throw new StrataError("MULTIPLE_HEADS", `${what} "${target}" is ${ids.length} revisions (${ids.join(", ")}); name one, or merge them first with \`strata merge -m MSG heads\``, { heads: ids });
  }
  return [...ids];
}

/**
 * A chosen id (--rev-id) becomes part of the file name: one with "/" or ".." would write outside
 * the migrations folder, a long one fails with ENAMETOOLONG, and "-", "@", "+", ":" break targets.
 */
function checkRevisionId(id: string): string {
  if (!/^[A-Za-z0-9_]{1,100}$/.test(id)) {
    throw new StrataError("USAGE", `--rev-id ${JSON.stringify(id.length > 40 ? `${id.slice(0, 37)}...` : id)} is not a revision id; use 1 to 100 letters, digits and '_'`, { revision: id.slice(0, 100) });
  }
  return id;
}

function checkLabelsFree(project: OpenProject, labels: readonly string[]): void {
  for (const label of labels) {
    const owner = project.map.records.find((r) => r.branchLabels.includes(label));
    if (owner) throw new StrataError("BRANCH_LABEL_DUPLICATE", `branch label "${label}" is already used by revision ${owner.revision}; choose another`);
  }
}

function resolveDependencies(project: OpenProject, deps: readonly string[]): string[] {
  return deps.map((d) => {
    // A branch label stays a label (it follows the branch); anything else is pinned to its full id.
    if (project.map.records.some((r) => r.branchLabels.includes(d))) return d;
    const ids = project.map.resolve(d);
    if (ids.length !== 1) throw new StrataError("TARGET_INVALID", `--depends-on ${d} names ${ids.length} revisions; name exactly one`);
    return ids[0]!;
  });
}

/**
 * Whether new revisions of the project are knex migrations: a knex-mode folder, or an empty one
 * whose project came from a knexfile (issue #15 point 4).
 */
export function writesKnexMigrations(project: OpenProject): boolean {
  return project.directory.mode === "knex" || (project.directory.scripts.length === 0 && project.config.knexMigrations !== undefined);
}

/** One line refusing what a linear knex folder cannot hold. */
function refuseInKnexFolder(project: OpenProject, what: string): StrataError {
  return new StrataError(
    "NOT_SUPPORTED",
    `${what} is not possible in ${path.relative(project.root, project.migrationsDir) || "."}/: a knex migrations folder is one linear chain; \`strata adopt\` moves the project onto Strata's revision graph, where branches, labels and merges are`,
    { mode: "knex" },
  );
}

/** The newest file's module style (the folder's last file in knex's order); in an empty folder, knex's `extension` setting or default. */
function styleOfNewest(project: OpenProject): KnexModuleStyle {
  const newest = project.directory.scripts.at(-1);
  if (newest) return knexModuleStyle(newest.file, readFileSync(newest.file, "utf8"));
  const extension = project.config.knexMigrations?.extension;
  return extension === undefined ? DEFAULT_KNEX_STYLE : knexModuleStyle(`new.${extension}`, "");
}

/** `strata revision` in a knex folder: a knex migration, linear on the last file, with up/down only. */
async function createKnexMigration(project: OpenProject, req: NewRevisionRequest): Promise<CreatedRevision> {
  if (req.branchLabels?.length) throw refuseInKnexFolder(project, "--branch-label");
  if (req.dependsOn?.length) throw refuseInKnexFolder(project, "--depends-on");
  if (req.splice) throw refuseInKnexFolder(project, "--splice (a branch)");
  if (req.revisionId !== undefined) {
    throw new StrataError("NOT_SUPPORTED", "--rev-id does not apply to a knex migrations folder: a knex migration's id is its file name (YYYYMMDDHHMMSS_slug)", { mode: "knex" });
  }
  const last = project.directory.scripts.at(-1)?.revision;
  const head = req.head ?? "head";
  if (head !== "head") {
    const named = head === "base" ? [] : resolveSingle(project, head, "--head");
    if (named[0] !== last) throw refuseInKnexFolder(project, `--head ${head} (a parent other than the last file, ${last ?? "none"})`);
  }
  const now = new Date();
  const name = knexMigrationName(req.message, now);
  // knex runs files in name order: a name that sorts before the last file would not be linear on it.
  if (last !== undefined && !(name > last)) {
    throw new StrataError(
      "NOT_SUPPORTED",
      `the new migration ${name} would sort before the last file ${last}, so knex would not run it last; rename the folder's files to knex's YYYYMMDDHHMMSS_name style or write this one by hand`,
      { revision: name, last },
    );
  }
  if (project.map.has(name)) throw new StrataError("REVISION_DUPLICATE", `revision ${name} already exists; wait a second or pick another message`);
  const file = await writeKnexMigrationFile({ dir: project.migrationsDir, message: req.message, style: styleOfNewest(project), now, upBody: req.upBody, downBody: req.downBody });
  return { revision: name, downRevisions: last === undefined ? [] : [last], file: path.relative(project.root, file) };
}

/** Writes a new, empty revision on the current head (or where --head says), as Alembic's `revision` does. */
export async function createRevision(project: OpenProject, req: NewRevisionRequest): Promise<CreatedRevision> {
  if (!req.message.trim()) throw new StrataError("USAGE", "a revision needs a message: -m \"what it does\"");
  if (writesKnexMigrations(project)) return createKnexMigration(project, req);
  const headArg = req.head ?? "head";
  let parents: string[];
  if (headArg === "base") parents = [];
  else if (headArg === "head" && project.map.heads.length === 0) parents = [];
  else parents = resolveSingle(project, headArg, "--head");
  for (const p of parents) {
    if (!req.splice && !project.map.heads.includes(p)) {
      throw new StrataError("TARGET_INVALID", `revision ${p} is not a head; pass --splice to start a new branch from it`);
    }
  }
  const labels = req.branchLabels ?? [];
  checkLabelsFree(project, labels);
  const dependsOn = resolveDependencies(project, req.dependsOn ?? []);
  const revision = req.revisionId === undefined ? newRevisionId() : checkRevisionId(req.revisionId);
  if (project.map.has(revision)) throw new StrataError("REVISION_DUPLICATE", `revision id ${revision} already exists; choose another`);
  const file = await writeRevisionFile({
    dir: project.migrationsDir,
    fileTemplate: project.config.fileTemplate,
    revision,
    downRevisions: parents,
    branchLabels: labels,
    dependsOn,
    message: req.message,
    upBody: req.upBody,
    downBody: req.downBody,
  });
  return { revision, downRevisions: parents, file: path.relative(project.root, file) };
}

/** Writes a merge revision whose down-revisions are the given revisions ("heads" for all heads). */
export async function createMerge(project: OpenProject, message: string, revs: readonly string[], revisionId?: string): Promise<CreatedRevision> {
  if (!message.trim()) throw new StrataError("USAGE", "a merge needs a message: -m \"what it joins\"");
  if (writesKnexMigrations(project)) throw refuseInKnexFolder(project, "a merge");
  const ids = new Set<string>();
  for (const r of revs) for (const id of project.map.resolve(r)) ids.add(id);
  if (ids.size < 2) {
    throw new StrataError("TARGET_INVALID", `a merge needs at least two revisions; ${[...revs].join(" ")} gives ${ids.size === 0 ? "none" : [...ids].join(", ")}`);
  }
  const revision = revisionId === undefined ? newRevisionId() : checkRevisionId(revisionId);
  if (project.map.has(revision)) throw new StrataError("REVISION_DUPLICATE", `revision id ${revision} already exists; choose another`);
  const parents = [...ids];
  const file = await writeRevisionFile({
    dir: project.migrationsDir,
    fileTemplate: project.config.fileTemplate,
    revision,
    downRevisions: parents,
    message,
  });
  return { revision, downRevisions: parents, file: path.relative(project.root, file) };
}
