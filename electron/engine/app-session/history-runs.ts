import type { HistoryEntryDto, HistoryRunDto } from "../../../shared/api.js";
import { RESOLVED_PREFIX } from "../runner/unresolved.js";

/**
 * For rows from before run ids (issue 19), how long after one step ended the next may start and
 * still be the same run: the runner writes a run's rows back to back under the migration lock (a
 * few ms apart), while another command starts a process, loads the project, connects and takes
 * the lock first. Two commands started within it show as one run; rows with a run id never do.
 */
const SAME_RUN_GAP_MS = 250;

/** A history read as runs: each row with its run and, for a failure, how it was settled (issue 19). */
export interface HistoryRuns {
  readonly rows: readonly HistoryEntryDto[];
  readonly runs: readonly HistoryRunDto[];
}

const time = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));

/** How a failed row was settled: resolved by a person (its error says so), or the same step succeeded later. */
function settlement(row: HistoryEntryDto, later: readonly HistoryEntryDto[]): HistoryEntryDto["resolved"] {
  if (row.error?.startsWith(RESOLVED_PREFIX)) {
    const note = row.error.split("; it was:")[0]!;
    return { how: note.startsWith(`${RESOLVED_PREFIX}applied`) ? "resolved-applied" : "resolved-rolled-back", note };
  }
  if (row.status !== "failed") return null;
  const retry = later.find((r) => r.revision === row.revision && r.direction === row.direction && r.status === "succeeded");
  return retry ? { how: "retried", note: `succeeded in a later run at ${retry.startedAt}` } : null;
}

/** Whether `row`, which has no run id, continues by the time rule the run whose last row is `prev`. */
function continuesByTime(prev: HistoryEntryDto, row: HistoryEntryDto): boolean {
  if (prev.runId) return false;
  if (prev.status === "failed" || prev.status === "running") return false;
  if (row.direction !== prev.direction || (row.direction !== "up" && row.direction !== "down")) return false;
  if (row.user !== prev.user || row.host !== prev.host || row.strataVersion !== prev.strataVersion) return false;
  const gap = time(row.startedAt) - time(prev.finishedAt ?? prev.startedAt);
  return Number.isFinite(gap) && gap <= SAME_RUN_GAP_MS;
}

function runResult(rows: readonly HistoryEntryDto[]): HistoryRunDto["result"] {
  if (rows.some((r) => r.status === "running" && !r.resolved)) return "running";
  if (rows.some((r) => r.status === "failed" && !r.resolved)) return "failed";
  if (rows.some((r) => r.resolved)) return "resolved";
  return "succeeded";
}

/**
 * Groups history rows (any order; the whole history, so that a later success can settle an
 * earlier failure) into runs, newest first. Pure: the caller filters afterwards.
 */
export function historyRuns(all: readonly HistoryEntryDto[]): HistoryRuns {
  const ascending = [...all].sort((a, b) => a.id - b.id);
  const rows: HistoryEntryDto[] = ascending.map((r, i) => ({ ...r, resolved: settlement(r, ascending.slice(i + 1)) }));
  const groups: HistoryEntryDto[][] = [];
  // A run's rows are written under its lock, so they follow one another; the map also keeps
  // together a row written after another run's (a lost step recorded on a new connection).
  const byRunId = new Map<string, HistoryEntryDto[]>();
  for (const r of rows) {
    if (r.runId) {
      const group = byRunId.get(r.runId);
      if (group) group.push(r);
      else {
        const fresh = [r];
        byRunId.set(r.runId, fresh);
        groups.push(fresh);
      }
      continue;
    }
    const current = groups.at(-1);
    if (current && continuesByTime(current.at(-1)!, r)) current.push(r);
    else groups.push([r]);
  }
  const withRun: HistoryEntryDto[] = [];
  const runs: HistoryRunDto[] = groups.map((g) => {
    const first = g[0]!;
    const last = g.at(-1)!;
    for (const r of g) withRun.push({ ...r, run: first.id });
    return {
      id: first.id,
      direction: first.direction,
      user: first.user,
      host: first.host,
      startedAt: first.startedAt,
      finishedAt: last.finishedAt,
      target: last.revision,
      runId: first.runId ?? null,
      requestedTarget: first.runTarget ?? null,
      steps: g.length,
      result: runResult(g),
    };
  });
  return { rows: withRun.reverse(), runs: runs.reverse() };
}
