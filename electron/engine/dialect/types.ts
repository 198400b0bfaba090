import type { Knex } from "knex";
import type { StrataError } from "../errors.js";
import type { SchemaDialect } from "../introspect/types.js";
import type { AddressVariables, DatabaseAddress } from "./database-address.js";

/** The knex clients Strata drives. */
export type DbClient = "pg" | "mysql2" | "better-sqlite3";

/** What a connection error message may name (never a password). */
export interface ConnectionTarget {
  readonly name: string;
  readonly displayTarget: string;
  readonly knexConfig: Knex.Config;
}

/** How a migration lock is asked for. */
export interface LockRequest {
  /** Identifies the lock within the database (Strata uses the version table's name). */
  readonly name: string;
  readonly timeoutMs: number;
  /** Called once, when the lock is found taken and the runner starts to wait. */
  readonly onWait?: (holder: string | null) => void;
}

/** What `strata unlock` did. */
export interface UnlockResult {
  readonly released: boolean;
  readonly holder: string | null;
  /** Why nothing could be released, where the dialect cannot end another session. */
  readonly note?: string;
}

/** What Strata's bookkeeping tables hold: text, numbers, dates and nulls. */
export type SqlValue = string | number | Date | null;

/** A row's columns and their values. */
export type SqlRow = Readonly<Record<string, SqlValue>>;

/** One change a step makes to the version table (knex_migrations in knex mode), as rows; each touches exactly one row. */
export type RowChange =
  | { readonly kind: "insert"; readonly table: string; readonly row: SqlRow }
  | { readonly kind: "delete"; readonly table: string; readonly where: SqlRow }
  | { readonly kind: "update"; readonly table: string; readonly set: SqlRow; readonly where: SqlRow };

/**
 * A finished step's record as the runner hands it to a dialect that writes it in one query
 * (Dialect.stepRecordSql): the version changes, the step's history row closed, the next
 * revision's `running` row opened, a savepoint.
 */
export interface StepRecord {
  /** Begin a transaction first: the revision's DDL has ended the caller's. */
  readonly begin: boolean;
  readonly changes: readonly RowChange[];
  readonly historyTable: string;
  /** The step's `running` row, and every column of it (but `id`) as it is to be closed. */
  readonly closeId: number;
  readonly closed: SqlRow;
  /** The next revision's `running` row (the same columns), or null. */
  readonly opened: SqlRow | null;
  /** The id the opened row is to take (a query sent ahead of another cannot read an insert id back); default: the table's own. */
  readonly openedId?: number;
  readonly savepoint?: string;
  /**
   * End with `commit; begin`: the record commits its step and begins the next step's transaction
   * in its own query (a transaction carried from step to step, Dialect.commitAndBegin), one round
   * trip a revision fewer than a record and then a commit (issue 15). Only with `guarded`.
   */
  readonly commit?: boolean;
}

/** A step's record as SQL with `?` for values and `??` for names, and how many statements (so results) it holds. */
export interface StepRecordSql {
  readonly sql: string;
  readonly values: readonly SqlValue[];
  readonly statements: number;
  /** Which statement (from 0) reports the opened row's generated id, where the row takes the table's own; null otherwise. */
  readonly openedIndex: number | null;
}

/** What Dialect.runDirect answers: the rows the statement changed and the last inserted row id. */
export interface DirectResult {
  readonly changes: number;
  readonly lastInsertRowid: number;
}

/** What Dialect.carryAhead sends ahead of a statement, and what becomes of a query that failed. */
export interface AheadCarrier {
  /** The statements to send ahead of the next one, taken (null when there are none): SQL with `?` and `??` for `values`. */
  take(): { readonly sql: string; readonly values: readonly unknown[]; readonly statements: number } | null;
  /** The error the statement's caller gets; `read` runs a query on the same connection. */
  failed(error: unknown, read: (sql: string, values: readonly unknown[]) => Promise<unknown[]>): Promise<unknown>;
}

/**
 * What an offline script (`--sql` in knex mode, issue #15) writes where a run would use a value
 * or a check of its own: the database's clock in knex's and Strata's forms, and taking knex's lock.
 */
export interface ScriptSql {
  /** The time now, as knex's migrator stores `migration_time` on this dialect. */
  readonly knexMigrationTime: string;
  /** The time now as ISO-8601 UTC text with milliseconds, as Strata's history table holds it. */
  readonly isoNow: string;
  /**
   * Statements that set knex's lock (is_locked 0 -> 1) and stop the script with an error naming
   * the lock table when a knex migration holds it; `lockTable` is the unquoted name.
   */
  takeKnexLock(lockTable: string): readonly string[];
}

/** Everything that differs between PostgreSQL, MySQL/MariaDB and SQLite, behind one interface. */
export interface Dialect {
  readonly client: DbClient;
  /** For messages: "PostgreSQL", "MySQL/MariaDB", "SQLite". */
  readonly label: string;
  /** false where DDL commits itself (MySQL): a failed revision may be half applied. */
  readonly transactionalDdl: boolean;
  /** Whether the database has committed the open transaction once this statement ran (MySQL's DDL); false where DDL is transactional. */
  commitsImplicitly(sql: string): boolean;
  /**
   * How the runner writes a step's bookkeeping (version change, history rows) in the fewest
   * round trips: "multi-statement" sends it as one query of several statements (MySQL, whose
   * connections allow them); "with-clause" folds the version change into the history INSERT as a
   * data-modifying WITH (PostgreSQL); "statements" sends one statement each (SQLite runs in
   * process, where round trips cost nothing).
   */
  readonly bookkeeping: "multi-statement" | "with-clause" | "statements";
  /**
   * One query can commit a transaction and begin the next ("commit; begin": MySQL with
   * multipleStatements, PostgreSQL's simple query protocol), so a run carries one connection's
   * transaction from step to step, each step still its own commit, one round trip fewer per
   * step. false on SQLite, where a run is one write transaction.
   */
  readonly commitAndBegin: boolean;
  /**
   * Where a commit can return before it reaches the disk and a later synchronous commit makes it
   * durable (PostgreSQL: the WAL is written and flushed in order, so flushing one commit flushes
   * every commit before it): the statement that, run in a transaction, makes that transaction's
   * commit so. A run carrying one connection's transaction (commitAndBegin) sends it in every
   * revision's transaction but the chain's last, whose commit is synchronous: a crash in between
   * loses at most a suffix of whole revisions, each with its version row (issue 15). Absent: every
   * commit waits for the disk.
   */
  readonly relaxedCommit?: string;
  /**
   * A bound statement with its values written in as literals, for the query that commits a
   * carried transaction (commitAndBegin): PostgreSQL's simple query protocol, the one that takes
   * several statements, takes no parameters. Strings are escaped by knex's own escaping for the
   * client, a Date is written as the driver binds it. Null where the text could not pass through
   * knex.raw unchanged (a `?` in a value); absent or null: the bookkeeping is sent bound, on its own.
   */
  inlineStatement?(db: Knex, sql: string, bindings: readonly Knex.Value[]): string | null;
  /**
   * How `--sql` renders a revision: "offline" runs it against a knex that executes nothing;
   * "scratch" runs it for real on an in-memory database, because knex reads a SQLite table
   * before it alters it (it rebuilds the table).
   */
  readonly offlineRendering: "offline" | "scratch";
  /**
   * Whether holding the migration lock keeps every other connection from writing (SQLite: it is
   * a write transaction). Then nothing may be waited for under it that another writer must end,
   * such as knex's own run freeing knex_migrations_lock (issue #15).
   */
  readonly lockBlocksWriters: boolean;
  /**
   * Runs fn while holding the migration lock. fn receives the knex to run the migration on:
   * the pool on PostgreSQL/MySQL (the lock sits on a dedicated session), the lock's own write
   * transaction on SQLite (so a revision's "transaction" is a savepoint there).
   * Throws LOCK_TIMEOUT naming the holder when the wait runs out; always releases the lock.
   */
  withLock<T>(knex: Knex, lock: LockRequest, fn: (db: Knex) => Promise<T>): Promise<T>;
  /** Who holds the lock now, in words for a person; null when it is free. */
  describeLockHolder(knex: Knex, lockName: string): Promise<string | null>;
  /** Ends the session holding the lock where the database allows it. */
  terminateLockHolder(knex: Knex, lockName: string): Promise<UnlockResult>;
  /** The database user this session is logged in as, for the history (`strata repair`); null where there is none (SQLite). */
  databaseUser(knex: Knex): Promise<string | null>;
  /** knex options this dialect needs for Strata: timeouts, session names, UTC dates. */
  connectionOptions(config: Knex.Config): Knex.Config;
  /** Turns a driver's connection error into a one-line StrataError. */
  connectionError(err: unknown, target: ConnectionTarget): StrataError;
  /**
   * Where the driver runs in process (better-sqlite3): a fixed bookkeeping statement (a savepoint,
   * its release, a row insert) run straight on the connection db's transaction holds, prepared
   * once per connection, instead of through knex's query pipeline, which cost more than the
   * statement itself (issue 15). Same transaction, same error message as knex's (the statement
   * with its values, then the driver's message). Resolves to the rows changed and the last
   * inserted row id. Absent: the caller sends the statement through knex.raw.
   */
  runDirect?(db: Knex, sql: string, bindings: readonly Knex.Value[]): Promise<DirectResult>;
  /**
   * Where one query may hold several statements (MySQL): such a query sent straight on the driver
   * connection that db's transaction holds, not through knex's query pipeline, which costs the
   * client about as much as the server's answer to a run's record (one such query a revision,
   * issue 15). Resolves to the driver's result (one per statement); rejects with the driver's
   * error. Outside a transaction it goes through knex.raw. Absent: the caller uses knex.raw.
   */
  queryDirect?(db: Knex, sql: string, values: readonly unknown[]): Promise<unknown>;
  /** Inserts one row and returns its generated integer id (RETURNING, insertId or rowid). */
  insertReturningId(db: Knex, table: string, row: Readonly<Record<string, unknown>>): Promise<number>;
  /**
   * Where one query can hold several statements (MySQL): from now until the returned function is
   * called, whatever `carrier.take()` gives is sent ahead of each statement on the transaction's
   * connection, a nested transaction's too, in the same query; the caller of the statement gets
   * its own results only. When such a query fails, `carrier.failed` says what its caller gets.
   */
  carryAhead?(trx: Knex.Transaction, carrier: AheadCarrier): Promise<() => void>;
  /**
   * Where bookkeeping is "multi-statement": a step's record as one query. `guarded` makes the
   * query fail before anything after a change runs unless the change touched its one row (for a
   * record sent ahead of another statement, whose results nobody reads); without it the caller
   * checks each statement's result.
   */
  stepRecordSql?(record: StepRecord, opts: { readonly guarded: boolean }): StepRecordSql;
  /** Whether a query failed on one of stepRecordSql's guards: a row was not where the run had put it. */
  isRecordGuardFailure?(error: unknown): boolean;
  /** The SQL an offline script writes for values and checks a run makes in code. */
  readonly scriptSql: ScriptSql;
  /** Catalog reading, scratch databases and the SQL knex's schema builder cannot write (issue 3). */
  readonly schema: SchemaDialect;
  /** Where a config leads as the driver reads it (its defaults applied), for telling two routes to one database apart (issue 14). */
  databaseAddress(config: Knex.Config, vars: AddressVariables): DatabaseAddress;
}
