import { Fragment, useMemo } from "react";
import type { ChecksumStateDto, EnvironmentDto, RenderedSqlDto, RevisionDetailDto } from "../../../shared/api.js";
import { assertNever } from "../../app/assert-never.js";
import { AcceptEditedFile } from "../../components/accept-edited-file.js";
import { CodeView } from "../../components/code-view.js";
import { errorWords, withoutCliWords } from "../../components/error-words.js";

function checksumTag(state: ChecksumStateDto) {
  switch (state) {
    case "matches":
      return <span className="tag ok">applied, file unchanged</span>;
    case "edited":
      return <span className="tag bad">edited after it was applied</span>;
    case "not-applied":
      return <span className="tag">not applied</span>;
    case "unknown":
      return <span className="tag warn">applied, no checksum recorded</span>;
    case "unreachable":
      return <span className="tag bad">database unreachable</span>;
    default:
      return assertNever(state);
  }
}

function SqlBlock({ title, rendered }: { readonly title: string; readonly rendered: RenderedSqlDto | null }) {
  const losses = rendered?.destructive ?? [];
  const marked = useMemo(() => (rendered?.destructive ?? []).map((d) => d.statement), [rendered]);
  return (
    <div>
      <h3>{title}</h3>
      {!rendered ? (
        <div className="faint">Not rendered.</div>
      ) : rendered.sql !== null ? (
        <>
          {losses.length > 0 && (
            <ul className="notice error loss-list" data-testid={`sql-losses-${title}`}>
              {losses.map((d, i) => (
                <li key={i}><span className="tag bad">{lossWord(d.reason)}</span> <code>{d.statement.split("\n")[0]}</code>: {d.reason}</li>
              ))}
            </ul>
          )}
          <CodeView code={rendered.sql || "-- no statements"} language="sql" label={title} marked={marked} />
        </>
      ) : (
        <div className="notice warn" role="note" data-testid={`sql-error-${title}`}>{rendered.error ? withoutCliWords(rendered.error.message) : "This revision cannot be rendered as SQL."}</div>
      )}
    </div>
  );
}

/** The tag of a loss: what kind of thing it does, from the lint's reason ("drops column …", "narrows …"). */
function lossWord(reason: string): string {
  if (/^(narrows|changes)/i.test(reason)) return "narrows";
  if (/^drops/i.test(reason)) return "drops";
  return "loses data";
}

/** Everything about one revision: ids, links, checksum state per environment, its code and its SQL. */
export function RevisionDetailView(props: {
  readonly detail: RevisionDetailDto;
  readonly environments: readonly EnvironmentDto[];
  readonly sqlEnvironment: string | null;
  readonly onSqlEnvironment: (name: string) => void;
  readonly onGo: (id: string) => void;
  readonly onMigrate: (command: "upgrade" | "downgrade", environment: string) => void;
  /** Accepts the edited file on an environment (repairRevision); rejects with the error to show. */
  readonly onAcceptEdited: (environment: string, confirmName: string | undefined) => Promise<unknown>;
}) {
  const { detail } = props;
  const r = detail.revision;
  const links = (list: readonly string[]) =>
    list.length === 0 ? <span className="faint">none</span> : list.map((id) => (
      <a key={id} href={`#/revision/${encodeURIComponent(id)}`} className="mono" style={{ marginRight: 8 }} onClick={(e) => { e.preventDefault(); props.onGo(id); }}>
        {id}
      </a>
    ));
  return (
    <>
      <div className="split">
        <div className="panel">
          <dl className="facts">
            <dt>Revision</dt>
            <dd className="mono" data-testid="detail-id">{r.revision}</dd>
            <dt>Parents</dt>
            <dd data-testid="detail-parents">{links(r.downRevisions)}</dd>
            <dt>Children</dt>
            <dd data-testid="detail-children">{links(r.children)}</dd>
            <dt>Kind</dt>
            <dd>
              {[r.isHead && "head", r.isBase && "base", r.isMergePoint && "merge point", r.isBranchPoint && "branch point"].filter(Boolean).join(", ") || "revision"}
            </dd>
            <dt>Branch labels</dt>
            <dd>{r.branchLabels.length ? r.branchLabels.join(", ") : <span className="faint">none</span>}</dd>
            <dt>Depends on</dt>
            <dd>{links(r.dependsOn)}</dd>
            <dt>File</dt>
            <dd className="mono">{r.file ?? <span className="faint">no file</span>}</dd>
            <dt>Checksum</dt>
            <dd className="mono">{detail.checksum ? detail.checksum.slice(0, 16) + "…" : <span className="faint">none</span>}</dd>
            <dt>Transaction</dt>
            <dd>{detail.transaction ? "one per revision" : "runs outside a transaction"}</dd>
          </dl>
        </div>
        <div className="panel">
          <h3>Environments</h3>
          <table className="grid" data-testid="detail-environments">
            <tbody>
              {detail.environments.map((e) => (
                <Fragment key={e.environment}>
                  <tr data-detail-env={e.environment}>
                    <td><strong>{e.environment}</strong></td>
                    <td data-testid="checksum-state">{e.error ? <span className="tag bad" title={errorWords(e.error).detail}>unreachable</span> : checksumTag(e.checksum)}</td>
                    <td style={{ textAlign: "right" }}>
                      {e.applied === false && (
                        <button type="button" className="btn small" onClick={() => props.onMigrate("upgrade", e.environment)}>Upgrade to here…</button>
                      )}
                      {e.applied === true && (
                        <button type="button" className="btn small" onClick={() => props.onMigrate("downgrade", e.environment)}>Roll back to here…</button>
                      )}
                    </td>
                  </tr>
                  {e.checksum === "edited" && (
                    <tr>
                      <td colSpan={3}>
                        {/* An intended edit is accepted once, instead of "Run anyway" on every run. */}
                        <AcceptEditedFile
                          environment={e.environment}
                          protected={props.environments.find((x) => x.name === e.environment)?.protected ?? false}
                          revision={r.revision}
                          file={r.file}
                          checksumBefore={e.appliedChecksum}
                          checksumNow={detail.checksum}
                          onAccept={(confirmName) => props.onAcceptEdited(e.environment, confirmName)}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="split">
        <div>
          <h3>up()</h3>
          <CodeView code={detail.upSource ?? detail.source ?? "// no file"} language="typescript" label="up" />
        </div>
        <div>
          <h3>down()</h3>
          <CodeView code={detail.downSource ?? "// not found in the file"} language="typescript" label="down" />
        </div>
      </div>
      <div className="toolbar">
        <label className="field" style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
          SQL for
          <select value={props.sqlEnvironment ?? ""} onChange={(e) => props.onSqlEnvironment(e.target.value)} aria-label="SQL dialect environment">
            {props.environments.map((e) => (
              <option key={e.name} value={e.name}>{e.name} ({e.dialect})</option>
            ))}
          </select>
        </label>
      </div>
      <div className="split">
        <SqlBlock title="Upgrade SQL" rendered={detail.upSql} />
        <SqlBlock title="Downgrade SQL" rendered={detail.downSql} />
      </div>
    </>
  );
}
