import os from "node:os";
import type { Knex } from "knex";

/**
 * Where a knex config leads, as its driver reads it, before any name is resolved (issue 14,
 * "protection follows the database"): a server's host, port, database and schema, or a file.
 */
export type DatabaseAddress =
  | {
      readonly kind: "server";
      /** The kind of server for people and for comparing: "postgres", "mysql". */
      readonly family: string;
      /** A host name or IP address as written, or a Unix socket path (starting with "/"). */
      readonly host: string;
      readonly port: number;
      readonly database: string;
      /** The schema unqualified names land in (PostgreSQL); null where the database is the namespace. */
      readonly schema: string | null;
      /**
       * true where `host` is a socket path that reaches this machine's server listening on `port`
       * (PostgreSQL names its socket after the port: DIR/.s.PGSQL.5432); MySQL's socket names no port.
       */
      readonly socketOnPort?: boolean;
    }
  | {
      readonly kind: "file";
      readonly family: string;
      /** The file as the driver opens it (absolute once Strata resolved it); null for an in-memory database. */
      readonly file: string | null;
    };

/** Where `PG*` and `USER` come from; node-postgres reads them from process.env. */
export type AddressVariables = Readonly<Record<string, string | undefined>>;

type Connection = Record<string, unknown>;

function connectionOf(config: Knex.Config): Connection {
  const c = config.connection;
  if (typeof c === "string") return { connectionString: c };
  return typeof c === "object" && c !== null ? (c as Connection) : {};
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const portOf = (v: unknown): number | undefined => (v === undefined || v === "" || v === null || !Number.isFinite(Number(v)) ? undefined : Number(v));

/** The parts of a postgres:// URL node-postgres reads (pg-connection-string), or none when it is not a URL. */
function pgUrlParts(url: string | undefined): { host?: string; port?: number; user?: string; database?: string } {
  if (url === undefined) return {};
  try {
    const u = new URL(url);
    const decode = (s: string): string => decodeURIComponent(s);
    const host = u.searchParams.get("host") ?? (u.hostname ? u.hostname.replace(/^\[(.*)\]$/, "$1") : undefined);
    const database = decode(u.pathname.replace(/^\//, ""));
    return {
      ...(host ? { host: decode(host) } : {}),
      ...(u.port ? { port: Number(u.port) } : {}),
      ...(u.username ? { user: decode(u.username) } : {}),
      ...(database ? { database } : {}),
    };
  } catch {
    return {};
  }
}

/** The login name node-postgres falls back to; "" where the system has none for this process (a container's odd uid). */
function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "";
  }
}

/** knex's searchPath (a string "a,b" or a list): its first schema is where unqualified names land. */
function firstSchema(searchPath: unknown): string | undefined {
  const list = Array.isArray(searchPath) ? searchPath : typeof searchPath === "string" ? searchPath.split(",") : [];
  const first = list.map((s) => String(s).trim().replace(/^"(.*)"$/, "$1")).find((s) => s !== "");
  return first;
}

/**
 * node-postgres: a connection string's values win over the object's keys (ConnectionParameters
 * merges it last), then PGHOST, PGPORT, PGUSER, PGDATABASE, then localhost:5432; the database
 * defaults to the user name, as libpq's does.
 */
export function postgresAddress(config: Knex.Config, vars: AddressVariables): DatabaseAddress {
  const c = connectionOf(config);
  const url = pgUrlParts(text(c.connectionString));
  const user = url.user ?? text(c.user) ?? text(vars.PGUSER) ?? text(process.platform === "win32" ? vars.USERNAME : vars.USER) ?? osUser();
  const host = url.host ?? text(c.host) ?? text(vars.PGHOST) ?? "localhost";
  return {
    kind: "server",
    family: "postgres",
    host,
    port: url.port ?? portOf(c.port) ?? portOf(vars.PGPORT) ?? 5432,
    database: url.database ?? text(c.database) ?? text(vars.PGDATABASE) ?? user,
    schema: firstSchema(config.searchPath) ?? "public",
    ...(host.startsWith("/") ? { socketOnPort: true } : {}),
  };
}

/** mysql2: host (or socketPath), port 3306; a connection with no database has none (its revisions name theirs). */
export function mysqlAddress(config: Knex.Config): DatabaseAddress {
  const c = connectionOf(config);
  const socket = text(c.socketPath);
  return {
    kind: "server",
    family: "mysql",
    host: socket ?? text(c.host) ?? "localhost",
    port: socket ? 0 : (portOf(c.port) ?? 3306),
    database: text(c.database) ?? "",
    schema: null,
  };
}

/** better-sqlite3: the file, a `file:` URI's path, or null for ":memory:" (never the same database as another). */
export function sqliteAddress(config: Knex.Config): DatabaseAddress {
  const c = connectionOf(config);
  const filename = text(c.filename) ?? text(c.connectionString);
  if (filename === undefined || filename === ":memory:") return { kind: "file", family: "sqlite", file: null };
  if (filename.startsWith("file:")) {
    const rest = filename.slice("file:".length).split("?")[0] ?? "";
    if (rest === "" || rest === ":memory:" || /[?&]mode=memory\b/.test(filename)) return { kind: "file", family: "sqlite", file: null };
    let file = rest.replace(/^\/\/(localhost)?(?=\/)/, "");
    try {
      file = decodeURIComponent(file);
    } catch {
      // Taken as written, as SQLite does with a stray "%".
    }
    return { kind: "file", family: "sqlite", file };
  }
  return { kind: "file", family: "sqlite", file: filename };
}
