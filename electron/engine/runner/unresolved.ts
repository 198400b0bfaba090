import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import type { DbClient } from "../dialect/index.js";
import type { RevisionScript } from "../scripts/types.js";
import { sketchStatements } from "./render-sql.js";

/**
 * Words the runner writes into the error of a failure that left some of its statements
 * committed (MySQL DDL, `transaction = false`); such a row blocks every run until resolved.
 */
export const HALF_APPLIED_WORDS = "may be half applied";
/** How `strata resolve` starts the error text of a row it settled. */
export const RESOLVED_PREFIX = "resolved as ";

/**
 * A revision whose last attempt may have left part of it in the database: a `running` row (the
 * runner died or lost its connection before it could record the end) or a `failed` one whose
 * statements had partly committed. Runs stay refused until someone checks and resolves it.
 */
export interface UnresolvedRun {
  readonly id: number;
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly status: "running" | "failed";
  readonly message: string;
  readonly startedAt: string;
  readonly user: string;
  readonly host: string;
  readonly error: string | null;
  /** What the failed run recorded of its statements (ranStatementsColumn); null for a killed run, or a row from before it was recorded. */
  readonly recorded: RecordedStatements | null;
}

/** The statements a failed revision ran, and the one the database refused, as kept in its history row. */
export interface RecordedStatements {
  readonly ran: readonly string[];
  readonly failed: string | null;
}

/**
 * The history table's column holding RecordedStatements as JSON. Added to the table by the first
 * failure that needs it (issue 14), so runs that never fail half way pay nothing for it.
 */
export const STATEMENTS_COLUMN = "statements";

/** Longest statement kept in the record: enough to recognise it, without a multi-megabyte row. */
const RECORDED_STATEMENT_CHARS = 4000;

/**
 * The column value that keeps, in a failed row that may be half applied, which statements ran
 * and which one the database refused, so the GUI can show them and check them against the live
 * schema later. Written by the same UPDATE that marks the row failed (finishHistory's `extra`):
 * a reader never sees the failed row without its statements. Adds the column first where the
 * table lacks it; where that fails, nothing ({}): the failure is still recorded with its message,
 * and the recovery check falls back to the statements rendered from the file, as for a killed run.
 */
export async function ranStatementsColumn(db: Knex, historyTable: string, log: RecordedStatements): Promise<Record<string, string>> {
  const clipped = (s: string) => (s.length > RECORDED_STATEMENT_CHARS ? `${s.slice(0, RECORDED_STATEMENT_CHARS - 1)}…` : s);
  const record: RecordedStatements = { ran: log.ran.map(clipped), failed: log.failed === null ? null : clipped(log.failed) };
  try {
    if (!(await db.schema.hasColumn(historyTable, STATEMENTS_COLUMN))) {
      // mediumtext on MySQL (text holds 64 KB); the other dialects ignore the argument.
      await db.schema.alterTable(historyTable, (t) => t.text(STATEMENTS_COLUMN, "mediumtext").nullable());
    }
    return { [STATEMENTS_COLUMN]: JSON.stringify(record) };
  } catch {
    return {};
  }
}

/** The statements a failed row recorded (ranStatementsColumn), or null where the column holds none. */
export function parseRecorded(raw: unknown): RecordedStatements | null {
  if (typeof raw !== "string" || raw === "") return null;
  try {
    const v = JSON.parse(raw) as { ran?: unknown; failed?: unknown };
    if (!Array.isArray(v.ran)) return null;
    return { ran: v.ran.map(String), failed: typeof v.failed === "string" ? v.failed : null };
  } catch {
    return null;
  }
}

/** The unresolved rows of the history table, oldest first; [] when there is no history table. */
export async function readUnresolved(db: Knex, historyTable: string, opts: { readonly tableKnown?: boolean } = {}): Promise<UnresolvedRun[]> {
  if (!opts.tableKnown && !(await db.schema.hasTable(historyTable))) return [];
  const rows = (await db(historyTable)
    // Every column: STATEMENTS_COLUMN exists only once a failure has needed it, and these rows are few.
    .select("*")
    .whereIn("direction", ["up", "down"])
    .andWhere((q) =>
      q
        .where({ status: "running" })
        .orWhere((f) => f.where({ status: "failed" }).andWhere("error", "like", `%${HALF_APPLIED_WORDS}%`).andWhereNot("error", "like", `${RESOLVED_PREFIX}%`)
          // Written by earlier versions for a failure before any statement had run: nothing to resolve.
          .andWhereNot("error", "like", "%no statement of it had succeeded%")),
    )
    .orderBy("id", "asc")) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.id),
    revision: String(r.revision),
    direction: r.direction === "down" ? "down" : "up",
    status: r.status === "running" ? "running" : "failed",
    message: String(r.message ?? ""),
    startedAt: String(r.started_at),
    user: String(r.user_name),
    host: String(r.host_name),
    error: (r.error as string | null) ?? null,
    recorded: parseRecorded(r[STATEMENTS_COLUMN]),
  }));
}

/** One clause for a person: what happened to the revision and what of it may be in the database. */
export function describeUnresolved(u: UnresolvedRun, statements: readonly string[] | null): string {
  const who = `${u.user}@${u.host}`;
  const what = u.message ? `revision ${u.revision} (${u.message})` : `revision ${u.revision}`;
  if (u.status === "failed") {
    const ran = /(\d+ statements? had run(?: \(last: .*?\))?)(?:; the version table| so |$)/.exec(u.error ?? "")?.[1];
    return `${what} failed on ${u.direction} (started ${u.startedAt} by ${who}) after ${ran ?? "some statements had run"}, so it may be half applied`;
  }
  const list = statements && statements.length ? `: its statements are ${clipList(statements)}` : "";
  return `${what} was interrupted while running ${u.direction} (started ${u.startedAt} by ${who}; the runner stopped before recording the end), so it may be half done${list}`;
}

/** The advice every refusal ends with. */
export function resolveAdvice(revision: string): string {
  return `check the database, then run \`strata resolve ${revision} --applied\` if all of it took effect or \`strata resolve ${revision} --rolled-back\` if none of it did (undo any part that did first)`;
}

/**
 * Throws HALF_APPLIED when the history holds an unresolved revision, before a run changes
 * anything. Called under the migration lock, so every runner sees the same rows.
 */
export async function refuseUnresolved(
  db: Knex,
  ctx: { readonly historyTable: string; readonly client: DbClient; readonly scripts?: ReadonlyMap<string, RevisionScript>; readonly command: () => string },
): Promise<void> {
  const found = await readUnresolved(db, ctx.historyTable, { tableKnown: true });
  if (found.length === 0) return;
  const first = found[0]!;
  const script = ctx.scripts?.get(first.revision);
  const statements = first.status === "running" && script ? await sketchStatements(ctx.client, script, first.direction) : null;
  const more = found.length > 1 ? ` (and ${found.length - 1} more unresolved: ${found.slice(1).map((u) => u.revision).join(", ")})` : "";
  throw new StrataError(
    "HALF_APPLIED",
    `${ctx.command()} refused, nothing was run: ${describeUnresolved(first, statements)}${more}; ${resolveAdvice(first.revision)}`,
    {
      revision: first.revision,
      direction: first.direction,
      status: first.status,
      historyId: first.id,
      statements: statements ?? [],
      advice: resolveAdvice(first.revision),
      unresolved: found.map((u) => ({ revision: u.revision, direction: u.direction, status: u.status, historyId: u.id })),
    },
  );
}

function clipList(statements: readonly string[]): string {
  const shown: string[] = [];
  let length = 0;
  for (const s of statements) {
    const item = `\`${s.length > 100 ? `${s.slice(0, 99)}…` : s}\``;
    if (shown.length > 0 && length + item.length > 300) {
      shown.push(`and ${statements.length - shown.length} more`);
      break;
    }
    shown.push(item);
    length += item.length + 2;
  }
  return shown.join("; ");
}
