import { useCallback, useEffect, useMemo, useState } from "react";
import type { StrataClient } from "../../shared/api.js";
import { ClientContext } from "../api/client-context.js";
import { Loading } from "../components/load-states.js";
import { useLoad } from "../hooks/use-load.js";
import { ApplyScreen } from "../screens/apply/apply-screen.js";
import { CreateScreen } from "../screens/create/create-screen.js";
import { DiffScreen } from "../screens/diff/diff-screen.js";
import { EnvironmentsScreen } from "../screens/environments/environments-screen.js";
import { GraphScreen } from "../screens/graph/graph-screen.js";
import { HistoryScreen } from "../screens/history/history-screen.js";
import { RevisionScreen } from "../screens/revision/revision-screen.js";
import { assertNever } from "./assert-never.js";
import { EnvironmentBar } from "./environment-bar.js";
import { NavBar } from "./nav-bar.js";
import { OpenProjectPanel } from "./open-project-panel.js";
import { ProjectContext, type ProjectState } from "./project-context.js";
import { navigate } from "./navigate.js";
import { NAV_SCREENS, parseRoute, type Route } from "./route.js";

function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return route;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable || !!el.closest?.(".cm-editor");
}

function CurrentScreen({ route }: { readonly route: Route }) {
  switch (route.screen) {
    case "graph":
      return <GraphScreen select={route.select} />;
    case "revision":
      return <RevisionScreen id={route.id} />;
    case "create":
      return <CreateScreen parent={route.parent} diffFrom={route.diffFrom} diffTo={route.diffTo} />;
    case "apply":
      return <ApplyScreen environment={route.environment} target={route.target} command={route.command} />;
    case "environments":
      return <EnvironmentsScreen />;
    case "diff":
      return <DiffScreen from={route.from} to={route.to} />;
    case "history":
      return <HistoryScreen environment={route.environment} />;
    default:
      return assertNever(route);
  }
}

/** The app container: holds the open project, the active environment and the route; reloads on host events. */
export function App({ client }: { readonly client: StrataClient }) {
  const route = useHashRoute();
  const summary = useLoad(
    () =>
      client.projectSummary().then((s) => {
        // bench/ui.ts splits the time to the first graph at this mark (answer received and parsed).
        performance.mark("strata:project-loaded");
        return s;
      }),
    [client],
  );
  // Asked once the graph is in: on a big project the two answers compete for the same server and CPU.
  const matrix = useLoad(() => client.environmentStatus({}), [client], summary.load.state !== "loading" || summary.load.previous !== null);
  const [active, setActive] = useState<string | null>(null);
  const { reload: reloadSummary } = summary;
  const { reload: reloadMatrix } = matrix;
  const refresh = useCallback(() => {
    reloadSummary();
    reloadMatrix();
  }, [reloadSummary, reloadMatrix]);

  useEffect(
    () =>
      client.onEvent((e) => {
        if (e.type === "project-changed") refresh();
        else if (e.type === "run-finished" || e.type === "run-failed") reloadMatrix();
      }),
    [client, refresh, reloadMatrix],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      const n = Number(e.key);
      const target = Number.isInteger(n) && n >= 1 ? NAV_SCREENS[n - 1] : undefined;
      if (target) {
        e.preventDefault();
        navigate({ screen: target.screen });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const data = summary.load.state === "ok" ? summary.load.data : summary.load.state === "loading" ? summary.load.previous : null;
  // An environment can go away (a removed profile): fall back to the first one.
  const activeName = (active !== null && data?.environments.some((e) => e.name === active) ? active : null) ?? data?.environments[0]?.name ?? null;
  const project: ProjectState | null = useMemo(
    () => (data ? { summary: data, matrix: matrix.load, activeEnvironment: activeName, setActiveEnvironment: setActive, refresh } : null),
    [data, matrix.load, activeName, refresh],
  );
  const states = matrix.load.state === "ok" ? matrix.load.data.environments : matrix.load.state === "loading" ? (matrix.load.previous?.environments ?? []) : [];

  return (
    <ClientContext.Provider value={client}>
      <div className="app">
        <header className="topbar">
          <span className="brand">Strata</span>
          {data && <span className="project-name" title={data.root}>{data.name}</span>}
          {data && <EnvironmentBar environments={data.environments} states={states} active={activeName} onActivate={setActive} />}
        </header>
        <NavBar current={route.screen} />
        <main className="main">
          {project ? (
            <ProjectContext.Provider value={project}>
              <CurrentScreen route={route} />
            </ProjectContext.Provider>
          ) : summary.load.state === "error" ? (
            <OpenProjectPanel problem={summary.load.error} onOpened={refresh} />
          ) : (
            <div className="screen">
              <Loading what="the project" />
            </div>
          )}
        </main>
      </div>
    </ClientContext.Provider>
  );
}
