import os from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { StrataError, assertNever } from "../errors.js";
import { DEFAULT_HISTORY_TABLE, DEFAULT_VERSION_TABLE } from "./config-file.js";
import { parseTlsMode, resolveUserPath, takeTlsParams } from "./tls.js";
import type { TlsFields } from "./tls.js";
import type { ClientName, ConnectionSecurity, EnvironmentConfig, EnvironmentEntry, ProjectConfig, SshSettings, TlsSettings } from "./types.js";

/** What {@link resolveEnvironment} reads besides the config; injectable for tests and the GUI. */
export interface ResolveEnvironmentOptions {
  /** Where `${NAME}` values come from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The folder a relative SQLite path in `--url` is relative to (default: process.cwd()). */
  readonly cwd?: string;
}

/** The name given to the environment made from `--url`. */
export const URL_ENVIRONMENT_NAME = "url";

/** Keys of an environment that are Strata's, not knex's. */
const STRATA_KEYS = new Set(["client", "connection", "protected", "color", "versionTable", "historyTable", "tls", "ssh", "connectTimeoutMs", "statementTimeoutMs"]);

const DEFAULT_PORTS: Readonly<Record<Exclude<ClientName, "better-sqlite3">, number>> = { pg: 5432, mysql2: 3306 };

/**
 * Picks an environment and makes it ready to connect. With `url`, an environment named "url"
 * is made from it; otherwise `name`, or the only environment, or the one called "dev".
 */
export function resolveEnvironment(
  config: ProjectConfig | null,
  name?: string,
  url?: string,
  options: ResolveEnvironmentOptions = {},
): EnvironmentConfig {
  const env = options.env ?? process.env;
  const versionTable = config?.versionTable ?? DEFAULT_VERSION_TABLE;
  const historyTable = config?.historyTable ?? DEFAULT_HISTORY_TABLE;
  if (url !== undefined) {
    if (name !== undefined) throw new StrataError("USAGE", "pass --env NAME or --url URL, not both", { env: name });
    return environmentFromUrl(url, { cwd: options.cwd ?? process.cwd(), versionTable, historyTable });
  }
  if (config === null) {
    throw new StrataError("USAGE", "no project to take environments from; pass --url URL or --project DIR", {});
  }
  const chosen = chooseEnvironment(config, name, env);
  const entry = substituteVariables(config.environments[chosen] as EnvironmentEntry, chosen, env);
  return buildEnvironment(chosen, entry, config, versionTable, historyTable);
}

function chooseEnvironment(config: ProjectConfig, name: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const names = Object.keys(config.environments);
  // A knexfile's environment is picked as knex picks it: NODE_ENV, else development (issue #15 point 7).
  const knexDefault = env.NODE_ENV || "development";
  if (name === undefined && config.knexfile !== undefined && Object.hasOwn(config.environments, knexDefault)) return knexDefault;
  if (name !== undefined) {
    if (Object.hasOwn(config.environments, name)) return name;
    throw new StrataError(
      "ENV_UNKNOWN",
      names.length === 0
        ? `unknown environment "${name}": ${configName(config)} defines none; add it under "environments"`
        : `unknown environment "${name}"; ${configName(config)} defines ${names.join(", ")}`,
      { env: name, known: names },
    );
  }
  if (names.length === 1) return names[0] as string;
  if (names.length === 0) {
    throw new StrataError("USAGE", `strata.config.json defines no environments; add one under "environments" or pass --url URL`, { known: [] });
  }
  if (names.includes("dev")) return "dev";
  throw new StrataError("USAGE", `${configName(config)} defines several environments (${names.join(", ")}); pick one with --env NAME`, {
    known: names,
  });
}

/** How messages name the file the environments come from. */
function configName(config: ProjectConfig): string {
  return config.knexfile === undefined ? "strata.config.json" : path.basename(config.knexfile);
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${NAME}` (and `${NAME:-default}`) in every string of an environment. */
function substituteVariables(entry: EnvironmentEntry, envName: string, env: Readonly<Record<string, string | undefined>>): EnvironmentEntry {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      return v.replace(VARIABLE, (_m, variable: string, fallback: string | undefined) => {
        const value = env[variable];
        if (value !== undefined) return value;
        if (fallback !== undefined) return fallback;
        throw new StrataError(
          "ENV_VARIABLE_MISSING",
          `environment "${envName}" needs the environment variable ${variable}, which is not set; set it or change strata.config.json`,
          { env: envName, variable },
        );
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(entry) as EnvironmentEntry;
}

function buildEnvironment(
  name: string,
  entry: EnvironmentEntry,
  config: ProjectConfig,
  defaultVersionTable: string,
  defaultHistoryTable: string,
): EnvironmentConfig {
  const client = entry.client;
  const passThrough = Object.fromEntries(Object.entries(entry).filter(([k]) => !STRATA_KEYS.has(k)));
  const target = connectionFor(client, entry.connection, config.root, name);
  const security = resolveSecurity(client, entry as SecurityEntry, target.tls, config.root, `strata.config.json: environments.${name}`);
  const knexConfig: Knex.Config = { ...passThrough, client, connection: target.connection as Knex.Config["connection"] };
  if (client === "better-sqlite3" && knexConfig.useNullAsDefault === undefined) knexConfig.useNullAsDefault = true;
  return {
    name,
    client,
    knexConfig,
    protected: entry.protected ?? false,
    ...(entry.color !== undefined ? { color: entry.color } : {}),
    versionTable: entry.versionTable ?? defaultVersionTable,
    historyTable: entry.historyTable ?? defaultHistoryTable,
    displayTarget: target.display,
    ...security,
  };
}

/** An environment's connection-security keys as written (strings still relative, mode not yet checked). */
export interface SecurityEntry {
  readonly tls?: { readonly mode?: string; readonly ca?: string; readonly cert?: string; readonly key?: string; readonly passphrase?: string };
  readonly ssh?: { readonly host: string; readonly port?: number; readonly user: string; readonly privateKey: string; readonly passphrase?: string; readonly knownHosts?: string };
  readonly connectTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
}

/**
 * TLS, SSH and timeouts made ready to connect: the mode checked for the client, files made
 * absolute (relative to `base`, `~/` to the home folder). TLS keys from the URL are overridden by
 * `tls`'s. A TLS setting without a mode means "prefer", the default of libpq and MySQL alike.
 * `where` prefixes messages (e.g. "strata.config.json: environments.prod").
 */
export function resolveSecurity(client: ClientName, entry: SecurityEntry, urlTls: TlsFields | undefined, base: string, where: string): ConnectionSecurity {
  const at = (key: string): string => (where.startsWith("--") ? `${where} (${key})` : `${where}.${key}`);
  const out: { tls?: TlsSettings; ssh?: SshSettings; connectTimeoutMs?: number; statementTimeoutMs?: number } = {};
  if (entry.connectTimeoutMs !== undefined) out.connectTimeoutMs = entry.connectTimeoutMs;
  const tlsFields: TlsFields = { ...urlTls };
  for (const [k, v] of Object.entries(entry.tls ?? {})) if (v !== undefined) tlsFields[k as keyof TlsFields] = v;
  const wanted = Object.keys(tlsFields).length > 0 || entry.tls !== undefined;
  if (client === "better-sqlite3") {
    const which = wanted ? "tls" : entry.ssh !== undefined ? "ssh" : entry.statementTimeoutMs !== undefined ? "statementTimeoutMs" : null;
    if (which) {
      throw new StrataError("CONFIG_INVALID", `${at(which)}: applies to PostgreSQL and MySQL/MariaDB servers, not to a SQLite file; remove it`, { key: which });
    }
    return out;
  }
  if (entry.statementTimeoutMs !== undefined) out.statementTimeoutMs = entry.statementTimeoutMs;
  if (wanted) {
    const mode = parseTlsMode(tlsFields.mode ?? "prefer", client, at("tls.mode"));
    out.tls = {
      mode,
      ...(tlsFields.ca ? { ca: resolveUserPath(tlsFields.ca, base) } : {}),
      ...(tlsFields.cert ? { cert: resolveUserPath(tlsFields.cert, base) } : {}),
      ...(tlsFields.key ? { key: resolveUserPath(tlsFields.key, base) } : {}),
      ...(tlsFields.passphrase !== undefined ? { passphrase: tlsFields.passphrase } : {}),
    };
  }
  if (entry.ssh !== undefined) {
    const s = entry.ssh;
    out.ssh = {
      host: s.host,
      port: s.port ?? 22,
      user: s.user,
      privateKey: resolveUserPath(s.privateKey, base),
      ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}),
      knownHosts: s.knownHosts !== undefined ? resolveUserPath(s.knownHosts, base) : path.join(os.homedir(), ".ssh", "known_hosts"),
    };
  }
  return out;
}

interface ResolvedConnection {
  readonly connection: Record<string, unknown>;
  readonly display: string;
  /** TLS settings the URL carried (sslmode=..., ssl-mode=...), taken out of the driver's options. */
  readonly tls?: TlsFields;
}

/** A connection as written (URL or object) made into a knex connection object, with how to show it. */
function connectionFor(client: ClientName, written: EnvironmentEntry["connection"], root: string, envName: string): ResolvedConnection {
  switch (client) {
    case "better-sqlite3": {
      let filename: string;
      let rest: Record<string, unknown> = {};
      if (written === undefined) {
        throw new StrataError("CONFIG_INVALID", `strata.config.json: environments.${envName}.connection: required: { "filename": "dev.sqlite3" }`, {
          env: envName,
        });
      } else if (typeof written === "string") {
        filename = sqliteFileFromUrl(written) ?? written;
        // A server URL (also inside "sqlite:${DATABASE_URL}") would become a file named after it, its password shown as the target.
        const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(written)?.[1] ?? /^([a-z][a-z0-9+.-]+):\/\/?[^/]/i.exec(filename)?.[1];
        if (scheme !== undefined && !/^(sqlite3?|file)$/i.test(scheme)) {
          throw new StrataError("CONFIG_INVALID", `strata.config.json: environments.${envName}.connection: a ${scheme}:// URL for a SQLite environment; change its client or give the SQLite file`, {
            env: envName,
          });
        }
      } else {
        const f = written.filename;
        if (typeof f !== "string" || f === "") {
          throw new StrataError("CONFIG_INVALID", `strata.config.json: environments.${envName}.connection.filename: expected the SQLite file's path`, {
            env: envName,
          });
        }
        filename = f;
        rest = { ...written };
      }
      return sqliteConnection(filename, root, rest);
    }
    case "pg":
    case "mysql2": {
      if (written === undefined) {
        throw new StrataError("CONFIG_INVALID", `strata.config.json: environments.${envName}.connection: required: a URL or { host, user, database, ... }`, {
          env: envName,
        });
      }
      const tls: TlsFields = {};
      const connection = typeof written === "string" ? serverConnectionFromUrl(client, written, envName, tls) : { ...written };
      // An object may still carry its target as a URL (pg's connectionString); show that one.
      const shown =
        typeof connection.connectionString === "string" && connection.host === undefined
          ? { ...serverConnectionFromUrl(client, connection.connectionString, envName, tls), ...connection }
          : connection;
      if (typeof written !== "string" && typeof connection.connectionString === "string") {
        connection.connectionString = withoutTlsParams(client, connection.connectionString, tls);
      }
      return { connection, display: serverDisplay(client, shown), tls };
    }
    default:
      return assertNever(client);
  }
}

function sqliteConnection(filename: string, base: string, rest: Record<string, unknown>): ResolvedConnection {
  if (filename === ":memory:" || filename.startsWith("file:")) {
    return { connection: { ...rest, filename }, display: filename };
  }
  const absolute = path.resolve(base, filename);
  const rel = path.relative(base, absolute);
  const display = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : absolute;
  return { connection: { ...rest, filename: absolute }, display };
}

/** The file of a `sqlite:` URL (`sqlite:///abs/path`, `sqlite:relative`, `sqlite::memory:`); undefined if it is not one. */
function sqliteFileFromUrl(url: string): string | undefined {
  const m = /^sqlite3?:(.*)$/i.exec(url);
  if (!m) return undefined;
  let rest = m[1] as string;
  if (rest.startsWith("//")) {
    rest = rest.slice(2);
    // sqlite:///abs -> "/abs"; sqlite://relative (no third slash) -> "relative".
  }
  rest = rest.replace(/^\/\/+/, "/");
  const q = rest.indexOf("?");
  if (q >= 0) rest = rest.slice(0, q);
  // A "%" that starts no escape is taken as written (decodeURIComponent would throw a URIError).
  return decodeOr(rest, rest);
}

function decodeOr(text: string, fallback: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fallback;
  }
}

/** A pg connection string without its TLS parameters (they go into `into`); unchanged if it is not a URL. */
function withoutTlsParams(client: Exclude<ClientName, "better-sqlite3">, url: string, into: TlsFields): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const found = takeTlsParams(client, u.searchParams);
  if (Object.keys(found).length === 0) return url;
  Object.assign(into, found);
  return u.toString();
}

/** A server URL as a knex connection object; TLS parameters are moved from the URL into `tls`. */
function serverConnectionFromUrl(client: Exclude<ClientName, "better-sqlite3">, url: string, envName: string, tls: TlsFields = {}): Record<string, unknown> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StrataError("CONFIG_INVALID", `environment "${envName}": connection "${redactUrl(url)}" is not a valid URL`, { env: envName });
  }
  const found = takeTlsParams(client, u.searchParams);
  Object.assign(tls, found);
  const connection: Record<string, unknown> = {};
  if (client === "pg") connection.connectionString = Object.keys(found).length > 0 ? u.toString() : url;
  if (u.hostname) connection.host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (u.port) connection.port = Number(u.port);
  let database: string;
  try {
    if (u.username) connection.user = decodeURIComponent(u.username);
    if (u.password) connection.password = decodeURIComponent(u.password);
    database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  } catch {
    throw new StrataError("CONFIG_INVALID", `environment "${envName}": connection "${redactUrl(url)}" has a "%" that starts no escape; write a literal % as %25`, { env: envName });
  }
  // "postgres://${DATABASE_URL}" gives a database named after a second URL, password included.
  if (database.startsWith("/") || database.includes("://")) {
    throw new StrataError("CONFIG_INVALID", `environment "${envName}": connection "${redactUrl(url)}" holds a second URL in its database name; write one URL`, { env: envName });
  }
  if (database) connection.database = database;
  if (client === "mysql2") {
    // mysql2 takes its options as keys (charset, timezone, ...); pg reads them from connectionString.
    for (const [k, v] of u.searchParams) connection[k] = v;
  }
  return connection;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/g, "//$1:***@");
}

function serverDisplay(client: Exclude<ClientName, "better-sqlite3">, c: Record<string, unknown>): string {
  const user = typeof c.user === "string" && c.user !== "" ? `${c.user}@` : "";
  const database = typeof c.database === "string" && c.database !== "" ? `/${c.database}` : "";
  if (typeof c.socketPath === "string") return `${user}${c.socketPath}${database}`;
  const host = typeof c.host === "string" && c.host !== "" ? c.host : "localhost";
  const port = c.port !== undefined && c.port !== "" ? String(c.port) : String(DEFAULT_PORTS[client]);
  return `${user}${host.includes(":") ? `[${host}]` : host}:${port}${database}`;
}

/**
 * The environment for `--url`: postgres://, postgresql://, mysql://, mariadb://, sqlite:///abs/path,
 * sqlite:relative, or a file path ending in .sqlite, .sqlite3 or .db. Named "url", never protected.
 */
export function environmentFromUrl(
  url: string,
  options: { readonly cwd?: string; readonly versionTable?: string; readonly historyTable?: string } = {},
): EnvironmentConfig {
  const cwd = options.cwd ?? process.cwd();
  const versionTable = options.versionTable ?? DEFAULT_VERSION_TABLE;
  const historyTable = options.historyTable ?? DEFAULT_HISTORY_TABLE;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  let client: ClientName;
  let resolved: ResolvedConnection;
  if (scheme === "postgres" || scheme === "postgresql") {
    client = "pg";
    const tls: TlsFields = {};
    const connection = serverConnectionFromUrl(client, url, URL_ENVIRONMENT_NAME, tls);
    resolved = { connection, display: serverDisplay(client, connection), tls };
  } else if (scheme === "mysql" || scheme === "mariadb") {
    client = "mysql2";
    const tls: TlsFields = {};
    const connection = serverConnectionFromUrl(client, url, URL_ENVIRONMENT_NAME, tls);
    resolved = { connection, display: serverDisplay(client, connection), tls };
  } else if (scheme === "sqlite" || scheme === "sqlite3") {
    client = "better-sqlite3";
    resolved = sqliteConnection(sqliteFileFromUrl(url) as string, cwd, {});
  } else if (/\.(sqlite3?|db)$/i.test(url) && (scheme === undefined || scheme.length === 1 /* C:\ on Windows */)) {
    client = "better-sqlite3";
    resolved = sqliteConnection(url, cwd, {});
  } else {
    throw new StrataError(
      "USAGE",
      `--url ${JSON.stringify(redactUrl(url))} is not a database URL Strata knows; use postgres://, mysql://, mariadb://, sqlite:///path or a .sqlite/.sqlite3/.db file`,
      { url: redactUrl(url) },
    );
  }
  if (client === "better-sqlite3" && (resolved.connection.filename === "" || resolved.connection.filename === undefined)) {
    throw new StrataError("USAGE", `--url ${JSON.stringify(url)} names no SQLite file; write sqlite:///abs/path.db or sqlite:relative.db`, { url });
  }
  const knexConfig: Knex.Config = { client, connection: resolved.connection as Knex.Config["connection"] };
  if (client === "better-sqlite3") knexConfig.useNullAsDefault = true;
  // Relative certificate paths in a URL are relative to the working folder, as libpq's are.
  const security = resolveSecurity(client, {}, resolved.tls, cwd, "--url");
  return {
    name: URL_ENVIRONMENT_NAME,
    client,
    knexConfig,
    protected: false,
    versionTable,
    historyTable,
    displayTarget: resolved.display,
    ...security,
  };
}
