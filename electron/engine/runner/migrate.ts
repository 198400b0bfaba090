import type { Knex } from "knex";
import { StrataError, isStrataError } from "../errors.js";
import type { AheadCarrier, Dialect } from "../dialect/index.js";
import { runFixed } from "../dialect/index.js";
import type { Plan, Step } from "../revisions/types.js";
import type { RevisionScript } from "../scripts/types.js";
import { StatementLog } from "./statement-log.js";
import { migrationLock, applyVersionOps, closeStep, ensureStrataTables, recordStep, recordStepStatements, finishHistory, insertHistory, insertHistoryRows, netVersionOps, newRunMark, selectHeads, stepRecordOf } from "./strata-tables.js";
import type { HistoryEntry, RunMark, TableNames } from "./strata-tables.js";
import { DEFAULT_LOCK_TIMEOUT_MS } from "./strata-tables.js";
import { awaitKnexLockFree, ensureKnexTables, freeKnexLock, nextKnexBatch, selectKnexNames, takeKnexLock } from "./knex-migrations.js";
import type { RunEvent, RunResult } from "./types.js";
import { HALF_APPLIED_WORDS, ranStatementsColumn, refuseUnresolved, resolveAdvice } from "./unresolved.js";
import { connectionLostError, connectionLostOutsideRevision, lostCause } from "./lost-connection.js";
import type { KeptAfterLoss } from "./lost-connection.js";

/** Options of migrate(). */
export interface MigrateOptions {
  readonly scripts: ReadonlyMap<string, RevisionScript>;
  /** Plans from the heads read under the lock, so concurrent runners never apply a revision twice. */
  readonly makePlan: (heads: readonly string[]) => Plan;
  readonly versionTable: string;
  readonly historyTable: string;
  /** One transaction for the whole batch (dialects with transactional DDL; MySQL commits per statement regardless). */
  readonly singleTransaction?: boolean;
  readonly lockTimeoutMs?: number;
  readonly onEvent?: (e: RunEvent) => void;
  readonly strataVersion: string;
  /** The environment's name, for a lost connection's message (issue 14). */
  readonly environment?: string;
  /**
   * knex mode (issue #15): knex_migrations is the truth. Under the lock the run takes knex's
   * lock too, hands makePlan the names knex_migrations holds (not version-table heads), and
   * writes each step's knex row in the step's transaction; no version table is used.
   */
  readonly knex?: { readonly tableName: string };
}

/** Where a step of a run that defers its commits can be undone to (see StepRunner.defersCommits). */
const STEP_SAVEPOINT = "strata_step";

/** A revision's own savepoint inside the run's transaction (StepRunner.inStepSavepoint). */
const REVISION_SAVEPOINT = "strata_revision";

type StepOutcome = { readonly revision: string; readonly direction: Step["direction"]; readonly durationMs: number };

/** A finished step's record not sent yet (StepRunner.recordCarrier): the SQL, and the step's `running` row it closes. */
interface PendingRecord {
  readonly sql: string;
  readonly values: readonly unknown[];
  readonly statements: number;
  readonly step: Step;
  readonly script: RevisionScript;
  readonly id: number;
  readonly startedAt: Date;
  /** The version table's rows before the step, where the record leaves them if it fails. */
  readonly versionBefore: readonly string[];
}

/** The query that carried a step's record failed before that record was written: it is that step's failure. */
class RecordFailed extends Error {
  constructor(
    readonly record: PendingRecord,
    readonly failure: unknown,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

/**
 * Runs a plan under the database's migration lock: reads the heads under the lock, plans, then
 * runs each revision with its version-table changes and history row.
 *
 * Transactions: by default each revision, its version-table changes and its history row commit
 * together; on SQLite the whole run is one write transaction (the lock) and each revision a
 * savepoint in it. A script with `transaction = false` runs without a transaction of its own:
 * on PostgreSQL its statements autocommit one by one; on SQLite they run directly in the lock's
 * write transaction, so statements SQLite refuses inside any transaction (VACUUM, the
 * foreign_keys pragma) still cannot be used there, and a failure keeps what ran before it.
 *
 * `--single-transaction` on MySQL, where DDL commits as it runs and no batch can be one
 * transaction: the run adds no commits of its own between revisions. Each revision's record (its
 * version change, its history row closed, the next revision's `running` row) is committed by
 * the next revision's first DDL statement, or at the end, as knex's `latest` in a transaction
 * commits its rows; see StepRunner.defersCommits.
 */
export async function migrate(knex: Knex, dialect: Dialect, opts: MigrateOptions): Promise<RunResult> {
  const emit = opts.onEvent ?? (() => undefined);
  // A revision failure must still commit its `failed` history row (and, on SQLite, the lock
  // transaction holding it), so it is carried out of the lock and thrown afterwards.
  let failure: unknown = null;
  const done: StepOutcome[] = [];
  // A connection lost outside any revision (taking the lock, reading the heads) is said as plainly as one inside.
  const lostOutside = (e: unknown): unknown => connectionLostOutsideRevision(e, { environment: opts.environment, label: dialect.label, applied: done.map((d) => d.revision) }) ?? e;
  const lockTimeoutMs = opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const knexLockDeadline = Date.now() + lockTimeoutMs;
  // A knex run holding its lock is waited for before Strata's lock is taken: on SQLite that lock
  // keeps every writer out, knex's run too, which could then never free its own.
  if (opts.knex) await awaitKnexLockFree(knex, opts.knex.tableName, lockTimeoutMs, emit).catch((e: unknown) => Promise.reject(lostOutside(e)));
  const result = await dialect.withLock(
    knex,
    migrationLock(opts.lockTimeoutMs, emit),
    async (db): Promise<RunResult> => {
      const knexTable = opts.knex?.tableName;
      if (knexTable === undefined) return runUnderLock(db, await selectHeads(db, opts.versionTable), opts);
      await ensureKnexTables(db, knexTable);
      await takeKnexLock(db, knexTable, dialect.lockBlocksWriters ? 0 : Math.max(0, knexLockDeadline - Date.now()), emit);
      let ran: RunResult;
      try {
        // Read once knex's lock is held: a knex run that held it has committed its rows by now.
        const names = await selectKnexNames(db, knexTable);
        const knexRows = { tableName: knexTable, batch: await nextKnexBatch(db, knexTable), nameOf: (id: string) => opts.scripts.get(id)?.knexName ?? id };
        ran = await runUnderLock(db, names, { ...opts, knexRows });
      } catch (e) {
        // The first failure is the one to tell; knex's lock is freed where the connection still can.
        await freeKnexLock(db, knexTable).catch(() => undefined);
        throw e;
      }
      await (failure ? freeKnexLock(db, knexTable).catch(() => undefined) : freeKnexLock(db, knexTable));
      return ran;
    },
  ).catch((e: unknown) => Promise.reject(lostOutside(e)));
  if (failure) throw lostOutside(failure);
  return result;

  /** The run once the lock is held; `state` is the heads (or in knex mode knex_migrations' names) makePlan starts from. */
  async function runUnderLock(db: Knex, state: readonly string[], opts: MigrateOptions & TableNames): Promise<RunResult> {
    await ensureStrataTables(db, opts);
    // A revision left running or half applied by an earlier run stops every run until resolved.
    await refuseUnresolved(db, { historyTable: opts.historyTable, client: dialect.client, scripts: opts.scripts, command: () => commandOf(() => opts.makePlan(state).command) });
    const plan = opts.makePlan(state);
    const headsBefore = opts.knexRows ? plan.headsBefore : state;
    const scripts = plan.steps.map((step) => scriptFor(opts.scripts, step));
    emit({ kind: "plan", total: plan.steps.length });
    // Every row this run writes carries its mark, so the history tells it from a run that followed at once (issue 19).
    const run = new StepRunner(db, dialect, opts, headsBefore, plan.steps.length, emit, newRunMark(plan.target));
    try {
      if (opts.singleTransaction && dialect.transactionalDdl && plan.steps.length > 0) {
        await run.batch(plan.steps, scripts, done);
      } else {
        const steps = async (from: number, to: number): Promise<void> => {
          for (let i = from; i < to; i++) {
            const following = plan.steps[i + 1];
            done.push(await run.one(plan.steps[i]!, scripts[i]!, i, following ? { step: following, script: scripts[i + 1]! } : null));
          }
        };
        for (const { from, to, chained } of chainSegments(dialect, scripts)) {
          if (!chained) {
            await steps(from, to);
            continue;
          }
          // When the connection is gone, knex rejects with its failed ROLLBACK's error, not the step's.
          let stepFailure: unknown = null;
          await db
            .transaction((trx) => run.carry(trx, to - from, () => steps(from, to)).catch((e: unknown) => Promise.reject((stepFailure = e))))
            .catch((e: unknown) => Promise.reject(stepFailure ?? e));
        }
      }
    } catch (e) {
      failure = e;
    }
    // After a failure the session may be gone; the result is not used (the failure is thrown), so nothing is read.
    if (failure) return { steps: done, headsBefore, heads: [] };
    if (opts.knexRows) return { steps: done, headsBefore, heads: plan.headsAfter };
    return { steps: done, headsBefore, heads: await selectHeads(db, opts.versionTable) };
  }
}

/**
 * The plan cut into runs of steps: where the dialect can commit and begin in one query, two or
 * more revisions in a row that run in a transaction carry one connection's transaction (see
 * StepRunner.chain). A revision with `transaction = false` runs on its own, outside any: it may
 * run for hours on another connection, and a carried connection left idle that long would meet
 * the server's idle or idle-in-transaction timeout.
 */
function chainSegments(dialect: Dialect, scripts: readonly RevisionScript[]): { from: number; to: number; chained: boolean }[] {
  const out: { from: number; to: number; chained: boolean }[] = [];
  for (let i = 0; i < scripts.length; ) {
    let j = i;
    while (j < scripts.length && scripts[j]!.transaction) j++;
    // A revision with `transaction = false` is a segment of its own.
    if (j === i) j = i + 1;
    out.push({ from: i, to: j, chained: dialect.commitAndBegin && j - i > 1 });
    i = j;
  }
  return out;
}

/** The command a plan is for, in a refusal; "run" when the plan itself cannot be made. */
function commandOf(plan: () => string): string {
  try {
    return plan();
  } catch {
    return "run";
  }
}

function scriptFor(scripts: ReadonlyMap<string, RevisionScript>, step: Step): RevisionScript {
  const script = scripts.get(step.revision);
  if (!script) {
    throw new StrataError("REVISION_MISSING", `revision ${step.revision} is in the plan but has no file; restore its file or stamp past it`, { revision: step.revision });
  }
  return script;
}

class StepRunner {
  constructor(
    private readonly db: Knex,
    private readonly dialect: Dialect,
    private readonly opts: MigrateOptions & TableNames,
    private readonly headsBefore: readonly string[],
    private readonly total: number,
    private readonly emit: (e: RunEvent) => void,
    private readonly mark: RunMark,
  ) {
    this.current = headsBefore;
    this.stepRecordSql = dialect.stepRecordSql?.bind(dialect) ?? null;
    this.defersCommits = Boolean(opts.singleTransaction) && !dialect.transactionalDdl && dialect.commitAndBegin && dialect.carryAhead !== undefined && this.stepRecordSql !== null;
    this.relaxedCommit = dialect.relaxedCommit ?? null;
  }

  /** The dialect's record of a step in one query, where it has one (see defersCommits). */
  private readonly stepRecordSql: NonNullable<Dialect["stepRecordSql"]> | null;

  /** The version table's rows as the steps run so far left them. */
  private current: readonly string[];

  /** The `running` row of the next revision, written in the commit that closed the previous one. */
  private opened: { readonly revision: string; readonly id: number; readonly startedAt: Date } | null = null;

  /** Whether a revision runs where its statements may commit as they go (so it gets a `running` row first). */
  private commitsAsItRuns(script: RevisionScript): boolean {
    return !(this.dialect.transactionalDdl && script.transaction);
  }

  /**
   * Closes this step's row with its version change and opens the next revision's `running` row
   * (where it may commit as it runs) in one commit: on MySQL every commit is a disk flush.
   */
  private async closeAndOpenNext(
    trx: Knex,
    step: Step,
    script: RevisionScript,
    id: number,
    startedAt: Date,
    next: { step: Step; script: RevisionScript } | null,
    reopen: boolean,
  ): Promise<StepRunner["opened"]> {
    const opening = next && this.commitsAsItRuns(next.script) ? this.entry(next.step, next.script, new Date(), "running", null) : null;
    const savepoint = this.defersCommits && this.chain ? STEP_SAVEPOINT : undefined;
    const entry = this.entry(step, script, startedAt, "running", null);
    const recordSql = this.stepRecordSql;
    if (savepoint && recordSql) {
      // A record the revision sent no statement to carry goes on its own first.
      await this.sendRecord();
      // Under the migration lock no other run writes history rows, so the id after this step's is free;
      // a row written there by hand stops the record instead of being taken (stepRecordSql).
      const openedId = id + 1;
      const record = recordSql(stepRecordOf(this.opts, { ops: step.ops, id, entry, startedAt, next: opening, reopen, savepoint }, openedId), { guarded: true });
      this.pendingRecord = { ...record, step, script, id, startedAt, versionBefore: this.current };
      return next && opening ? { revision: next.step.revision, id: openedId, startedAt: opening.startedAt } : null;
    }
    const closed = await closeStep(trx, this.dialect, this.opts, { ops: step.ops, id, entry, startedAt, next: opening, reopen, savepoint, commit: this.recordCommits });
    this.committedByRecord = closed.committed;
    const nextId = closed.nextId;
    return next && opening && nextId !== null ? { revision: next.step.revision, id: nextId, startedAt: opening.startedAt } : null;
  }

  /**
   * Whether a step's record (closeStep) commits the step in its own query, in a carried
   * transaction that commits each step (MySQL): `begin; <record>; commit; begin`, so the step's
   * DDL, its record and its commit take two round trips, as knex's own migrator takes for the
   * migration and its row (issue 15). Without it the record was one query and the commit another.
   */
  private get recordCommits(): boolean {
    return this.chain !== null && !this.defersCommits && this.stepRecordSql !== null;
  }

  /** Set by closeAndOpenNext when the record's query committed the step (recordCommits): inStepTransaction then sends no commit. */
  private committedByRecord = false;

  /**
   * One connection's transaction carried through the run (Dialect.commitAndBegin, see
   * migrate()): each step commits and begins the next in one round trip, where knex's own
   * COMMIT and BEGIN take two.
   */
  private chain: Knex.Transaction | null = null;

  /**
   * MySQL's `--single-transaction`: a step of a carried transaction ends with a savepoint
   * instead of a commit, and the next revision's DDL commits it (MySQL commits before any DDL
   * statement). No step is lost or run twice for it:
   * - a revision that fails before its DDL is undone to the savepoint, and what the steps before
   *   it wrote is committed before the failure is recorded;
   * - a run killed after a revision's DDL and before the next one's leaves that revision's
   *   `running` row (committed by its DDL), so the next run refuses until `strata resolve`, as for
   *   any revision interrupted on MySQL. The default (a commit per revision) keeps it applied.
   * Each step's record rides ahead of the next statement (Dialect.carryAhead, recordCarrier).
   */
  private readonly defersCommits: boolean;

  /**
   * Runs steps in one connection's transaction carried from step to step (each step still commits
   * on its own unless defersCommits). Where it defers its commits, each step's record is sent in
   * the same query as the next statement on the connection (recordCarrier): one round trip a
   * revision, where knex's own `latest` makes two (the migration, then its row).
   */
  async carry(trx: Knex.Transaction, count: number, steps: () => Promise<void>): Promise<void> {
    this.chain = trx;
    this.chainLeft = count;
    const stop = this.defersCommits ? await this.dialect.carryAhead?.(trx, this.recordCarrier()) : undefined;
    try {
      if (this.defersCommits) await trx.raw(`savepoint ${STEP_SAVEPOINT}`);
      else if (this.relaxedCommit && count > 1) await trx.raw(this.relaxedCommit);
      await steps();
      await this.sendRecord();
    } finally {
      this.chain = null;
      this.chainLeft = 0;
      this.recordWithCommit = null;
      this.pendingRecord = null;
      stop?.();
    }
  }

  /** The last step's record, not sent yet: it goes ahead of the next statement on the carried connection. */
  private pendingRecord: PendingRecord | null = null;

  /**
   * The pending record, sent ahead of the next statement on the carried connection (a
   * revision's, or the runner's own), so the next revision's `running` row is in the database
   * before any of its statements runs, as when it was sent on its own.
   *
   * If that query fails, the record's checks (stepRecordSql) say whether it was the record:
   * then the step it closes reads back as still `running`, and the failure is that step's
   * (RecordFailed); otherwise the record was written and the failure is the statement's.
   */
  private recordCarrier(): AheadCarrier {
    let taken: PendingRecord | null = null;
    return {
      take: () => {
        taken = this.pendingRecord;
        this.pendingRecord = null;
        return taken;
      },
      failed: async (error, read) => {
        const record = taken;
        if (!record) return error;
        // Without an answer (the connection is gone) nothing more can be known here: the statement's failure stands.
        const rows = (await read("select status from ?? where id = ?", [this.opts.historyTable, record.id]).catch(() => null)) as { status?: string }[] | null;
        return rows === null || rows[0]?.status === "succeeded" ? error : new RecordFailed(record, error);
      },
    };
  }

  /** Sends the pending record on its own (before a commit, at the end, or when a revision sent no statement). */
  private async sendRecord(): Promise<void> {
    const chain = this.chain;
    if (!this.pendingRecord || !chain) return;
    try {
      // The carrier (recordCarrier) sends it ahead of this no-op.
      await chain.raw("do 0");
    } catch (e) {
      if (!(e instanceof RecordFailed)) throw e;
      await this.undoDeferredStep(chain).catch(() => undefined);
      throw await this.recordFailed(e);
    }
  }

  /** The steps of the carried transaction (carry) not committed yet, this one included. */
  private chainLeft = 0;

  /** Where the dialect has one, the statement that lets a carried transaction's commit return before the disk flush (Dialect.relaxedCommit). */
  private readonly relaxedCommit: string | null;

  /** A step's record as literal statements, set by the step's work, sent in the query that commits it (recordStepStatements). */
  private recordWithCommit: string | null = null;

  /**
   * A step's transaction: its own, or the run's carried one, committed and begun anew. In the
   * carried one, the next step's transaction commits without waiting for the disk unless it is
   * the chain's last (Dialect.relaxedCommit): the last commit's flush makes all before it durable.
   */
  private async inStepTransaction<T>(work: (trx: Knex) => Promise<T>): Promise<T> {
    const chain = this.chain;
    if (!chain && this.db.isTransaction) return this.inStepSavepoint(work);
    if (!chain) return this.db.transaction(work);
    try {
      const out = await work(chain);
      if (this.committedByRecord) {
        this.committedByRecord = false;
        this.chainLeft--;
      } else if (!this.defersCommits) {
        const record = this.recordWithCommit ?? "";
        this.recordWithCommit = null;
        this.chainLeft--;
        const relax = this.relaxedCommit && this.chainLeft > 1 ? `;\n${this.relaxedCommit}` : "";
        await chain.raw(`${record}commit;\nbegin${relax}`);
      }
      return out;
    } catch (e) {
      this.recordWithCommit = null;
      this.committedByRecord = false;
      // Undone now, not when the run's transaction ends: the failure is recorded on another connection first.
      await (this.defersCommits ? this.undoDeferredStep(chain) : chain.raw("rollback;\nbegin")).catch(() => undefined);
      throw e;
    }
  }

  /**
   * A step inside the run's own transaction (SQLite's lock: one write transaction for the run) is
   * a savepoint of it, set and released with plain statements: knex's nested transaction would
   * make the same SAVEPOINT and RELEASE, but builds a transaction object and a knex instance per
   * revision, a fifth of the run's own cost on a batch of small revisions (issue 15). The
   * revision gets the run's transaction, as knex's own migrator gives each migration its batch's.
   */
  private async inStepSavepoint<T>(work: (trx: Knex) => Promise<T>): Promise<T> {
    const db = this.db;
    await runFixed(db, this.dialect, `savepoint ${REVISION_SAVEPOINT}`);
    let out: T;
    try {
      out = await work(db);
    } catch (e) {
      // Undone now: the failure is recorded in the same transaction next.
      await runFixed(db, this.dialect, `rollback to savepoint ${REVISION_SAVEPOINT}`)
        .then(() => runFixed(db, this.dialect, `release savepoint ${REVISION_SAVEPOINT}`))
        .catch(() => undefined);
      throw e;
    }
    await runFixed(db, this.dialect, `release savepoint ${REVISION_SAVEPOINT}`);
    return out;
  }

  /**
   * A failed step of a run that defers its commits: what the step wrote goes, what the steps
   * before it wrote (not yet committed by any DDL) is committed. Without the savepoint, the
   * revision's DDL has committed and ended the transaction it was set in; what is open then is
   * at most the step's own bookkeeping, begun after that DDL.
   */
  private async undoDeferredStep(chain: Knex.Transaction): Promise<void> {
    if (this.pendingRecord) {
      // The revision failed before any statement of it was sent: the step before it stands.
      await this.sendRecord();
      await chain.raw("commit;\nbegin");
      return;
    }
    try {
      await chain.raw(`rollback to savepoint ${STEP_SAVEPOINT}`);
    } catch {
      await chain.raw("rollback");
    }
    await chain.raw("commit;\nbegin");
  }

  /** Commits what a run that defers its commits holds open, before a failure is recorded on another connection. */
  private async commitDeferred(): Promise<void> {
    if (!this.defersCommits || !this.chain) return;
    await this.sendRecord();
    await this.chain.raw("commit;\nbegin");
  }

  /** One revision, in its own transaction where the dialect can roll DDL back. */
  async one(step: Step, script: RevisionScript, index: number, next: { step: Step; script: RevisionScript } | null = null): Promise<StepOutcome> {
    let fn: (knex: Knex) => Promise<void> | void;
    try {
      fn = await this.revisionFunction(step, script);
    } catch (e) {
      // Nothing of it ran: close the `running` row opened for it, or it would block the next run.
      if (this.opened?.revision === step.revision) {
        await this.commitDeferred();
        await finishHistory(this.db, this.opts.historyTable, this.opened.id, this.opened.startedAt, "failed", e instanceof Error ? e.message : String(e));
        this.opened = null;
      }
      throw e;
    }
    const startedAt = new Date();
    this.emit({ kind: "step-start", index, total: this.total, revision: step.revision, direction: step.direction, message: script.message });
    const log = new StatementLog();
    // Set once all that remains of the step is its COMMIT: a connection lost then leaves all or nothing of it.
    let committing = false;
    if (this.dialect.transactionalDdl && script.transaction) {
      try {
        await this.inStepTransaction(async (trx) => {
          await this.runRevision(trx, fn, log);
          const entry = { ...this.entry(step, script, startedAt, "succeeded", null), finishedAt: new Date() };
          // In a carried transaction the record goes in the query that commits it (recordStepStatements).
          const statements = this.chain ? recordStepStatements(trx, this.dialect, this.opts, step.ops, entry) : null;
          if (statements === null) await recordStep(trx, this.dialect, this.opts, step.ops, entry);
          this.recordWithCommit = statements;
          committing = true;
        });
      } catch (e) {
        const cause = lostCause(e, log.failedError);
        if (cause !== null) {
          const kept = committing ? "unknown" : "rolled-back";
          const lost = this.lost(step, script, log, cause, kept, true, false);
          // Lost in the COMMIT, it may have committed its succeeded row: no failed one beside it.
          const recorded = !committing && (await this.recordLoss(() => this.history(this.db, step, script, startedAt, "failed", lost.message)));
          throw recorded ? lost : this.lost(step, script, log, cause, kept, false, false);
        }
        const error = this.failure(e, step, script, log, "it was rolled back: the database is as it was before this revision");
        await this.history(this.db, step, script, startedAt, "failed", error.message);
        throw error;
      }
    } else {
      // Statements may commit as they run: record the attempt first, so even a killed run leaves a trace.
      const opened = this.opened?.revision === step.revision ? this.opened : null;
      this.opened = null;
      const id = opened?.id ?? (await insertHistory(this.db, this.dialect, this.opts.historyTable, this.entry(step, script, startedAt, "running", null)));
      try {
        // Set only once the closing transaction has committed the row.
        if (script.transaction) {
          this.opened = await this.inStepTransaction(async (trx) => {
            await this.runRevision(trx, fn, log);
            // The record's query commits the step (recordCommits): lost in it, the step may have committed.
            if (this.recordCommits) committing = true;
            // DDL has ended MySQL's transaction: what follows must begin another to commit as one.
            const opened = await this.closeAndOpenNext(trx, step, script, id, startedAt, next, log.succeeded.some((sql) => this.dialect.commitsImplicitly(sql)));
            committing = true;
            return opened;
          });
        } else {
          await this.runRevision(this.db, fn, log);
          this.opened = await this.inStepTransaction((trx) => this.closeAndOpenNext(trx, step, script, id, startedAt, next, false));
        }
      } catch (e) {
        // The record of the step before this one failed, in the query of this one's first statement (which did not run).
        if (e instanceof RecordFailed) throw await this.recordFailed(e);
        const cause = lostCause(e, log.failedError);
        if (cause !== null) {
          const kept = this.keptOf(script, log, committing);
          const lost = this.lost(step, script, log, cause, kept, true, false);
          // Lost in the COMMIT, its row may have been closed as succeeded: it is left as it is
          // (when the commit did not take, its `running` row stays and the next run asks for `strata resolve`).
          const recorded =
            kept !== "unknown" &&
            !committing &&
            (await this.recordLoss(async () => {
              // What committed before the loss, for the recovery check, as after any half-applied failure.
              const ran = kept === "partial" ? await ranStatementsColumn(this.db, this.opts.historyTable, { ran: log.succeeded, failed: log.failed }) : {};
              await finishHistory(this.db, this.opts.historyTable, id, startedAt, "failed", lost.message, ran);
            }));
          // Not closed, its `running` row stays: the next run asks for `strata resolve`, as after a killed runner.
          throw recorded ? lost : this.lost(step, script, log, cause, kept, false, true);
        }
        const error = this.failure(e, step, script, log, this.halfApplied(step, script, log));
        // What ran and what was refused, for the recovery check (issue 14): the message keeps only a count.
        const ran = error.message.includes(HALF_APPLIED_WORDS) ? await ranStatementsColumn(this.db, this.opts.historyTable, { ran: log.succeeded, failed: log.failed }) : {};
        await finishHistory(this.db, this.opts.historyTable, id, startedAt, "failed", error.message, ran);
        throw error;
      }
    }
    this.current = step.headsAfter;
    const durationMs = Date.now() - startedAt.getTime();
    this.emit({ kind: "step-done", index, total: this.total, revision: step.revision, direction: step.direction, durationMs });
    return { revision: step.revision, direction: step.direction, durationMs };
  }

  /**
   * A step whose record failed to be written (recordCarrier): it ran, so it is recorded as failed,
   * possibly half applied, for `strata resolve` to settle; the revision after it never began.
   */
  private async recordFailed(e: RecordFailed): Promise<StrataError> {
    const { step, script, id, startedAt, versionBefore } = e.record;
    const raw = databaseMessage(e.failure);
    // A guard's error: a row was not where the run had put it.
    const why = this.dialect.isRecordGuardFailure?.(e.failure) ? `${this.opts.versionTable} or ${this.opts.historyTable} was changed outside this run` : raw;
    const version = versionBefore.length ? versionBefore.join(", ") : "(empty)";
    const error = new StrataError(
      "REVISION_FAILED",
      `revision ${step.revision} (${script.message}) ran, but its record could not be written (${why}), so the revision ${HALF_APPLIED_WORDS}; ${this.recordName} was left at ${version}; ${resolveAdvice(step.revision)}`,
      { revision: step.revision, direction: step.direction, file: script.file, databaseMessage: raw, advice: resolveAdvice(step.revision) },
    );
    await finishHistory(this.db, this.opts.historyTable, id, startedAt, "failed", error.message);
    return error;
  }

  /** The whole plan in one transaction; a failure rolls every revision of the batch back. */
  async batch(steps: readonly Step[], scripts: readonly RevisionScript[], done: StepOutcome[]): Promise<void> {
    const outside = scripts.find((s) => !s.transaction);
    if (outside) {
      throw new StrataError("USAGE", `revision ${outside.revision} runs outside a transaction (transaction = false), so it cannot join a single transaction; run without --single-transaction`, { revision: outside.revision });
    }
    const fns = await Promise.all(steps.map((s, i) => this.revisionFunction(s, scripts[i]!)));
    let current: { step: Step; script: RevisionScript; startedAt: Date; log: StatementLog } | null = null;
    const finished: StepOutcome[] = [];
    try {
      await this.db.transaction(async (trx) => {
        const entries: HistoryEntry[] = [];
        for (const [i, step] of steps.entries()) {
          const script = scripts[i]!;
          current = { step, script, startedAt: new Date(), log: new StatementLog() };
          this.emit({ kind: "step-start", index: i, total: this.total, revision: step.revision, direction: step.direction, message: script.message });
          await this.runRevision(trx, fns[i]!, current.log);
          const finishedAt = new Date();
          entries.push({ ...this.entry(step, script, current.startedAt, "succeeded", null), finishedAt });
          const durationMs = finishedAt.getTime() - current.startedAt.getTime();
          finished.push({ revision: step.revision, direction: step.direction, durationMs });
          this.emit({ kind: "step-done", index: i, total: this.total, revision: step.revision, direction: step.direction, durationMs });
        }
        current = null;
        // Nobody sees the version table between the steps of one transaction: write the net change and the history once.
        // knex mode writes every row, in order: knex's ids follow its run order.
        const ops = steps.flatMap((s) => s.ops);
        await applyVersionOps(trx, this.opts.versionTable, this.opts.knexRows ? ops : netVersionOps(this.headsBefore, ops), this.opts.knexRows);
        await insertHistoryRows(trx, this.opts.historyTable, entries);
      });
    } catch (e) {
      const c = current as { step: Step; script: RevisionScript; startedAt: Date; log: StatementLog } | null;
      const cause = lostCause(e, c?.log.failedError ?? null);
      if (cause !== null) {
        // One transaction: lost in a revision, none of the batch stays; lost after the last one, in its COMMIT, all or none.
        const at = c ?? { step: steps[steps.length - 1]!, script: scripts[scripts.length - 1]!, startedAt: new Date(), log: new StatementLog() };
        const kept = c ? "rolled-back" : "unknown";
        const lost = this.lost(at.step, at.script, at.log, cause, kept, true, false, steps);
        const recorded = c !== null && (await this.recordLoss(() => this.history(this.db, c.step, c.script, c.startedAt, "failed", lost.message)));
        throw recorded ? lost : this.lost(at.step, at.script, at.log, cause, kept, false, false, steps);
      }
      if (!c) throw e;
      const error = this.failure(e, c.step, c.script, c.log, `the single transaction was rolled back: none of the ${steps.length} revisions of this run is applied`);
      await this.history(this.db, c.step, c.script, c.startedAt, "failed", error.message);
      throw error;
    }
    done.push(...finished);
  }

  private async revisionFunction(step: Step, script: RevisionScript): Promise<(knex: Knex) => Promise<void> | void> {
    let mod;
    try {
      mod = await script.load();
    } catch (e) {
      if (isStrataError(e)) throw e;
      throw new StrataError("REVISION_FILE_INVALID", `revision ${step.revision} (${script.file}) could not be loaded: ${firstLine(e)}; fix the file`, { revision: step.revision, file: script.file });
    }
    return step.direction === "up" ? mod.up.bind(mod) : mod.down.bind(mod);
  }

  private async runRevision(db: Knex, fn: (knex: Knex) => Promise<void> | void, log: StatementLog): Promise<void> {
    log.attach(db);
    try {
      await fn(db);
    } finally {
      log.detach();
    }
  }

  /** What a revision that commits as it runs kept when its connection was lost (the server rolls back an open transaction). */
  private keptOf(script: RevisionScript, log: StatementLog, committing: boolean): KeptAfterLoss {
    const committed = !script.transaction ? log.succeeded.length > 0 : log.succeeded.some((sql) => this.dialect.commitsImplicitly(sql));
    if (committed) return "partial";
    return committing ? "unknown" : "rolled-back";
  }

  /** A step's lost connection as CONNECTION_LOST, naming the environment, the revision and what the database kept. */
  private lost(step: Step, script: RevisionScript, log: StatementLog, cause: string, kept: KeptAfterLoss, historyRecorded: boolean, runningRowLeft: boolean, batch?: readonly Step[]): StrataError {
    return connectionLostError({
      environment: this.opts.environment,
      label: this.dialect.label,
      cause,
      revision: step.revision,
      message: script.message,
      direction: step.direction,
      kept,
      statements: kept === "partial" ? log.succeeded : [],
      version: this.current,
      ...(kept === "partial" ? { halfApplied: this.halfApplied(step, script, log) } : {}),
      historyRecorded,
      runningRowLeft,
      ...(batch ? { batch: batch.map((s) => s.revision) } : {}),
    });
  }

  /**
   * Writes a lost step's history row on a new connection; false when the database cannot be
   * reached. Any failure to write it is swallowed: the lost connection is what the person must
   * hear, and what it left in the history is said in its message.
   */
  private async recordLoss(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch {
      return false;
    }
  }

  /** What holds the run's record in messages: knex_migrations in knex mode (issue #15), else the version table. */
  private get recordName(): string {
    return this.opts.knexRows ? this.opts.knexRows.tableName : "the version table";
  }

  private halfApplied(step: Step, script: RevisionScript, log: StatementLog): string {
    const version = this.current.length ? this.current.join(", ") : "(empty)";
    const n = log.succeeded.length;
    if (n === 0 || (script.transaction && !log.succeeded.some((sql) => this.dialect.commitsImplicitly(sql)))) {
      // Without DDL, MySQL's transaction rolled the revision's statements back: nothing of it stayed.
      const ran = n === 0 ? "no statement of it had run" : n === 1 ? "the 1 statement that ran was rolled back" : `the ${n} statements that ran were rolled back`;
      return `${ran}, so nothing of it is applied; ${this.recordName} was left at ${version}`;
    }
    const why = script.transaction ? `${this.dialect.label} commits DDL as it runs` : "it runs outside a transaction (transaction = false)";
    const ran = `${n} statement${n === 1 ? "" : "s"} had run (last: ${clip(log.succeeded[n - 1]!, 120)})`;
    return `${why}, so the revision ${HALF_APPLIED_WORDS}: ${ran}; ${this.recordName} was left at ${version}; ${resolveAdvice(step.revision)}`;
  }

  private failure(e: unknown, step: Step, script: RevisionScript, log: StatementLog, consequence: string): StrataError {
    if (isStrataError(e) && e.code === "REVISION_FAILED") return e;
    const dbMessage = databaseMessage(e);
    const statement = log.failed;
    const at = statement ? ` in \`${clip(statement, 160)}\`` : "";
    return new StrataError(
      "REVISION_FAILED",
      `revision ${step.revision} (${script.message}) failed on ${step.direction}${at}: ${dbMessage}; ${consequence}`,
      {
        revision: step.revision,
        direction: step.direction,
        file: script.file,
        statement,
        databaseMessage: dbMessage,
        executed: [...log.succeeded],
        // The CLI's words for what to do, so a front end with its own (the app's recovery panel) can put those instead.
        ...(consequence.includes(resolveAdvice(step.revision)) ? { advice: resolveAdvice(step.revision) } : {}),
      },
    );
  }

  private async history(db: Knex, step: Step, script: RevisionScript, startedAt: Date, status: "succeeded" | "failed", error: string | null): Promise<void> {
    await insertHistory(db, this.dialect, this.opts.historyTable, { ...this.entry(step, script, startedAt, status, error), finishedAt: new Date() });
  }

  private entry(step: Step, script: RevisionScript, startedAt: Date, status: "running" | "succeeded" | "failed", error: string | null): HistoryEntry {
    return {
      revision: step.revision,
      direction: step.direction,
      message: script.message,
      checksum: script.checksum,
      startedAt,
      finishedAt: null,
      status,
      error,
      strataVersion: this.opts.strataVersion,
      run: this.mark,
    };
  }
}

/**
 * knex prefixes a driver's message with the statement ("<sql> - <message>"), and the statement
 * may span lines (a knex.raw, or the runner's own "commit; begin"); keep the database's words.
 */
function databaseMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const i = message.lastIndexOf(" - ");
  return firstLine(i >= 0 ? message.slice(i + 3) : message);
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0]!.trim();
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
