import { StrataError, isStrataError } from "../errors.js";
import { lostConnectionCause } from "../dialect/connection-error-text.js";
import type { Direction } from "../revisions/types.js";
import { resolveAdvice } from "./unresolved.js";

/**
 * What the database kept of a revision whose connection was lost: nothing (its transaction was
 * rolled back with the session), some statements (they had committed as they ran: MySQL DDL,
 * `transaction = false`), or all or nothing, unknown which (the loss came during the COMMIT).
 */
export type KeptAfterLoss = "rolled-back" | "partial" | "unknown";

/** Why the session is gone, when a step's failure is a lost connection; null otherwise. */
export function lostCause(error: unknown, statementError: unknown): string | null {
  if (isStrataError(error)) return null;
  if (lostConnectionCause(error) === null && lostConnectionCause(statementError) === null) return null;
  // The statement's own error says why (57P01, ECONNRESET); a failed ROLLBACK after it only says "closed".
  return lostConnectionCause(statementError) ?? lostConnectionCause(error);
}

/** The facts of a revision interrupted by a lost connection. */
export interface LostRevision {
  readonly environment: string | undefined;
  /** The dialect's name for people ("PostgreSQL"). */
  readonly label: string;
  readonly cause: string;
  readonly revision: string;
  readonly message: string;
  readonly direction: Direction;
  readonly kept: KeptAfterLoss;
  /** The statements that committed before the loss ([] unless kept is "partial"). */
  readonly statements: readonly string[];
  /** The version table's rows as the loss left them. */
  readonly version: readonly string[];
  /** For "partial": the runner's clause saying why and how far the revision got (it ends with what to resolve). */
  readonly halfApplied?: string;
  /** Whether the history row could be closed as failed (false when the database could not be reached again). */
  readonly historyRecorded: boolean;
  /** Whether the history keeps a `running` row for it, so the next run asks for `strata resolve` first. */
  readonly runningRowLeft: boolean;
  /** The revisions of a `--single-transaction` run it was part of (they share its fate); absent otherwise. */
  readonly batch?: readonly string[];
}

/** CONNECTION_LOST in one line: the environment, the revision, what the database kept and what to do. */
export function connectionLostError(f: LostRevision): StrataError {
  const where = f.environment ? `environment ${f.environment}: ` : "";
  const what = f.message ? `revision ${f.revision} (${f.message})` : `revision ${f.revision}`;
  const head = `${where}the connection to ${f.label} was lost while ${what} ran ${f.direction}: ${f.cause}`;
  const version = f.version.length ? f.version.join(", ") : "(empty)";
  const again = "run the command again once the database can be reached";
  const others = f.batch ? f.batch.filter((r) => r !== f.revision) : [];
  const nothing = `nothing of ${f.revision} was kept${others.length ? ` (nor of ${others.join(", ")}, in the same single transaction)` : ""}`;
  let text: string;
  switch (f.kept) {
    case "rolled-back":
      text = f.runningRowLeft
        ? `${head}; rolled back: ${nothing}, the version table is still at ${version}; the history could not be told (the database is unreachable), so check, then run \`strata resolve ${f.revision} --rolled-back\` before running again`
        : `${head}; rolled back: ${nothing}, the version table is still at ${version}; ${again}`;
      break;
    case "partial":
      text = `${head}; ${f.halfApplied ?? `it may be half applied; the version table was left at ${version}; ${resolveAdvice(f.revision)}`}`;
      break;
    case "unknown":
      text = `${head}, while committing ${others.length ? `the single transaction of ${[f.revision, ...others].join(", ")}` : "it"}: the database kept all of it or none of it, and its version table says which (\`strata current\`)${f.runningRowLeft ? `; if none, the next run asks for \`strata resolve ${f.revision} --rolled-back\`` : ""}; ${again}`;
      break;
  }
  return new StrataError("CONNECTION_LOST", text, {
    environment: f.environment ?? null,
    revision: f.revision,
    direction: f.direction,
    kept: f.kept,
    statements: [...f.statements],
    cause: f.cause,
    historyRecorded: f.historyRecorded,
  });
}

/**
 * A connection lost outside any revision: before the first one (nothing was changed) or while a
 * run recorded what it had done. null when the error is not a lost connection.
 */
export function connectionLostOutsideRevision(
  error: unknown,
  f: { readonly environment: string | undefined; readonly label: string; readonly applied: readonly string[] },
): StrataError | null {
  const cause = lostCause(error, null);
  if (cause === null) return null;
  const where = f.environment ? `environment ${f.environment}: ` : "";
  const n = f.applied.length;
  const state =
    n === 0
      ? "before any revision ran, so nothing was changed"
      : `after ${n === 1 ? `revision ${f.applied[0]} was` : `${n} revisions (${f.applied.join(", ")}) were`} applied (${n === 1 ? "it stays" : "they stay"} applied)`;
  return new StrataError("CONNECTION_LOST", `${where}the connection to ${f.label} was lost ${state}: ${cause}; run the command again once the database can be reached`, {
    environment: f.environment ?? null,
    revision: null,
    direction: null,
    kept: "rolled-back",
    statements: [],
    cause,
    applied: [...f.applied],
  });
}

/**
 * Any other work on a database whose connection was lost (reading its state, a stamp, a
 * resolve): said plainly, without a claim about what was kept. null when it is not a lost connection.
 */
export function connectionLostElsewhere(error: unknown, f: { readonly environment: string; readonly label: string }): StrataError | null {
  const cause = lostCause(error, null);
  if (cause === null) return null;
  return new StrataError("CONNECTION_LOST", `environment ${f.environment}: the connection to ${f.label} was lost: ${cause}; run the command again once the database can be reached`, {
    environment: f.environment,
    revision: null,
    direction: null,
    kept: "unknown",
    statements: [],
    cause,
  });
}
