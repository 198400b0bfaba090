import type { RevisionPreviewDto } from "../../../shared/api.js";
import { CodeView } from "../../components/code-view.js";

const short = (id: string): string => id.slice(0, 12);

/** Where the new revision goes, in words: on the environment's revision, a merge of its heads, or a new root. */
export function PreviewBaseNotice(props: { readonly preview: RevisionPreviewDto }) {
  const { base } = props.preview;
  const where = base.from === "environment" ? `${base.environment} stands on` : "The new revision goes on";
  if (base.parents.length === 0) {
    return (
      <div className="notice warn" data-testid="preview-base">
        {base.from === "environment" ? `${base.environment} has no revision applied yet` : "No parent"}: the new revision starts a new root of the graph.
      </div>
    );
  }
  if (base.parents.length > 1) {
    return (
      <div className="notice warn" data-testid="preview-base">
        {where} {base.parents.length} heads ({base.parents.map(short).join(", ")}): the new revision is a merge revision whose parents are all of them, and it makes the changes below.
      </div>
    );
  }
  return (
    <div className={base.notHeads.length ? "notice warn" : "notice"} data-testid="preview-base">
      {where} <code>{short(base.parents[0]!)}</code>
      {base.notHeads.length === 0
        ? ": the new revision goes on it."
        : `, which is not a head: the new revision starts a branch there.${base.from === "environment" ? " Upgrade the environment first to put it on the head." : ""}`}
    </div>
  );
}

/**
 * An autogenerate preview: each difference with its box (destructive ones marked), and the up()
 * and down() the checked ones give, before anything is written (issue 19 point 2).
 */
export function AutogeneratePreviewView(props: {
  readonly preview: RevisionPreviewDto;
  readonly selected: ReadonlySet<string>;
  readonly rendering: boolean;
  readonly onToggle: (key: string, on: boolean) => void;
  readonly onAll: (on: boolean) => void;
}) {
  const { preview, selected } = props;
  const destructive = preview.changes.filter((c) => c.destructive && selected.has(c.key)).length;
  return (
    <div className="preview" data-testid="autogenerate-preview">
      <PreviewBaseNotice preview={preview} />
      {preview.changes.length === 0 ? (
        <div className="notice ok" data-testid="preview-empty">
          No differences: {preview.to} already has the schema the revisions build. The revision would have empty up() and down().
        </div>
      ) : (
        <fieldset>
          <legend>
            Changes to write: {selected.size} of {preview.changes.length}
            {destructive > 0 && <span className="tag bad" style={{ marginLeft: 6 }}>{destructive} destructive</span>}
          </legend>
          <div className="toolbar" style={{ marginBottom: 6 }}>
            <button type="button" className="btn small" onClick={() => props.onAll(true)}>Check all</button>
            <button type="button" className="btn small" onClick={() => props.onAll(false)}>Uncheck all</button>
            {props.rendering && <span className="muted"><span className="spinner" /> Updating the code…</span>}
          </div>
          <ul className="change-list" aria-label="Changes">
            {preview.changes.map((c) => (
              <li key={c.key} className={c.destructive ? "destructive" : undefined}>
                <label>
                  <input type="checkbox" checked={selected.has(c.key)} onChange={(e) => props.onToggle(c.key, e.target.checked)} aria-label={c.summary} />
                  <span className="change-table">{c.table}</span> {c.summary}
                  {c.destructive && <span className="tag bad">destructive: data may be lost</span>}
                </label>
                {c.note && <div className="muted change-note">{c.note}</div>}
              </li>
            ))}
          </ul>
          {preview.alsoWritten.length > 0 && (
            <div className="notice warn" data-testid="also-written">
              Written as well, because the database needs them with what is checked: {preview.alsoWritten.join("; ")}.
            </div>
          )}
        </fieldset>
      )}
      <div className="split preview-code">
        <div>
          <h3>up()</h3>
          <CodeView code={preview.upCode} language="typescript" label="preview-up" />
        </div>
        <div>
          <h3>down()</h3>
          <CodeView code={preview.downCode} language="typescript" label="preview-down" />
        </div>
      </div>
    </div>
  );
}
