import type { Knex } from "knex";
import type { Dialect } from "../dialect/types.js";

/** The knex clients Strata drives; every accepted alias is normalised to one of these. */
export type ClientName = "pg" | "mysql2" | "better-sqlite3";

/** One environment as written in strata.config.json (client normalised, `${VAR}` not yet substituted). */
export interface EnvironmentEntry {
  readonly client: ClientName;
  /** A knex connection object or a URL string. */
  readonly connection?: string | Readonly<Record<string, unknown>>;
  readonly pool?: Readonly<Record<string, unknown>>;
  readonly protected?: boolean;
  readonly color?: string;
  readonly versionTable?: string;
  readonly historyTable?: string;
  /** Any other knex option (searchPath, useNullAsDefault, ...), passed through to knex. */
  readonly [knexOption: string]: unknown;
}

/**
 * How a server connection uses TLS, in libpq's sslmode words (MySQL's --ssl-mode names map onto
 * them: DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY; "allow" is PostgreSQL's only).
 */
export type TlsMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

/** TLS for one environment: the mode and absolute paths of the PEM files (read when connecting). */
export interface TlsSettings {
  readonly mode: TlsMode;
  /** The CA certificate(s) the server's certificate must chain to; without it, Node's trusted CAs. */
  readonly ca?: string;
  /** Client certificate and its key, for servers that authenticate by certificate. */
  readonly cert?: string;
  readonly key?: string;
  /** Passphrase of an encrypted client key. */
  readonly passphrase?: string;
}

/** An SSH tunnel the database connection goes through (paths absolute). */
export interface SshSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The private key file used to log in. */
  readonly privateKey: string;
  readonly passphrase?: string;
  /** The known_hosts file the server's host key must be in (default ~/.ssh/known_hosts). */
  readonly knownHosts: string;
}

/** What an environment says about how to reach its server, besides knex's own options. */
export interface ConnectionSecurity {
  readonly tls?: TlsSettings;
  readonly ssh?: SshSettings;
  /** How long connecting may take (TCP, SSH, TLS and login together per step); default 5000. */
  readonly connectTimeoutMs?: number;
  /** Server-side limit on each statement (PostgreSQL statement_timeout, MariaDB max_statement_time). */
  readonly statementTimeoutMs?: number;
}

/** strata.config.json, parsed and validated, with defaults applied. */
export interface ProjectConfig {
  /** Absolute folder holding strata.config.json. */
  readonly root: string;
  /** Absolute path of strata.config.json. */
  readonly configFile: string;
  /** The migrations folder as written in the config (relative to root unless absolute). */
  readonly migrations: string;
  /** The migrations folder, absolute. */
  readonly migrationsDir: string;
  readonly fileTemplate: string;
  readonly versionTable: string;
  readonly historyTable: string;
  readonly environments: Readonly<Record<string, EnvironmentEntry>>;
  /**
   * The schema scratch builds start from (issue #15 point 6): an absolute path to a .sql file,
   * or to a module exporting `async (knex) => ...`, for a folder whose first migration assumes
   * tables made elsewhere.
   */
  readonly baseSchema?: string;
  /** knex's own migration settings, where a knexfile (or `"knex"` in the config) gives them (issue #15 point 7). */
  readonly knexMigrations?: KnexMigrationSettings;
  /** Set when the config was made from a knexfile, there being no strata.config.json: the knexfile's absolute path. */
  readonly knexfile?: string;
  /** `"strictTargets": true`: a relative step from several current heads is refused, not warned about (issue 20). */
  readonly strictTargets?: boolean;
}

/** The `migrations` settings of a knexfile that Strata passes on to reading a knex folder. */
export interface KnexMigrationSettings {
  /** knex's `migrations.tableName` (default knex_migrations). */
  readonly tableName?: string;
  /** knex's `migrations.loadExtensions`, e.g. [".js"]. */
  readonly loadExtensions?: readonly string[];
  /** knex's `migrations.sortDirsSeparately`. */
  readonly sortDirsSeparately?: boolean;
  /** knex's `migrations.extension` ("js", "ts", ...): what `migrate:make` writes in an empty folder (default: the knexfile's own). */
  readonly extension?: string;
}

/** An environment ready to connect: variables substituted, paths resolved, knex config built. */
export interface EnvironmentConfig extends ConnectionSecurity {
  readonly name: string;
  readonly client: ClientName;
  readonly knexConfig: Knex.Config;
  readonly protected: boolean;
  readonly color?: string;
  readonly versionTable: string;
  readonly historyTable: string;
  /** Where it points, for people: e.g. "postgres@127.0.0.1:5432/app"; never contains a password. */
  readonly displayTarget: string;
  /**
   * Set when this environment reaches the database of another, protected one (issue 14): it is
   * then `protected` too, and that one's name is the one to confirm with.
   */
  readonly reachesProtected?: ProtectedReach;
}

/** A live connection to one environment's database and the dialect that speaks to it (opened by use-cases' `withDatabase`). */
export interface DatabaseSession {
  readonly env: EnvironmentConfig;
  readonly knex: Knex;
  readonly dialect: Dialect;
}

/** The protected environment (or saved profile) whose database another route reaches. */
export interface ProtectedReach {
  readonly kind: "environment" | "profile";
  /** Its name: the one a person types to confirm. */
  readonly name: string;
  /** The database both reach, for people: "postgres 127.0.0.1:5432/app". */
  readonly database: string;
}
