import { useEffect, useState } from "react";
import type { DiffSourceDto } from "../../../shared/api.js";
import type { GraphRevision } from "../../graph/graph-revisions.js";

/** What the create form asks the engine for. */
export interface CreateRevisionInput {
  readonly message: string;
  readonly head: string;
  readonly splice: boolean;
  readonly branchLabels: readonly string[];
  readonly dependsOn: readonly string[];
  /** The desired schema; the engine compares it with what the revisions build at the parent. */
  readonly autogenerate: { readonly to: string } | null;
}

const list = (s: string): string[] => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

/** The new-revision form: message, parent, branch label, depends-on, empty or from a diff. */
export function CreateRevisionForm(props: {
  readonly revisions: readonly GraphRevision[];
  readonly heads: readonly string[];
  readonly sources: readonly DiffSourceDto[] | null;
  readonly initialParent?: string;
  readonly initialMessage?: string;
  readonly initialDiff?: { readonly from?: string; readonly to?: string };
  readonly busy: boolean;
  /** A knex folder (issue #15 point 4): the new file is a knex migration on the last file, with no parent, label or depends-on to pick. */
  readonly knexFolder?: boolean;
  readonly onSubmit: (input: CreateRevisionInput) => void;
}) {
  const [message, setMessage] = useState(props.initialMessage ?? "");
  // A diff from "migrations@REV" is the schema at REV: the revision made from it goes on REV.
  const diffBase = /^migrations@(.+)$/.exec(props.initialDiff?.from ?? "")?.[1];
  const [parent, setParent] = useState(props.initialParent ?? diffBase ?? "head");
  const [labels, setLabels] = useState("");
  const [depends, setDepends] = useState("");
  const [mode, setMode] = useState<"empty" | "autogenerate">(props.initialDiff?.to ? "autogenerate" : "empty");
  const [to, setTo] = useState(props.initialDiff?.to ?? "");
  const ignoredFrom = props.initialDiff?.from && !props.initialDiff.from.startsWith("migrations") ? props.initialDiff.from : null;
  // The sources arrive after the form is shown: fill in a default without touching what was chosen.
  useEffect(() => {
    if (props.sources) setTo((t) => t || (props.sources!.find((s) => s.kind === "environment")?.id ?? ""));
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
      autogenerate: mode === "autogenerate" && to ? { to } : null,
    });
  };
  // A source from the diff screen (e.g. migrations@REV) need not be one of the listed ones.
  const listed = (props.sources ?? []).filter((s) => s.kind !== "migrations");
  const extra = to && !listed.some((s) => s.id === to) ? [{ id: to, label: to }] : [];
  const sourceOptions = [...listed.map((s) => ({ id: s.id, label: s.label })), ...extra].map((s) => (
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
      {props.knexFolder ? (
        <div className="notice" data-testid="knex-folder-note">
          This is a knex migrations folder: the new file is a knex migration (YYYYMMDDHHMMSS_name, in the style of the folder&apos;s newest file) that runs after the last one. Branches, labels and depends-on need <code>strata adopt</code> first.
        </div>
      ) : (
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
      )}
      {mode === "autogenerate" && ignoredFrom && (
        <div className="notice warn">The diff started from {ignoredFrom}; a revision is always generated against what the revisions build at its parent.</div>
      )}
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
                <div className="field">
                  From
                  <span className="muted" style={{ fontSize: 14, paddingTop: 6 }}>
                    the schema the revisions build at the parent ({parent === "head" ? "the head" : parent.slice(0, 12)})
                  </span>
                </div>
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
