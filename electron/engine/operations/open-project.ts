import path from "node:path";
import { findProjectRoot, loadProjectConfig, resolveEnvironment } from "../project/index.js";
import type { EnvironmentConfig, ProjectConfig } from "../project/index.js";
import { loadScriptDirectory } from "../scripts/index.js";
import type { RevisionScript, ScriptDirectory } from "../scripts/types.js";
import { RevisionMap } from "../revisions/index.js";

/** An opened project: its config, its revision files and the graph they form. */
export interface OpenProject {
  readonly root: string;
  readonly config: ProjectConfig;
  readonly migrationsDir: string;
  readonly directory: ScriptDirectory;
  readonly map: RevisionMap;
  readonly scripts: ReadonlyMap<string, RevisionScript>;
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
  const directory = await loadScriptDirectory(migrationsDir);
  const map = RevisionMap.build(directory.scripts);
  const scripts = new Map(directory.scripts.map((s) => [s.revision, s] as const));
  return { root, config, migrationsDir, directory, map, scripts };
}

/** The environment named by --env or --url (or the project's default). */
export function selectEnvironment(project: OpenProject, name?: string, url?: string): EnvironmentConfig {
  return resolveEnvironment(project.config, name, url);
}

/** A path as a person reads it: relative to the project root. */
export function relativeFile(project: OpenProject, file: string | undefined): string | null {
  return file ? path.relative(project.root, file) : null;
}
