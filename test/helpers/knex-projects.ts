import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import knexFactory from "knex";
import type { Knex } from "knex";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import type { TestDatabase } from "./databases.js";
import { envEntry } from "./databases.js";

/** The knex projects under test/fixtures/knex-projects, each a migrations folder as real projects write them. */
export const KNEX_FIXTURES = ["monitor-js", "notes-ts"] as const;
export type KnexFixture = (typeof KNEX_FIXTURES)[number];

const FIXTURES = path.resolve(__dirname, "..", "fixtures", "knex-projects");

/** The fixture's migration file names, in knex's order. */
export function fixtureFiles(fixture: KnexFixture): string[] {
  return fs.readdirSync(path.join(FIXTURES, fixture, "migrations")).sort();
}

/** A file name without its extension: the revision id Strata gives it. */
export function idOf(file: string): string {
  return file.slice(0, file.length - path.extname(file).length);
}

/**
 * Copies a fixture into a fresh folder outside the repository (so no package.json of ours
 * decides the module type of its .js files) with a strata.config.json pointing at `db`.
 */
export function copyKnexProject(fixture: KnexFixture, db: TestDatabase, made: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `strata-knex-${fixture}-`));
  made.push(dir);
  fs.cpSync(path.join(FIXTURES, fixture, "migrations"), path.join(dir, "migrations"), { recursive: true });
  fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ migrations: "migrations", environments: { dev: envEntry(db) } }, null, 2));
  return dir;
}

let tsRegistered = false;

/**
 * knex's own migrator on the project's folder, as the app runs it at boot. Its `.ts` files are
 * loaded through tsx's require hook, as a TypeScript project runs knex with ts-node or tsx.
 */
export function knexMigrator(db: TestDatabase, projectDir: string): { readonly knex: Knex; readonly config: Knex.MigratorConfig } {
  if (!tsRegistered) {
    (createRequire(__filename)("tsx/cjs/api") as { register(): void }).register();
    tsRegistered = true;
  }
  const knex = knexFactory({ client: db.env.client, connection: db.env.knexConfig.connection as Knex.StaticConnectionConfig, useNullAsDefault: true, pool: { min: 0, max: 2 } });
  return { knex, config: { directory: path.join(projectDir, "migrations") } };
}

/** What knex's `migrate.list()` says: the names completed and the files pending. */
export async function knexList(m: { knex: Knex; config: Knex.MigratorConfig }): Promise<{ completed: string[]; pending: string[] }> {
  const [completed, pending] = (await m.knex.migrate.list(m.config)) as [{ name: string }[], { file: string }[]];
  return { completed: completed.map((c) => c.name), pending: pending.map((p) => p.file) };
}

/** knex_migrations' rows, in id order. */
export async function knexRows(knex: Knex): Promise<{ name: string; batch: number; migration_time: unknown }[]> {
  const rows = (await knex("knex_migrations").select("name", "batch", "migration_time").orderBy("id")) as { name: string; batch: number | string; migration_time: unknown }[];
  return rows.map((r) => ({ ...r, batch: Number(r.batch) }));
}

/**
 * The database's schema as its own dump tool writes it, without Strata's tables: pg_dump
 * --schema-only, mariadb-dump --no-data, sqlite3 .schema. Lines that name the database or
 * carry a counter (comments, AUTO_INCREMENT=N, pg_dump's \restrict key) are left out.
 */
export function dumpSchema(db: TestDatabase): string {
  const client = db.env.client as DbClient;
  const connection = db.env.knexConfig.connection as { database?: string; filename?: string };
  let out: string;
  switch (client) {
    case "pg":
      out = execFileSync("pg_dump", ["--schema-only", "--no-owner", "--no-privileges", "-h", "127.0.0.1", "-U", "postgres", "-T", "strata_*", connection.database!], { encoding: "utf8" });
      break;
    case "mysql2":
      out = execFileSync(
        "mariadb-dump",
        ["-h", "127.0.0.1", "-u", "root", "--no-data", "--skip-comments", "--skip-dump-date", `--ignore-table=${connection.database}.strata_history`, `--ignore-table=${connection.database}.strata_version`, connection.database!],
        { encoding: "utf8" },
      );
      break;
    case "better-sqlite3":
      out = execFileSync("sqlite3", [connection.filename!, ".schema"], { encoding: "utf8" });
      out = out
        .split(/;\n/)
        .filter((stmt) => !/\bstrata_(history|version)\b/.test(stmt))
        .join(";\n");
      break;
    default:
      client satisfies never;
      throw new Error(`no dump tool for ${String(client)}`);
  }
  return out
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("--") && !/^\\(un)?restrict\b/.test(l) && !/^\/\*M?!\d+ SET /.test(l))
    .map((l) => l.replace(/ AUTO_INCREMENT=\d+/, ""))
    .join("\n");
}

/**
 * Feeds a SQL script to the database's own command-line client, as a DBA applies an offline
 * script: psql with ON_ERROR_STOP, mariadb (which stops at the first error), sqlite3 -bail.
 */
export function runWithDatabaseClient(db: TestDatabase, script: string): { code: number; stderr: string } {
  const client = db.env.client as DbClient;
  const connection = db.env.knexConfig.connection as { database?: string; filename?: string };
  let command: [string, string[]];
  switch (client) {
    case "pg":
      command = ["psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", connection.database!]];
      break;
    case "mysql2":
      command = ["mariadb", ["-h", "127.0.0.1", "-u", "root", connection.database!]];
      break;
    case "better-sqlite3":
      command = ["sqlite3", ["-bail", connection.filename!]];
      break;
    default:
      client satisfies never;
      throw new Error(`no command-line client for ${String(client)}`);
  }
  const r = spawnSync(command[0], command[1], { input: script, encoding: "utf8" });
  return { code: r.status ?? -1, stderr: r.stderr };
}
