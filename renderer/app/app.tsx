import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ProjectSummaryDto, StrataClient } from "../../shared/api.js";
import { ClientContext } from "../api/client-context.js";
import { preloadCodeView } from "../components/code-view.js";
import { Loading } from "../components/load-states.js";
import { preloadable } from "../components/preloadable.js";
import { loadedData, useLoad } from "../hooks/use-load.js";
import { GraphScreen } from "../screens/graph/graph-screen.js";
import { assertNever } from "./assert-never.js";
import { EnvironmentBar } from "./environment-bar.js";
import { NavBar } from "./nav-bar.js";
import { OpenProjectPanel } from "./open-project-panel.js";
import { ProjectContext, type ProjectState } from "./project-context.js";
import { navigate } from "./navigate.js";
import { NAV_SCREENS, parseRoute, type Route } from "./route.js";

// The graph is the first screen; the others load when first opened or, ahead of that, once the
// browser is idle after the first graph (preloadScreens), so the page starts sooner.
const applyScreen = preloadable(() => import("../screens/apply/apply-screen.js").then((m) => m.ApplyScreen));
const createScreen = preloadable(() => import("../screens/create/create-screen.js").then((m) => m.CreateScreen));
const diffScreen = preloadable(() => import("../screens/diff/diff-screen.js").then((m) => m.DiffScreen));
const environmentsScreen = preloadable(() => import("../screens/environments/environments-screen.js").then((m) => m.EnvironmentsScreen));
const historyScreen = preloadable(() => import("../screens/history/history-screen.js").then((m) => m.HistoryScreen));
const revisionScreen = preloadable(() => import("../screens/revision/revision-screen.js").then((m) => m.RevisionScreen));
const ApplyScreen = applyScreen.Component;
const CreateScreen = createScreen.Component;
const DiffScreen = diffScreen.Component;
const EnvironmentsScreen = environmentsScreen.Component;
const HistoryScreen = historyScreen.Component;
const RevisionScreen = revisionScreen.Component;

/**
 * Loads CodeMirror (the biggest, the slowest to fetch from a busy server) and the other screens'
 * scripts one after another while the browser is idle
 * (issue 19 point 7): the first click on a screen then draws it at once, and the apply screen
 * asks for its plan on the click, not ~350 ms later once its script is in and React let it show.
 */
function preloadScreens(): () => void {
  const queue = [preloadCodeView, applyScreen.preload, environmentsScreen.preload, revisionScreen.preload, historyScreen.preload, diffScreen.preload, createScreen.preload];
  let cancelled = false;
  let handle = 0;
  const whenIdle = (f: () => void): number => (typeof requestIdleCallback === "function" ? requestIdleCallback(f) : window.setTimeout(f, 200));
  const next = (): void => {
    const load = queue.shift();
    if (cancelled || !load) return;
    // One script per idle period: a big one (CodeMirror) is compiled when the page has nothing else to do.
    void Promise.resolve(load()).then(() => {
      handle = whenIdle(next);
    });
  };
  handle = whenIdle(next);
  return () => {
    cancelled = true;
    if (typeof cancelIdleCallback === "function") cancelIdleCallback(handle);
    else window.clearTimeout(handle);
  };
}

/** Above this many revisions the chips leave drift to the environments screen (bench/ui.ts: 10,000 revisions). */
const DRIFT_IN_CHIPS_MAX_REVISIONS = 2000;

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
      return <CreateScreen parent={route.parent} diffFrom={route.diffFrom} diffTo={route.diffTo} changes={route.changes} />;
    case "apply":
      return <ApplyScreen environment={route.environment} target={route.target} command={route.command} singleTransaction={route.singleTransaction} allowEdited={route.allowEdited} />;
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
export function App({ client, firstSummary = null }: { readonly client: StrataClient; readonly firstSummary?: Promise<ProjectSummaryDto> | null }) {
  const route = useHashRoute();
  // The first load takes the request the entry script already started; reloads ask again.
  const early = useRef(firstSummary);
  const summary = useLoad(
    () => {
      const pending = early.current ?? client.projectSummary();
      early.current = null;
      return pending.then((s) => {
        // bench/ui.ts splits the time to the first graph at this mark (answer received and parsed).
        performance.mark("strata:project-loaded");
        return s;
      });
    },
    [client],
  );
  // Asked once the graph is in: on a big project the two answers compete for the same server and CPU.
  const matrix = useLoad(() => client.environmentStatus({}), [client], summary.load.state !== "loading" || summary.load.previous !== null);
  // Drift ranks above pending in a chip (issue 14), so it is checked too, once the cheap matrix has drawn the badges.
  // It replays every revision into a scratch database: on a big project only where it is asked for (the environments screen).
  const revisionCount = (summary.load.state === "ok" ? summary.load.data : summary.load.state === "loading" ? summary.load.previous : null)?.revisions.length ?? 0;
  // Asked by the environments screen once it has drawn (issue 19): asked on the route change, the
  // drift check held the server while the screen's own script was still to be fetched.
  const [driftAsked, setDriftAsked] = useState(false);
  const askDrift = useCallback(() => setDriftAsked(true), []);
  const driftWanted = revisionCount <= DRIFT_IN_CHIPS_MAX_REVISIONS || (route.screen === "environments" && driftAsked);
  // Bumped when the screen that asked is left and its checks are stopped (below): their answer ("stopped") is not kept.
  const driftLeft = useRef(0);
  const driftMatrix = useLoad(
    () => {
      const asked = driftLeft.current;
      // Never settles: the screen, asked again, shows "checking" and the next answer, not the stopped one.
      return client.environmentStatus({ drift: true }).then((m) => (asked === driftLeft.current ? m : new Promise<never>(() => undefined)));
    },
    [client],
    driftWanted && (matrix.load.state !== "loading" || matrix.load.previous !== null),
  );
  // Leaving the screen that asked for drift stops its checks in the engine: their scratch builds would take the
  // CPU from the screen the person went to (issue 19 point 7: a plan clicked meanwhile drew in 5 s, not 0.4 s).
  const driftInFlight = driftWanted && driftMatrix.load.state === "loading";
  const driftWasInFlight = useRef(false);
  useEffect(() => {
    if (driftWasInFlight.current && !driftWanted) {
      driftLeft.current++;
      void client.stopDriftChecks({}).catch(() => undefined);
    }
    driftWasInFlight.current = driftInFlight;
  }, [client, driftWanted, driftInFlight]);
  const [active, setActive] = useState<string | null>(null);
  const [changes, setChanges] = useState(0);
  const [chipClicks, setChipClicks] = useState(0);
  const onChip = useCallback((name: string) => {
    setActive(name);
    setChipClicks((n) => n + 1);
  }, []);
  const [engineNotice, setEngineNotice] = useState<string | null>(null);
  const { reload: reloadSummary } = summary;
  const { reload: reloadMatrix } = matrix;
  const { reload: reloadDrift } = driftMatrix;
  const refresh = useCallback(() => {
    reloadSummary();
    reloadMatrix();
    reloadDrift();
  }, [reloadSummary, reloadMatrix, reloadDrift]);

  useEffect(
    () =>
      client.onEvent((e) => {
        if (e.type === "project-changed") {
          refresh();
          setChanges((n) => n + 1);
        } else if (e.type === "run-finished" || e.type === "run-failed") {
          reloadMatrix();
          reloadDrift();
        } else if (e.type === "engine-restarted") {
          setEngineNotice(e.message);
          refresh();
        }
      }),
    [client, refresh, reloadMatrix, reloadDrift],
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
  const projectOpen = data !== null;
  useEffect(() => (projectOpen ? preloadScreens() : undefined), [projectOpen]);
  // An environment can go away (a removed profile): fall back to the first one.
  const activeName = (active !== null && data?.environments.some((e) => e.name === active) ? active : null) ?? data?.environments[0]?.name ?? null;
  // The drift matrix once it has answered (kept while it is checked again, so a drifted chip does not blink
  // to "up to date" and back); the cheap one until then, or when drift cannot be read.
  const states = useMemo(
    () => ((driftWanted ? loadedData(driftMatrix.load) : null) ?? loadedData(matrix.load))?.environments ?? [],
    [driftWanted, driftMatrix.load, matrix.load],
  );
  const project: ProjectState | null = useMemo(
    () =>
      data
        ? { summary: data, matrix: matrix.load, driftMatrix: driftMatrix.load, states, changes, activeEnvironment: activeName, setActiveEnvironment: setActive, refresh, chipClicks, askDrift }
        : null,
    [data, matrix.load, driftMatrix.load, states, changes, activeName, refresh, chipClicks, askDrift],
  );

  return (
    <ClientContext.Provider value={client}>
      <div className="app">
        <header className="topbar">
          <span className="brand">Strata</span>
          {data && <span className="project-name" title={data.root}>{data.name}</span>}
          {data && <EnvironmentBar environments={data.environments} states={states} active={activeName} onActivate={onChip} />}
          {engineNotice && (
            <div className="engine-notice" role="alert">
              <span>{engineNotice}</span>
              <button type="button" onClick={() => setEngineNotice(null)}>
                Dismiss
              </button>
            </div>
          )}
        </header>
        <NavBar current={route.screen} />
        <main className="main">
          {project ? (
            <ProjectContext.Provider value={project}>
              <Suspense
                fallback={
                  <div className="screen">
                    <Loading what="the screen" />
                  </div>
                }
              >
                <CurrentScreen route={route} />
              </Suspense>
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
