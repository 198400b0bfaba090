import os from "node:os";
import { loadKnex } from "../knex-factory.js";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import { dialectFor } from "../dialect/index.js";
import type { DbClient, Dialect } from "../dialect/index.js";
import type { Plan, Step, VersionOp } from "../revisions/types.js";
import type { RevisionModule, RevisionScript } from "../scripts/types.js";
import { defineKnexLockTable, defineKnexMigrationsTable, knexLockTable } from "./knex-migrations.js";
import { currentUser, defineHistoryTable, defineVersionTable } from "./strata-tables.js";

/** Options of renderSql(). */
export interface RenderSqlOptions {
  readonly plan: Plan;
  readonly scripts: ReadonlyMap<string, RevisionScript>;
  /** From base to where the plan starts: SQLite runs it on a scratch database first. */
  readonly earlierPlan?: Plan;
  /**
   * Instead of earlierPlan, the live database's own schema (SQLite's `sqlite_master` DDL, tables
   * first): the scratch database starts where the target is, drift included, at the cost of one
   * read instead of replaying every earlier revision.
   */
  readonly seedSchema?: readonly string[];
  readonly versionTable: string;
  /**
   * For the destructive lint, which reads only the revisions' own statements: no version-table
   * DDL or changes in the script, and on SQLite the plan is first rendered without a database
   * (the scratch database is made only when a revision reads, as knex does to rebuild a table).
   */
  readonly lintOnly?: boolean;
  /**
   * A real database of the plan's dialect, holding the live schema without its rows (a scratch
   * database the caller made and drops): the plan runs there for real and the statements it
   * issued are the script, so revisions that read the schema (hasTable, hasColumn, knex's own
   * reads for renameColumn or a SQLite rebuild) render too. seedSchema is run on it first.
   */
  readonly database?: Knex;
  /**
   * On a real database (SQLite's scratch, or `database`), a revision that reads rows of a table
   * is told here, once per step, instead of refused: it gets no rows, so the rest of the plan is
   * still rendered, and the caller's verdict says what could not be known.
   */
  readonly onRowRead?: (step: Step, sql: string) => void;
  /**
   * Strata's history table. Only a knex-mode script writes rows to it (see `knex`); otherwise an
   * offline script writes none, as Alembic's offline mode writes only the version table.
   */
  readonly historyTable?: string;
  /**
   * knex mode (issue #15): the script does what a Strata run does instead of writing the version
   * table: makes knex's tables where missing, takes knex's lock (stopping while a knex migration
   * holds it), writes each step's knex_migrations row (one batch for the script, the database's
   * clock for migration_time) and a history row in the step's transaction, and frees the lock.
   */
  readonly knex?: KnexScript;
  /**
   * Makes the project's base schema (config `baseSchema`) on a scratch database before the
   * earlier revisions are replayed on it; unused when the schema is seeded from a live database.
   */
  readonly baseSchema?: (knex: Knex) => Promise<void>;
}

/** What a knex-mode script needs to write the rows a run writes. */
export interface KnexScript {
  readonly tableName: string;
  /** The name knex stores for a revision id (its file name). */
  readonly nameOf: (revision: string) => string;
  /** Written in the history rows' strata_version. */
  readonly strataVersion: string;
}

/** What every error of a scratch build says: it is about the revision files, never the user's database (issue #15 point 6). */
export const SCRATCH_BUILD_WORDS = "while building the migrations' schema in a scratch database";

interface Captured {
  readonly sql: string;
  readonly bindings?: readonly unknown[];
  readonly method?: string;
}

/**
 * Renders a plan as a SQL script without connecting to the target: each revision's statements,
 * wrapped in BEGIN/COMMIT where DDL is transactional, followed by its version-table changes.
 * A revision that reads data cannot be rendered (NOT_SUPPORTED naming it).
 */
export async function renderSql(client: DbClient, opts: RenderSqlOptions): Promise<string> {
  const dialect = dialectFor(client);
  if (opts.database) return renderIn(realSession(opts.database, false, opts.onRowRead), dialect, opts);
  if (dialect.offlineRendering === "scratch" && opts.lintOnly) {
    try {
      return await renderIn(await openOffline(client), dialect, opts);
    } catch {
      // A revision read (or failed): render it where knex can read, as below.
    }
  }
  return renderIn(dialect.offlineRendering === "scratch" ? await openScratch(client, opts.onRowRead) : await openOffline(client), dialect, opts);
}

async function renderIn(session: RenderSession, dialect: Dialect, opts: RenderSqlOptions): Promise<string> {
  const bookkeeping = !opts.lintOnly;
  try {
    const out: string[] = [`-- Strata ${opts.plan.command} to ${opts.plan.target} for ${dialect.label}, rendered ${opts.database ? "in a scratch database holding the live schema" : "offline"}`, ""];
    if (session.scratch && opts.seedSchema) {
      await seed(session.knex, opts.seedSchema);
    } else {
      if (session.scratch && opts.baseSchema) {
        try {
          await opts.baseSchema(session.knex);
        } catch (e) {
          const first = opts.plan.steps[0];
          const why = `${SCRATCH_BUILD_WORDS}, the base schema failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
          throw new StrataError("SCRATCH_BUILD_FAILED", first ? `revision ${first.revision} cannot be rendered as SQL: ${why}` : why, {});
        }
      }
      // Only a real database keeps what the earlier revisions built; replayed offline they build
      // nothing, and a read in one of them would fail this plan with that other revision's error.
      for (const step of session.scratch ? (opts.earlierPlan?.steps ?? []) : []) {
        await session.run(revisionFunction(await loadModule(opts.scripts, step), step), step, true);
      }
    }
    const knexScript = bookkeeping && opts.knex ? new KnexScriptWriter(session.knex, dialect, opts.knex, opts.historyTable ?? "strata_history") : null;
    if (knexScript) out.push(...knexScript.opening().map(terminate), "");
    else if (bookkeeping) out.push(...createIfMissing(session.knex, opts.versionTable, (t) => defineVersionTable(t, opts.versionTable)).map(terminate), "");
    const versionStatements = versionStatementWriter(session.knex, opts.versionTable);
    for (const step of opts.plan.steps) {
      const mod = await loadModule(opts.scripts, step);
      const script = opts.scripts.get(step.revision)!;
      const statements = await session.run(revisionFunction(mod, step), step);
      out.push(`-- Running ${step.direction === "up" ? "upgrade" : "downgrade"} ${step.revision}: ${script.message.replace(/\s+/g, " ")}`);
      // SQLite ignores the foreign_keys pragma inside a transaction; knex emits it around a table rebuild, so it goes outside.
      const pragmas = statements.filter((s) => /^\s*pragma\s+foreign_keys\s*=/i.test(s));
      const body = statements.filter((s) => !pragmas.includes(s));
      if (dialect.transactionalDdl) out.push(...pragmas.filter((s) => /off|0|false/i.test(s)).map(terminate), "BEGIN;");
      out.push(...(dialect.transactionalDdl ? body : statements).map(terminate));
      if (knexScript) out.push(...knexScript.step(step, script).map(terminate));
      else if (bookkeeping) out.push(...versionStatements(step.ops).map(terminate));
      if (dialect.transactionalDdl) out.push("COMMIT;", ...pragmas.filter((s) => !/off|0|false/i.test(s)).map(terminate));
      out.push("");
    }
    if (knexScript) out.push(...knexScript.closing().map(terminate), "");
    return out.join("\n");
  } finally {
    await session.close();
  }
}

/** Makes the live schema on a scratch database; a statement it refuses is said plainly (the plan is then unchecked, not failed). */
async function seed(knex: Knex, ddl: readonly string[]): Promise<void> {
  for (const statement of ddl) {
    try {
      // knex reads "?" in raw SQL as a binding; a default or a check may hold one.
      await knex.raw(statement.replace(/\?/g, "\\?"));
    } catch (e) {
      throw new StrataError("NOT_SUPPORTED", `the live schema could not be copied into a scratch database (${causeLine(e)} in \`${statement.replace(/\s+/g, " ").slice(0, 100)}\`)`, { statement });
    }
  }
}

interface RenderSession {
  readonly knex: Knex;
  /** A real (in-memory) database that runs the statements, rather than a capture of them. */
  readonly scratch: boolean;
  /** Runs one revision function and returns the statements it issued, bindings inlined. */
  /** replay: an earlier revision run only to build the schema (SQLite): what it reads does not matter, as nothing of it is printed. */
  run(fn: (knex: Knex) => Promise<void> | void, step: Step, replay?: boolean): Promise<string[]>;
  close(): Promise<void>;
}

/** A knex whose client executes nothing: every statement is captured instead of sent. */
async function openOffline(client: DbClient): Promise<RenderSession> {
  const knex = (await loadKnex())({ client, useNullAsDefault: client === "better-sqlite3" });
  const c = knex.client as unknown as Record<string, unknown>;
  let sink: ((q: Captured) => void) | null = null;
  // knex prefixes any error thrown from _query with the statement, so a refusal is kept aside and thrown by run().
  let refused: StrataError | null = null;
  c.acquireConnection = async () => ({ offline: true });
  c.releaseConnection = async () => undefined;
  // Keep "?" placeholders so bindings can be inlined with the dialect's own escaping.
  c.positionBindings = (sql: string) => sql;
  c._query = async (_conn: unknown, obj: Captured) => {
    sink?.(obj);
    return obj;
  };
  c.processResponse = () => [];
  return {
    knex,
    scratch: false,
    async run(fn, step) {
      const statements: string[] = [];
      refused = null;
      sink = (q) => {
        if (readsData(q)) {
          refused = cannotRender(step, q.sql);
          throw new Error("offline rendering refused a read");
        }
        statements.push(inline(knex, q));
      };
      try {
        await fn(knex);
      } catch (e) {
        throw refused ?? (e instanceof StrataError ? e : cannotRender(step, null, e));
      } finally {
        sink = null;
      }
      if (refused) throw refused;
      return statements;
    },
    close: () => knex.destroy(),
  };
}

/**
 * The statements a revision would issue, for a message about a run that stopped part way: reads
 * are listed rather than refused, and whatever was captured before the function gave up (it may
 * need answers from a database) is returned. Never throws.
 */
export async function sketchStatements(client: DbClient, script: RevisionScript, direction: Step["direction"]): Promise<string[]> {
  const statements: string[] = [];
  let knex: Knex | null = null;
  try {
    const mod = await script.load();
    knex = (await loadKnex())({ client, useNullAsDefault: true });
    const c = knex.client as unknown as Record<string, unknown>;
    c.acquireConnection = async () => ({ offline: true });
    c.releaseConnection = async () => undefined;
    c.positionBindings = (sql: string) => sql;
    c._query = async (_conn: unknown, obj: Captured) => {
      statements.push(inline(knex!, obj).replace(/\s+/g, " ").trim());
      return obj;
    };
    c.processResponse = () => [];
    await (direction === "up" ? mod.up(knex) : mod.down(knex));
  } catch {
    // What was captured so far is still worth showing.
  } finally {
    await knex?.destroy().catch(() => undefined);
  }
  return statements.filter((s) => !/^(begin|commit|rollback|savepoint|release)\b/i.test(s));
}

/** A real in-memory database, so knex can read the tables it rebuilds on SQLite. */
async function openScratch(client: DbClient, onRowRead: RenderSqlOptions["onRowRead"]): Promise<RenderSession> {
  return realSession((await loadKnex())({ client, connection: { filename: ":memory:" }, useNullAsDefault: true }), true, onRowRead);
}

/**
 * A session on a real database: each revision runs for real and its statements are listed as it
 * issued them. Reads of the catalog (knex's own, or the revision's hasTable / hasColumn /
 * columnInfo / information_schema) are left out of the script; a read of a table's rows is told
 * to onRowRead, or refused where there is none (`--sql` cannot render it).
 */
function realSession(knex: Knex, owned: boolean, onRowRead: RenderSqlOptions["onRowRead"]): RenderSession {
  return {
    knex,
    scratch: true,
    async run(fn, step, replay) {
      const captured: Captured[] = [];
      const onQuery = (q: Captured) => captured.push(q);
      knex.on("query", onQuery);
      try {
        await fn(knex);
      } catch (e) {
        // A verdict's render runs on a copy of the live schema; --sql's on one built from the revisions.
        if (onRowRead) throw cannotRender(step, null, e, "verdict");
        throw cannotRenderInScratch(step, captured.at(-1)?.sql, e);
      } finally {
        knex.off("query", onQuery);
      }
      const out: string[] = [];
      let told = false;
      for (const q of captured) {
        if (isTransactionControl(q.sql)) continue;
        // "pragma foreign_keys = off" around a SQLite rebuild is part of the script, not a read.
        if (!readsData(q) || /^\s*pragma\b[^=]*=/i.test(q.sql)) {
          out.push(inline(knex, q));
          continue;
        }
        if (replay || readsCatalogOnly(q.sql)) continue;
        if (!onRowRead) throw cannotRender(step, q.sql);
        if (!told) onRowRead(step, inline(knex, q));
        told = true;
      }
      return out;
    },
    close: () => (owned ? knex.destroy() : Promise.resolve()),
  };
}

function isTransactionControl(sql: string): boolean {
  return /^\s*(begin|commit|rollback|savepoint|release|start\s+transaction)\b/i.test(sql);
}

/** Schemas and tables that describe the database rather than hold its rows. */
const CATALOG = /^[`"]?(information_schema|pg_catalog|performance_schema|mysql|sys)[`"]?\.|^[`"]?(pg_\w+|sqlite_master|sqlite_schema|sqlite_temp_master|pragma_\w+)[`"]?(\s|\(|$)/i;

/**
 * Whether a read asks only the catalog (or nothing: `select 1`, `select version()`), so that a
 * database without rows answers it as the live one would: every table it names after FROM or
 * JOIN is a catalog's; SHOW, DESCRIBE and PRAGMA read the catalog too.
 */
function readsCatalogOnly(sql: string): boolean {
  const s = sql.trim();
  if (/^(show|describe|desc|explain|pragma)\b/i.test(s)) return true;
  const named = [...s.matchAll(/\b(?:from|join)\s+([`"\w$.]+(?:\s*\()?)/gi)].map((m) => m[1]!);
  return named.every((t) => CATALOG.test(t));
}

function readsData(q: Captured): boolean {
  if (q.method === "select" || q.method === "first" || q.method === "pluck" || q.method === "columnInfo") return true;
  return /^\s*(select|show|with|explain|pragma|describe|desc)\b/i.test(q.sql);
}

/** A table's CREATE statements, made to leave an existing table alone. */
function createIfMissing(knex: Knex, table: string, define: (t: Knex.CreateTableBuilder) => void): string[] {
  return knex.schema
    .createTable(table, define)
    .toSQL()
    .map((q) => q.sql.replace(/^\s*create table /i, "create table if not exists "));
}

/**
 * The bookkeeping of a knex-mode script, statement by statement as a run does it (see
 * RenderSqlOptions.knex). The batch is read from the table as the script runs: the first row
 * takes one more than the highest, later ones the same (one batch per script, as one per
 * `latest`), so a script rendered once still numbers right on any database it is fed to.
 */
class KnexScriptWriter {
  private inserted = false;

  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
    private readonly opts: KnexScript,
    private readonly historyTable: string,
  ) {}

  opening(): string[] {
    const { tableName } = this.opts;
    const lockTable = knexLockTable(tableName);
    return [
      ...createIfMissing(this.knex, tableName, defineKnexMigrationsTable),
      ...createIfMissing(this.knex, lockTable, defineKnexLockTable),
      this.knex.raw("insert into ?? (??) select 0 from (select 1 as one) as one where not exists (select 1 from ??)", [lockTable, "is_locked", lockTable]).toQuery(),
      ...createIfMissing(this.knex, this.historyTable, defineHistoryTable),
      `-- knex's lock, as a run takes it: the script stops here while a knex migration holds ${lockTable}`,
      ...this.dialect.scriptSql.takeKnexLock(lockTable),
    ];
  }

  step(step: Step, script: RevisionScript): string[] {
    const { tableName, nameOf } = this.opts;
    const name = nameOf(step.revision);
    const sql = this.dialect.scriptSql;
    let row: string;
    if (step.direction === "up") {
      const batch = this.inserted ? "max(??)" : "coalesce(max(??), 0) + 1";
      this.inserted = true;
      row = this.knex.raw(`insert into ?? (??, ??, ??) select ?, ${batch}, ${sql.knexMigrationTime} from ??`, [tableName, "name", "batch", "migration_time", name, "batch", tableName]).toQuery();
    } else {
      row = this.knex(tableName).where({ name }).delete().toQuery();
    }
    const now = this.knex.raw(sql.isoNow);
    const history = this.knex(this.historyTable)
      .insert({
        revision: step.revision,
        direction: step.direction,
        message: script.message,
        checksum: script.checksum,
        started_at: now,
        finished_at: now,
        duration_ms: null,
        status: "succeeded",
        error: null,
        // Who rendered the script: Strata cannot know who feeds it to the database.
        user_name: currentUser(),
        host_name: os.hostname(),
        strata_version: this.opts.strataVersion,
      })
      .toQuery();
    return [row, history];
  }

  closing(): string[] {
    return [this.knex(knexLockTable(this.opts.tableName)).update({ is_locked: 0 }).toQuery()];
  }
}

/**
 * The version table's statements of a script. knex builds each kind (insert, delete, update) once
 * and each step's revision ids are inlined into it with the dialect's escaping: a query built per
 * step cost more than the rest of a 2,000-step script's rendering (issue 19). The text is what
 * knex's toQuery() gives for the same builder.
 */
export function versionStatementWriter(knex: Knex, table: string): (ops: readonly VersionOp[]) => string[] {
  // Stand-ins that no revision id can be, so the binding order knex chose can be read back.
  const FROM = "\u0000from";
  const TO = "\u0000to";
  const template = (q: Knex.QueryBuilder): { readonly sql: string; readonly order: readonly unknown[] } => {
    const { sql, bindings } = q.toSQL();
    return { sql, order: bindings };
  };
  const templates = {
    insert: template(knex(table).insert({ version_num: TO })),
    delete: template(knex(table).where({ version_num: FROM }).delete()),
    update: template(knex(table).where({ version_num: FROM }).update({ version_num: TO })),
  };
  const fill = (t: { readonly sql: string; readonly order: readonly unknown[] }, from: string | null, to: string | null): string =>
    inline(knex, { sql: t.sql, bindings: t.order.map((b) => (b === FROM ? from : b === TO ? to : b)) });
  return (ops) =>
    ops.map((op) => {
      switch (op.kind) {
        case "insert":
          return fill(templates.insert, null, op.revision);
        case "delete":
          return fill(templates.delete, op.revision, null);
        case "update":
          return fill(templates.update, op.from, op.to);
        default:
          return op satisfies never;
      }
    });
}

/** Inlines bindings with the client's escaping (knex's own toQuery rule: "?" is a binding, "\?" a literal "?"). */
function inline(knex: Knex, q: Captured): string {
  const bindings = q.bindings ?? [];
  const escape = (knex.client as unknown as { _escapeBinding(v: unknown, ctx: object): string })._escapeBinding.bind(knex.client);
  let i = 0;
  return q.sql.replace(/\\?\?/g, (m) => (m === "\\?" ? "?" : i < bindings.length ? escape(bindings[i++], {}) : m));
}

function terminate(sql: string): string {
  const s = sql.trim();
  if (s.startsWith("--")) return s;
  return s.endsWith(";") ? s : `${s};`;
}

async function loadModule(scripts: ReadonlyMap<string, RevisionScript>, step: Step): Promise<RevisionModule> {
  const script = scripts.get(step.revision);
  if (!script) throw new StrataError("REVISION_MISSING", `revision ${step.revision} is in the plan but has no file; restore its file`, { revision: step.revision });
  return script.load();
}

function revisionFunction(mod: RevisionModule, step: Step): (knex: Knex) => Promise<void> | void {
  return step.direction === "up" ? mod.up.bind(mod) : mod.down.bind(mod);
}

/**
 * Why a revision cannot be rendered: a read (sql), or a failure (cause) offline or on a scratch
 * database, for a script (`--sql`) or for a plan's verdict.
 */
function cannotRender(step: Step, sql: string | null, cause?: unknown, where: "offline" | "scratch" | "verdict" = "offline"): StrataError {
  const details = { revision: step.revision, direction: step.direction, ...(sql ? { statement: sql } : {}), rendering: where };
  if (where === "verdict") {
    return new StrataError("NOT_SUPPORTED", `revision ${step.revision} failed while rendering in a scratch database: ${causeLine(cause)}`, details);
  }
  const why = sql
    ? `it reads data (\`${sql.replace(/\s+/g, " ").slice(0, 100)}\`), which a script rendered without a database cannot do`
    : `it failed while rendering${where === "scratch" ? " in a scratch database" : ""}: ${causeLine(cause)}`;
  return new StrataError("NOT_SUPPORTED", `revision ${step.revision} cannot be rendered as SQL: ${why}; run it online instead`, details);
}

/** A driver's message without the statement knex puts in front of it. */
function causeLine(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (cause instanceof StrataError) return cause.message;
  const driver = cause as Error & { sqlMessage?: string; code?: unknown };
  const line = (driver.sqlMessage ?? cause.message).split("\n")[0]!;
  // knex puts the statement in front of a driver's message ("alter table ... - column exists").
  return driver.code !== undefined && driver.sqlMessage === undefined ? line.replace(/^[\s\S]*? - (?=\S)/, "") : line;
}


/**
 * A revision that failed on the scratch database SQLite renders in: the failure is the revision
 * files' (a table an earlier one never made, say), not of any database of the user's.
 */
function cannotRenderInScratch(step: Step, sql: string | undefined, cause: unknown): StrataError {
  const message = cause instanceof Error ? cause.message.split("\n")[0]! : String(cause);
  // knex prefixes a driver error with the statement; the statement is named on its own.
  const reason = sql !== undefined && message.startsWith(sql) ? message.slice(sql.length).replace(/^\s*-\s*/, "") : message;
  const at = sql === undefined ? "" : ` in \`${sql.replace(/\s+/g, " ").slice(0, 160)}\``;
  return new StrataError(
    "SCRATCH_BUILD_FAILED",
    `revision ${step.revision} cannot be rendered as SQL: it failed ${SCRATCH_BUILD_WORDS}${at}: ${reason}; if the first revision assumes tables made elsewhere, name a schema to start from in "baseSchema" of strata.config.json`,
    { revision: step.revision, direction: step.direction, statement: sql ?? null, databaseMessage: reason },
  );
}
