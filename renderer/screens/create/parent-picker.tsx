import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import type { GraphRevision } from "../../graph/graph-revisions.js";
import { shortRevision } from "../../components/revision-id.js";

const ROW = 30;

/** Whether a revision answers a search: its id (or a prefix), its message, or one of its labels. */
function matches(r: GraphRevision, needle: string): boolean {
  if (!needle) return true;
  return r.revision.toLowerCase().includes(needle) || r.message.toLowerCase().includes(needle) || r.branchLabels.some((l) => l.toLowerCase().includes(needle));
}

/**
 * A parent chosen from the whole graph (issue 19 point 3): a search over every revision's id,
 * message and labels, and a virtualised list of what matches, so 10,000 revisions scroll as 10.
 */
export function ParentPicker(props: { readonly revisions: readonly GraphRevision[]; readonly value: string | null; readonly onChange: (id: string) => void }) {
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const shown = useMemo(() => props.revisions.filter((r) => matches(r, needle)), [props.revisions, needle]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 8 });
  return (
    <div className="parent-picker" data-testid="parent-picker">
      <input
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        aria-label="Search revisions"
        placeholder={`Search ${props.revisions.length.toLocaleString()} revisions by id, message or label`}
      />
      <div className="muted parent-picker-count" aria-live="polite">
        {needle ? `${shown.length.toLocaleString()} of ${props.revisions.length.toLocaleString()} revisions match` : `${props.revisions.length.toLocaleString()} revisions, newest first`}
      </div>
      <div ref={scrollRef} className="parent-picker-list" role="listbox" aria-label="Revisions">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const r = shown[item.index]!;
            const selected = r.revision === props.value;
            return (
              <div
                key={r.revision}
                role="option"
                aria-selected={selected}
                className={`parent-picker-row${selected ? " selected" : ""}`}
                style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${item.start}px)` }}
                tabIndex={0}
                onClick={() => props.onChange(r.revision)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    props.onChange(r.revision);
                  }
                }}
              >
                <code className="rev-id">{shortRevision(r.revision)}</code>
                {r.isHead && <span className="tag head">head</span>}
                {r.branchLabels.map((l) => (
                  <span key={l} className="tag label">{l}</span>
                ))}
                <span className="rev-msg">{r.message}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
