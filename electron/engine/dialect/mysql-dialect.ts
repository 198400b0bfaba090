import { createHash } from "node:crypto";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import { describeEndpoint, networkError, otherConnectionError } from "./connection-error-text.js";
import { pollForLock } from "./lock-polling.js";
import { mysqlSchema } from "../introspect/mysql-introspector.js";
import { knexLockByCheckConstraint } from "./knex-lock-check.js";
import type { ConnectionTarget, Dialect, LockRequest, UnlockResult } from "./types.js";
import { mysqlAddress } from "./database-address.js";
import { isMysqlRecordGuardFailure, mysqlStepRecordSql } from "./mysql-step-record.js";

/** MySQL/MariaDB: GET_LOCK on a dedicated connection; DDL commits itself, so a failed revision may be half applied. */
export const mysqlDialect: Dialect = {
  client: "mysql2",
  label: "MySQL/MariaDB",
  offlineRendering: "offline",
  lockBlocksWriters: false,
  transactionalDdl: false,
  commitsImplicitly(sql) {
    // A knex.raw may hold several statements (multipleStatements): any of them may be the DDL.
    // A ";" inside a string literal can only make this err towards "committed", the safe side.
    return sql.split(";").some((part) => IMPLICIT_COMMIT.test(part));
  },
  bookkeeping: "multi-statement",
  commitAndBegin: true,

  scriptSql: {
    knexMigrationTime: "current_timestamp",
    isoNow: "concat(replace(cast(utc_timestamp(3) as char), ' ', 'T'), 'Z')",
    takeKnexLock: (lockTable) => knexLockByCheckConstraint(lockTable, { temporary: "temporary", rowsChanged: "row_count()", dropTemporary: "temporary " }),
  },

  async withLock<T>(knex: Knex, lock: LockRequest, fn: (db: Knex) => Promise<T>): Promise<T> {
    // GET_LOCK names are server-wide, so the name carries the database; the lock dies with this connection.
    const conn: unknown = await knex.client.acquireConnection();
    let held = false;
    let name = "";
    try {
      name = await lockName(knex, lock.name);
      await pollForLock(
        lock,
        async () => {
          const [rows] = await knex.raw("select get_lock(?, 0) as ok", [name]).connection(conn);
          held = Number(rows[0].ok) === 1;
          return held;
        },
        () => mysqlDialect.describeLockHolder(knex, lock.name),
        "this MySQL/MariaDB database",
      );
      return await fn(knex);
    } finally {
      if (held) await knex.raw("select release_lock(?)", [name]).connection(conn).catch(() => undefined);
      await knex.client.releaseConnection(conn);
    }
  },

  async describeLockHolder(knex, name) {
    const row = await findHolder(knex, name);
    if (!row) return null;
    if (!row.user) return `MySQL connection id ${row.id}`;
    return `MySQL connection id ${row.id} (user ${row.user} from ${row.host ?? "?"}, ${row.command ?? "?"} for ${row.time ?? "?"} s)`;
  },

  async terminateLockHolder(knex, name): Promise<UnlockResult> {
    const row = await findHolder(knex, name);
    if (!row) return { released: false, holder: null, note: "the lock is free" };
    const holder = await mysqlDialect.describeLockHolder(knex, name);
    await knex.raw(`kill connection ${Number(row.id)}`);
    return { released: true, holder };
  },

  async databaseUser(knex) {
    const [rows] = (await knex.raw("select current_user() as u")) as [{ u: string }[]];
    return rows[0]?.u ?? null;
  },

  databaseAddress: mysqlAddress,
  connectionOptions(config) {
    const connection = config.connection;
    if (connection && typeof connection === "object" && !Array.isArray(connection)) {
      // timezone Z: dates a revision reads or writes are UTC whatever the server's zone.
      // multipleStatements: the runner closes a step and opens the next in one round trip
      // (closeStep in runner/strata-tables.ts), and a revision's knex.raw may hold several statements.
      return { ...config, connection: { connectTimeout: 5000, timezone: "Z", multipleStatements: true, ...(connection as object) } as Knex.StaticConnectionConfig };
    }
    return config;
  },

  connectionError(err: unknown, target: ConnectionTarget): StrataError {
    const e = err as { code?: unknown; errno?: unknown };
    const { user, hostPort, database } = describeEndpoint(target.knexConfig, target.displayTarget);
    const facts = { environment: target.name, target: target.displayTarget };
    if (e.code === "ER_ACCESS_DENIED_ERROR" || e.errno === 1045) {
      return new StrataError("AUTH_FAILED", `environment ${target.name}: password authentication failed for user ${user} at ${hostPort}; check the password`, facts);
    }
    if (e.code === "ER_BAD_DB_ERROR" || e.errno === 1049) {
      return new StrataError("DATABASE_NOT_FOUND", `environment ${target.name}: database "${database}" does not exist on ${hostPort}; create it or fix the database name`, facts);
    }
    if (e.code === "ER_DBACCESS_DENIED_ERROR" || e.errno === 1044) {
      return new StrataError("AUTH_FAILED", `environment ${target.name}: user ${user} may not use database "${database}" at ${hostPort}; grant access or use another user`, facts);
    }
    return networkError(err, target, "MySQL/MariaDB") ?? otherConnectionError(err, target, "MySQL/MariaDB");
  },

  async insertReturningId(db, table, row) {
    const ids = (await db(table).insert(row)) as number[];
    return Number(ids[0]);
  },

  async queryDirect(db, sql, values) {
    if (!db.isTransaction) return ((await db.raw(sql, values as Knex.Value[])) as [unknown])[0];
    const trx = db as Knex.Transaction;
    // knex's own refusal, as a query through it would meet it.
    if (trx.isCompleted()) throw new Error("Transaction query already complete, run with DEBUG=knex:tx for more info");
    const connection = (await trx.client.acquireConnection()) as DriverConnection;
    return new Promise((resolve, reject) => connection.query({ sql }, values, (err, rows) => (err ? reject(err) : resolve(rows))));
  },

  async carryAhead(trx, carrier) {
    const connection = (await trx.client.acquireConnection()) as DriverConnection;
    const send = connection.query.bind(connection);
    // An own property of this connection, deleted when done (the driver's method shows again).
    connection.query = (options, values, callback) => {
      const ahead = typeof callback === "function" && typeof options?.sql === "string" ? carrier.take() : null;
      if (!ahead) return send(options, values, callback);
      // Both parts' values inlined as the driver would inline them; the query then has none of its own.
      const sql = `${connection.format(ahead.sql, ahead.values)};\n${connection.format(options.sql, values ?? [])}`;
      return send({ ...options, sql }, [], (err, rows, fields) => {
        if (err) {
          const read = (sql: string, vals: readonly unknown[]): Promise<unknown[]> =>
            new Promise((resolve, reject) => send({ sql }, vals, (e, r) => (e ? reject(e) : resolve(r as unknown[]))));
          carrier.failed(err, read).then(callback, () => callback(err));
          return;
        }
        const rest = (rows as unknown[]).slice(ahead.statements);
        const restFields = (fields as unknown[] | undefined)?.slice(ahead.statements);
        callback(null, rest.length === 1 ? rest[0] : rest, rest.length === 1 ? restFields?.[0] : restFields);
      });
    };
    return () => {
      delete (connection as Partial<DriverConnection>).query;
    };
  },

  stepRecordSql: mysqlStepRecordSql,
  isRecordGuardFailure: isMysqlRecordGuardFailure,

  schema: mysqlSchema,
};

/**
 * Statements after which MySQL has committed: DDL and the like end the open transaction, and
 * what follows autocommits, so once one ran, every statement of the revision had taken effect.
 */
const IMPLICIT_COMMIT = /^\s*(create|alter|drop|rename|truncate|grant|revoke|lock|unlock|analyze|optimize|repair|install|uninstall|flush)\b/i;

/** What carryAhead uses of a mysql2 connection: knex sends every query through `query`, with a callback. */
interface DriverConnection {
  query(options: { sql: string }, values: unknown, callback: DriverCallback): unknown;
  format(sql: string, values: unknown): string;
}
type DriverCallback = (err: unknown, rows?: unknown, fields?: unknown) => void;

interface HolderRow {
  readonly id: number;
  readonly user: string | null;
  readonly host: string | null;
  readonly command: string | null;
  readonly time: number | null;
}

async function findHolder(knex: Knex, name: string): Promise<HolderRow | null> {
  const full = await lockName(knex, name);
  const [used] = await knex.raw("select is_used_lock(?) as id", [full]);
  const id = used[0]?.id;
  if (id === null || id === undefined) return null;
  const [rows] = await knex.raw("select user, host, command, time from information_schema.processlist where id = ?", [id]);
  const p = rows[0] as Omit<HolderRow, "id"> | undefined;
  return { id: Number(id), user: p?.user ?? null, host: p?.host ?? null, command: p?.command ?? null, time: p?.time ?? null };
}

/** GET_LOCK names are limited to 64 characters. */
async function lockName(knex: Knex, name: string): Promise<string> {
  const [rows] = await knex.raw("select database() as db");
  const full = `strata:${String(rows[0]?.db ?? "")}:${name}`;
  return full.length <= 64 ? full : `strata:${createHash("sha256").update(full).digest("hex").slice(0, 40)}`;
}
