import { useMemo, useState } from "react";
import type { SchemaChangeDto, SchemaDiffDto } from "../../../shared/api.js";
import { CodeView } from "../../components/code-view.js";

function kindClass(kind: string): "add" | "drop" | "alter" {
  if (kind.startsWith("add") || kind.startsWith("create")) return "add";
  if (kind.startsWith("drop") || kind.startsWith("remove")) return "drop";
  return "alter";
}
const kindMark = { add: "+", drop: "−", alter: "~" } as const;

/** Groups changes by table, then by kind of object, keeping their order. */
function groupByTable(changes: readonly SchemaChangeDto[]): [string, [string, [number, SchemaChangeDto][]][]][] {
  const tables = new Map<string, Map<string, [number, SchemaChangeDto][]>>();
  changes.forEach((c, i) => {
    const t = tables.get(c.table) ?? new Map<string, [number, SchemaChangeDto][]>();
    tables.set(c.table, t);
    const list = t.get(c.objectType) ?? [];
    t.set(c.objectType, list);
    list.push([i, c]);
  });
  return [...tables].map(([t, m]) => [t, [...m]]);
}

/** The differences between two schemas as a tree (table › object kind › object) with the DDL of the chosen one. */
export function DiffTreeView({ diff }: { readonly diff: SchemaDiffDto }) {
  const groups = useMemo(() => groupByTable(diff.changes), [diff.changes]);
  const [selected, setSelected] = useState<number | null>(diff.changes.length > 0 ? 0 : null);
  const change = selected !== null ? diff.changes[selected] : undefined;
  return (
    <div className="split" style={{ gridTemplateColumns: "minmax(260px, 1fr) minmax(0, 2fr)" }}>
      <div className="panel" style={{ overflow: "auto", maxHeight: 520 }}>
        <ul
          className="tree"
          role="tree"
          aria-label="Schema differences"
          data-testid="diff-tree"
          onKeyDown={(e) => {
            const step = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0;
            if (step === 0 || diff.changes.length === 0) return;
            e.preventDefault();
            const next = Math.max(0, Math.min(diff.changes.length - 1, (selected ?? -1) + step));
            setSelected(next);
            e.currentTarget.querySelector<HTMLButtonElement>(`[data-index="${next}"]`)?.focus();
          }}
        >
          {groups.map(([table, kinds]) => (
            <li key={table} role="treeitem" aria-expanded="true">
              <strong>{table}</strong>
              <ul role="group">
                {kinds.map(([objectType, items]) => (
                  <li key={objectType} role="treeitem" aria-expanded="true">
                    <span className="muted">{objectType}</span>
                    <ul role="group">
                      {items.map(([i, c]) => {
                        const k = kindClass(c.kind);
                        return (
                          <li key={i} role="none">
                            <button type="button" role="treeitem" className="node" aria-selected={selected === i} onClick={() => setSelected(i)} data-index={i} tabIndex={selected === i || (selected === null && i === 0) ? 0 : -1} data-change={`${c.kind}:${c.table}.${c.object}`}>
                              <span className={`change-kind ${k}`} aria-hidden="true">{kindMark[k]}</span>
                              <span>{c.object === c.table && c.objectType === "table" ? c.kind : c.object}</span>
                              <span className="faint" style={{ fontSize: 11 }}>{c.kind}</span>
                              {c.destructive && <span className="tag bad">destructive</span>}
                            </button>
                          </li>
                        );
                      })}
                    </ul>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </div>
      <div style={{ display: "flex", flexDirection: "column", gap: 8, minWidth: 0 }}>
        {change ? (
          <>
            <h2>
              <code>{change.kind}</code> {change.table}
              {change.object !== change.table ? `.${change.object}` : ""}
            </h2>
            {change.note && <div className="notice warn">{change.note}</div>}
            <h3>DDL</h3>
            <CodeView code={change.sql} language="sql" label="change DDL" />
            {change.knexUp && (
              <>
                <h3>knex</h3>
                <CodeView code={change.knexUp} language="typescript" label="change knex" />
              </>
            )}
          </>
        ) : (
          <div className="state-box">Choose a difference to see its DDL.</div>
        )}
        <details>
          <summary>Whole script ({diff.changes.length} changes)</summary>
          <CodeView code={diff.sql} language="sql" label="diff SQL" />
        </details>
      </div>
    </div>
  );
}
