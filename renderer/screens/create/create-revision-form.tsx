import { useEffect, useState } from "react";
import type { DiffSourceDto, RevisionNodeDto } from "../../../shared/api.js";

/** What the create form asks the engine for. */
export interface CreateRevisionInput {
  readonly message: string;
  readonly head: string;
  readonly splice: boolean;
  readonly branchLabels: readonly string[];
  readonly dependsOn: readonly string[];
  readonly autogenerate: { readonly from: string; readonly to: string } | null;
}

const list = (s: string): string[] => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

/** The new-revision form: message, parent, branch label, depends-on, empty or from a diff. */
export function CreateRevisionForm(props: {
  readonly revisions: readonly RevisionNodeDto[];
  readonly heads: readonly string[];
  readonly sources: readonly DiffSourceDto[] | null;
  readonly initialParent?: string;
  readonly initialDiff?: { readonly from?: string; readonly to?: string };
  readonly busy: boolean;
  readonly onSubmit: (input: CreateRevisionInput) => void;
}) {
  const [message, setMessage] = useState("");
  const [parent, setParent] = useState(props.initialParent ?? "head");
  const [labels, setLabels] = useState("");
  const [depends, setDepends] = useState("");
  const [mode, setMode] = useState<"empty" | "autogenerate">(props.initialDiff?.to ? "autogenerate" : "empty");
  const [from, setFrom] = useState(props.initialDiff?.from ?? "");
  const [to, setTo] = useState(props.initialDiff?.to ?? "");
  // The sources arrive after the form is shown: fill in defaults without touching what was typed.
  useEffect(() => {
    if (!props.sources) return;
    setFrom((f) => f || (props.sources!.find((s) => s.kind === "migrations")?.id ?? ""));
    setTo((t) => t || (props.sources!.find((s) => s.kind === "environment")?.id ?? ""));
  }, [props.sources]);
  const isHead = parent === "head" || parent === "base" || parent.endsWith("@head") || props.heads.includes(parent);
  const submit = (): void => {
    if (!message.trim()) return;
    props.onSubmit({
      message: message.trim(),
      head: parent,
      splice: !isHead,
      branchLabels: list(labels),
      dependsOn: list(depends),
      autogenerate: mode === "autogenerate" && to ? { from, to } : null,
    });
  };
  // A source from the diff screen (e.g. migrations@REV) need not be one of the listed ones.
  const extra = [from, to].filter((id, i, all) => id && all.indexOf(id) === i && !(props.sources ?? []).some((s) => s.id === id));
  const sourceOptions = [...(props.sources ?? []).map((s) => ({ id: s.id, label: s.label })), ...extra.map((id) => ({ id, label: id }))].map((s) => (
    <option key={s.id} value={s.id}>{s.label}</option>
  ));
  return (
    <form
      className="panel"
      style={{ display: "flex", flexDirection: "column", gap: 10 }}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="field">
        Message
        <input type="text" value={message} onChange={(e) => setMessage(e.target.value)} aria-label="Message" placeholder="add invoices table" required autoFocus />
      </label>
      <div className="form-grid">
        <label className="field">
          Parent
          <select value={parent} onChange={(e) => setParent(e.target.value)} aria-label="Parent">
            <option value="head">the head (default)</option>
            <option value="base">base (a new root)</option>
            {props.revisions.slice(0, 1000).map((r) => (
              <option key={r.revision} value={r.revision}>
                {r.revision.slice(0, 12)} {r.isHead ? "(head) " : ""}{r.message.slice(0, 50)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Branch label
          <input type="text" value={labels} onChange={(e) => setLabels(e.target.value)} aria-label="Branch label" placeholder="optional, e.g. billing" />
        </label>
        <label className="field">
          Depends on
          <input type="text" value={depends} onChange={(e) => setDepends(e.target.value)} aria-label="Depends on" placeholder="optional revision ids" className="mono" />
        </label>
      </div>
      {!isHead && <div className="notice warn">The parent is not a head: the new revision starts a branch.</div>}
      <fieldset>
        <legend>Contents</legend>
        <div className="toolbar">
          <label>
            <input type="radio" name="mode" checked={mode === "empty"} onChange={() => setMode("empty")} /> Empty up() and down()
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === "autogenerate"} onChange={() => setMode("autogenerate")} /> Autogenerate from a schema diff
          </label>
        </div>
        {mode === "autogenerate" && (
          <div className="form-grid" style={{ marginTop: 8 }}>
            {props.sources === null ? (
              <span className="muted"><span className="spinner" /> Loading sources…</span>
            ) : (
              <>
                <label className="field">
                  From (what the revisions build now)
                  <select value={from} onChange={(e) => setFrom(e.target.value)} aria-label="Diff from">{sourceOptions}</select>
                </label>
                <label className="field">
                  To (the schema you want)
                  <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="Diff to">
                    <option value="">choose…</option>
                    {sourceOptions}
                  </select>
                </label>
              </>
            )}
          </div>
        )}
      </fieldset>
      <div className="toolbar">
        <button type="submit" className="btn primary" disabled={props.busy || !message.trim() || (mode === "autogenerate" && !to)}>
          {props.busy ? "Writing…" : "Create revision"}
        </button>
      </div>
    </form>
  );
}
