import { readFileSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { StrataError, isStrataError } from "../errors.js";
import { evaluateRevision } from "../scripts/module-evaluator.js";
import { CONFIG_FILE_NAME, DEFAULT_HISTORY_TABLE, DEFAULT_VERSION_TABLE, configFromData, findKnexfile, loadConfig } from "./config-file.js";
import type { ProjectConfig } from "./types.js";

/** The folder knex reads migrations from when a knexfile names none. */
const KNEX_DEFAULT_DIRECTORY = "./migrations";

/** Keys of a knex config that are knex's tooling, not the connection; they do not become environment keys. */
const TOOLING_KEYS = new Set(["migrations", "seeds"]);

/**
 * The project's config: strata.config.json where there is one, else one made from the folder's
 * knexfile (issue #15 point 7); CONFIG_NOT_FOUND where there is neither.
 */
export async function loadProjectConfig(root: string): Promise<ProjectConfig> {
  const dir = path.resolve(root);
  // A path that is no folder (--project naming strata.config.json itself, or any file) is loadConfig's to judge and word.
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return loadConfig(dir);
  if (statSync(path.join(dir, CONFIG_FILE_NAME), { throwIfNoEntry: false })?.isFile()) return loadConfig(dir);
  const knexfile = findKnexfile(dir);
  return knexfile === undefined ? loadConfig(dir) : loadKnexfileConfig(knexfile);
}

/** The one line the CLI prints when it took a knexfile for the config. */
export function knexfileNotice(config: ProjectConfig): string | null {
  if (config.knexfile === undefined) return null;
  return `no ${CONFIG_FILE_NAME}; using ${path.basename(config.knexfile)} (environments: ${Object.keys(config.environments).join(", ")})`;
}

/**
 * A knexfile read as Strata's config: its environments (one exported config is one environment,
 * "default"; an object of configs is one environment each; a function export is called first),
 * `migrations.directory` (default ./migrations) and knex's tableName, loadExtensions and
 * sortDirsSeparately. The file is evaluated with the loader revision files use.
 */
export async function loadKnexfileConfig(file: string): Promise<ProjectConfig> {
  const label = path.basename(file);
  const root = path.dirname(file);
  const environments = await readKnexfileEnvironments(file, label);
  const names = Object.keys(environments);
  // The migrations settings of the environment knex would use without NODE_ENV, else of the first that has them.
  const withMigrations = ["development", ...names].map((n) => environments[n]).find((e) => e !== undefined && isObject(e.migrations));
  const migrations = (withMigrations?.migrations ?? {}) as Record<string, unknown>;
  const directory = migrationsDirectory(migrations.directory, label);
  const knex = {
    ...(migrations.tableName !== undefined ? { tableName: migrations.tableName } : {}),
    ...(migrations.loadExtensions !== undefined ? { loadExtensions: migrations.loadExtensions } : {}),
    ...(migrations.sortDirsSeparately !== undefined ? { sortDirsSeparately: migrations.sortDirsSeparately } : {}),
    // As knex's migrate:make: the configured extension, else the knexfile's own.
    extension: migrations.extension ?? path.extname(file).slice(1),
  };
  const data = {
    migrations: directory,
    environments: Object.fromEntries(names.map((n) => [n, Object.fromEntries(Object.entries(environments[n]!).filter(([k]) => !TOOLING_KEYS.has(k)))])),
    knex,
  };
  return { ...configFromData(data, root, file, label), knexfile: file };
}

async function readKnexfileEnvironments(file: string, label: string): Promise<Record<string, Record<string, unknown>>> {
  let exported: Record<string, unknown>;
  try {
    exported = await evaluateRevision(file, readFileSync(file, "utf8"), label);
  } catch (e) {
    if (!isStrataError(e)) throw e;
    // The loader's message already names the knexfile and the line.
    throw new StrataError("CONFIG_INVALID", `${e.message}; fix the knexfile or write a ${CONFIG_FILE_NAME}`, { file });
  }
  const ownKeys = Object.keys(exported).filter((k) => k !== "__esModule");
  let value: unknown = ownKeys.length === 1 && ownKeys[0] === "default" ? exported.default : exported;
  if (typeof value === "function") {
    try {
      value = await (value as () => unknown)();
    } catch (e) {
      throw new StrataError("CONFIG_INVALID", `${label}: the exported function threw: ${firstLine(e)}; fix the knexfile or write a ${CONFIG_FILE_NAME}`, { file });
    }
  }
  if (isObject(value) && typeof value.client === "string") return { default: value };
  const environments = isObject(value) ? Object.fromEntries(Object.entries(value).filter(([, v]) => isObject(v) && "client" in v)) : {};
  if (Object.keys(environments).length === 0) {
    throw new StrataError(
      "CONFIG_INVALID",
      `${label} has no environments: export one knex config ({ client, connection }) or one per environment ({ development: {...}, production: {...} })`,
      { file },
    );
  }
  return environments as Record<string, Record<string, unknown>>;
}

function migrationsDirectory(directory: unknown, label: string): string {
  if (directory === undefined) return KNEX_DEFAULT_DIRECTORY;
  const list = Array.isArray(directory) ? directory : [directory];
  if (list.length !== 1 || typeof list[0] !== "string" || list[0] === "") {
    throw new StrataError(
      "CONFIG_INVALID",
      `${label}: migrations.directory must name one folder (Strata reads one migrations folder), not ${JSON.stringify(directory)}`,
      { path: "migrations.directory" },
    );
  }
  return list[0];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}

/** What {@link initFromKnexfile} wrote. */
export interface InitFromKnexfileResult {
  readonly root: string;
  readonly created: readonly string[];
  readonly knexfile: string;
  readonly environments: readonly string[];
  /** Settings JSON cannot hold (functions such as pool.afterCreate), as paths: they stay the knexfile's. */
  readonly dropped: readonly string[];
}

/** Shell variables whose value may equal a connection's by chance: never written back as `${NAME}`. */
const SHELL_VARIABLES = new Set(["PWD", "OLDPWD", "HOME", "USER", "LOGNAME", "SHELL", "PATH", "TERM", "LANG", "HOSTNAME", "_"]);

/**
 * `strata init --from-knexfile`: writes the strata.config.json equivalent to the folder's
 * knexfile. A value that came from an environment variable is written as `${NAME}`, so no
 * secret the knexfile read from the environment lands in the repository.
 */
export async function initFromKnexfile(dir: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<InitFromKnexfileResult> {
  const root = path.resolve(dir);
  const knexfile = findKnexfile(root);
  if (knexfile === undefined) {
    throw new StrataError("CONFIG_NOT_FOUND", `no knexfile (knexfile.js, knexfile.ts, ...) in ${root}; run it in the folder that holds the knexfile`, { root });
  }
  const config = await loadKnexfileConfig(knexfile);
  const dropped: string[] = [];
  const variables = Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].length >= 4 && !SHELL_VARIABLES.has(e[0])).sort(([a], [b]) => (a < b ? -1 : 1));
  const jsonSafe = (v: unknown, at: string): unknown => {
    if (typeof v === "function") {
      dropped.push(at);
      return undefined;
    }
    if (typeof v === "string") {
      const from = variables.find(([, value]) => value === v);
      return from ? `\${${from[0]}}` : v;
    }
    if (Array.isArray(v)) return v.map((x, i) => jsonSafe(x, `${at}[${i}]`));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x, `${at}.${k}`)]).filter(([, x]) => x !== undefined));
    return v;
  };
  const text = {
    migrations: config.migrations,
    versionTable: DEFAULT_VERSION_TABLE,
    historyTable: DEFAULT_HISTORY_TABLE,
    ...(config.knexMigrations && Object.keys(config.knexMigrations).length > 0 ? { knex: config.knexMigrations } : {}),
    environments: jsonSafe(config.environments, "environments"),
  };
  const file = path.join(root, CONFIG_FILE_NAME);
  try {
    await writeFile(file, `${JSON.stringify(text, null, 2)}\n`, { encoding: "utf8", flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      throw new StrataError("FILE_EXISTS", `${file} already exists; this folder is already a Strata project (edit the file instead)`, { file });
    }
    throw e;
  }
  return { root, created: [file], knexfile, environments: Object.keys(config.environments), dropped };
}
