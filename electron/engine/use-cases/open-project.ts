// use-cases/: what the CLI and the GUI both call (open a project, migrate, resolve, maintain, inspect, create a
// revision, schema diff), each starting from an OpenProject. May import anything in the engine but app-session/
// and demo/; front ends (cli/, server/, app-session/) import it.
import path from "node:path";
import { StrataError } from "../errors.js";
import { findProjectRoot, loadProjectConfig, resolveEnvironment } from "../project/index.js";
import type { EnvironmentConfig, ProjectConfig } from "../project/index.js";
import { loadScriptDirectory } from "../scripts/index.js";
import type { RevisionScript, ScriptDirectory } from "../scripts/types.js";
import { KnexChain, RevisionMap } from "../revisions/index.js";

/** An opened project: its config, its revision files and the graph they form. */
export interface OpenProject {
  readonly root: string;
  readonly config: ProjectConfig;
  readonly migrationsDir: string;
  readonly directory: ScriptDirectory;
  readonly map: RevisionMap;
  readonly scripts: ReadonlyMap<string, RevisionScript>;
  /** A plain knex folder (knex mode, issue #15): its files in knex's order; plans come from it, not from `map`. */
  readonly knex?: KnexChain;
}

/** Where to look for the project: an explicit folder (--project) or a walk up from cwd. */
export interface ProjectLocation {
  readonly project?: string;
  readonly cwd: string;
}

/** Finds strata.config.json (or a knexfile), loads every revision file and builds the graph (validating it). */
export async function openProject(where: ProjectLocation): Promise<OpenProject> {
  const root = where.project ? path.resolve(where.cwd, where.project) : findProjectRoot(where.cwd);
  const config = await loadProjectConfig(root);
  const migrationsDir = path.resolve(root, config.migrations);
  // A knexfile's (or the config's "knex") loadExtensions decides which files knex loads, and so which Strata reads.
  const loadExtensions = config.knexMigrations?.loadExtensions;
  const directory = await loadScriptDirectory(migrationsDir, loadExtensions ? { knexLoadExtensions: loadExtensions } : {});
  const knexMode = directory.mode === "knex";
  const map = RevisionMap.build(directory.scripts, { anyIdCharacters: knexMode });
  const scripts = new Map(directory.scripts.map((s) => [s.revision, s] as const));
  const knex = knexMode ? knexChainOf(directory) : undefined;
  return { root, config, migrationsDir, directory, map, scripts, ...(knex ? { knex } : {}) };
}

/** A knex folder's chain: ids in file order, each with the name knex stores for it. */
export function knexChainOf(directory: ScriptDirectory): KnexChain {
  return new KnexChain(
    directory.scripts.map((s) => s.revision),
    new Map(directory.scripts.map((s) => [s.revision, s.knexName ?? s.revision] as const)),
  );
}

/** The environment named by --env or --url (or the project's default). */
export function selectEnvironment(project: OpenProject, name?: string, url?: string): EnvironmentConfig {
  return resolveEnvironment(project.config, name, url);
}

/** A path as a person reads it: relative to the project root. */
export function relativeFile(project: OpenProject, file: string | undefined): string | null {
  return file ? path.relative(project.root, file) : null;
}

/** Resolves what the person typed or clicked (id, prefix, label@head) to one revision; several is TARGET_AMBIGUOUS. */
export function resolveOneRevision(project: OpenProject, ref: string): string {
  const ids = project.map.resolve(ref);
  if (ids.length !== 1) {
    throw new StrataError("TARGET_AMBIGUOUS", `"${ref}" names ${ids.length} revisions (${ids.join(", ")}); pick one`, { target: ref, revisions: ids });
  }
  return ids[0]!;
}
