import { Fragment, useMemo, useState } from "react";
import type { HistoryEntryDto, HistoryRunDto } from "../../../shared/api.js";
import { assertNever } from "../../app/assert-never.js";
import { withoutCliWords } from "../../components/error-words.js";
import { StepStatements, type StepSql } from "./step-statements.js";
import { shortRevision } from "../../components/revision-id.js";

function statusTag(r: HistoryEntryDto) {
  if (r.resolved) {
    const words = r.resolved.how === "retried" ? "failed, then succeeded" : r.resolved.how === "resolved-applied" ? "resolved: applied" : "resolved: rolled back";
    return <span className="tag ok" data-testid="resolved-tag" title={r.resolved.note}>{words}</span>;
  }
  return <span className={`tag ${r.status === "failed" ? "bad" : r.status === "running" ? "warn" : "ok"}`}>{r.status}</span>;
}

function runTag(run: HistoryRunDto) {
  const tone = run.result === "failed" ? "bad" : run.result === "running" ? "warn" : "ok";
  return <span className={`tag ${tone}`} data-testid="run-result">{run.result}</span>;
}

/** Times as the history table stores them, in UTC, said so (a person in another zone would read them as local). */
const when = (iso: string): string => `${iso.replace("T", " ").slice(0, 19)} UTC`;

/** The target as the person gave it, where it says more than the revision the run reached (`heads`, `+2`). */
function requestedWords(run: HistoryRunDto): string {
  const asked = run.requestedTarget;
  if (!asked || asked === run.target || run.target.startsWith(asked)) return "";
  return ` · target “${asked}”`;
}

function runWords(run: HistoryRunDto): string {
  return directionWords(run) + requestedWords(run);
}

function directionWords(run: HistoryRunDto): string {
  const steps = `${run.steps} step${run.steps === 1 ? "" : "s"}`;
  switch (run.direction) {
    case "up":
      return `upgrade to ${shortRevision(run.target)} · ${steps}`;
    case "down":
      return `roll back through ${shortRevision(run.target)} · ${steps}`;
    case "stamp":
      return `version table set to ${shortRevision(run.target)}`;
    case "repair":
      return `edited file of ${shortRevision(run.target)} accepted`;
    default:
      return assertNever(run.direction);
  }
}

/**
 * The history grouped by run: a header per run (who, when, where to, result), then its steps;
 * a step opens to its statements (recorded by a failure, else its SQL for this environment) and error.
 */
export function HistoryTableView(props: {
  readonly environment: string;
  readonly rows: readonly HistoryEntryDto[];
  readonly runs: readonly HistoryRunDto[];
  readonly databaseUser: string | null;
  readonly onLoadSql: (row: HistoryEntryDto) => Promise<StepSql>;
}) {
  const { rows, runs } = props;
  const [open, setOpen] = useState<number | null>(() => rows.find((r) => r.status === "failed" && !r.resolved)?.id ?? null);
  const byRun = useMemo(() => {
    const m = new Map<number, HistoryEntryDto[]>();
    for (const r of [...rows].sort((a, b) => a.id - b.id)) {
      const key = r.run ?? r.id;
      m.set(key, [...(m.get(key) ?? []), r]);
    }
    return m;
  }, [rows]);
  // A host from before runs were read sends none: each row is then its own run.
  const shownRuns: readonly HistoryRunDto[] = runs.length
    ? runs
    : rows.map((r) => ({ id: r.run ?? r.id, direction: r.direction, user: r.user, host: r.host, startedAt: r.startedAt, finishedAt: r.finishedAt, target: r.revision, runId: r.runId ?? null, requestedTarget: r.runTarget ?? null, steps: 1, result: r.status === "failed" && !r.resolved ? "failed" : r.status === "running" ? "running" : r.resolved ? "resolved" : "succeeded" }));
  return (
    <table className="grid" data-testid="history" data-environment={props.environment}>
      <thead>
        <tr>
          <th>Status</th><th>Revision</th><th>Direction</th><th>Message</th><th>Started</th><th>Duration</th>
          <th title="The operating-system user and computer that ran Strata; the database user is named above the table">OS user@host</th>
        </tr>
      </thead>
      <tbody>
        {shownRuns.map((run) => (
          <Fragment key={run.id}>
            <tr className={`run-header${run.result === "failed" ? " failed" : ""}`} data-run={run.id} data-run-id={run.runId ?? undefined} data-run-result={run.result}>
              <td colSpan={7}>
                {runTag(run)} <strong>{runWords(run)}</strong>{" "}
                <span className="muted">by {run.user}@{run.host}{props.databaseUser ? ` as database user ${props.databaseUser}` : ""}, {when(run.startedAt)}</span>
              </td>
            </tr>
            {(byRun.get(run.id) ?? []).map((r) => (
              <Fragment key={r.id}>
                <tr className={r.status === "failed" && !r.resolved ? "failed" : ""} data-history-status={r.status} data-history-row={r.id} onClick={() => setOpen(open === r.id ? null : r.id)} style={{ cursor: "pointer" }}>
                  <td style={{ whiteSpace: "nowrap" }}>
                    {statusTag(r)}{" "}
                    <button type="button" className="link-btn" aria-expanded={open === r.id} onClick={(e) => { e.stopPropagation(); setOpen(open === r.id ? null : r.id); }}>
                      {open === r.id ? "hide" : r.error ? "statements, error" : "statements"}
                    </button>
                  </td>
                  <td><a href={`#/revision/${encodeURIComponent(r.revision)}`} className="mono" onClick={(e) => e.stopPropagation()}>{shortRevision(r.revision)}</a></td>
                  <td>{r.direction === "repair" ? <span className="tag warn" title="an edited file accepted from the revision page">repair</span> : r.direction}</td>
                  <td>{r.message}</td>
                  <td className="mono">{when(r.startedAt)}</td>
                  <td>{r.durationMs === null ? "—" : `${r.durationMs} ms`}</td>
                  <td className="muted">{r.user}@{r.host}</td>
                </tr>
                {open === r.id && (
                  <tr className={r.status === "failed" && !r.resolved ? "failed" : ""}>
                    <td colSpan={7}>
                      <StepStatements row={r} onLoadSql={props.onLoadSql} />
                      {r.error && <pre className="log" data-testid="history-error" style={{ background: "transparent", maxHeight: 160 }}>{withoutCliWords(r.error)}</pre>}
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
