import { Fragment, useState } from "react";
import type { HistoryEntryDto } from "../../../shared/api.js";

/** The history table: one row per executed step, failures marked, errors one click away. */
export function HistoryTableView({ rows }: { readonly rows: readonly HistoryEntryDto[] }) {
  const [open, setOpen] = useState<number | null>(() => rows.find((r) => r.status === "failed")?.id ?? null);
  return (
    <table className="grid" data-testid="history">
      <thead>
        <tr><th>Status</th><th>Revision</th><th>Direction</th><th>Message</th><th>Started</th><th>Duration</th><th>By</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <Fragment key={r.id}>
            <tr className={r.status === "failed" ? "failed" : ""} data-history-status={r.status} onClick={() => setOpen(open === r.id ? null : r.id)} style={{ cursor: r.error ? "pointer" : undefined }}>
              <td style={{ whiteSpace: "nowrap" }}>
                <span className={`tag ${r.status === "failed" ? "bad" : r.status === "running" ? "warn" : "ok"}`}>{r.status}</span>{" "}
                {r.error && (
                  <button type="button" className="link-btn" aria-expanded={open === r.id} onClick={(e) => { e.stopPropagation(); setOpen(open === r.id ? null : r.id); }}>
                    {open === r.id ? "hide error" : "error"}
                  </button>
                )}
              </td>
              <td><a href={`#/revision/${encodeURIComponent(r.revision)}`} className="mono" onClick={(e) => e.stopPropagation()}>{r.revision.slice(0, 12)}</a></td>
              <td>{r.direction === "repair" ? <span className="tag warn" title="an edited file accepted from the revision page">repair</span> : r.direction}</td>
              <td>{r.message}</td>
              <td className="mono">{r.startedAt.replace("T", " ").slice(0, 19)}</td>
              <td>{r.durationMs === null ? "—" : `${r.durationMs} ms`}</td>
              <td className="muted">{r.user}@{r.host}</td>
            </tr>
            {r.error && open === r.id && (
              <tr className="failed">
                <td colSpan={7}>
                  <pre className="log" data-testid="history-error" style={{ background: "transparent", maxHeight: 160 }}>{r.error}</pre>
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
