import { useEffect, useMemo, useRef, useState } from "react";
import "./create-screen.css";
import type { CreatedRevisionDto, RevisionPreviewDto } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { ErrorBox } from "../../components/load-states.js";
import { withoutCliWords } from "../../components/error-words.js";
import { useClient } from "../../api/client-context.js";
import { useProject } from "../../app/project-context.js";
import { graphRevisions } from "../../graph/graph-revisions.js";
import { loadedData, useLoad } from "../../hooks/use-load.js";
import { AutogeneratePreviewView, DriftOnlyNotice } from "./autogenerate-preview-view.js";
import { CreatedRevisionView, type DeleteState } from "./created-revision-view.js";
import { choiceParents, CreateRevisionForm, splitList, type CreateFormState, type ParentChoice } from "./create-revision-form.js";

/** What the route brings: a parent (from a revision's page) or a diff and its ticked changes (from the compare screen). */
interface CreateRouteProps {
  readonly parent?: string;
  readonly diffFrom?: string;
  readonly diffTo?: string;
  readonly changes?: readonly string[];
}

/** The schema diff's left side when it is an environment (a saved profile too): the revision starts where it stands. */
function leftEnvironment(diffFrom: string | undefined): string | undefined {
  return diffFrom && !/^migrations(@|$)/.test(diffFrom) && !/\.sql$/i.test(diffFrom) ? diffFrom : undefined;
}

/** The form's first state: a parent that exists, the diff's desired side, and a message to start from. */
function initialState(props: CreateRouteProps, known: (id: string) => boolean): CreateFormState {
  // A diff from "migrations@REV" is the schema at REV: the revision made from it goes on REV.
  const diffBase = /^migrations@(.+)$/.exec(props.diffFrom ?? "")?.[1];
  const parent = [props.parent, diffBase].find((p): p is string => p !== undefined && known(p));
  const choice: ParentChoice = parent ? { kind: "revision", id: parent } : { kind: "default" };
  return {
    message: props.diffTo ? `match the schema of ${props.diffTo}` : "",
    choice,
    labels: "",
    depends: "",
    mode: props.diffTo ? "autogenerate" : "empty",
    to: props.diffTo ?? "",
  };
}

/** The preview as the screen holds it: loading, shown (with the boxes as ticked), or why not. */
type PreviewState =
  | { readonly kind: "none" }
  | { readonly kind: "loading" }
  | { readonly kind: "shown"; readonly preview: RevisionPreviewDto; readonly rendering: boolean }
  | { readonly kind: "failed"; readonly error: ErrorShape };

/** Create revision: shows what would be written (autogenerate's changes and code), writes it, and can delete it again. */
export function CreateScreen(props: CreateRouteProps) {
  const key = `${props.parent ?? ""}|${props.diffFrom ?? ""}|${props.diffTo ?? ""}|${(props.changes ?? []).join(",")}`;
  return <CreateScreenBody key={key} {...props} />;
}

function CreateScreenBody(props: CreateRouteProps) {
  const client = useClient();
  const { summary, refresh } = useProject();
  const revisions = graphRevisions(summary);
  const knexFolder = summary.mode === "knex";
  const ids = useMemo(() => new Set(revisions.map((r) => r.revision)), [revisions]);
  const sources = useLoad(() => client.diffSources(), [client]);
  const [state, setState] = useState<CreateFormState>(() => initialState(props, (id) => ids.has(id)));
  const [preview, setPreview] = useState<PreviewState>({ kind: "none" });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [unmatched, setUnmatched] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorShape | null>(null);
  const [created, setCreated] = useState<CreatedRevisionDto | null>(null);
  const [deleteState, setDeleteState] = useState<DeleteState>({ kind: "idle" });
  const [deleted, setDeleted] = useState<string | null>(null);
  const asked = useRef(0);
  const left = leftEnvironment(props.diffFrom);
  const fromLeft = left !== undefined ? { from: left } : {};
  const sourceList = loadedData(sources.load)?.sources ?? (sources.load.state === "error" ? [] : null);

  // The sources arrive after the form is shown: fill in a default without touching what was chosen.
  useEffect(() => {
    const first = sourceList?.find((x) => x.kind === "environment")?.id;
    if (first) setState((s) => (s.to ? s : { ...s, to: first }));
  }, [sourceList]);

  const parents = choiceParents(state, summary.heads);
  const parentsKey = Array.isArray(parents) ? parents.join(" ") : parents;
  // Reads both schemas again whenever the source or the parents change; ticking boxes re-renders from that read.
  useEffect(() => {
    if (state.mode !== "autogenerate" || !state.to || parentsKey === "ask") {
      setPreview({ kind: "none" });
      return;
    }
    const ticket = ++asked.current;
    setPreview({ kind: "loading" });
    const where = knexFolder ? { head: "head" } : Array.isArray(parents) ? { parents: [...parents] } : {};
    const failed = (e: unknown): void => {
      if (ticket === asked.current) setPreview({ kind: "failed", error: asErrorShape(e) });
    };
    client
      .previewRevision({ to: state.to, ...fromLeft, ...where })
      .then(async (p) => {
        if (ticket !== asked.current) return;
        const keys = new Set(p.changes.map((c) => c.key));
        const wanted = props.changes?.filter((k) => keys.has(k));
        // Said apart: the changes the left environment's drift alone gives (p.left.notWritable).
        const drift = new Set(p.left?.notWritable.map((c) => c.key) ?? []);
        setUnmatched(props.changes?.filter((k) => !keys.has(k) && !drift.has(k)).length ?? 0);
        if (!wanted) {
          setSelected(keys);
          setPreview({ kind: "shown", preview: p, rendering: false });
          return;
        }
        setSelected(new Set(wanted));
        const again = await client.previewRevision({ to: state.to, ...fromLeft, parents: [...p.base.parents], previewId: p.previewId, selectedChanges: wanted });
        if (ticket === asked.current) setPreview({ kind: "shown", preview: again, rendering: false });
      })
      .catch(failed);
    // `parents` is read through parentsKey: a new array with the same ids must not read both schemas again.
  }, [client, state.mode, state.to, parentsKey, knexFolder, props.changes, left]);

  const rerender = (next: ReadonlySet<string>): void => {
    setSelected(next);
    if (preview.kind !== "shown") return;
    const shown = preview.preview;
    const ticket = ++asked.current;
    setPreview({ ...preview, rendering: true });
    client.previewRevision({ to: shown.to, ...fromLeft, parents: [...shown.base.parents], previewId: shown.previewId, selectedChanges: [...next] }).then(
      (p) => {
        if (ticket === asked.current) setPreview({ kind: "shown", preview: p, rendering: false });
      },
      (e: unknown) => {
        if (ticket === asked.current) setPreview({ kind: "failed", error: asErrorShape(e) });
      },
    );
  };

  const shownPreview = preview.kind === "shown" ? preview.preview : null;
  const finalParents: readonly string[] | null = state.mode === "autogenerate" ? (shownPreview?.base.parents ?? null) : Array.isArray(parents) ? parents : null;
  const emptyMerge = state.mode === "empty" && state.choice.kind === "merge";
  const canSubmit =
    state.message.trim() !== "" &&
    (state.mode === "empty" ? knexFolder || finalParents !== null : preview.kind === "shown" && !preview.rendering);

  const submit = (): void => {
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    const message = state.message.trim();
    const labels = splitList(state.labels);
    const depends = splitList(state.depends);
    const write =
      emptyMerge && finalParents
        ? client.createMerge({ message, revisions: [...finalParents] })
        : client.createRevision({
            message,
            ...(knexFolder || finalParents === null ? {} : { parents: [...finalParents] }),
            ...(finalParents?.some((p) => !summary.heads.includes(p)) && !knexFolder ? { splice: true } : {}),
            ...(labels.length && !knexFolder ? { branchLabels: labels } : {}),
            ...(depends.length && !knexFolder ? { dependsOn: depends } : {}),
            ...(state.mode === "autogenerate" ? { autogenerate: { to: state.to }, selectedChanges: [...selected] } : {}),
          });
    write
      .then(
        (c) => {
          setCreated(c);
          setDeleteState({ kind: "idle" });
          setDeleted(null);
          refresh();
        },
        (e: unknown) => setError(asErrorShape(e)),
      )
      .finally(() => setBusy(false));
  };

  const remove = (): void => {
    if (!created) return;
    setDeleteState({ kind: "busy" });
    client.deleteRevision({ revision: created.revision, file: created.file }).then(
      (d) => {
        setCreated(null);
        setDeleted(d.file);
        setDeleteState({ kind: "idle" });
        refresh();
      },
      (e: unknown) => setDeleteState({ kind: "refused", error: asErrorShape(e) }),
    );
  };

  const toggle = (key: string, on: boolean): void => {
    const next = new Set(selected);
    if (on) next.add(key);
    else next.delete(key);
    rerender(next);
  };
  const all = (on: boolean): void => rerender(on && shownPreview ? new Set(shownPreview.changes.map((c) => c.key)) : new Set());

  const notices = (
    <>
      {state.mode === "autogenerate" && shownPreview?.left && props.changes && (
        <DriftOnlyNotice left={shownPreview.left} to={shownPreview.to} chosen={props.changes} />
      )}
      {unmatched > 0 && (
        <div className="notice warn" data-testid="unmatched-changes">
          {unmatched} of the changes chosen on the schema diff {unmatched === 1 ? "is" : "are"} not a difference from this parent, so {unmatched === 1 ? "it is" : "they are"} not checked.
        </div>
      )}
      {state.mode === "empty" && finalParents && finalParents.some((p) => !summary.heads.includes(p)) && (
        <div className="notice warn">The parent is not a head: the new revision starts a branch.</div>
      )}
    </>
  );
  const previewNode =
    state.mode !== "autogenerate" ? null : preview.kind === "loading" ? (
      <div className="state-box" role="status"><span className="spinner" /> Reading both schemas (the revisions are built in a scratch database)…</div>
    ) : preview.kind === "failed" ? (
      <div data-testid="preview-error"><ErrorBox error={preview.error} /></div>
    ) : preview.kind === "shown" ? (
      <AutogeneratePreviewView preview={preview.preview} selected={selected} rendering={preview.rendering} onToggle={toggle} onAll={all} />
    ) : null;

  return (
    <section className="screen" aria-labelledby="create-title">
      <div className="screen-header">
        <h1 id="create-title">Create revision</h1>
      </div>
      {sources.load.state === "error" && <div className="notice warn">Schema sources unavailable: {withoutCliWords(sources.load.error.message)}</div>}
      {deleted && (
        <div className="notice ok" role="status" data-testid="deleted">
          Deleted <code>{deleted}</code>: no environment had run it and no revision built on it.
        </div>
      )}
      {created ? (
        <CreatedRevisionView created={created} deleteState={deleteState} onDelete={remove} onAnother={() => setCreated(null)} />
      ) : (
        <CreateRevisionForm
          state={state}
          onChange={setState}
          revisions={revisions}
          heads={summary.heads}
          sources={sourceList}
          knexFolder={knexFolder}
          baseEnvironment={left ?? state.to}
          preview={previewNode}
          notices={notices}
          busy={busy}
          canSubmit={canSubmit}
          submitLabel={emptyMerge ? "Create merge revision" : shownPreview && shownPreview.base.parents.length > 1 ? "Create merge revision" : "Create revision"}
          onSubmit={submit}
        />
      )}
      {error && (
        <div data-testid="create-error"><ErrorBox error={error} /></div>
      )}
    </section>
  );
}
