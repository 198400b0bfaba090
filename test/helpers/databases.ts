import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import knexFactory from "knex";
import type { Knex } from "knex";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { openConnection } from "../../electron/engine/project/connect.js";
import type { ConnectionEnvironment } from "../../electron/engine/project/connect.js";

/** The dialects every integration suite runs against, for describe.each. */
export const TEST_CLIENTS: readonly DbClient[] = ["pg", "mysql2", "better-sqlite3"];

/** A fresh database for one test. */
export interface TestDatabase {
  readonly env: ConnectionEnvironment;
  readonly knex: Knex;
  /** Another pool on the same database (a second runner). Closed by drop(). */
  connectAgain(): Promise<Knex>;
  /** Closes every pool and drops the database. */
  drop(): Promise<void>;
}

/** How the test servers differ: where a database comes from and how its columns are listed. */
interface TestServer {
  /** Makes the database; returns the environment pointing at it and how to remove it. */
  create(name: string): Promise<{ env: ConnectionEnvironment; remove(): Promise<void> }>;
  /** Rows of (table, column) for the database's own tables. */
  columns(knex: Knex): Promise<{ t: string; c: string }[]>;
}

function serverDatabase(client: "pg" | "mysql2", server: { host: string; port: number; user: string; password?: string }, adminDatabase: string | undefined, dropSql: (name: string) => string): TestServer["create"] {
  const admin = () => knexFactory({ client, connection: { ...server, ...(adminDatabase ? { database: adminDatabase } : {}) }, pool: { min: 0, max: 1 } });
  return async (name) => {
    const a = admin();
    await a.raw(`create database ${name}`).finally(() => a.destroy());
    const env: ConnectionEnvironment = { name: "test", client, knexConfig: { connection: { ...server, database: name } }, displayTarget: `${server.user}@${server.host}:${server.port}/${name}` };
    return {
      env,
      async remove() {
        const b = admin();
        await b.raw(dropSql(name)).finally(() => b.destroy());
      },
    };
  };
}

const SERVERS: Record<DbClient, TestServer> = {
  pg: {
    create: serverDatabase("pg", { host: "127.0.0.1", port: 5432, user: "postgres" }, "postgres", (n) => `drop database if exists ${n} with (force)`),
    columns: async (knex) => (await knex.raw("select table_name as t, column_name as c from information_schema.columns where table_schema = 'public'")).rows,
  },
  mysql2: {
    create: serverDatabase("mysql2", { host: "127.0.0.1", port: 3306, user: "root", password: "" }, undefined, (n) => `drop database if exists ${n}`),
    columns: async (knex) => (await knex.raw("select table_name as t, column_name as c from information_schema.columns where table_schema = database()"))[0],
  },
  "better-sqlite3": {
    async create(name) {
      const dir = await mkdtemp(path.join(os.tmpdir(), "strata-t-"));
      const filename = path.join(dir, `${name}.sqlite`);
      return {
        env: { name: "test", client: "better-sqlite3", knexConfig: { connection: { filename } }, displayTarget: filename },
        remove: () => rm(dir, { recursive: true, force: true }),
      };
    },
    columns: (knex) => knex.raw("select m.name as t, p.name as c from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and m.name not like 'sqlite_%'"),
  },
};

/** Creates a uniquely named database (strata_t_<random>; a temp file for SQLite) and opens it through openConnection. */
export async function createTestDatabase(client: DbClient): Promise<TestDatabase> {
  const { env, remove } = await SERVERS[client].create(`strata_t_${randomBytes(6).toString("hex")}`);
  const pools: Knex[] = [];
  const knex = await openConnection(env);
  pools.push(knex);
  return {
    env,
    knex,
    async connectAgain() {
      const k = await openConnection(env);
      pools.push(k);
      return k;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
      await remove();
    },
  };
}

/** The strata.config.json environment entry that points at this database; `extra` adds settings such as protected. */
export function envEntry(db: TestDatabase, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { client: db.env.client, connection: db.env.knexConfig.connection, ...extra };
}

/** The revisions strata_version holds (the applied heads), sorted. */
export async function versionHeads(db: TestDatabase): Promise<string[]> {
  return ((await db.knex("strata_version").select("version_num")) as { version_num: string }[]).map((r) => r.version_num).sort();
}

/** The tables and their columns as "table.column", sorted, leaving out the tables named in exclude. */
export async function describeColumns(knex: Knex, client: DbClient, exclude: readonly string[] = []): Promise<string[]> {
  const rows = await SERVERS[client].columns(knex);
  return rows.filter((r) => !exclude.includes(r.t)).map((r) => `${r.t}.${r.c}`).sort();
}

/** Whether a table exists. */
export function tableExists(knex: Knex, table: string): Promise<boolean> {
  return knex.schema.hasTable(table);
}
