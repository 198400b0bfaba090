import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useProject } from "../../app/project-context.js";
import { navigate } from "../../app/navigate.js";
import { graphRevisions } from "../../graph/graph-revisions.js";
import { layoutGraph } from "../../graph/lane-layout.js";
import { revisionMarkers } from "../../graph/revision-markers.js";
import { environmentReach } from "../../graph/revision-standing.js";
import { searchRevisions, searchTarget } from "../../graph/search-revisions.js";
import { Empty, ErrorBox } from "../../components/load-states.js";
import { stateTone } from "../../components/environment-state.js";
import { RevisionGraphView, type EnvironmentBadge } from "./revision-graph-view.js";
import { RevisionSidePanel } from "./revision-side-panel.js";
import "./graph.css";
import { shortRevision } from "../../components/revision-id.js";

/** Marks the first drawn graph for bench/ui.ts (performance.getEntriesByName("strata:graph-drawn")). */
function markDrawn(): void {
  performance.mark("strata:graph-committed");
  requestAnimationFrame(() => performance.mark("strata:graph-drawn"));
}

/** The revision selected last, per project root: the screen is unmounted by every switch, the selection is not lost (issue 19). */
const rememberedSelection = new Map<string, string>();

const isTyping = (target: EventTarget | null): boolean => {
  const el = target as HTMLElement | null;
  return !!el && (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable);
};

/** The revision-graph screen: lays the project's revisions out, places environment badges and markers, searches. */
export function GraphScreen({ select }: { readonly select?: string }) {
  const { summary, matrix, states, activeEnvironment, chipClicks } = useProject();
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
  const markers = useMemo(() => revisionMarkers(states), [states]);
  const reach = useMemo(() => environmentReach(states), [states]);
  const searchEnvironments = useMemo(() => states.map((s) => ({ name: s.environment.name, heads: s.error ? null : s.heads })), [states]);
  // A revision an environment has applied with no file has no node to carry its badge or marker: say so above the graph.
  const offGraph = useMemo(
    () =>
      states
        .map((s) => {
          const heads = (s.heads ?? []).filter((h) => !layout.indexOf.has(h));
          const below = s.problems.filter((p) => p.kind === "missing" && !heads.includes(p.revision) && !layout.indexOf.has(p.revision)).map((p) => p.revision);
          return { s, heads, below };
        })
        .filter((x) => x.heads.length + x.below.length > 0),
    [states, layout],
  );
  const activeReach = reach.find((r) => r.name === activeEnvironment);
  const pending = activeReach?.pending ?? EMPTY;

  const [selected, setSelected] = useState<number | null>(() => {
    const remembered = rememberedSelection.get(summary.root);
    const i = layout.indexOf.get(select ?? remembered ?? "");
    return i ?? (ordered.length > 0 ? 0 : null);
  });
  const [jumps, setJumps] = useState(0);
  const jumpTo = useCallback((i: number) => {
    setSelected(i);
    setJumps((n) => n + 1);
  }, []);
  // The same screen may be opened again with another revision to select (#/graph?select=ID).
  useEffect(() => {
    const i = select ? layout.indexOf.get(select) : undefined;
    if (i !== undefined) jumpTo(i);
  }, [select, layout, jumpTo]);
  const selectedId = selected !== null ? ordered[selected]?.revision : undefined;
  useEffect(() => {
    if (selectedId) rememberedSelection.set(summary.root, selectedId);
  }, [selectedId, summary.root]);
  // A click on an environment's chip (in the bar above every screen) jumps to where it stands; clicks made before this screen opened do not.
  const clicksSeen = useRef(chipClicks);
  useEffect(() => {
    if (chipClicks === clicksSeen.current) return;
    clicksSeen.current = chipClicks;
    const heads = reach.find((r) => r.name === activeEnvironment)?.heads;
    const at = [...(heads ?? [])].map((h) => layout.indexOf.get(h)).filter((i): i is number => i !== undefined);
    if (at.length > 0) jumpTo(Math.min(...at));
  }, [chipClicks, activeEnvironment, reach, layout, jumpTo]);

  const [query, setQuery] = useState("");
  const [matchAt, setMatchAt] = useState(0);
  const matches = useMemo(() => searchRevisions(ordered, query, searchEnvironments), [ordered, query, searchEnvironments]);
  const target = useMemo(() => searchTarget(ordered, query, searchEnvironments), [ordered, query, searchEnvironments]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const searchRef = useRef<HTMLInputElement>(null);
  // "/" focuses the search from anywhere on the screen, as in most code browsers.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== "/" || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      e.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onSelectIndex = useCallback((i: number) => setSelected(i), []);
  const onOpen = useCallback((id: string) => navigate({ screen: "revision", id }), []);
  const goToMatch = (k: number): void => {
    if (matches.length === 0) return;
    const at = ((k % matches.length) + matches.length) % matches.length;
    setMatchAt(at);
    jumpTo(matches[at]!);
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
            ref={searchRef}
            type="search"
            placeholder="Search ids, messages, labels, targets  ( / )"
            title="An id, a message, a branch label, or a target: heads, head, billing@head, an environment's name"
            aria-label="Search revisions"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              const found = searchRevisions(ordered, e.target.value, searchEnvironments);
              setMatchAt(0);
              if (found.length > 0) jumpTo(found[0]!);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                goToMatch(matchAt + (e.shiftKey ? -1 : 1));
              } else if (e.key === "ArrowDown") {
                e.preventDefault();
                (document.querySelector("[data-testid=graph]") as HTMLElement | null)?.focus();
              } else if (e.key === "Escape") {
                setQuery("");
                (document.querySelector("[data-testid=graph]") as HTMLElement | null)?.focus();
              }
            }}
          />
          <span className="muted" aria-live="polite" data-testid="search-count">
            {query.trim() === "" ? "" : `${target ? `${target.description}: ` : ""}${matches.length === 0 ? "no match" : `${matchAt + 1} of ${matches.length}`}`}
          </span>
        </div>
      </div>
      <div className="legend">
        <span>Newest on top. ↑/↓ move, Enter opens, / searches, digits 1–6 switch screens.</span>
        {activeEnvironment && (
          <span>
            <svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="4" fill="var(--lane-0)" /></svg> applied to <strong>{activeEnvironment}</strong> ·{" "}
            <svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="4" fill="var(--bg)" stroke="var(--lane-0)" strokeWidth="1.5" opacity="0.5" /></svg> not yet
          </span>
        )}
        {layout.dependencyLanes > 0 && (
          <span>
            <svg width="18" height="8" aria-hidden="true"><path d="M0 4H18" stroke="var(--dependency)" strokeWidth="1.5" strokeDasharray="3 3" /></svg> depends on
          </span>
        )}
        {matrix.state === "loading" && <span><span className="spinner" /> reading environments…</span>}
        {offGraph.map(({ s, heads, below }) => (
          <span key={s.environment.name} data-testid="off-graph" data-env-off-graph={s.environment.name}>
            <strong>{s.environment.name}</strong> {heads.length > 0 ? <>stands at <code>{short(heads)}</code></> : null}
            {heads.length > 0 && below.length > 0 ? " and " : null}
            {below.length > 0 ? <>has applied <code>{short(below)}</code></> : null}, which {heads.length + below.length === 1 ? "has" : "have"} no file
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
            pendingKnown={activeReach !== undefined && activeReach.heads !== null}
            markers={markers}
            matches={matchSet}
            selectedIndex={selected}
            onSelectIndex={onSelectIndex}
            onOpen={onOpen}
            onDrawn={markDrawn}
            jumps={jumps}
          />
          {current && (
            <RevisionSidePanel
              revision={current}
              reach={reach}
              markers={markers.get(current.revision) ?? NO_MARKERS}
              activeEnvironment={activeEnvironment}
              onGo={(id) => {
                const i = layout.indexOf.get(id);
                if (i !== undefined) jumpTo(i);
              }}
              onOpen={onOpen}
              onMigrate={(command, id) => navigate({ screen: "apply", environment: activeEnvironment ?? undefined, target: id, command })}
              onCreateOn={(id) => navigate({ screen: "create", parent: id })}
              activeOffGraph={offGraph.some((x) => x.s.environment.name === activeEnvironment && x.heads.length > 0)}
            />
          )}
        </div>
      )}
    </section>
  );
}

const EMPTY: ReadonlySet<string> = new Set();
const short = (ids: readonly string[]): string => ids.map((h) => shortRevision(h)).join(", ");
const NO_MARKERS: readonly never[] = [];
