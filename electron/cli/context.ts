import type { Command } from "commander";
import { openProject, selectEnvironment } from "../engine/use-cases/open-project.js";
import type { OpenProject } from "../engine/use-cases/open-project.js";
import { protectEnvironment, protectedRoutesOf } from "../engine/project/database-protection.js";
import { knexfileNotice } from "../engine/project/index.js";
import type { EnvironmentConfig } from "../engine/project/index.js";
import { Output } from "./output.js";

function protect(project: OpenProject, env: EnvironmentConfig): Promise<EnvironmentConfig> {
  return protectEnvironment(env, protectedRoutesOf(project.config));
}

/** The options every command takes (DESIGN.md "CLI"). */
export interface GlobalOptions {
  readonly project?: string;
  readonly env?: string;
  readonly url?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** What a command's action works with: its options, the output, and lazy access to the project. */
export class CommandContext {
  readonly options: GlobalOptions;
  readonly out: Output;
  private projectPromise: Promise<OpenProject> | null = null;

  constructor(cmd: Command) {
    this.options = cmd.optsWithGlobals<GlobalOptions>();
    this.out = new Output(Boolean(this.options.json));
  }

  project(): Promise<OpenProject> {
    this.projectPromise ??= openProject({ project: this.options.project, cwd: process.cwd() }).then((project) => {
      // Said even with --quiet: which file the environments came from is not progress (issue #15 point 7).
      const notice = knexfileNotice(project.config);
      if (notice !== null) process.stderr.write(`strata: ${notice}\n`);
      return project;
    });
    return this.projectPromise;
  }

  /**
   * The environment of --env / --url (or the project's default one), protected where it reaches
   * the database of a protected environment of the config, whatever it is called (issue 14).
   */
  async environment(): Promise<{ project: OpenProject; env: EnvironmentConfig }> {
    const project = await this.project();
    return { project, env: await protect(project, selectEnvironment(project, this.options.env, this.options.url)) };
  }

  /** Every environment of the config, or just the one --env / --url names (protected as environment() does). */
  async environments(): Promise<{ project: OpenProject; envs: EnvironmentConfig[] }> {
    const project = await this.project();
    if (this.options.env || this.options.url) return { project, envs: [await protect(project, selectEnvironment(project, this.options.env, this.options.url))] };
    const names = Object.keys(project.config.environments ?? {});
    return { project, envs: await Promise.all(names.map((n) => protect(project, selectEnvironment(project, n)))) };
  }
}

/** Relative targets such as -1 look like options to any argv parser; main.ts escapes them and this restores them. */
export const NEGATIVE_TARGET_PREFIX = "\u0000rel";

export function decodeTarget(arg: string): string {
  return arg.startsWith(NEGATIVE_TARGET_PREFIX) ? arg.slice(NEGATIVE_TARGET_PREFIX.length) : arg;
}
