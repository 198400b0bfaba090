import type { Knex } from "knex";

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
}

/** An environment ready to connect: variables substituted, paths resolved, knex config built. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly client: ClientName;
  readonly knexConfig: Knex.Config;
  readonly protected: boolean;
  readonly color?: string;
  readonly versionTable: string;
  readonly historyTable: string;
  /** Where it points, for people: e.g. "postgres@127.0.0.1:5432/app"; never contains a password. */
  readonly displayTarget: string;
}
