import type { GraphRevision } from "../../graph/graph-revisions.js";
import { markerText, type RevisionMarker } from "../../graph/revision-markers.js";
import { actionsAt, standingOf, type EnvironmentReach, type Standing } from "../../graph/revision-standing.js";
import { shortRevision } from "../../components/revision-id.js";

const STANDING_WORDS: Readonly<Record<Standing, string>> = {
  here: "Stands here",
  applied: "Applied in",
  "not-applied": "Not yet in",
  unknown: "Not known for",
};

/** Where the revision stands in every environment, one line per kind of answer ("Applied in: all 3 environments"). */
function Standings({ reach, revision }: { readonly reach: readonly EnvironmentReach[]; readonly revision: string }) {
  if (reach.length === 0) return <span className="faint">no environment configured</span>;
  const by = new Map<Standing, string[]>();
  for (const r of reach) {
    const s = standingOf(r, revision);
    by.set(s, [...(by.get(s) ?? []), r.name]);
  }
  const everywhere = (by.get("here")?.length ?? 0) + (by.get("applied")?.length ?? 0) === reach.length && reach.length > 1;
  return (
    <>
      {(["here", "applied", "not-applied", "unknown"] as const).map((s) => {
        const names = by.get(s);
        if (!names) return null;
        const words = s === "applied" && everywhere && !by.has("here") ? `all ${reach.length} environments` : names.join(", ");
        return (
          <div key={s} data-standing={s}>
            {STANDING_WORDS[s]}: <strong>{words}</strong>
          </div>
        );
      })}
    </>
  );
}

/** The selected revision beside the graph, with the actions that start from it. */
export function RevisionSidePanel(props: {
  readonly revision: GraphRevision;
  readonly reach: readonly EnvironmentReach[];
  readonly markers: readonly RevisionMarker[];
  readonly activeEnvironment: string | null;
  readonly onGo: (id: string) => void;
  readonly onOpen: (id: string) => void;
  readonly onMigrate: (command: "upgrade" | "downgrade", id: string) => void;
  readonly onCreateOn: (id: string) => void;
  /** The selected environment stands at a revision with no file (drawn nowhere). */
  readonly activeOffGraph: boolean;
}) {
  const r = props.revision;
  const active = props.reach.find((e) => e.name === props.activeEnvironment);
  const actions = actionsAt(active, r.revision, r.children);
  const activeStanding = active ? standingOf(active, r.revision) : null;
  const ids = (list: readonly string[]) =>
    list.length === 0 ? <span className="faint">none</span> : list.map((id) => (
      <button key={id} type="button" className="link-btn" onClick={() => props.onGo(id)} style={{ marginRight: 6 }}>
        {shortRevision(id)}
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
        {r.dependencies.length > 0 && (
          <>
            <dt>Depends on</dt>
            <dd>{ids(r.dependencies)}</dd>
          </>
        )}
        <dt>File</dt>
        <dd className="mono">{r.file ?? <span className="faint">none</span>}</dd>
        {r.committed && (
          <>
            <dt>Committed</dt>
            <dd data-testid="side-committed">
              {r.committed.date.slice(0, 16).replace("T", " ")} by {r.committed.author}
            </dd>
          </>
        )}
        <dt>Where</dt>
        <dd data-testid="side-standing">
          <Standings reach={props.reach} revision={r.revision} />
        </dd>
        {props.markers.length > 0 && (
          <>
            <dt>Problems</dt>
            <dd>
              {props.markers.map((m) => (
                <div key={m.kind} className="bad-text" data-marker={m.kind}>
                  {markerText(m)}
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
      <div className="toolbar">
        <button type="button" className="btn" onClick={() => props.onOpen(r.revision)}>
          Details
        </button>
        <button type="button" className="btn" onClick={() => props.onCreateOn(r.revision)}>
          New revision on this…
        </button>
        {actions.upgrade && (
          <button type="button" className="btn primary" onClick={() => props.onMigrate("upgrade", r.revision)}>
            Upgrade {props.activeEnvironment} to here…
          </button>
        )}
        {actions.downgrade && (
          <button type="button" className="btn" onClick={() => props.onMigrate("downgrade", r.revision)}>
            Roll {props.activeEnvironment} back to here…
          </button>
        )}
      </div>
      {props.activeEnvironment && !actions.upgrade && !actions.downgrade && (
        <p className="muted" data-testid="no-action">
          {activeStanding === "here"
            ? `${props.activeEnvironment} stands here: nothing to upgrade or roll back to.`
            : activeStanding === "applied" && props.activeOffGraph
              ? `Applied in ${props.activeEnvironment}, which stands at a revision with no file: rolling back needs that file again.`
              : activeStanding === "applied"
              ? `Applied in ${props.activeEnvironment}, with nothing above it to roll back.`
              : `Where ${props.activeEnvironment} stands is not known yet.`}
        </p>
      )}
    </aside>
  );
}
