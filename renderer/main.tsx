import { createRoot } from "react-dom/client";
import { obtainClient } from "./api/strata-client.js";
import { App } from "./app/app.js";
import "./app/styles.css";

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

const client = obtainClient();
createRoot(document.getElementById("root")!).render(client ? <App client={client} /> : <NoHost />);
