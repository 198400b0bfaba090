import { useEffect, useState } from "react";
import { useClient } from "../../api/client-context.js";
import { useProject } from "../../app/project-context.js";
import { Empty, ErrorBox, Loading } from "../../components/load-states.js";
import { useLoad } from "../../hooks/use-load.js";
import { HistoryTableView } from "./history-table-view.js";

/** History: an environment's history table, filterable, failures first. */
export function HistoryScreen(props: { readonly environment?: string }) {
  const client = useClient();
  const { summary, activeEnvironment, changes } = useProject();
  const [environment, setEnvironment] = useState(props.environment ?? activeEnvironment ?? summary.environments[0]?.name ?? "");
  const [status, setStatus] = useState<"" | "succeeded" | "failed" | "running">("");
  const [direction, setDirection] = useState<"" | "up" | "down" | "stamp" | "repair">("");
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [failuresFirst, setFailuresFirst] = useState(true);
  useEffect(() => {
    if (props.environment) setEnvironment(props.environment);
  }, [props.environment]);
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
      }),
    // changes: a run, a repair or a resolve adds or changes rows.
    [client, environment, status, direction, query, failuresFirst, changes],
  );
  const filtered = status !== "" || direction !== "" || query !== "";
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
        <label className="field">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)} aria-label="Status">
            <option value="">any</option>
            <option value="failed">failed</option>
            <option value="succeeded">succeeded</option>
            <option value="running">running</option>
          </select>
        </label>
        <label className="field">
          Direction
          <select value={direction} onChange={(e) => setDirection(e.target.value as typeof direction)} aria-label="Direction">
            <option value="">any</option>
            <option value="up">up</option>
            <option value="down">down</option>
            <option value="stamp">stamp</option>
            <option value="repair">repair</option>
          </select>
        </label>
        <label className="field" style={{ flex: 1, minWidth: 200 }}>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search history" placeholder="revision, message, user, host, error" />
        </label>
        <label style={{ alignSelf: "flex-end", paddingBottom: 6 }}>
          <input type="checkbox" checked={failuresFirst} onChange={(e) => setFailuresFirst(e.target.checked)} /> Failures first
        </label>
      </div>
      {load.state === "loading" && <Loading what={`the history of ${environment}`} />}
      {load.state === "error" && <ErrorBox error={load.error} onRetry={reload} />}
      {load.state === "ok" &&
        (load.data.rows.length === 0 ? (
          <Empty>{filtered ? "No history rows match these filters." : `Nothing has run on ${environment} yet.`}</Empty>
        ) : (
          <HistoryTableView key={environment} rows={load.data.rows} />
        ))}
    </section>
  );
}
