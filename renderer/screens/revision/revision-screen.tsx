import { useState } from "react";
import { useClient } from "../../api/client-context.js";
import { useProject } from "../../app/project-context.js";
import { navigate } from "../../app/navigate.js";
import { ErrorBox, Loading } from "../../components/load-states.js";
import { useLoad } from "../../hooks/use-load.js";
import { RevisionDetailView } from "./revision-detail-view.js";

/** The revision-detail screen: fetches one revision with its SQL for the chosen environment. */
export function RevisionScreen({ id }: { readonly id: string }) {
  const client = useClient();
  const { summary, activeEnvironment, changes } = useProject();
  const [sqlEnv, setSqlEnv] = useState<string | null>(activeEnvironment);
  // Reloaded on every host change too: the file edited on disk, a run, a repair (the checksum state moves).
  const { load, reload } = useLoad(() => client.revisionDetail({ revision: id, ...(sqlEnv ? { environment: sqlEnv } : {}) }), [client, id, sqlEnv, changes]);
  const title = load.state === "ok" ? load.data.revision.message : id;
  return (
    <section className="screen" aria-labelledby="detail-title">
      <div className="screen-header">
        <a href={`#/graph?select=${encodeURIComponent(id)}`} className="btn small">← Graph</a>
        <h1 id="detail-title" style={{ overflowWrap: "anywhere" }}>{title}</h1>
        <a href={`#/create?parent=${encodeURIComponent(id)}`} className="btn small">New revision on this…</a>
      </div>
      {load.state === "loading" && !load.previous && <Loading what={`revision ${id}`} />}
      {load.state === "error" && <ErrorBox error={load.error} onRetry={reload} />}
      {(load.state === "ok" || (load.state === "loading" && load.previous)) && (
        <RevisionDetailView
          detail={load.state === "ok" ? load.data : load.previous!}
          environments={summary.environments}
          sqlEnvironment={sqlEnv ?? summary.environments[0]?.name ?? null}
          onSqlEnvironment={setSqlEnv}
          onGo={(rev) => navigate({ screen: "revision", id: rev })}
          onMigrate={(command, environment) => navigate({ screen: "apply", environment, target: id, command })}
          onAcceptEdited={(environment, confirmName) =>
            client.repairRevision({ environment, revision: id, ...(confirmName !== undefined ? { confirmName } : {}) }).then(reload)
          }
        />
      )}
    </section>
  );
}
