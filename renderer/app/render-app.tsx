import { createRoot } from "react-dom/client";
import type { ProjectSummaryDto, StrataClient } from "../../shared/api.js";
import { App } from "./app.js";

/** A page opened without ?token= (or outside Electron) cannot reach the engine: say how to open it. */
function NoHost() {
  return (
    <div className="screen">
      <div className="state-box error" role="alert">
        This page needs the link that <code>strata serve</code> prints (it carries a <code>?token=</code>), or the Strata desktop app.
      </div>
    </div>
  );
}

/** Mounts the app; `firstSummary` is the projectSummary call the entry started before React loaded. */
export function renderApp(root: HTMLElement, client: StrataClient | null, firstSummary: Promise<ProjectSummaryDto> | null): void {
  createRoot(root).render(client ? <App client={client} firstSummary={firstSummary} /> : <NoHost />);
}
