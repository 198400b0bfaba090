import { useState } from "react";
import type { CreatedRevisionDto } from "../../../shared/api.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { CodeView } from "../../components/code-view.js";
import { shortRevision } from "../../components/revision-id.js";

/** What the delete of a just-written revision is at. */
export type DeleteState = { readonly kind: "idle" } | { readonly kind: "busy" } | { readonly kind: "refused"; readonly error: ErrorShape };

/**
 * The file just written, with what to do next; "Delete" asks first, naming the file, and the
 * engine refuses it where an environment or another revision already uses the revision.
 */
export function CreatedRevisionView(props: {
  readonly created: CreatedRevisionDto;
  readonly deleteState: DeleteState;
  readonly onDelete: () => void;
  readonly onAnother: () => void;
}) {
  const { created } = props;
  const [confirming, setConfirming] = useState(false);
  const merge = created.downRevisions.length > 1;
  return (
    <div className="panel" data-testid="created" style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      <div className="notice ok" role="status">
        Wrote <code>{created.file}</code>: {merge ? "merge " : ""}revision <code data-testid="created-id">{created.revision}</code>
        {created.downRevisions.length > 0 && <> on <code>{created.downRevisions.map((d) => shortRevision(d)).join(" + ")}</code></>}.
      </div>
      {created.changes.length > 0 && (
        <div>
          <h3>{created.changes.length} schema change{created.changes.length === 1 ? "" : "s"}</h3>
          <ul style={{ margin: 0 }}>
            {created.changes.map((c, i) => (
              <li key={i}>
                {c.summary ?? c.kind} <span className="muted">({c.table})</span> {c.destructive && <span className="tag bad">destructive</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      <CodeView code={created.source} language="typescript" label="new revision" />
      {confirming ? (
        <div className="confirm-protected" role="alertdialog" aria-label="Delete the new revision" data-testid="delete-confirmation">
          <div>
            Delete <code>{created.file}</code>? The file is removed from the migrations folder. Strata first checks that no environment has ever run it and that no other revision builds on it.
          </div>
          <div className="toolbar">
            <button type="button" className="btn danger" disabled={props.deleteState.kind === "busy"} onClick={props.onDelete}>
              {props.deleteState.kind === "busy" ? "Deleting…" : "Delete the file"}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>Keep it</button>
          </div>
          {props.deleteState.kind === "refused" && (
            <div className="notice error" role="alert" data-testid="delete-refused">{props.deleteState.error.message}</div>
          )}
        </div>
      ) : (
        <div className="toolbar">
          <a className="btn primary" href={`#/revision/${encodeURIComponent(created.revision)}`}>Open revision</a>
          <a className="btn" href={`#/graph?select=${encodeURIComponent(created.revision)}`}>Show in graph</a>
          <button type="button" className="btn" onClick={props.onAnother}>Create another</button>
          <button type="button" className="btn" onClick={() => setConfirming(true)}>Delete this revision…</button>
        </div>
      )}
    </div>
  );
}
