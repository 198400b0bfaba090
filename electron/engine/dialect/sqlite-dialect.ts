import path from "node:path";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import { pollForLock } from "./lock-polling.js";
import { sqliteSchema } from "../introspect/sqlite-introspector.js";
import { knexLockByCheckConstraint } from "./knex-lock-check.js";
import type { ConnectionTarget, Dialect, DirectResult, LockRequest, SqlRow, UnlockResult } from "./types.js";
import { sqliteAddress } from "./database-address.js";
import { rowChangeSql } from "./row-insert.js";

/**
 * SQLite: the lock is a write transaction (BEGIN IMMEDIATE) held for the whole run, so each
 * revision runs as a savepoint inside it. A lock ends with the process or connection holding it.
 */
export const sqliteDialect: Dialect = {
  client: "better-sqlite3",
  label: "SQLite",
  offlineRendering: "scratch",
  lockBlocksWriters: true,
  transactionalDdl: true,
  commitsImplicitly: () => false,
  bookkeeping: "statements",
  commitAndBegin: false,

  scriptSql: {
    // knex's SQLite drivers bind a Date as its milliseconds since the epoch.
    knexMigrationTime: "cast((julianday('now') - 2440587.5) * 86400000 as integer)",
    isoNow: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    takeKnexLock: (lockTable) => knexLockByCheckConstraint(lockTable, { temporary: "temp", rowsChanged: "changes()", dropTemporary: "" }),
  },

  async withLock<T>(knex: Knex, lock: LockRequest, fn: (db: Knex) => Promise<T>): Promise<T> {
    // knex alters a SQLite table by rebuilding it (create a copy, drop the old one, rename), and
    // dropping a table with foreign keys on runs its children's ON DELETE CASCADE / SET NULL:
    // child rows would be lost. The pragma cannot change inside a transaction, so foreign keys
    // go off before the lock's transaction starts and `foreign_key_check` guards the commit instead
    // (SQLite's documented procedure for schema changes). The pool has one connection, so the
    // pragma applies to the run's own connection.
    const enforced = await foreignKeysEnforced(knex);
    if (enforced) await knex.raw("pragma foreign_keys = off");
    try {
      const trx = await acquireWriteTransaction(knex, lock);
      let out: T;
      try {
        await trx.raw("pragma defer_foreign_keys = on");
        out = await fn(trx);
        if (enforced) await refuseForeignKeyViolations(trx);
      } catch (e) {
        await trx.rollback().catch(() => undefined);
        throw e;
      }
      await trx.commit();
      return out;
    } finally {
      if (enforced) await knex.raw("pragma foreign_keys = on").catch(() => undefined);
    }
  },

  async describeLockHolder(knex) {
    const trx = await tryWriteTransaction(knex);
    if (trx) {
      await trx.rollback();
      return null;
    }
    return `another connection or process with a write transaction open on ${fileOf(knex)}`;
  },

  async terminateLockHolder(knex): Promise<UnlockResult> {
    const holder = await sqliteDialect.describeLockHolder(knex, "");
    return {
      released: false,
      holder,
      note: "SQLite locks end with the process that holds them; stop that process (a killed one leaves no lock behind)",
    };
  },

  async databaseUser() {
    // A SQLite file has no users: whoever can write the file is in.
    return null;
  },

  databaseAddress: sqliteAddress,
  connectionOptions(config) {
    return { useNullAsDefault: true, ...config };
  },

  connectionError(err: unknown, target: ConnectionTarget): StrataError {
    const message = err instanceof Error ? err.message : String(err);
    const file = fileOfConfig(target.knexConfig) ?? target.displayTarget;
    const facts = { environment: target.name, target: target.displayTarget };
    if (/directory does not exist/i.test(message)) {
      return new StrataError("CONNECTION_FAILED", `environment ${target.name}: folder ${path.dirname(file)} does not exist for SQLite database ${file}; create the folder or fix the filename`, facts);
    }
    if (/not a database|file is encrypted/i.test(message)) {
      return new StrataError("CONNECTION_FAILED", `environment ${target.name}: ${file} is not a SQLite database; point the filename at a database file`, facts);
    }
    return new StrataError("CONNECTION_FAILED", `environment ${target.name}: cannot open SQLite database ${file}: ${message.split("\n")[0]}; check that the file can be read and written`, facts);
  },

  async insertReturningId(db, table, row) {
    const { sql, bindings } = rowChangeSql(db, { kind: "insert", table, row: row as SqlRow });
    return (await runOnConnection(db, sql, bindings)).lastInsertRowid;
  },

  runDirect: runOnConnection,

  schema: sqliteSchema,
};

async function foreignKeysEnforced(knex: Knex): Promise<boolean> {
  const rows = (await knex.raw("pragma foreign_keys")) as { foreign_keys: number }[];
  return Number(rows[0]?.foreign_keys ?? 0) === 1;
}

/** Refuses to commit a run that left rows pointing at nothing (checked while enforcement is off). */
async function refuseForeignKeyViolations(trx: Knex.Transaction): Promise<void> {
  const rows = (await trx.raw("pragma foreign_key_check")) as { table: string; rowid: number; parent: string }[];
  if (rows.length === 0) return;
  const first = rows[0]!;
  throw new StrataError(
    "REVISION_FAILED",
    `the run would leave ${rows.length} row${rows.length === 1 ? "" : "s"} breaking a foreign key (first: ${first.table} rowid ${first.rowid} -> ${first.parent}); it was rolled back: fix the revision so that every child row keeps its parent`,
    { violations: rows.slice(0, 20) },
  );
}

async function acquireWriteTransaction(knex: Knex, lock: LockRequest): Promise<Knex.Transaction> {
  let trx: Knex.Transaction | null = null;
  await pollForLock(
    lock,
    async () => {
      trx = await tryWriteTransaction(knex);
      return trx !== null;
    },
    () => sqliteDialect.describeLockHolder(knex, lock.name),
    `SQLite database ${fileOf(knex)}`,
  );
  return trx!;
}

/** BEGIN IMMEDIATE without waiting: the write transaction, or null when another connection holds one. */
async function tryWriteTransaction(knex: Knex): Promise<Knex.Transaction | null> {
  // better-sqlite3 waits for a busy database synchronously, freezing the event loop (and any other
  // runner in this process); so never wait inside the driver, poll from here instead.
  const [{ timeout: previous } = { timeout: 5000 }] = (await knex.raw("pragma busy_timeout")) as { timeout: number }[];
  await knex.raw("pragma busy_timeout = 0");
  try {
    const trx = await beginImmediate(knex);
    await trx.raw(`pragma busy_timeout = ${Number(previous)}`);
    return trx;
  } catch (e) {
    await knex.raw(`pragma busy_timeout = ${Number(previous)}`).catch(() => undefined);
    if ((e as { code?: unknown }).code === "SQLITE_BUSY") return null;
    throw e;
  }
}

/**
 * knex begins SQLite transactions with a deferred BEGIN, which takes the write lock only at the
 * first write and can then fail half way; the lock must be taken up front, so the transaction's
 * begin is swapped for BEGIN IMMEDIATE before knex runs it (it runs on a later tick).
 */
function beginImmediate(knex: Knex): Promise<Knex.Transaction> {
  return new Promise((resolve, reject) => {
    const client = knex.client as unknown as {
      transaction(
        container: (trx: Knex.Transaction) => void,
        config: object,
      ): PromiseLike<unknown> & { begin(conn: unknown): Promise<unknown>; trxClient: { query(conn: unknown, sql: string): Promise<unknown> } };
    };
    const tx = client.transaction(resolve, { userParams: {}, doNotRejectOnRollback: true });
    // Through trxClient, not tx.query: the latter swallows a failed BEGIN and would hand out a dead transaction.
    tx.begin = (conn) => tx.trxClient.query(conn, "BEGIN IMMEDIATE;");
    tx.then(undefined, reject);
  });
}

function fileOf(knex: Knex): string {
  return fileOfConfig(knex.client.config as Knex.Config) ?? "the SQLite database";
}

function fileOfConfig(config: Knex.Config): string | null {
  const c = config.connection as { filename?: unknown } | undefined;
  return c && typeof c === "object" && typeof c.filename === "string" ? c.filename : null;
}

/** What runOnConnection uses of a better-sqlite3 connection. */
interface DriverStatement {
  run(bindings: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface DriverConnection {
  prepare(sql: string): DriverStatement;
}

/** Each connection's prepared bookkeeping statements, by SQL. */
const preparedOf = new WeakMap<object, Map<string, DriverStatement>>();

/**
 * Dialect.runDirect on better-sqlite3: inside a transaction, the statement runs on the
 * transaction's own connection, prepared once; outside one, through knex.raw (the pool would have
 * to lend a connection).
 */
async function runOnConnection(db: Knex, sql: string, bindings: readonly Knex.Value[]): Promise<DirectResult> {
  if (!db.isTransaction) {
    const result = (await db.raw(sql, bindings as Knex.Value[])) as { changes: number; lastInsertRowid: number | bigint };
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }
  const trx = db as Knex.Transaction;
  if (trx.isCompleted()) throw new Error("Transaction query already complete, run with DEBUG=knex:tx for more info");
  const connection = (await trx.client.acquireConnection()) as DriverConnection;
  let byConnection = preparedOf.get(connection);
  if (!byConnection) preparedOf.set(connection, (byConnection = new Map()));
  // knex's better-sqlite3 client binds a Date as its milliseconds and a boolean as 0 or 1.
  const values = bindings.map((v) => (v instanceof Date ? v.valueOf() : typeof v === "boolean" ? Number(v) : v));
  try {
    let statement = byConnection.get(sql);
    if (!statement) byConnection.set(sql, (statement = connection.prepare(sql)));
    const result = statement.run(values);
    return { changes: result.changes, lastInsertRowid: Number(result.lastInsertRowid) };
  } catch (e) {
    // As knex says it: the statement with its values, then the driver's message.
    if (e instanceof Error) e.message = `${db.raw(sql, bindings as Knex.Value[]).toString()} - ${e.message}`;
    throw e;
  }
}
