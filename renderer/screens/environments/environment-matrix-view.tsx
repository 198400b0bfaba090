import type { DriftDto, EnvironmentMatrixDto, EnvironmentStateDto } from "../../../shared/api.js";
import { assertNever } from "../../app/assert-never.js";
import { EnvironmentStateTag } from "../../components/environment-state.js";

function DriftCell({ drift }: { readonly drift: DriftDto }) {
  switch (drift.state) {
    case "none":
      return <span className="tag ok">no drift</span>;
    case "drifted":
      return (
        <details data-testid="drift">
          <summary>
            <span className="tag bad">drift: {drift.changes.length} difference{drift.changes.length === 1 ? "" : "s"}</span>
          </summary>
          <ul style={{ margin: "4px 0", paddingLeft: 18 }}>
            {drift.changes.map((c, i) => (
              <li key={i}>
                <code>{c.kind}</code> {c.table}
                {c.object !== c.table ? `.${c.object}` : ""}
              </li>
            ))}
          </ul>
        </details>
      );
    case "unavailable":
      // The reason can be long (a revision with no file): it wraps rather than push the Files column off screen.
      return <span className="tag warn" title={drift.note} style={{ whiteSpace: "normal", display: "inline-block", maxWidth: 240 }}>not checked{drift.note ? `: ${drift.note}` : ""}</span>;
    case "not-checked":
      return <span className="faint">—</span>;
    default:
      return assertNever(drift.state);
  }
}

function LastRun({ s }: { readonly s: EnvironmentStateDto }) {
  const r = s.lastRun;
  if (!r) return <span className="faint">never</span>;
  return (
    <span title={`${r.direction} ${r.revision} by ${r.user}@${r.host}${r.error ? `: ${r.error}` : ""}`}>
      <span className={`tag ${r.status === "failed" ? "bad" : r.status === "running" ? "warn" : "ok"}`}>{r.direction} {r.status}</span>{" "}
      <span className="faint">{r.startedAt.slice(5, 16).replace("T", " ")}</span>
    </span>
  );
}

/** The environments matrix: each environment's worst state, heads, which graph heads it has, pending, last run, drift, edited files. */
export function EnvironmentMatrixView(props: {
  readonly matrix: EnvironmentMatrixDto;
  readonly onHistory: (env: string) => void;
  readonly onUpgrade: (env: string) => void;
  readonly onGraph: (env: string) => void;
}) {
  const { matrix } = props;
  return (
    <div style={{ overflowX: "auto" }}>
      <table className="grid matrix" data-testid="matrix">
        <thead>
          <tr>
            <th>Environment</th>
            <th>State</th>
            <th>Current</th>
            {matrix.heads.map((h) => (
              <th key={h} title={`graph head ${h}`} className="mono">
                head {h.slice(0, 12)}
              </th>
            ))}
            <th>Pending</th>
            <th>Last run</th>
            <th>Drift</th>
            <th>Files</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {matrix.environments.map((s) => {
            const e = s.environment;
            return (
              <tr key={e.name} data-env-row={e.name}>
                <td style={{ borderLeft: `4px solid ${e.color ?? "var(--border)"}` }}>
                  <strong>{e.name}</strong> {e.protected && <span className="lock">protected</span>}
                  {s.unresolved?.some((u) => u.state !== "running") && (
                    <span className="tag bad" data-testid="unresolved-tag" title={s.unresolved.map((u) => u.description).join("\n")}>
                      {s.unresolved.some((u) => u.state === "failed") ? "half applied" : "interrupted"}
                    </span>
                  )}
                  {/* A long database URL wraps under the name rather than pushing the matrix past the window. */}
                  <div className="faint" style={{ fontSize: 12, maxWidth: 220, whiteSpace: "normal", overflowWrap: "anywhere" }}>{e.dialect} · {e.displayTarget}{e.source === "profile" ? " · profile" : ""}</div>
                </td>
                <td data-testid="env-row-state"><EnvironmentStateTag state={s.state} /></td>
                {s.error || s.heads === null ? (
                  <td colSpan={matrix.heads.length + 1}>
                    <span className="tag bad">unreachable</span> <span className="muted">{s.error?.message}</span>
                  </td>
                ) : (
                  <>
                    <td className="mono">{s.heads.length === 0 ? <span className="faint">empty</span> : s.heads.map((h) => h.slice(0, 12)).join(", ")}</td>
                    {matrix.heads.map((h) => (
                      <td key={h}>{s.heads!.includes(h) ? <span className="tag ok">✓ at head</span> : <span className="faint">—</span>}</td>
                    ))}
                  </>
                )}
                <td data-testid="pending-count">{s.pending.length === 0 ? <span className="tag ok">0</span> : <span className="tag warn">{s.pending.length}</span>}</td>
                <td><LastRun s={s} /></td>
                <td><DriftCell drift={s.drift} /></td>
                <td>
                  {s.problems.length === 0 ? (
                    <span className="faint">ok</span>
                  ) : (
                    s.problems.map((p) => (
                      <div key={p.revision}>
                        <span className="tag bad">{p.kind}</span> <code>{p.file ?? p.revision.slice(0, 12)}</code>
                      </div>
                    ))
                  )}
                </td>
                <td style={{ whiteSpace: "nowrap" }}>
                  <button type="button" className="btn small" onClick={() => props.onGraph(e.name)}>Graph</button>{" "}
                  <button type="button" className="btn small" onClick={() => props.onHistory(e.name)}>History</button>{" "}
                  {s.pending.length > 0 && (
                    <button type="button" className="btn small" onClick={() => props.onUpgrade(e.name)}>Upgrade…</button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
