import type { DriftDto, EnvironmentMatrixDto, EnvironmentStateDto } from "../../../shared/api.js";
import { assertNever } from "../../app/assert-never.js";
import { EnvironmentStateTag } from "../../components/environment-state.js";
import { errorWords } from "../../components/error-words.js";
import { shortRevision } from "../../components/revision-id.js";

/**
 * How many characters of a revision id the Current column always has room for: a knex file
 * name such as `2023-08-16-0000-create-monitor` (30) reads whole at 1280 px (issue 19). A
 * longer id takes more where the window has it, and is cut only where it has not.
 */
const CURRENT_WHOLE_CHARS = 40;

/**
 * The Current column's floor for one id, in `ch` (the column's font is monospace: one character
 * each): the whole id up to CURRENT_WHOLE_CHARS. An id longer than that is cut at 1280 px
 * anyway, so it asks for no floor of its own beyond a recognisable start; the column's other ids
 * set its width. The floor is also held to a share of the window (22vw: 37 characters at
 * 1280 px), so below 1280 px the id gives way before the columns beside it do.
 */
function currentFloor(id: string): string {
  const n = shortRevision(id).length;
  return `min(${n <= CURRENT_WHOLE_CHARS ? n : 20}ch, 22vw)`;
}

function DriftCell({ drift, checking }: { readonly drift: DriftDto; readonly checking: boolean }) {
  if (checking && drift.state === "not-checked") return <span className="faint" data-testid="drift-checking"><span className="spinner" /> checking…</span>;
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
      // The reason can be long (a revision with no file): cut to the cell, whole in the tooltip (issue 19).
      return <span className="tag warn fit-line" title={drift.note} style={{ maxWidth: 180, minWidth: "12ch" }}>not checked{drift.note ? `: ${drift.note}` : ""}</span>;
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
      <span className={`tag ${r.status === "failed" ? "bad" : r.status === "running" ? "warn" : "ok"}`}>{r.direction} {r.status}</span>
      <div className="faint" style={{ fontSize: 12 }}>{r.startedAt.slice(5, 16).replace("T", " ")}</div>
    </span>
  );
}

/** One environment's cell under a graph head: at it, or how many revisions behind it. */
function HeadCell({ s, head }: { readonly s: EnvironmentStateDto; readonly head: string }) {
  if (s.heads!.includes(head)) return <span className="tag ok">✓ at head</span>;
  const n = s.behind?.[head];
  if (n === undefined) return <span className="faint">—</span>;
  if (n === 0) return <span className="tag ok">✓ up to date</span>;
  return <span className="tag warn" data-testid="behind">{n} behind head</span>;
}

/**
 * The environments matrix: each environment's worst state, heads, how far behind each graph head
 * it is, pending, last run, drift, edited files. It fits the window: long targets, notes and file
 * paths are cut with the whole text in a tooltip, so the actions stay in view (issue 19).
 */
export function EnvironmentMatrixView(props: {
  readonly matrix: EnvironmentMatrixDto;
  /** Each graph head's column title: its branch label or its message. */
  readonly headNames: ReadonlyMap<string, string>;
  /** True while drift is still being checked (the matrix shown is the one without it). */
  readonly driftChecking: boolean;
  readonly onHistory: (env: string) => void;
  readonly onUpgrade: (env: string) => void;
  readonly onGraph: (env: string) => void;
}) {
  const { matrix } = props;
  return (
    <div className="matrix-wrap">
      <table className="grid matrix" data-testid="matrix">
        <thead>
          <tr>
            <th>Environment</th>
            <th>State</th>
            <th>Current</th>
            {matrix.heads.map((h) => (
              <th key={h} title={`graph head ${h}: ${props.headNames.get(h) ?? ""}`} data-head-column={h}>
                <span className="fit-line" style={{ maxWidth: 140, minWidth: "8ch" }}>{props.headNames.get(h) ?? shortRevision(h)}</span>
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
            const target = `${e.dialect} · ${e.displayTarget}${e.source === "profile" ? " · profile" : ""}`;
            return (
              <tr key={e.name} data-env-row={e.name}>
                <td style={{ borderLeft: `4px solid ${e.color ?? "var(--border)"}` }}>
                  <strong>{e.name}</strong> {e.protected && <span className="lock">protected</span>}
                  {s.unresolved?.some((u) => u.state !== "running") && (
                    <span className="tag bad" data-testid="unresolved-tag" title={s.unresolved.map((u) => u.description).join("\n")}>
                      {s.unresolved.some((u) => u.state === "failed") ? "half applied" : "interrupted"}
                    </span>
                  )}
                  <div className="faint fit-line" data-testid="env-target" title={target} style={{ fontSize: 12, maxWidth: 190, minWidth: "15ch" }}>{target}</div>
                </td>
                <td data-testid="env-row-state" className="matrix-wrapping">{/* A long state ("half-applied: …") wraps in its cell. */}<EnvironmentStateTag state={s.state} /></td>
                {s.error || s.heads === null ? (
                  <td colSpan={matrix.heads.length + 1}>
                    <span className="tag bad">unreachable</span>{" "}
                    <span className="muted truncate" style={{ maxWidth: 320 }} title={s.error ? errorWords(s.error).detail : undefined}>{s.error ? errorWords(s.error).title : ""}</span>
                  </td>
                ) : (
                  <>
                    <td className="mono">{s.heads.length === 0 ? <span className="faint">empty</span> : s.heads.map((h) => <div key={h} className="fit-line" data-testid="current-head" style={{ minWidth: currentFloor(h) }} title={h}>{shortRevision(h)}</div>)}</td>
                    {matrix.heads.map((h) => (
                      <td key={h} data-head-cell={h}><HeadCell s={s} head={h} /></td>
                    ))}
                  </>
                )}
                <td data-testid="pending-count">{s.pending.length === 0 ? <span className="tag ok">0</span> : <span className="tag warn">{s.pending.length}</span>}</td>
                <td><LastRun s={s} /></td>
                <td><DriftCell drift={s.drift} checking={props.driftChecking} /></td>
                <td>
                  {s.problems.length === 0 ? (
                    <span className="faint">ok</span>
                  ) : (
                    s.problems.map((p) => (
                      <div key={p.revision} className="truncate" style={{ maxWidth: 200 }} title={p.file ?? p.revision} data-testid="problem-file">
                        <span className="tag bad">{p.kind}</span> <code>{p.file ?? shortRevision(p.revision)}</code>
                      </div>
                    ))
                  )}
                </td>
                <td>
                  <div className="matrix-actions">
                    <button type="button" className="btn small" onClick={() => props.onGraph(e.name)}>Graph</button>
                    <button type="button" className="btn small" onClick={() => props.onHistory(e.name)}>History</button>
                    {s.pending.length > 0 && (
                      <button type="button" className="btn small" onClick={() => props.onUpgrade(e.name)}>Upgrade…</button>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
