// Strata's Electron main process: one locked-down window over the engine (STYLE.md point 5).
import path from "node:path";
import { BrowserWindow, Menu, app, dialog, session, shell, utilityProcess } from "electron";
import { IPC_EVENT_CHANNEL } from "../../shared/api.js";
import type { ApiEnvelope } from "../../shared/api.js";
import type { EngineToMain } from "../engine-host/protocol.js";
import { buildAppMenu } from "./app-menu.js";
import { APP_ORIGIN, registerAppScheme, serveRenderer } from "./app-protocol.js";
import { EngineProcess } from "./engine-process.js";
import type { EngineChild } from "./engine-process.js";
import { registerIpcHandlers } from "./ipc-handlers.js";
import { sqliteNativeBinding } from "./native-binding.js";
import { safeStorageCodec } from "./safe-storage-codec.js";
import { isTrustedSender } from "./sender-check.js";
import { loadWindowState, saveWindowState } from "./window-state.js";

const development = !app.isPackaged;
let mainWindow: BrowserWindow | null = null;
// The engine of the main window, in a utility process of its own (issue 18).
let engine: EngineProcess | null = null;
let startArgs: { project?: string; demo: boolean } = { demo: false };

/** `--project DIR` or `--demo` on the command line (also when a second instance passes them on). */
function projectArgument(argv: readonly string[]): { project?: string; demo: boolean } {
  const i = argv.indexOf("--project");
  const project = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--project="))?.slice("--project=".length);
  return { ...(project ? { project } : {}), demo: argv.includes("--demo") };
}

function showError(title: string, e: unknown): void {
  dialog.showErrorBox(title, e instanceof Error ? e.message : String(e));
}

/** Shows a refused open (a folder that is no project, a demo that could not be made); a done one refreshes the menu through its "opened" event. */
function afterOpen(title: string, envelope: ApiEnvelope<unknown>): void {
  if (!envelope.ok) dialog.showErrorBox(title, envelope.error.message);
}

async function openProject(root: string): Promise<void> {
  if (!engine) return;
  afterOpen("Strata cannot open this folder", await engine.request("openProject", { root }));
}

async function openDemo(): Promise<void> {
  if (!engine) return;
  afterOpen("Strata cannot make the demo project", await engine.openDemo());
}

function refreshMenu(): void {
  if (!engine) return;
  void engine.request("recentProjects", {}).then((answer) => {
    const projects = answer.ok ? answer.value.projects : [];
    Menu.setApplicationMenu(
      buildAppMenu(
        projects,
        {
          openProjectDialog: () => {
            const options = { title: "Open a Strata project", properties: ["openDirectory" as const] };
            const pick = mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options);
            void pick.then((r) => {
              if (!r.canceled && r.filePaths[0]) void openProject(r.filePaths[0]);
            });
          },
          openProject: (root) => void openProject(root),
          openDemo: () => void openDemo(),
        },
        development,
      ),
    );
  });
}

function createWindow(): BrowserWindow {
  const stateFile = path.join(app.getPath("userData"), "window-state.json");
  const state = loadWindowState(stateFile);
  const win = new BrowserWindow({
    ...state,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: "Strata",
    webPreferences: {
      preload: path.join(__dirname, "preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  win.once("ready-to-show", () => win.show());
  // Leaving the app's page (a link, a drag-and-drop) or opening windows is never allowed;
  // http(s) links go to the system browser instead.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: "deny" };
  });
  win.webContents.on("will-navigate", (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  win.webContents.on("will-attach-webview", (event) => event.preventDefault());
  win.on("close", () => {
    const b = win.getNormalBounds();
    saveWindowState(stateFile, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
  });
  win.on("closed", () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function start(): Promise<void> {
  // No web permission (camera, notifications, ...) is ever needed.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  serveRenderer(path.join(__dirname, "..", "renderer"));
  startArgs = projectArgument(process.argv);
  registerIpcHandlers(
    (call, payload) => engine?.call(call, payload) ?? Promise.resolve({ ok: false, error: { code: "INTERNAL", message: `${call}: Strata's window has no engine; reopen the window` } }),
    (event) => isTrustedSender(event, mainWindow?.webContents.id ?? null, APP_ORIGIN),
  );
  openWindow();
}

/** Starts the engine's utility process under Electron; its messages are the engine host's protocol. */
function forkEngine(): EngineChild {
  const child = utilityProcess.fork(path.join(__dirname, "engine-host.cjs"), [], { serviceName: "Strata engine", stdio: "inherit" });
  return {
    post: (m) => child.postMessage(m),
    onMessage: (l) => child.on("message", (m: unknown) => l(m as EngineToMain)),
    onExit: (l) => child.once("exit", (code: number) => l(code)),
    kill: () => void child.kill(),
  };
}

/** A window and its engine process: the engine goes with the window. */
function openWindow(): void {
  const win = createWindow();
  mainWindow = win;
  const own = new EngineProcess({
    spawn: forkEngine,
    codec: safeStorageCodec,
    init: {
      projectRoot: startArgs.project ? path.resolve(startArgs.project) : null,
      demo: startArgs.demo,
      userData: app.getPath("userData"),
      sqliteNativeBinding: sqliteNativeBinding({ packaged: app.isPackaged, appPath: app.getAppPath(), electronVersion: process.versions.electron ?? "" }),
      openRecent: true,
    },
    onEvent: (e) => {
      if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, e);
      if (e.type === "project-changed" && e.reason === "opened") refreshMenu();
    },
  });
  engine = own;
  // A window opened again (macOS's dock) starts on the recent project, not the demo again.
  startArgs = { demo: false };
  own.start();
  win.on("closed", () => {
    own.stop();
    if (engine === own) engine = null;
  });
  refreshMenu();
}

registerAppScheme();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on("second-instance", (_event, argv) => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
    const args = projectArgument(argv);
    if (args.project) void openProject(path.resolve(args.project));
  });
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
  // The engine process (and the migrations folder's watcher in it) ends with the app.
  app.on("will-quit", () => engine?.stop());
  app.on("activate", () => {
    if (mainWindow === null) openWindow();
  });
  app.whenReady().then(start, (e: unknown) => {
    showError("Strata could not start", e);
    app.quit();
  });
}
