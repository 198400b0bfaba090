import type { Knex } from "knex";
import type { Dialect } from "../dialect/index.js";
import type { StampPlan, VersionOp } from "../revisions/types.js";
import { migrationLock, applyVersionOps, ensureStrataTables, insertHistory, newRunMark, selectHeads } from "./strata-tables.js";
import type { RunEvent, RunResult } from "./types.js";
import { refuseUnresolved } from "./unresolved.js";

/** Options of stamp(). */
export interface StampOptions {
  /** Plans from the heads read under the lock. */
  readonly makeStamp: (heads: readonly string[]) => StampPlan;
  readonly versionTable: string;
  readonly historyTable: string;
  readonly lockTimeoutMs?: number;
  readonly onEvent?: (e: RunEvent) => void;
  readonly strataVersion: string;
  /** Says why, in the history rows; "stamp" by default. */
  readonly reason?: string;
  /** The targets as the person gave them, kept with the run's rows (issue 19). */
  readonly target?: string;
}

/** Sets the version table as the stamp plan says, running no revision; one `stamp` history row per change. */
export async function stamp(knex: Knex, dialect: Dialect, opts: StampOptions): Promise<RunResult> {
  const emit = opts.onEvent ?? (() => undefined);
  return dialect.withLock(
    knex,
    migrationLock(opts.lockTimeoutMs, emit),
    async (db) => {
      await ensureStrataTables(db, opts);
      const headsBefore = await selectHeads(db, opts.versionTable);
      // Moving the version table past a revision left half applied would lose track of it.
      await refuseUnresolved(db, { historyTable: opts.historyTable, client: dialect.client, command: () => "stamp" });
      const plan = opts.makeStamp(headsBefore);
      const run = newRunMark(opts.target ?? null);
      await db.transaction(async (trx) => {
        await applyVersionOps(trx, opts.versionTable, plan.ops);
        for (const op of plan.ops) {
          const now = new Date();
          await insertHistory(trx, dialect, opts.historyTable, {
            revision: op.kind === "update" ? op.to : op.revision,
            direction: "stamp",
            message: `${opts.reason ?? "stamp"}: ${describeOp(op)}`,
            checksum: null,
            startedAt: now,
            finishedAt: now,
            status: "succeeded",
            error: null,
            strataVersion: opts.strataVersion,
            run,
          });
        }
      });
      return { steps: [], headsBefore, heads: await selectHeads(db, opts.versionTable) };
    },
  );
}

/** Options of adoptKnex(). */
export interface AdoptOptions {
  /** The revision knex last ran (its file name without extension). */
  readonly headRevision: string;
  readonly versionTable: string;
  readonly historyTable: string;
  readonly lockTimeoutMs?: number;
  readonly strataVersion: string;
}

/** Creates Strata's tables on a database migrated by knex and stamps the revision knex last ran; runs nothing. */
export async function adoptKnex(knex: Knex, dialect: Dialect, opts: AdoptOptions): Promise<RunResult> {
  return stamp(knex, dialect, {
    versionTable: opts.versionTable,
    historyTable: opts.historyTable,
    lockTimeoutMs: opts.lockTimeoutMs,
    strataVersion: opts.strataVersion,
    reason: "adopted from knex_migrations",
    target: opts.headRevision,
    makeStamp: (heads) => ({
      headsBefore: heads,
      ops: [...heads.filter((h) => h !== opts.headRevision).map((h): VersionOp => ({ kind: "delete", revision: h })), ...(heads.includes(opts.headRevision) ? [] : [{ kind: "insert", revision: opts.headRevision } as const])],
      headsAfter: [opts.headRevision],
    }),
  });
}

function describeOp(op: VersionOp): string {
  switch (op.kind) {
    case "insert":
      return `insert ${op.revision}`;
    case "delete":
      return `delete ${op.revision}`;
    case "update":
      return `${op.from} -> ${op.to}`;
    default:
      return op satisfies never;
  }
}
