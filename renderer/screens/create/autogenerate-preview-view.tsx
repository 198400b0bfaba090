import { useMemo, useState } from "react";
import type { PreviewChangeDto, PreviewLeftDto, RevisionPreviewDto } from "../../../shared/api.js";
import { CodeView } from "../../components/code-view.js";
import { shortRevision } from "../../components/revision-id.js";

const short = shortRevision;

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
 * The changes chosen on the schema diff that no revision can make (issue 19 point 1): the left
 * environment's live schema differs from its migrations there while the migrations already match
 * the right side, so up() would fail on every database they build. Each is said, with what to do.
 */
export function DriftOnlyNotice(props: { readonly left: PreviewLeftDto; readonly to: string; readonly chosen: readonly string[] }) {
  const { left } = props;
  const chosen = new Set(props.chosen);
  const listed = left.notWritable.filter((c) => chosen.has(c.key));
  if (listed.length === 0) return null;
  const env = left.environment;
  return (
    <div className="notice warn" data-testid="drift-only">
      {listed.length} of the changes chosen on the schema diff {listed.length === 1 ? "is" : "are"} not written as such:{" "}
      {left.atItsHeads
        ? `${env} differs from its own migrations (drift) there, so a revision where ${env} stands cannot make ${listed.length === 1 ? "it" : "them"}.`
        : `the parent you chose differs from ${env} there.`}
      <ul className="change-list drift-list" aria-label="Changes not written">
        {listed.map((c) => (
          <li key={c.key} className={c.destructive ? "destructive" : undefined} data-change-key={c.key}>
            <span className="change-table">{c.table}</span> {c.summary}:{" "}
            {c.instead.length > 0
              ? `the revision writes ${c.table} from what the parent builds instead (${c.instead.join("; ")}), listed above.`
              : `what the parent builds already matches ${props.to} here. Make ${env} match by hand (the schema diff's Copy script gives this change's SQL), or, if ${env} is right, change ${props.to} instead.`}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What the schema diff's left environment has to do with one change, in words (issue 19 point 1); null where nothing. */
function leftWords(c: PreviewChangeDto, preview: RevisionPreviewDto): string | null {
  const left = preview.left;
  if (!left) return null;
  if (c.leftAlready) {
    return left.atItsHeads
      ? `${left.environment} already has this outside the migrations, so the schema diff did not list it and it is not checked. Checked, the revision makes it on every database the migrations build, and on ${left.environment} it would be made again and fail: undo it there by hand before the revision runs, or leave it unchecked.`
      : `${left.environment} already has this and the parent you chose does not, so the schema diff did not list it and it is not checked.`;
  }
  if (c.leftSummary) {
    return `On the schema diff: "${c.leftSummary}". ${left.environment} differs from ${left.atItsHeads ? "its migrations" : "the parent you chose"} here; the revision starts from what the parent builds.`;
  }
  return null;
}

/** One change: its box, its words, and its own SQL (opened on demand: a CodeMirror per row only when asked for). */
function ChangeRow(props: { readonly change: PreviewChangeDto; readonly preview: RevisionPreviewDto; readonly checked: boolean; readonly onToggle: (key: string, on: boolean) => void }) {
  const { change: c } = props;
  const [open, setOpen] = useState(false);
  const marked = useMemo(() => c.losses.map((l) => l.statement), [c.losses]);
  const words = leftWords(c, props.preview);
  return (
    <li className={c.destructive ? "destructive" : undefined} data-change-key={c.key}>
      <label>
        <input type="checkbox" checked={props.checked} onChange={(e) => props.onToggle(c.key, e.target.checked)} aria-label={c.summary} />
        <span className="change-table">{c.table}</span> {c.summary}
        {c.destructive && <span className="tag bad">destructive: data may be lost</span>}
      </label>
      {c.note && <div className="muted change-note">{c.note}</div>}
      {words && <div className="change-note change-left" data-testid="change-left">{words}</div>}
      <details className="change-sql" data-testid="change-sql" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>SQL{c.losses.length > 0 ? `: ${c.losses.length} statement${c.losses.length === 1 ? "" : "s"} lose${c.losses.length === 1 ? "s" : ""} data` : ""}</summary>
        {open && (
          <>
            {c.losses.length > 0 && (
              <ul className="notice error loss-list" data-testid="change-losses">
                {c.losses.map((l, i) => (
                  <li key={i}><code>{l.statement.split("\n")[0]}</code>: {l.reason}</li>
                ))}
              </ul>
            )}
            <CodeView code={c.sql || "-- no statements"} language="sql" label={`sql ${c.key}`} marked={marked} />
          </>
        )}
      </details>
    </li>
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
              <ChangeRow key={c.key} change={c} preview={preview} checked={selected.has(c.key)} onToggle={props.onToggle} />
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
