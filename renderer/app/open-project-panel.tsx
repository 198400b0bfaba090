import { useState } from "react";
import { asErrorShape } from "../../shared/api-errors.js";
import type { ErrorShape } from "../../shared/errors.js";
import { useClient } from "../api/client-context.js";
import { ErrorBox } from "../components/load-states.js";
import { useLoad } from "../hooks/use-load.js";

/** Shown when no project is open (or it failed to open): a folder to open and the recent ones. */
export function OpenProjectPanel({ problem, onOpened }: { readonly problem: ErrorShape; readonly onOpened: () => void }) {
  const client = useClient();
  const recent = useLoad(() => client.recentProjects(), [client]);
  const [root, setRoot] = useState("");
  const [error, setError] = useState<ErrorShape | null>(null);
  const open = (dir: string): void => {
    setError(null);
    client.openProject({ root: dir }).then(onOpened, (e: unknown) => setError(asErrorShape(e)));
  };
  return (
    <div className="screen">
      <ErrorBox error={problem} />
      <form
        className="panel toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (root.trim()) open(root.trim());
        }}
      >
        <label className="field" style={{ flex: 1 }}>
          Open a project folder (the one with strata.config.json, or below it)
          <input type="text" value={root} onChange={(e) => setRoot(e.target.value)} aria-label="Project folder" className="mono" placeholder="/home/me/work/shop" />
        </label>
        <button type="submit" className="btn primary" style={{ alignSelf: "flex-end" }} disabled={!root.trim()}>Open</button>
      </form>
      {error && <ErrorBox error={error} />}
      {recent.load.state === "ok" && recent.load.data.projects.length > 0 && (
        <div className="panel">
          <h3>Recent projects</h3>
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {recent.load.data.projects.map((p) => (
              <li key={p.root}>
                <button type="button" className="link-btn" onClick={() => open(p.root)}>{p.name}</button> <span className="faint mono">{p.root}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
