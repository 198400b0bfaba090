// The entry chunk stays tiny: it asks for the project before React and the screens are loaded
// and compiled, so the server's answer and the page's start-up overlap (bench/ui.ts).
import { obtainClient } from "./api/strata-client.js";
import "./app/styles.css";

const client = obtainClient();
const firstSummary = client?.projectSummary() ?? null;
// Handled by the App once it is up; this keeps an early failure from being reported as unhandled.
firstSummary?.catch(() => undefined);
void import("./app/render-app.js").then(({ renderApp }) => renderApp(document.getElementById("root")!, client, firstSummary));
