import { useMemo, useState } from "react";
import type { SchemaChangeDto, SchemaDiffDto, SchemaObjectStatus, SchemaObjectViewDto } from "../../../shared/api.js";
import { DefinitionDiff } from "./definition-diff.js";
import { STATUSES, attributeWords, statusWords } from "./compare-words.js";

const STATUS_TAG: Readonly<Record<SchemaObjectStatus, string>> = {
  different: "warn",
  "only-left": "bad",
  "only-right": "ok",
  same: "",
  "not-compared": "dashed",
};

/** The name an object is listed by: an index with its table. */
const objectLabel = (o: SchemaObjectViewDto): string => (o.kind === "index" && o.table ? `${o.table}.${o.name}` : o.name);
const objectId = (o: SchemaObjectViewDto): string => `${o.kind}:${o.table ?? ""}:${o.name}`;

/**
 * The compare (issue 19, point 1): every object of both sides with its status and filters by
 * status; for the chosen one, a checkbox per change, old -> new per changed column attribute,
 * and both definitions side by side with the changed lines highlighted.
 */
export function CompareView(props: {
  readonly diff: SchemaDiffDto;
  readonly selected: ReadonlySet<string>;
  readonly onToggle: (keys: readonly string[], on: boolean) => void;
}) {
  const { diff } = props;
  const objects = diff.objects ?? [];
  const left = diff.from;
  const right = diff.to;
  const [shown, setShown] = useState<ReadonlySet<SchemaObjectStatus>>(() => new Set(STATUSES));
  const visible = useMemo(() => objects.filter((o) => shown.has(o.status)), [objects, shown]);
  const [chosen, setChosen] = useState<string | null>(() => {
    const first = objects.find((o) => o.status !== "same") ?? objects[0];
    return first ? objectId(first) : null;
  });
  const current = visible.find((o) => objectId(o) === chosen) ?? visible[0];
  const byKey = useMemo(() => new Map(diff.changes.map((c) => [c.key ?? "", c] as const)), [diff.changes]);
  const counts = (s: SchemaObjectStatus): number => objects.filter((o) => o.status === s).length;
  return (
    <div className="compare">
      <div className="compare-filters toolbar" role="group" aria-label="Show objects">
        {STATUSES.map((s) => (
          // Checkboxes, not buttons: each shows or hides one status (and "not compared" is no second Compare button).
          <label key={s} className={`btn small filter ${shown.has(s) ? "on" : ""}`} data-status-filter={s}>
            <input
              type="checkbox"
              checked={shown.has(s)}
              onChange={() => setShown((prev) => {
                const next = new Set(prev);
                if (next.has(s)) next.delete(s);
                else next.add(s);
                return next;
              })}
            />
            {statusWords(s, left, right)} ({counts(s)})
          </label>
        ))}
      </div>
      <div className="compare-body">
        <div className="panel compare-list">
          {visible.length === 0 ? (
            <div className="muted">No object has the statuses shown.</div>
          ) : (
            <ul
              role="listbox"
              aria-label="Objects"
              data-testid="compare-objects"
              onKeyDown={(e) => {
                const step = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0;
                if (step === 0 || !current) return;
                e.preventDefault();
                const next = visible[Math.max(0, Math.min(visible.length - 1, visible.indexOf(current) + step))]!;
                setChosen(objectId(next));
                e.currentTarget.querySelector<HTMLElement>(`[data-object-id="${CSS.escape(objectId(next))}"]`)?.focus();
              }}
            >
              {visible.map((o) => {
                const id = objectId(o);
                const on = current !== undefined && objectId(current) === id;
                const picked = o.changes.filter((k) => props.selected.has(k)).length;
                return (
                  <li
                    key={id}
                    role="option"
                    aria-selected={on}
                    tabIndex={on ? 0 : -1}
                    className={`compare-item ${o.kind === "index" ? "child" : ""}`}
                    data-object-id={id}
                    data-object={`${o.kind} ${objectLabel(o)}`}
                    data-status={o.status}
                    onClick={() => setChosen(id)}
                  >
                    <span className="faint compare-kind">{o.kind}</span>
                    <span className="compare-name" title={objectLabel(o)}>{o.kind === "index" ? o.name : objectLabel(o)}</span>
                    {o.changes.length > 0 && <span className="faint" title={`${picked} of its ${o.changes.length} change${o.changes.length === 1 ? "" : "s"} selected`}>{picked}/{o.changes.length}</span>}
                    <span className={`tag ${STATUS_TAG[o.status]}`}>{statusWords(o.status, left, right)}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
        <div className="compare-detail">
          {current ? <ObjectDetail object={current} diff={diff} changes={current.changes.map((k) => byKey.get(k)).filter((c): c is SchemaChangeDto => c !== undefined)} selected={props.selected} onToggle={props.onToggle} /> : <div className="state-box">Choose an object to compare.</div>}
        </div>
      </div>
    </div>
  );
}

function ObjectDetail(props: {
  readonly object: SchemaObjectViewDto;
  readonly diff: SchemaDiffDto;
  readonly changes: readonly SchemaChangeDto[];
  readonly selected: ReadonlySet<string>;
  readonly onToggle: (keys: readonly string[], on: boolean) => void;
}) {
  const { object: o, diff } = props;
  const left = diff.from;
  const right = diff.to;
  return (
    <div className="compare-object" data-testid="compare-detail">
      <h2>
        <span className="faint">{o.kind}</span> {objectLabel(o)} <span className={`tag ${STATUS_TAG[o.status]}`}>{statusWords(o.status, left, right)}</span>
      </h2>
      {o.reason && <div className="notice warn" data-testid="compare-reason">{o.reason}</div>}
      {props.changes.length > 0 && (
        <fieldset className="panel compare-changes">
          <legend>Changes ({props.changes.length}) that turn {left} into {right}</legend>
          {props.changes.map((c) => (
            <label key={c.key} className="compare-change">
              <input type="checkbox" checked={props.selected.has(c.key ?? "")} onChange={(e) => props.onToggle([c.key ?? ""], e.target.checked)} data-change-key={c.key} />
              <span>{c.summary ?? c.kind}</span>
              {c.destructive && <span className="tag bad">destructive</span>}
              {c.note && <span className="muted compare-note">{c.note}</span>}
            </label>
          ))}
        </fieldset>
      )}
      {o.columns && o.columns.length > 0 && (
        <table className="compare-columns" data-testid="compare-columns">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Attribute</th>
              <th scope="col">{left}</th>
              <th scope="col" aria-label="becomes" />
              <th scope="col">{right}</th>
            </tr>
          </thead>
          <tbody>
            {o.columns.flatMap((c) =>
              c.attributes.length === 0
                ? [
                    <tr key={c.name} data-column={c.name}>
                      <td><code>{c.name}</code></td>
                      <td colSpan={4} className="muted">{statusWords(c.status, left, right)}</td>
                    </tr>,
                  ]
                : c.attributes.map((a, i) => (
                    <tr key={`${c.name}.${a.attribute}`} data-column={c.name} data-attribute={a.attribute}>
                      <td>{i === 0 ? <code>{c.name}</code> : null}</td>
                      <td>{attributeWords(a.attribute)}</td>
                      <td className="old"><code>{a.left}</code></td>
                      <td aria-hidden="true">→</td>
                      <td className="new"><code>{a.right}</code></td>
                    </tr>
                  )),
            )}
          </tbody>
        </table>
      )}
      <DefinitionDiff
        left={o.leftDefinition}
        right={o.rightDefinition}
        leftTitle={`${left}${diff.fromDialect ? ` (${diff.fromDialect})` : ""}`}
        rightTitle={`${right}${diff.toDialect ? ` (${diff.toDialect})` : ""}`}
      />
    </div>
  );
}
