import { useEffect, useState } from "react";
import type { SchemaDiffDto } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { useClient } from "../../api/client-context.js";
import { navigate } from "../../app/navigate.js";
import { Empty, ErrorBox, Loading } from "../../components/load-states.js";
import { useLoad } from "../../hooks/use-load.js";
import { DiffTreeView } from "./diff-tree-view.js";
import { NotComparedList } from "./not-compared-list.js";

type DiffState = { readonly state: "idle" } | { readonly state: "loading" } | { readonly state: "ok"; readonly diff: SchemaDiffDto } | { readonly state: "error"; readonly error: ErrorShape };

/** Schema diff: two sources, their differences as a tree with DDL, and a revision made from them. */
export function DiffScreen(props: { readonly from?: string; readonly to?: string }) {
  const client = useClient();
  const sources = useLoad(() => client.diffSources(), [client]);
  const [from, setFrom] = useState(props.from ?? "");
  const [to, setTo] = useState(props.to ?? "");
  const [diff, setDiff] = useState<DiffState>({ state: "idle" });
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
    client.schemaDiff({ from, to }).then(
      (d) => setDiff({ state: "ok", diff: d }),
      (e: unknown) => setDiff({ state: "error", error: asErrorShape(e) }),
    );
  };
  useEffect(() => {
    if (props.from && props.to) compare();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.from, props.to]);
  // A source from the URL (e.g. migrations@REV) need not be one of the listed ones.
  const extra = [from, to].filter((id, i, all) => id && all.indexOf(id) === i && !list.some((s) => s.id === id));
  const options = [...list.map((s) => ({ id: s.id, label: s.label })), ...extra.map((id) => ({ id, label: id }))].map((s) => (
    <option key={s.id} value={s.id}>{s.label}</option>
  ));
  return (
    <section className="screen" aria-labelledby="diff-title">
      <div className="screen-header">
        <h1 id="diff-title">Schema diff</h1>
      </div>
      {sources.load.state === "loading" && <Loading what="schema sources" />}
      {sources.load.state === "error" && <ErrorBox error={sources.load.error} onRetry={sources.reload} />}
      {sources.load.state === "ok" && (
        <form className="toolbar panel" onSubmit={(e) => { e.preventDefault(); compare(); }}>
          <label className="field">From<select value={from} onChange={(e) => setFrom(e.target.value)} aria-label="From">{options}</select></label>
          <span aria-hidden="true" style={{ alignSelf: "flex-end", paddingBottom: 6 }}>→</span>
          <label className="field">To (desired)<select value={to} onChange={(e) => setTo(e.target.value)} aria-label="To">{options}</select></label>
          <button type="submit" className="btn primary" style={{ alignSelf: "flex-end" }} disabled={!from || !to || diff.state === "loading"}>Compare</button>
          <button type="button" className="btn" style={{ alignSelf: "flex-end" }} onClick={() => { setFrom(to); setTo(from); setDiff({ state: "idle" }); }}>Swap</button>
        </form>
      )}
      {diff.state === "idle" && sources.load.state === "ok" && <div className="state-box">Choose two sources and Compare: an environment, the schema the revision files build (“migrations”), or a .sql file.</div>}
      {diff.state === "loading" && <Loading what="the diff" />}
      {diff.state === "error" && <ErrorBox error={diff.error} onRetry={compare} />}
      {diff.state === "ok" &&
        (diff.diff.identical || diff.diff.changes.length === 0 ? (
          <>
            <Empty>
              <span data-testid="diff-identical">
                {diff.diff.identical ? "The two schemas are the same" : "No change Strata can write: the two schemas differ only in objects it does not compare"}
                {diff.diff.identical && diff.diff.notCompared?.length ? ", as far as Strata compares them." : "."}
              </span>
            </Empty>
            <NotComparedList items={diff.diff.notCompared ?? []} from={diff.diff.from} to={diff.diff.to} />
          </>
        ) : (
          <>
            <div className="toolbar">
              <span className="muted" data-testid="diff-count">{diff.diff.changes.length} difference{diff.diff.changes.length === 1 ? "" : "s"} from <code>{diff.diff.from}</code> to <code>{diff.diff.to}</code></span>
              <button type="button" className="btn primary" onClick={() => navigate({ screen: "create", diffFrom: diff.diff.from, diffTo: diff.diff.to })}>
                Create revision from this diff…
              </button>
            </div>
            <DiffTreeView diff={diff.diff} />
            <NotComparedList items={diff.diff.notCompared ?? []} from={diff.diff.from} to={diff.diff.to} />
          </>
        ))}
    </section>
  );
}
