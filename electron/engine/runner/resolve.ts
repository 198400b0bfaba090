import os from "node:os";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import type { Dialect } from "../dialect/index.js";
import type { Direction, Step } from "../revisions/types.js";
import { migrationLock, applyVersionOps, selectHeads } from "./strata-tables.js";
import type { RunEvent } from "./types.js";
import { RESOLVED_PREFIX, readUnresolved } from "./unresolved.js";
import type { UnresolvedRun } from "./unresolved.js";

/** What the person found in the database. */
export type ResolveOutcome = "applied" | "rolled-back";

/** Options of resolveRun(). */
export interface ResolveOptions {
  /** Full revision id. */
  readonly revision: string;
  readonly outcome: ResolveOutcome;
  /** The version-table changes of running the revision in this direction from these rows, as a run would record them. */
  readonly makeStep: (heads: readonly string[], revision: string, direction: Direction) => Step;
  readonly versionTable: string;
  readonly historyTable: string;
  readonly lockTimeoutMs?: number;
  readonly onEvent?: (e: RunEvent) => void;
  /**
   * Called under the lock with the row to be resolved, before anything is written: it may refuse
   * (throw: the live schema contradicts the outcome), or change the database first (undo the
   * statements that ran) and return what it did, for the history row's note.
   */
  readonly beforeRecord?: (db: Knex, row: UnresolvedRun) => Promise<string | null>;
}

/** What resolveRun() recorded. */
export interface ResolveResult {
  readonly revision: string;
  readonly direction: Direction;
  readonly outcome: ResolveOutcome;
  readonly historyId: number;
  readonly headsBefore: readonly string[];
  readonly heads: readonly string[];
  /** The history row's note: how it was resolved and by whom. */
  readonly note: string;
}

/**
 * Records what a person found after a revision was interrupted or failed half way: `applied`
 * moves the version table exactly as the step would have and marks the row succeeded;
 * `rolled-back` leaves the version table and marks the row failed. Under the migration lock.
 */
export async function resolveRun(knex: Knex, dialect: Dialect, opts: ResolveOptions): Promise<ResolveResult> {
  const emit = opts.onEvent ?? (() => undefined);
  return dialect.withLock(
    knex,
    migrationLock(opts.lockTimeoutMs, emit),
    async (db) => {
      const unresolved = await readUnresolved(db, opts.historyTable);
      const row = unresolved.filter((u) => u.revision === opts.revision).pop();
      if (!row) {
        const others = unresolved.length ? `; unresolved: ${unresolved.map((u) => u.revision).join(", ")}` : "";
        throw new StrataError(
          "USAGE",
          `revision ${opts.revision} has nothing to resolve: its last run was not interrupted and did not fail half way${others}`,
          { revision: opts.revision, unresolved: unresolved.map((u) => u.revision) },
        );
      }
      const headsBefore = await selectHeads(db, opts.versionTable);
      const step = opts.outcome === "applied" ? opts.makeStep(headsBefore, row.revision, row.direction) : null;
      const done = opts.beforeRecord ? await opts.beforeRecord(db, row) : null;
      const now = new Date();
      const note = `${RESOLVED_PREFIX}${opts.outcome === "applied" ? "applied" : "rolled back"} by ${whoAmI()} at ${now.toISOString()}${done ? ` (${done})` : ""}`;
      const was = row.status === "running" ? "the runner stopped before recording how the revision ended" : (row.error ?? "failed");
      await db.transaction(async (trx) => {
        if (step) await applyVersionOps(trx, opts.versionTable, step.ops);
        const n = await trx(opts.historyTable)
          .where({ id: row.id, status: row.status })
          .update({
            status: opts.outcome === "applied" ? "succeeded" : "failed",
            error: `${note}; it was: ${was}`,
            ...(row.status === "running" ? { finished_at: now.toISOString() } : {}),
          });
        if (Number(n) !== 1) throw new StrataError("INTERNAL", `history row ${row.id} of ${row.revision} changed while it was being resolved; run \`strata status\` and try again`);
      });
      return {
        revision: row.revision,
        direction: row.direction,
        outcome: opts.outcome,
        historyId: row.id,
        headsBefore,
        heads: await selectHeads(db, opts.versionTable),
        note,
      };
    },
  );
}

function whoAmI(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? "unknown";
  }
  return `${user}@${os.hostname()}`;
}
