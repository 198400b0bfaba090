import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, type KeyboardEvent } from "react";
import type { StateTone } from "../../components/environment-state.js";
import type { GraphRevision } from "../../graph/graph-revisions.js";
import { GraphRowSvg, ROW_HEIGHT } from "../../graph/graph-row-svg.js";
import type { GraphLayout, GraphRow } from "../../graph/lane-layout.js";
import { markerText, type RevisionMarker } from "../../graph/revision-markers.js";
import { shortRevision } from "../../components/revision-id.js";

/** An environment whose version table stands on a revision, with its worst state. */
export interface EnvironmentBadge {
  readonly name: string;
  readonly color: string | null;
  /** "half-applied: b2b2…", "2 edited", "15 pending", "up to date"; absent until known. */
  readonly state?: { readonly label: string; readonly tone: StateTone; readonly kind: string };
}

interface RowProps {
  readonly row: GraphRow;
  readonly revision: GraphRevision;
  readonly width: number;
  readonly badges: readonly EnvironmentBadge[] | undefined;
  readonly pending: boolean;
  /** null: the selected environment's state is not known. */
  readonly applied: boolean | null;
  readonly markers: readonly RevisionMarker[] | undefined;
  readonly dependencyLanes: number;
  readonly selected: boolean;
  readonly match: boolean;
  readonly top: number;
  readonly index: number;
  /** How many rows the whole list has. */
  readonly count: number;
  readonly onSelectIndex: (index: number) => void;
  readonly onOpen: (id: string) => void;
}

const RevisionRow = memo(function RevisionRow(p: RowProps) {
  const r = p.revision;
  return (
    <div
      className={`graph-row${p.pending ? " pending" : ""}${p.match ? " match" : ""}`}
      role="option"
      id={`rev-${r.revision}`}
      aria-selected={p.selected}
      aria-posinset={p.index + 1}
      aria-setsize={p.count}
      data-revision={r.revision}
      data-pending={p.pending || undefined}
      data-lane={p.row.lane}
      style={{ top: p.top, height: ROW_HEIGHT }}
      onClick={() => p.onSelectIndex(p.index)}
      onDoubleClick={() => p.onOpen(r.revision)}
    >
      <GraphRowSvg row={p.row} width={p.width} dependencyLanes={p.dependencyLanes} applied={p.applied} flagged={p.markers !== undefined} />
      {p.badges && p.badges.length > 0 && (
        <span className="rev-badges">
          {p.badges.map((b) => (
            <span key={b.name} className="env-badge" data-env-badge={b.name} style={{ ["--env-color" as string]: b.color ?? undefined }} title={b.state ? `${b.name}: ${b.state.label}` : b.name}>
              {b.name}
              {b.state && (
                <span className={`env-badge-state ${b.state.tone}`} data-state={b.state.kind}>
                  {b.state.label}
                </span>
              )}
            </span>
          ))}
        </span>
      )}
      <span className="rev-text">
        <span className="rev-id" title={r.revision}>{shortRevision(r.revision)}</span>
        {r.isHead && !r.isEffectiveHead && <span className="tag head">head</span>}
        {r.isEffectiveHead && (
          <span className="tag head effective" data-effective-head title="A head another revision depends on: upgrading to heads reaches it through that revision">
            effective head
          </span>
        )}
        {r.isMergePoint && <span className="tag merge">merge</span>}
        {r.branchLabels.map((l) => (
          <span key={l} className="tag label" data-label={l}>{l}</span>
        ))}
        {r.inheritedLabels.map((l) => (
          <span key={l} className="tag label inherited" data-label={l} data-inherited title={`on branch ${l} (the label is declared on an earlier revision of this branch)`}>
            {l}
          </span>
        ))}
        {p.markers?.map((m) => (
          <span key={m.kind} className={`tag ${m.kind === "running" ? "warn" : "bad"}`} data-marker={m.kind} title={markerText(m)}>
            {markerText(m)}
          </span>
        ))}
        <span className="rev-msg">{r.message}</span>
        {r.dependsOn.length > 0 && <span className="tag dependency" title={`depends on ${r.dependsOn.join(", ")}`}>depends on {r.dependsOn.map((d) => d.slice(0, 7)).join(", ")}</span>}
      </span>
      {r.committed && (
        <span className="rev-committed" data-committed title={`last commit of ${r.file ?? "its file"}: ${r.committed.date} by ${r.committed.author}`}>
          {r.committed.date.slice(0, 10)} · {r.committed.author}
        </span>
      )}
    </div>
  );
});

/**
 * The revision graph as a virtualised list: one row per revision, newest on top, lanes drawn
 * per row, badges where environments stand, pending revisions dimmed. Arrow keys move, Enter opens.
 */
export function RevisionGraphView(props: {
  readonly revisions: readonly GraphRevision[];
  readonly layout: GraphLayout;
  readonly badges: ReadonlyMap<string, readonly EnvironmentBadge[]>;
  readonly pending: ReadonlySet<string>;
  /** False while the selected environment's state is not known: nothing is dimmed then. */
  readonly pendingKnown: boolean;
  readonly markers: ReadonlyMap<string, readonly RevisionMarker[]>;
  readonly matches: ReadonlySet<number>;
  readonly selectedIndex: number | null;
  readonly onSelectIndex: (index: number) => void;
  readonly onOpen: (id: string) => void;
  readonly onDrawn?: () => void;
  /** Bumped on a jump to the selected revision, so it is scrolled to even where it was selected already. */
  readonly jumps?: number;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.revisions.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const { selectedIndex, onDrawn } = props;
  useEffect(() => {
    if (selectedIndex !== null) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);
  // A jump (a chip, a search, a return to the screen) lands far from where the eye is: centred, not at an edge.
  const { jumps } = props;
  const selectedRef = useRef(selectedIndex);
  selectedRef.current = selectedIndex;
  useEffect(() => {
    if (selectedRef.current !== null) virtualizer.scrollToIndex(selectedRef.current, { align: "center" });
  }, [jumps, virtualizer]);
  const drawn = useRef(false);
  const items = virtualizer.getVirtualItems();
  useEffect(() => {
    if (!drawn.current && items.length > 0) {
      drawn.current = true;
      onDrawn?.();
    }
  }, [items.length, onDrawn]);

  const move = (to: number): void => {
    const n = props.revisions.length;
    if (n === 0) return;
    props.onSelectIndex(Math.max(0, Math.min(n - 1, to)));
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const cur = selectedIndex ?? -1;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(cur + 1),
      ArrowUp: () => move(cur - 1),
      PageDown: () => move(cur + page),
      PageUp: () => move(cur - page),
      Home: () => move(0),
      End: () => move(props.revisions.length - 1),
      Enter: () => {
        const r = selectedIndex !== null ? props.revisions[selectedIndex] : undefined;
        if (r) props.onOpen(r.revision);
      },
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };
  const selectedId = selectedIndex !== null ? props.revisions[selectedIndex]?.revision : undefined;
  // Rows are keyed by slot (index modulo the most rows drawn at once), not by revision: the row
  // scrolled out at one end lends its DOM to the one scrolled in at the other, so a scroll updates
  // a few texts and attributes instead of building and dropping whole rows (and their SVG) every
  // frame. The window is contiguous and never longer than `slots`, so no two rows share a key;
  // rows still in view keep their slot and are not rendered again. (A fixed 64 slots, as before,
  // gave the entering row a key no row was leaving with: every scrolled row was rebuilt.)
  // They are also drawn in slot order: in index order the recycled row would move from one end
  // of the list to the other, and a moved element is taken out of the layout tree and rebuilt.
  // The rows are placed absolutely, so the order shows nowhere but in the DOM; aria-posinset
  // gives assistive technology each row's place.
  const slotsRef = useRef(0);
  const slots = (slotsRef.current = Math.max(slotsRef.current, items.length));
  const bySlot = [...items].sort((a, b) => (a.index % slots) - (b.index % slots));

  return (
    <div
      ref={scrollRef}
      className="graph-list"
      tabIndex={0}
      role="listbox"
      aria-label="Revision graph, newest first"
      aria-activedescendant={selectedId ? `rev-${selectedId}` : undefined}
      onKeyDown={onKey}
      data-testid="graph"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {bySlot.map((item) => {
          const row = props.layout.rows[item.index]!;
          const rev = props.revisions[item.index]!;
          const pending = props.pending.has(rev.revision);
          return (
            <RevisionRow
              key={item.index % slots}
              row={row}
              revision={rev}
              width={props.layout.maxWidth}
              badges={props.badges.get(rev.revision)}
              pending={pending}
              applied={props.pendingKnown ? !pending : null}
              markers={props.markers.get(rev.revision)}
              dependencyLanes={props.layout.dependencyLanes}
              selected={item.index === selectedIndex}
              match={props.matches.has(item.index)}
              top={item.start}
              index={item.index}
              count={props.revisions.length}
              onSelectIndex={props.onSelectIndex}
              onOpen={props.onOpen}
            />
          );
        })}
      </div>
    </div>
  );
}
