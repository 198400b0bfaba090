import { useEffect, useState } from "react";
import type { SchemaDiffDto } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { useClient } from "../../api/client-context.js";
import { navigate } from "../../app/navigate.js";
import { useProject } from "../../app/project-context.js";
import { Empty, ErrorBox, Loading } from "../../components/load-states.js";
import { useLoad } from "../../hooks/use-load.js";
import { CompareView } from "./compare-view.js";
import { scriptFileName } from "./compare-words.js";
import { NotComparedList } from "./not-compared-list.js";

type DiffState = { readonly state: "idle" } | { readonly state: "loading" } | { readonly state: "ok"; readonly diff: SchemaDiffDto } | { readonly state: "error"; readonly error: ErrorShape };

/** The SQL of the chosen changes, in the diff's order: the whole script when every change is chosen. */
function selectedScript(diff: SchemaDiffDto, selected: ReadonlySet<string>): string {
  const chosen = diff.changes.filter((c) => selected.has(c.key ?? ""));
  if (chosen.length === diff.changes.length) return diff.sql;
  return chosen.map((c) => c.sql).filter(Boolean).join("\n");
}

/** Schema compare: two sources, every object with its status, both definitions side by side, and a revision or script made from the chosen changes. */
export function DiffScreen(props: { readonly from?: string; readonly to?: string }) {
  const client = useClient();
  const { summary } = useProject();
  const sources = useLoad(() => client.diffSources(), [client]);
  const [from, setFrom] = useState(props.from ?? "");
  const [to, setTo] = useState(props.to ?? "");
  const [diff, setDiff] = useState<DiffState>({ state: "idle" });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [copied, setCopied] = useState<string | null>(null);
  const list = sources.load.state === "ok" ? sources.load.data.sources : [];
  useEffect(() => {
    if (list.length === 0) return;
    if (!from) setFrom(list.find((s) => s.kind === "migrations")?.id ?? list[0]!.id);
    if (!to) setTo(list.find((s) => s.kind === "environment")?.id ?? list[1]?.id ?? list[0]!.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list]);
  const compare = (): void => {
    if (!from || !to) return;
    setDiff({ state: "loading" });
    setCopied(null);
    client.schemaDiff({ from, to }).then(
      (d) => {
        setSelected(new Set(d.changes.map((c) => c.key ?? "")));
        setDiff({ state: "ok", diff: d });
      },
      (e: unknown) => setDiff({ state: "error", error: asErrorShape(e) }),
    );
  };
  useEffect(() => {
    if (props.from && props.to) compare();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.from, props.to]);
  const toggle = (keys: readonly string[], on: boolean): void =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const k of keys) if (on) next.add(k);
      else next.delete(k);
      return next;
    });
  // A source from the URL (e.g. migrations@REV) need not be one of the listed ones.
  const extra = [from, to].filter((id, i, all) => id && all.indexOf(id) === i && !list.some((s) => s.id === id));
  const options = [...list.map((s) => ({ id: s.id, label: s.label })), ...extra.map((id) => ({ id, label: id }))].map((s) => (
    <option key={s.id} value={s.id}>{s.label}</option>
  ));
  const createFromSelection = (d: SchemaDiffDto): void => {
    // The revision goes where the diff started: on the revision of migrations@REV, where an environment stands (the create
    // screen reads its heads), else on the one head, if there is one (the create screen asks otherwise).
    const base = /^migrations@(.+)$/.exec(d.from)?.[1];
    const leftIsEnvironment = list.find((s) => s.id === d.from)?.kind === "environment";
    const parent = base ?? (leftIsEnvironment || summary.heads.length !== 1 ? undefined : summary.heads[0]);
    navigate({ screen: "create", parent, diffFrom: d.from, diffTo: d.to, changes: d.changes.map((c) => c.key ?? "").filter((k) => selected.has(k)) });
  };
  const copyScript = (d: SchemaDiffDto): void => {
    navigator.clipboard.writeText(selectedScript(d, selected)).then(
      () => setCopied("Script copied."),
      () => setCopied("The browser did not allow copying; save the script instead."),
    );
  };
  const saveScript = (d: SchemaDiffDto): void => {
    const url = URL.createObjectURL(new Blob([`${selectedScript(d, selected)}\n`], { type: "application/sql" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = scriptFileName(d.from, d.to);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section className="screen" aria-labelledby="diff-title">
      <div className="screen-header">
        <h1 id="diff-title">Schema diff</h1>
      </div>
      {sources.load.state === "loading" && <Loading what="schema sources" />}
      {sources.load.state === "error" && <ErrorBox error={sources.load.error} onRetry={sources.reload} />}
      {sources.load.state === "ok" && (
        <form className="toolbar panel" onSubmit={(e) => { e.preventDefault(); compare(); }}>
          <label className="field">Left (from)<select value={from} onChange={(e) => setFrom(e.target.value)} aria-label="From" style={{ maxWidth: 360 }}>{options}</select></label>
          <span aria-hidden="true" style={{ alignSelf: "flex-end", paddingBottom: 6 }}>→</span>
          <label className="field">Right (to, desired)<select value={to} onChange={(e) => setTo(e.target.value)} aria-label="To" style={{ maxWidth: 360 }}>{options}</select></label>
          <button type="submit" className="btn primary" style={{ alignSelf: "flex-end" }} disabled={!from || !to || diff.state === "loading"}>Compare</button>
          <button type="button" className="btn" style={{ alignSelf: "flex-end" }} onClick={() => { setFrom(to); setTo(from); setDiff({ state: "idle" }); }}>Swap</button>
        </form>
      )}
      {diff.state === "idle" && sources.load.state === "ok" && <div className="state-box">Choose two sources and Compare: an environment, the schema the revision files build (“migrations”), or a .sql file.</div>}
      {diff.state === "loading" && <Loading what="the diff" />}
      {diff.state === "error" && <ErrorBox error={diff.error} onRetry={compare} />}
      {diff.state === "ok" && (
        <>
          {diff.diff.crossDialect && (
            <div className="notice warn" data-testid="cross-dialect">
              {diff.diff.from} is {diff.diff.fromDialect} and {diff.diff.to} is {diff.diff.toDialect}: they are compared at the level both share (tables, columns with their types
              normalised, keys and indexes); each object says what could not be compared. No script is offered: a script written for one does not run on the other.
            </div>
          )}
          {diff.diff.identical || diff.diff.changes.length === 0 ? (
            <Empty>
              <span data-testid="diff-identical">
                {diff.diff.identical ? "The two schemas are the same" : "No change Strata can write: the two schemas differ only in objects it does not compare"}
                {diff.diff.identical && diff.diff.notCompared?.length ? ", as far as Strata compares them." : "."}
              </span>
            </Empty>
          ) : (
            <div className="toolbar">
              <span className="muted" data-testid="diff-count">
                {selected.size} of {diff.diff.changes.length} change{diff.diff.changes.length === 1 ? "" : "s"} selected
              </span>
              <button type="button" className="btn small" onClick={() => toggle(diff.diff.changes.map((c) => c.key ?? ""), true)}>Select all</button>
              <button type="button" className="btn small" onClick={() => setSelected(new Set())}>Select none</button>
              <span className="spacer" />
              <button type="button" className="btn primary" disabled={selected.size === 0} onClick={() => createFromSelection(diff.diff)}>
                Create revision from the selected changes…
              </button>
              <button type="button" className="btn" disabled={selected.size === 0 || diff.diff.crossDialect} title={diff.diff.sqlUnavailable} onClick={() => copyScript(diff.diff)}>Copy script</button>
              <button type="button" className="btn" disabled={selected.size === 0 || diff.diff.crossDialect} title={diff.diff.sqlUnavailable} onClick={() => saveScript(diff.diff)}>Save script…</button>
              {copied && <span role="status" className="muted">{copied}</span>}
            </div>
          )}
          {(diff.diff.objects ?? []).length > 0 && <CompareView key={`${diff.diff.from}|${diff.diff.to}`} diff={diff.diff} selected={selected} onToggle={toggle} />}
          <NotComparedList items={diff.diff.notCompared ?? []} from={diff.diff.from} to={diff.diff.to} />
        </>
      )}
    </section>
  );
}
