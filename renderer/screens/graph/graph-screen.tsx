import { useCallback, useEffect, useMemo, useState } from "react";
import { useProject } from "../../app/project-context.js";
import { navigate } from "../../app/navigate.js";
import { graphRevisions } from "../../graph/graph-revisions.js";
import { layoutGraph } from "../../graph/lane-layout.js";
import { searchRevisions } from "../../graph/search-revisions.js";
import { Empty, ErrorBox } from "../../components/load-states.js";
import { stateTone } from "../../components/environment-state.js";
import { RevisionGraphView, type EnvironmentBadge } from "./revision-graph-view.js";
import { RevisionSidePanel } from "./revision-side-panel.js";

/** Marks the first drawn graph for bench/ui.ts (performance.getEntriesByName("strata:graph-drawn")). */
function markDrawn(): void {
  performance.mark("strata:graph-committed");
  requestAnimationFrame(() => performance.mark("strata:graph-drawn"));
}

/** The revision-graph screen: lays the project's revisions out, places environment badges, searches. */
export function GraphScreen({ select }: { readonly select?: string }) {
  const { summary, matrix, states, activeEnvironment } = useProject();
  const { ordered, layout } = useMemo(() => layoutGraph(graphRevisions(summary)), [summary]);
  const badges = useMemo(() => {
    const m = new Map<string, EnvironmentBadge[]>();
    for (const s of states) {
      const state = s.state ? { label: s.state.label, tone: stateTone(s.state.kind), kind: s.state.kind } : undefined;
      for (const h of s.heads ?? []) {
        const list = m.get(h) ?? [];
        list.push({ name: s.environment.name, color: s.environment.color, ...(state ? { state } : {}) });
        m.set(h, list);
      }
    }
    return m;
  }, [states]);
  // An environment whose version table names a revision with no file has no node to carry its badge: say so above the graph.
  const offGraph = useMemo(() => states.filter((s) => (s.heads ?? []).some((h) => !layout.indexOf.has(h))), [states, layout]);
  const activeState = states.find((s) => s.environment.name === activeEnvironment);
  const pending = useMemo(() => new Set(activeState?.pending ?? []), [activeState]);

  const [selected, setSelected] = useState<number | null>(() => {
    const i = select ? layout.indexOf.get(select) : undefined;
    return i ?? (ordered.length > 0 ? 0 : null);
  });
  // The same screen may be opened again with another revision to select (#/graph?select=ID).
  useEffect(() => {
    const i = select ? layout.indexOf.get(select) : undefined;
    if (i !== undefined) setSelected(i);
  }, [select, layout]);
  const [query, setQuery] = useState("");
  const [matchAt, setMatchAt] = useState(0);
  const matches = useMemo(() => searchRevisions(ordered, query), [ordered, query]);
  const matchSet = useMemo(() => new Set(matches), [matches]);

  const onSelectIndex = useCallback((i: number) => setSelected(i), []);
  const onOpen = useCallback((id: string) => navigate({ screen: "revision", id }), []);
  const goToMatch = (k: number): void => {
    if (matches.length === 0) return;
    const at = ((k % matches.length) + matches.length) % matches.length;
    setMatchAt(at);
    setSelected(matches[at]!);
  };

  const current = selected !== null ? ordered[selected] : undefined;
  return (
    <section className="screen" aria-labelledby="graph-title" style={{ overflow: "hidden" }}>
      <div className="screen-header">
        <h1 id="graph-title">Revision graph</h1>
        <span className="muted" data-testid="graph-count">
          {ordered.length} revisions · {summary.heads.length} head{summary.heads.length === 1 ? "" : "s"}
        </span>
        <div className="graph-search">
          <input
            type="search"
            placeholder="Search id, message or label"
            aria-label="Search revisions"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              const found = searchRevisions(ordered, e.target.value);
              setMatchAt(0);
              if (found.length > 0) setSelected(found[0]!);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                goToMatch(matchAt + (e.shiftKey ? -1 : 1));
              } else if (e.key === "ArrowDown") {
                e.preventDefault();
                (document.querySelector("[data-testid=graph]") as HTMLElement | null)?.focus();
              }
            }}
          />
          <span className="muted" aria-live="polite" data-testid="search-count">
            {query.trim() === "" ? "" : matches.length === 0 ? "no match" : `${matchAt + 1} of ${matches.length}`}
          </span>
        </div>
      </div>
      <div className="legend">
        <span>Newest on top. ↑/↓ move, Enter opens, digits 1–6 switch screens.</span>
        {activeEnvironment && <span>Dimmed: not yet applied to <strong>{activeEnvironment}</strong>.</span>}
        {matrix.state === "loading" && <span><span className="spinner" /> reading environments…</span>}
        {offGraph.map((s) => (
          <span key={s.environment.name} data-testid="off-graph" data-env-off-graph={s.environment.name}>
            <strong>{s.environment.name}</strong> stands at <code>{(s.heads ?? []).filter((h) => !layout.indexOf.has(h)).map((h) => h.slice(0, 12)).join(", ")}</code>, which has no file
            {s.state ? <> · <span className={`tag ${stateTone(s.state.kind)}`}>{s.state.label}</span></> : null}
          </span>
        ))}
      </div>
      {matrix.state === "error" && <ErrorBox error={matrix.error} />}
      {ordered.length === 0 ? (
        <Empty>
          No revisions yet in <code>{summary.migrations}</code>. <a href="#/create">Create the first revision</a>.
        </Empty>
      ) : (
        <div style={{ display: "flex", gap: 12, flex: 1, minHeight: 0 }}>
          <RevisionGraphView
            revisions={ordered}
            layout={layout}
            badges={badges}
            pending={pending}
            matches={matchSet}
            selectedIndex={selected}
            onSelectIndex={onSelectIndex}
            onOpen={onOpen}
            onDrawn={markDrawn}
          />
          {current && (
            <RevisionSidePanel
              revision={current}
              badges={badges.get(current.revision) ?? []}
              activeEnvironment={activeEnvironment}
              pendingInActive={pending.has(current.revision)}
              onGo={(id) => {
                const i = layout.indexOf.get(id);
                if (i !== undefined) setSelected(i);
              }}
              onOpen={onOpen}
              onMigrate={(command, id) => navigate({ screen: "apply", environment: activeEnvironment ?? undefined, target: id, command })}
            />
          )}
        </div>
      )}
    </section>
  );
}
