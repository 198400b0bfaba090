import { mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { StrataError } from "../errors.js";
import { DEFAULT_FILE_TEMPLATE } from "../scripts/file-template.js";
import { CONFIG_FILE_NAME, DEFAULT_HISTORY_TABLE, DEFAULT_VERSION_TABLE } from "./config-file.js";

/** What {@link initProject} made. */
export interface InitProjectResult {
  /** The project's root, absolute. */
  readonly root: string;
  /** Absolute paths of what was created (an existing migrations folder is kept and not listed). */
  readonly created: readonly string[];
}

/** The config a new project starts with: a SQLite "dev" environment next to the config. */
export function defaultConfigText(): string {
  const config = {
    migrations: "migrations",
    fileTemplate: DEFAULT_FILE_TEMPLATE,
    versionTable: DEFAULT_VERSION_TABLE,
    historyTable: DEFAULT_HISTORY_TABLE,
    environments: {
      dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } },
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Scaffolds strata.config.json and migrations/ in `dir` (made if missing); FILE_EXISTS if a config is already there. */
export async function initProject(dir: string): Promise<InitProjectResult> {
  const root = path.resolve(dir);
  const created: string[] = [];
  if (!(await isDirectory(root))) {
    await mkdir(root, { recursive: true });
    created.push(root);
  }
  const configFile = path.join(root, CONFIG_FILE_NAME);
  try {
    await writeFile(configFile, defaultConfigText(), { encoding: "utf8", flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      throw new StrataError("FILE_EXISTS", `${configFile} already exists; this folder is already a Strata project (edit the file instead)`, {
        file: configFile,
      });
    }
    throw e;
  }
  created.push(configFile);
  const migrations = path.join(root, "migrations");
  if (!(await isDirectory(migrations))) {
    await mkdir(migrations, { recursive: true });
    created.push(migrations);
  }
  return { root, created };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
