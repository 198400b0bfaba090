import os from "node:os";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import { describeEndpoint, networkError, otherConnectionError } from "./connection-error-text.js";
import { pollForLock } from "./lock-polling.js";
import { postgresSchema } from "../introspect/postgres-introspector.js";
import type { ConnectionTarget, Dialect, LockRequest, UnlockResult } from "./types.js";
import { postgresAddress } from "./database-address.js";

/** First key of Strata's two-key advisory locks ("STRA"), so they never collide with an application's one-key locks. */
const LOCK_CLASS = 0x53545241;

/** PostgreSQL: a session advisory lock on a dedicated connection; DDL is transactional. */
export const postgresDialect: Dialect = {
  client: "pg",
  label: "PostgreSQL",
  offlineRendering: "offline",
  lockBlocksWriters: false,
  transactionalDdl: true,
  commitsImplicitly: () => false,
  bookkeeping: "with-clause",
  commitAndBegin: true,
  // A session's own setting for its transaction, undone by its COMMIT; no server setting is touched.
  relaxedCommit: "set local synchronous_commit to off",

  scriptSql: {
    knexMigrationTime: "current_timestamp",
    isoNow: `to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    takeKnexLock: (lockTable) => [
      // One statement, so nothing can take the lock between the look and the update.
      `do $$ begin update "${lockTable}" set "is_locked" = 1 where "is_locked" = 0; if not found then raise exception '${lockTable} is locked (is_locked = 1): a knex migration is running, or one was killed; wait for it, or run npx knex migrate:unlock if none is running; no migration was run'; end if; end $$`,
    ],
  },

  async withLock<T>(knex: Knex, lock: LockRequest, fn: (db: Knex) => Promise<T>): Promise<T> {
    const key = lockKey(lock.name);
    // A session lock lives exactly as long as this connection: a killed runner leaves nothing behind.
    const conn: unknown = await knex.client.acquireConnection();
    let held = false;
    try {
      await pollForLock(
        lock,
        async () => {
          const r = await knex.raw("select pg_try_advisory_lock(?, ?) as ok", [LOCK_CLASS, key]).connection(conn);
          held = r.rows[0].ok === true;
          return held;
        },
        () => postgresDialect.describeLockHolder(knex, lock.name),
        "this PostgreSQL database",
      );
      return await fn(knex);
    } finally {
      if (held) await knex.raw("select pg_advisory_unlock(?, ?)", [LOCK_CLASS, key]).connection(conn).catch(() => undefined);
      await knex.client.releaseConnection(conn);
    }
  },

  async describeLockHolder(knex, lockName) {
    const row = await findHolder(knex, lockName);
    if (!row) return null;
    const app = row.application_name ? ` "${row.application_name}"` : "";
    const from = row.client_addr ? ` from ${row.client_addr}` : "";
    const since = row.backend_start ? ` connected since ${new Date(row.backend_start).toISOString()}` : "";
    return `PostgreSQL backend pid ${row.pid}${app} (user ${row.usename ?? "?"}${from}${since})`;
  },

  async terminateLockHolder(knex, lockName): Promise<UnlockResult> {
    const holder = await postgresDialect.describeLockHolder(knex, lockName);
    const row = await findHolder(knex, lockName);
    if (!row) return { released: false, holder: null, note: "the lock is free" };
    const r = await knex.raw("select pg_terminate_backend(?) as ok", [row.pid]);
    return { released: r.rows[0]?.ok === true, holder };
  },

  async databaseUser(knex) {
    const r = (await knex.raw("select current_user as u")) as { rows: { u: string }[] };
    return r.rows[0]?.u ?? null;
  },

  databaseAddress: postgresAddress,
  connectionOptions(config) {
    const connection = config.connection;
    const applicationName = `strata ${safeUser()}@${os.hostname()} pid ${process.pid}`.slice(0, 63);
    if (connection && typeof connection === "object" && !Array.isArray(connection)) {
      return {
        ...config,
        pool: checkForDeadClient(config.pool),
        connection: { application_name: applicationName, connectionTimeoutMillis: 5000, ...(connection as object) } as Knex.StaticConnectionConfig,
      };
    }
    if (typeof connection === "string") {
      return { ...config, pool: checkForDeadClient(config.pool), connection: { connectionString: connection, application_name: applicationName, connectionTimeoutMillis: 5000 } as Knex.StaticConnectionConfig };
    }
    return config;
  },

  connectionError(err: unknown, target: ConnectionTarget): StrataError {
    const e = err as { code?: unknown; message?: unknown };
    const { user, hostPort, database } = describeEndpoint(target.knexConfig, target.displayTarget);
    const facts = { environment: target.name, target: target.displayTarget };
    if (e.code === "28P01" || e.code === "28000") {
      return new StrataError("AUTH_FAILED", `environment ${target.name}: password authentication failed for user ${user} at ${hostPort}; check the password`, facts);
    }
    if (e.code === "3D000") {
      return new StrataError("DATABASE_NOT_FOUND", `environment ${target.name}: database "${database}" does not exist on ${hostPort}; create it or fix the database name`, facts);
    }
    return networkError(err, target, "PostgreSQL") ?? otherConnectionError(err, target, "PostgreSQL");
  },

  inlineStatement(db, sql, bindings) {
    const values = bindings.map((v) => (v instanceof Date ? timestampAsBound(v) : v));
    // The run writes the same few statements once a revision: cut each at its `?` once, and escape
    // with knex's own escaping for the client (what toQuery() calls, without a Raw built per statement).
    let parts = placeholderSplits.get(sql);
    if (!parts) placeholderSplits.set(sql, (parts = sql.split("?")));
    const escape = (db.client as unknown as { _escapeBinding?(value: unknown, ctx: object): string })._escapeBinding;
    if (!escape || parts.length !== values.length + 1) return null;
    let out = parts[0]!;
    for (let i = 0; i < values.length; i++) out += escape.call(db.client, values[i], {}) + parts[i + 1]!;
    // knex.raw turns every `?` of the text it sends into a placeholder (and drops the backslashes
    // before one), bindings or none: a value holding one would be changed, so it is sent bound.
    return out.includes("?") ? null : out;
  },

  async insertReturningId(db, table, row) {
    const rows = (await db(table).insert(row, ["id"])) as { id: number }[];
    return Number(rows[0]!.id);
  },

  schema: postgresSchema,
};

/** Bookkeeping statements cut at their placeholders (inlineStatement), by their SQL. */
const placeholderSplits = new Map<string, readonly string[]>();

/**
 * A Date as node-pg binds it: local time with the zone's offset, so a timestamptz column gets the
 * same instant and a timestamp column the same wall-clock time as a bound value would store.
 * knex's toQuery() writes a Date without its offset, which a server in another zone would misread.
 */
function timestampAsBound(d: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${zone}`;
}

/** How often a backend busy with a statement checks that Strata is still connected (PostgreSQL 14+). */
const CLIENT_CHECK_MS = 1000;

/**
 * Makes each session check for a dead client while a statement runs: a backend otherwise keeps
 * running a killed runner's long statement (pg_sleep, a big UPDATE) with its transaction and
 * locks until the statement ends. Servers before 14 lack the setting; the select then sets nothing.
 */
function checkForDeadClient(pool: Knex.PoolConfig | undefined): Knex.PoolConfig {
  type Done = (err: Error | null, conn: unknown) => void;
  const theirs = pool?.afterCreate as ((conn: unknown, done: Done) => void) | undefined;
  return {
    ...pool,
    afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: Done) {
      conn.query(
        `select set_config(name, '${CLIENT_CHECK_MS}', false) from pg_settings where name = 'client_connection_check_interval'`,
        (err) => (err || !theirs ? done(err, conn) : theirs(conn, done)),
      );
    },
  };
}

interface HolderRow {
  readonly pid: number;
  readonly application_name: string | null;
  readonly client_addr: string | null;
  readonly usename: string | null;
  readonly backend_start: Date | string | null;
}

async function findHolder(knex: Knex, lockName: string): Promise<HolderRow | null> {
  const r = await knex.raw(
    `select a.pid, a.application_name, host(a.client_addr) as client_addr, a.usename, a.backend_start
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 2
        and l.classid::bigint = ? and l.objid::bigint = ?
        and l.database = (select oid from pg_database where datname = current_database())
      limit 1`,
    [LOCK_CLASS, lockKey(lockName)],
  );
  return (r.rows[0] as HolderRow | undefined) ?? null;
}

/** FNV-1a of the lock name, kept positive so pg_locks.objid (an oid) compares equal. */
function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(`strata:${name}`, "utf8")) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "unknown";
  }
}
