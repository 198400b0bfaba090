import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import * as z from "zod";
import { StrataError } from "../errors.js";
import { DEFAULT_FILE_TEMPLATE, renderFileName } from "../scripts/file-template.js";
import { lineColumnAt } from "../scripts/static-exports.js";
import { findJsonSyntaxError } from "./json-error.js";
import type { ClientName, EnvironmentEntry, ProjectConfig } from "./types.js";

/** The name of a project's config file, at its root. */
export const CONFIG_FILE_NAME = "strata.config.json";

/** Default name of the table holding the current heads. */
export const DEFAULT_VERSION_TABLE = "strata_version";
/** Default name of the table recording every executed step. */
export const DEFAULT_HISTORY_TABLE = "strata_history";

/** Every `client` a config may name, and the knex client Strata uses for it. */
export const CLIENT_ALIASES: Readonly<Record<string, ClientName>> = {
  pg: "pg",
  postgres: "pg",
  postgresql: "pg",
  mysql: "mysql2",
  mysql2: "mysql2",
  mariadb: "mysql2",
  sqlite3: "better-sqlite3",
  sqlite: "better-sqlite3",
  "better-sqlite3": "better-sqlite3",
};

const clientSchema = z
  .enum(Object.keys(CLIENT_ALIASES) as [string, ...string[]], {
    error: (iss) =>
      iss.input === undefined
        ? "required: one of pg, mysql2, better-sqlite3"
        : `expected one of pg, mysql2, better-sqlite3 (got ${JSON.stringify(iss.input)})`,
  })
  .transform((c) => CLIENT_ALIASES[c] as ClientName);

const tableNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, {
  error: "expected a table name (letters, digits, _; optionally schema.table)",
});

/** TLS per environment: a mode in libpq's or MySQL's words (checked per client when resolved, after `${VAR}`) and PEM files. */
const tlsSchema = z.strictObject({
  mode: z.string().min(1, { error: "expected a TLS mode, e.g. \"verify-full\"" }),
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  passphrase: z.string().optional(),
});

/** An SSH tunnel per environment; the private key and known_hosts are files. */
const sshSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1),
  privateKey: z.string().min(1, { error: "expected the private key file's path" }),
  passphrase: z.string().optional(),
  knownHosts: z.string().min(1).optional(),
});

/** The keys of the nested objects, for "unknown key" messages. */
const NESTED_KEYS: Readonly<Record<string, string>> = {
  tls: "mode, ca, cert, key, passphrase",
  knex: "tableName, loadExtensions, sortDirsSeparately, extension",
  ssh: "host, port, user, privateKey, passphrase, knownHosts",
};

const environmentSchema = z.looseObject({
  client: clientSchema,
  connection: z.union([z.string(), z.looseObject({})], { error: "expected a URL string or a knex connection object" }).optional(),
  pool: z.looseObject({}).optional(),
  protected: z.boolean().optional(),
  color: z.string().min(1).optional(),
  versionTable: tableNameSchema.optional(),
  historyTable: tableNameSchema.optional(),
  tls: tlsSchema.optional(),
  ssh: sshSchema.optional(),
  connectTimeoutMs: z.number().int().min(100, { error: "expected milliseconds, at least 100" }).max(600_000, { error: "expected milliseconds, at most 600000" }).optional(),
  statementTimeoutMs: z.number().int().min(1, { error: "expected milliseconds, at least 1" }).max(2_147_483_647).optional(),
});

/** The schema of strata.config.json (DESIGN.md "The project on disk"); only `migrations` is required. */
export const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  migrations: z.string().min(1, { error: "expected the migrations folder, e.g. \"migrations\"" }),
  fileTemplate: z.string().min(1).optional(),
  versionTable: tableNameSchema.optional(),
  historyTable: tableNameSchema.optional(),
  environments: z.record(z.string().min(1), environmentSchema).optional(),
  baseSchema: z.string().min(1, { error: "expected a .sql file or a module exporting async (knex) => ..., e.g. \"db/base.sql\"" }).optional(),
  knex: z
    .strictObject({
      tableName: tableNameSchema.optional(),
      loadExtensions: z.array(z.string().regex(/^\.[A-Za-z0-9.]+$/, { error: "expected extensions such as \".js\"" })).optional(),
      sortDirsSeparately: z.boolean().optional(),
      extension: z.enum(["js", "cjs", "mjs", "ts", "cts", "mts"], { error: "expected js, cjs, mjs, ts, cts or mts" }).optional(),
    })
    .optional(),
  /** Refuse relative steps that Alembic only warns about (issue 20), as `--strict` does. */
  strictTargets: z.boolean().optional(),
});

/** What a base schema may be: a SQL script, or a module knex-style code loads. */
const BASE_SCHEMA_EXTENSIONS = [".sql", ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"];

function describeInput(v: unknown): string {
  if (v === undefined) return "nothing (it is required)";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function formatPath(p: readonly PropertyKey[]): string {
  return p.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
}

/** A path with a NUL byte makes every fs call throw a TypeError; it can only be a mistake. */
function refuseNulByte(p: string): void {
  if (p.includes("\0")) throw new StrataError("CONFIG_NOT_FOUND", `the project folder ${JSON.stringify(p)} contains a NUL character; pass a real folder`, { start: p });
}

/**
 * Walks up from `start` to the folder holding strata.config.json.
 * CONFIG_NOT_FOUND when no folder up to the file system's root has one.
 */
export function findProjectRoot(start: string): string {
  refuseNulByte(start);
  const from = path.resolve(start);
  for (let dir = from; ; ) {
    if (statSync(path.join(dir, CONFIG_FILE_NAME), { throwIfNoEntry: false })?.isFile()) return dir;
    // A knexfile is enough (issue #15 point 7); strata.config.json, if any, wins in the same folder.
    if (findKnexfile(dir) !== undefined) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new StrataError(
    "CONFIG_NOT_FOUND",
    `no ${CONFIG_FILE_NAME} or knexfile in ${from} or any parent; run \`strata init\` or pass --project DIR`,
    { start: from },
  );
}

/** The names a knexfile goes by, in the order knex's CLI looks for them. */
export const KNEXFILE_NAMES: readonly string[] = ["knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs", "knexfile.cts", "knexfile.mts"];

/** The knexfile in `dir`, absolute, if there is one. */
export function findKnexfile(dir: string): string | undefined {
  for (const name of KNEXFILE_NAMES) {
    const file = path.join(dir, name);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  return undefined;
}

/** Reads and validates `root`/strata.config.json (`root` may also name the file itself). */
export function loadConfig(root: string): ProjectConfig {
  refuseNulByte(root);
  let dir = path.resolve(root);
  let file = path.join(dir, CONFIG_FILE_NAME);
  if (path.basename(dir) === CONFIG_FILE_NAME && statSync(dir, { throwIfNoEntry: false })?.isFile()) {
    file = dir;
    dir = path.dirname(dir);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") {
      throw new StrataError(
        "CONFIG_NOT_FOUND",
        `no ${CONFIG_FILE_NAME} in ${dir}; run \`strata init\` there or pass --project DIR`,
        { root: dir },
      );
    }
    throw e;
  }
  return parseConfig(text, dir);
}

/** Parses the text of a strata.config.json whose folder is `root`; CONFIG_INVALID with one line when it is wrong. */
export function parseConfig(text: string, root: string): ProjectConfig {
  const file = path.join(root, CONFIG_FILE_NAME);
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (e) {
    const found = findJsonSyntaxError(source);
    const at = found ? lineColumnAt(source, found.offset) : undefined;
    const reason = found?.reason ?? (e as Error).message;
    throw new StrataError(
      "CONFIG_INVALID",
      `${CONFIG_FILE_NAME}${at ? `:${at.line}:${at.column}` : ""}: ${reason}`,
      { file, line: at?.line, column: at?.column },
    );
  }
  return configFromData(data, root, file, CONFIG_FILE_NAME);
}

/**
 * Validates a config's data (strata.config.json's, or one made from a knexfile) and applies the
 * defaults; `label` names the source in messages ("strata.config.json", "knexfile.js").
 */
export function configFromData(data: unknown, root: string, file: string, label: string): ProjectConfig {
  const parsed = configFileSchema.safeParse(data, {
    error: (iss) => {
      if (iss.code === "invalid_type") {
        const expected = iss.expected === "object" ? "an object" : iss.expected === "array" ? "a list" : `a ${iss.expected}`;
        return iss.input === undefined ? "required" : `expected ${expected}, got ${describeInput(iss.input)}`;
      }
      return undefined;
    },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    let message = issue?.message ?? "invalid";
    if (issue?.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
      const parent = issue.path[issue.path.length - 1];
      // An environment may be called "tls": only a key two levels down (or the top-level "knex") names a nested object.
      const known = typeof parent === "string" && (issue.path.length > 2 || (issue.path.length === 1 && parent === "knex")) ? NESTED_KEYS[parent] : undefined;
      message = `unknown key ${keys}; the keys are ${known ?? "migrations, fileTemplate, versionTable, historyTable, environments, baseSchema, knex, strictTargets"}`;
    }
    const where = issue && issue.path.length > 0 ? `${formatPath(issue.path)}: ` : "";
    throw new StrataError("CONFIG_INVALID", `${label}: ${where}${message}`, {
      file,
      path: issue ? formatPath(issue.path) : "",
    });
  }
  const c = parsed.data;
  if (c.fileTemplate !== undefined) {
    try {
      renderFileName(c.fileTemplate, { rev: "0", slug: "s", date: new Date(0) });
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      throw new StrataError("CONFIG_INVALID", `${label}: ${e.message}`, { file, path: "fileTemplate" });
    }
  }
  const baseSchema = c.baseSchema === undefined ? undefined : checkBaseSchema(c.baseSchema, root, file, label);
  return {
    root,
    configFile: file,
    migrations: c.migrations,
    migrationsDir: path.resolve(root, c.migrations),
    fileTemplate: c.fileTemplate ?? DEFAULT_FILE_TEMPLATE,
    versionTable: c.versionTable ?? DEFAULT_VERSION_TABLE,
    historyTable: c.historyTable ?? DEFAULT_HISTORY_TABLE,
    environments: (c.environments ?? {}) as Readonly<Record<string, EnvironmentEntry>>,
    ...(baseSchema !== undefined ? { baseSchema } : {}),
    ...(c.knex !== undefined ? { knexMigrations: c.knex } : {}),
    ...(c.strictTargets !== undefined ? { strictTargets: c.strictTargets } : {}),
  };
}

/** The base schema's absolute path, or a one-line CONFIG_INVALID where it cannot be one (issue #15 point 6). */
function checkBaseSchema(written: string, root: string, file: string, label: string): string {
  const abs = path.resolve(root, written);
  const ext = path.extname(abs).toLowerCase();
  if (!BASE_SCHEMA_EXTENSIONS.includes(ext)) {
    throw new StrataError(
      "CONFIG_INVALID",
      `${label}: baseSchema: ${JSON.stringify(written)} is neither a .sql file nor a module (.js, .cjs, .mjs, .ts); name a SQL script or a module exporting async (knex) => ...`,
      { file, path: "baseSchema" },
    );
  }
  if (!statSync(abs, { throwIfNoEntry: false })?.isFile()) {
    throw new StrataError("CONFIG_INVALID", `${label}: baseSchema: ${written} does not exist in ${root}; create it or fix the path`, { file, path: "baseSchema" });
  }
  return abs;
}
