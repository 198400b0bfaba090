import { useCallback, useEffect, useState } from "react";
import type { HistoryEntryDto } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import { useClient } from "../../api/client-context.js";
import { useProject } from "../../app/project-context.js";
import { Empty, ErrorBox, Loading } from "../../components/load-states.js";
import { useLoad } from "../../hooks/use-load.js";
import { errorWords, withoutCliWords } from "../../components/error-words.js";
import { downloadText } from "../../components/download-text.js";
import { historyCsv, historyJson } from "./history-export.js";
import { HistoryTableView } from "./history-table-view.js";
import type { StepSql } from "./step-statements.js";

/** The status and direction filters, in the order their selects list them. */
const STATUSES = ["failed", "succeeded", "running"] as const;
const DIRECTIONS = ["up", "down", "stamp", "repair"] as const;

/** A labelled filter select: "any" (the empty value) first, then each option under its own name. */
function AnyOfSelect<T extends string>(props: { readonly label: string; readonly value: T | ""; readonly options: readonly T[]; readonly onChange: (value: T | "") => void }) {
  return (
    <label className="field">
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as T | "")} aria-label={props.label}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </select>
    </label>
  );
}

/** History: an environment's history grouped by run, filterable by status, direction, text and date, open failures first, exported as CSV or JSON. */
export function HistoryScreen(props: { readonly environment?: string }) {
  const client = useClient();
  const { summary, activeEnvironment, changes } = useProject();
  const [environment, setEnvironment] = useState(props.environment ?? activeEnvironment ?? summary.environments[0]?.name ?? "");
  const [status, setStatus] = useState<"" | (typeof STATUSES)[number]>("");
  const [direction, setDirection] = useState<"" | (typeof DIRECTIONS)[number]>("");
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [failuresFirst, setFailuresFirst] = useState(true);
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  // A new environment in the address replaces the chosen one in the same render, so that no frame shows the
  // previous environment's runs under the new name.
  const [shownProp, setShownProp] = useState(props.environment);
  if (props.environment !== shownProp) {
    setShownProp(props.environment);
    if (props.environment) setEnvironment(props.environment);
  }
  // Typing filters after a pause instead of one request per key.
  useEffect(() => {
    const t = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  const { load, reload } = useLoad(
    () =>
      client.history({
        environment,
        failuresFirst,
        ...(status ? { status } : {}),
        ...(direction ? { direction } : {}),
        ...(query ? { search: query } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      }),
    // changes: a run, a repair or a resolve adds or changes rows.
    [client, environment, status, direction, query, failuresFirst, since, until, changes],
  );
  const filtered = status !== "" || direction !== "" || query !== "" || since !== "" || until !== "";
  // A step's statements when it has none recorded: the revision's SQL in that direction for this environment.
  const loadSql = useCallback(
    (row: HistoryEntryDto): Promise<StepSql> =>
      client.revisionDetail({ revision: row.revision, environment }).then((d) => {
        const r = row.direction === "down" ? d.downSql : d.upSql;
        return { sql: r?.sql ?? null, note: r?.error ? withoutCliWords(r.error.message) : "No SQL for this step." };
      }, (e: unknown) => ({ sql: null, note: errorWords(asErrorShape(e)).title })),
    [client, environment],
  );
  // Rows are shown only for the environment they were read from: until the new one's arrive, it is loading.
  const data = load.state === "ok" && load.data.environment === environment ? load.data : null;
  const save = (kind: "csv" | "json"): void => {
    if (!data) return;
    const databaseUser = data.databaseUser ?? null;
    const text = kind === "csv" ? historyCsv(data.rows, databaseUser) : historyJson(data.environment, data.rows, databaseUser);
    downloadText(`strata-history-${data.environment}.${kind}`, text, kind === "csv" ? "text/csv" : "application/json");
  };
  return (
    <section className="screen" aria-labelledby="history-title">
      <div className="screen-header">
        <h1 id="history-title">History</h1>
      </div>
      <div className="toolbar panel">
        <label className="field">
          Environment
          <select value={environment} onChange={(e) => setEnvironment(e.target.value)} aria-label="Environment">
            {summary.environments.map((e) => (
              <option key={e.name} value={e.name}>{e.name}</option>
            ))}
          </select>
        </label>
        <AnyOfSelect label="Status" value={status} options={STATUSES} onChange={setStatus} />
        <AnyOfSelect label="Direction" value={direction} options={DIRECTIONS} onChange={setDirection} />
        <label className="field" style={{ flex: 1, minWidth: 200 }}>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search history" placeholder="revision, message, user, host, error" />
        </label>
        <label className="field">
          From
          <input type="date" value={since} max={until || undefined} onChange={(e) => setSince(e.target.value)} aria-label="From date" />
        </label>
        <label className="field">
          To
          <input type="date" value={until} min={since || undefined} onChange={(e) => setUntil(e.target.value)} aria-label="To date" />
        </label>
        <label style={{ alignSelf: "flex-end", paddingBottom: 6 }}>
          <input type="checkbox" checked={failuresFirst} onChange={(e) => setFailuresFirst(e.target.checked)} /> Open failures first
        </label>
        <div style={{ alignSelf: "flex-end", display: "flex", gap: 6 }}>
          <button type="button" className="btn small" disabled={!data || data.rows.length === 0} onClick={() => save("csv")} data-testid="export-csv">Export CSV</button>
          <button type="button" className="btn small" disabled={!data || data.rows.length === 0} onClick={() => save("json")} data-testid="export-json">Export JSON</button>
        </div>
      </div>
      {data && (
        <p className="muted" data-testid="history-user-legend" style={{ margin: "4px 0 8px" }}>
          “OS user@host” is the operating-system account and computer that ran Strata; the database user is the one {data.environment} connects as
          {data.databaseUser ? <>: <strong>{data.databaseUser}</strong></> : " (SQLite has none)"}. Export saves the rows shown, with these filters.
        </p>
      )}
      {(load.state === "loading" || (load.state === "ok" && !data)) && <Loading what={`the history of ${environment}`} />}
      {load.state === "error" && <ErrorBox error={load.error} onRetry={reload} />}
      {data &&
        (data.rows.length === 0 ? (
          <Empty>{filtered ? "No history rows match these filters." : `Nothing has run on ${environment} yet.`}</Empty>
        ) : (
          <HistoryTableView key={environment} environment={environment} rows={data.rows} runs={data.runs ?? []} databaseUser={data.databaseUser ?? null} onLoadSql={loadSql} />
        ))}
    </section>
  );
}
