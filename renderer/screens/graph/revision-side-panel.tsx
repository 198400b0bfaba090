import type { GraphRevision } from "../../graph/graph-revisions.js";
import type { EnvironmentBadge } from "./revision-graph-view.js";

/** The selected revision beside the graph, with the actions that start from it. */
export function RevisionSidePanel(props: {
  readonly revision: GraphRevision;
  readonly badges: readonly EnvironmentBadge[];
  readonly activeEnvironment: string | null;
  readonly pendingInActive: boolean;
  readonly onGo: (id: string) => void;
  readonly onOpen: (id: string) => void;
  readonly onMigrate: (command: "upgrade" | "downgrade", id: string) => void;
}) {
  const r = props.revision;
  const ids = (list: readonly string[]) =>
    list.length === 0 ? <span className="faint">none</span> : list.map((id) => (
      <button key={id} type="button" className="link-btn" onClick={() => props.onGo(id)} style={{ marginRight: 6 }}>
        {id.slice(0, 12)}
      </button>
    ));
  return (
    <aside className="panel" aria-label="Selected revision" data-testid="side-panel" style={{ width: 300, flex: "none", display: "flex", flexDirection: "column", gap: 8, overflow: "auto" }}>
      <h2 style={{ overflowWrap: "anywhere" }}>{r.message || <span className="faint">(no message)</span>}</h2>
      <dl className="facts">
        <dt>Revision</dt>
        <dd className="mono">{r.revision}</dd>
        <dt>Parents</dt>
        <dd>{ids(r.downRevisions)}</dd>
        <dt>Children</dt>
        <dd>{ids(r.children)}</dd>
        {(r.branchLabels.length > 0 || r.inheritedLabels.length > 0) && (
          <>
            <dt>Labels</dt>
            <dd>
              {[...r.branchLabels, ...r.inheritedLabels.map((l) => `${l} (inherited)`)].join(", ")}
            </dd>
          </>
        )}
        {r.isEffectiveHead && (
          <>
            <dt>Head</dt>
            <dd>effective head: another revision depends on it</dd>
          </>
        )}
        {r.dependsOn.length > 0 && (
          <>
            <dt>Depends on</dt>
            <dd>{ids(r.dependsOn)}</dd>
          </>
        )}
        <dt>File</dt>
        <dd className="mono">{r.file ?? <span className="faint">none</span>}</dd>
        <dt>Here</dt>
        <dd>{props.badges.length === 0 ? <span className="faint">no environment</span> : props.badges.map((b) => b.name).join(", ")}</dd>
      </dl>
      <div className="toolbar">
        <button type="button" className="btn" onClick={() => props.onOpen(r.revision)}>
          Details
        </button>
        {props.activeEnvironment && (
          props.pendingInActive ? (
            <button type="button" className="btn primary" onClick={() => props.onMigrate("upgrade", r.revision)}>
              Upgrade {props.activeEnvironment} to here…
            </button>
          ) : (
            <button type="button" className="btn" onClick={() => props.onMigrate("downgrade", r.revision)}>
              Roll {props.activeEnvironment} back to here…
            </button>
          )
        )}
      </div>
    </aside>
  );
}
