import { useEffect, useState } from "react";
import type { HistoryEntryDto } from "../../../shared/api.js";

/** A step's SQL when asked for: its rendered statements, or why there are none. */
export type StepSql = { readonly sql: string | null; readonly note: string | null };

/**
 * A history step's statements: those a failure recorded (which ran, which the database refused),
 * else the revision's SQL in this direction for the environment's dialect, asked for when opened.
 */
export function StepStatements({ row, onLoadSql }: { readonly row: HistoryEntryDto; readonly onLoadSql: (row: HistoryEntryDto) => Promise<StepSql> }) {
  const recorded = row.statements ?? null;
  const [sql, setSql] = useState<StepSql | "loading">("loading");
  const wanted = recorded === null && (row.direction === "up" || row.direction === "down");
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    onLoadSql(row).then((s) => live && setSql(s), () => live && setSql({ sql: null, note: "The statements could not be rendered." }));
    return () => {
      live = false;
    };
  }, [row, onLoadSql, wanted]);
  if (recorded) {
    return (
      <div data-testid="step-statements">
        <div className="muted">Recorded by the run: {recorded.ran.length} statement{recorded.ran.length === 1 ? "" : "s"} ran{recorded.failed ? ", then the database refused one" : ""}.</div>
        <pre className="sql" data-testid="step-recorded">{[...recorded.ran.map((s) => `${s};`), ...(recorded.failed ? [`-- refused by the database:\n${recorded.failed};`] : [])].join("\n")}</pre>
      </div>
    );
  }
  if (!wanted) return <div className="muted" data-testid="step-statements">No statements: {row.direction === "stamp" ? "a stamp only sets the version table" : "accepting an edited file records its checksum"}.</div>;
  if (sql === "loading") return <div className="muted" data-testid="step-statements"><span className="spinner" /> Rendering its statements…</div>;
  return (
    <div data-testid="step-statements">
      <div className="muted">{row.direction === "up" ? "Its upgrade" : "Its downgrade"} as SQL for this environment (rendered from the file now; not recorded by the run).</div>
      {sql.sql !== null ? <pre className="sql" data-testid="step-sql">{sql.sql}</pre> : <div className="notice warn">{sql.note}</div>}
    </div>
  );
}
