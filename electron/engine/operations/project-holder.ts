import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { EnvironmentDto } from "../../../shared/api.js";
import { dialectFor } from "../dialect/index.js";
import { StrataError, isStrataError } from "../errors.js";
import { findProjectRoot } from "../project/index.js";
import type { EnvironmentConfig } from "../project/index.js";
import { openProject, selectEnvironment } from "./open-project.js";
import type { OpenProject } from "./open-project.js";
import type { ProfileStore } from "./profile-store.js";

/** An environment the GUI can pick: how it is shown, and how to get it ready to connect. */
export interface EnvironmentChoice {
  readonly dto: EnvironmentDto;
  readonly resolve: () => EnvironmentConfig;
}

/**
 * The project a GUI host has open. Revision files are reloaded when any of them (or the config)
 * changes on disk, so the screens never show a stale graph or checksum.
 */
export class ProjectHolder {
  private current: { readonly project: OpenProject; readonly stamp: string } | null = null;
  private rootDir: string | null;

  constructor(
    root: string | null,
    private readonly profiles: ProfileStore,
  ) {
    this.rootDir = root;
  }

  /** The open project's folder. */
  get root(): string | null {
    return this.rootDir;
  }

  /** Opens the project at (or above) dir; throws where there is none. */
  async open(dir: string): Promise<OpenProject> {
    const root = findProjectRoot(path.resolve(dir));
    const project = await openProject({ project: root, cwd: root });
    this.rootDir = root;
    this.current = { project, stamp: diskStamp(project.root, project.config.configFile, project.migrationsDir) };
    return project;
  }

  /** The open project, reloaded if its files changed. */
  async project(): Promise<OpenProject> {
    if (this.rootDir === null) {
      throw new StrataError("CONFIG_NOT_FOUND", "no project is open; open a folder that holds strata.config.json (File > Open Project)");
    }
    if (this.current) {
      const { project, stamp } = this.current;
      if (diskStamp(project.root, project.config.configFile, project.migrationsDir) === stamp) return project;
    }
    return this.open(this.rootDir);
  }

  /** Forgets the loaded files so the next call reads them again. */
  invalidate(): void {
    this.current = null;
  }

  /** The project's environments (strata.config.json first), then saved profiles. */
  environments(project: OpenProject): EnvironmentChoice[] {
    const out: EnvironmentChoice[] = [];
    for (const name of Object.keys(project.config.environments)) {
      const entry = project.config.environments[name]!;
      try {
        const env = selectEnvironment(project, name);
        out.push({ dto: toDto(env, "config", null), resolve: () => env });
      } catch (e) {
        if (!isStrataError(e)) throw e;
        const dto: EnvironmentDto = {
          name,
          client: entry.client,
          dialect: dialectFor(entry.client).label,
          displayTarget: "",
          protected: entry.protected ?? false,
          color: entry.color ?? null,
          source: "config",
          error: e.toShape(),
        };
        out.push({ dto, resolve: () => selectEnvironment(project, name) });
      }
    }
    const taken = new Set(out.map((c) => c.dto.name));
    for (const p of this.profiles.list()) {
      const shownName = taken.has(p.name) ? `${p.name} (profile)` : p.name;
      taken.add(shownName);
      const resolve = (): EnvironmentConfig => ({ ...this.profiles.environment(p.id, project.root, project.config), name: shownName });
      out.push({
        dto: {
          name: shownName,
          client: p.client,
          dialect: dialectFor(p.client).label,
          displayTarget: p.displayTarget,
          protected: p.protected,
          color: p.color,
          source: "profile",
          error: null,
        },
        resolve,
      });
    }
    return out;
  }

  /** One environment by name, ready to connect. */
  environment(project: OpenProject, name: string): EnvironmentConfig {
    const choices = this.environments(project);
    const choice = choices.find((c) => c.dto.name === name);
    if (!choice) {
      throw new StrataError("ENV_UNKNOWN", `unknown environment "${name}"; this project has ${choices.map((c) => c.dto.name).join(", ") || "none"}`, {
        env: name,
        known: choices.map((c) => c.dto.name),
      });
    }
    return choice.resolve();
  }
}

function toDto(env: EnvironmentConfig, source: EnvironmentDto["source"], error: EnvironmentDto["error"]): EnvironmentDto {
  return {
    name: env.name,
    client: env.client,
    dialect: dialectFor(env.client).label,
    displayTarget: env.displayTarget,
    protected: env.protected,
    color: env.color ?? null,
    source,
    error,
  };
}

/** Changes whenever the config or a file of the migrations folder is added, removed or written. */
function diskStamp(root: string, configFile: string, migrationsDir: string): string {
  const parts = [root, mtime(configFile), mtime(migrationsDir)];
  let names: string[] = [];
  try {
    names = readdirSync(migrationsDir);
  } catch {
    // A missing folder is reported by openProject on reload.
  }
  for (const n of names) parts.push(n, mtime(path.join(migrationsDir, n)));
  return parts.join("|");
}

function mtime(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return "-";
  }
}
