// Strata's Electron main process: one locked-down window over the engine (STYLE.md point 5).
import path from "node:path";
import { BrowserWindow, Menu, app, dialog, session, shell } from "electron";
import { IPC_EVENT_CHANNEL } from "../../shared/api.js";
import { createDemoProject, defaultDemoDirectory } from "../engine/demo/demo-project.js";
import { createAppService } from "../engine/operations/app-service.js";
import type { AppService } from "../engine/operations/app-service.js";
import { ProfileStore } from "../engine/operations/profile-store.js";
import { createSchemaDiffPort } from "../engine/operations/schema-diff-port.js";
import { buildAppMenu } from "./app-menu.js";
import { APP_ORIGIN, registerAppScheme, serveRenderer } from "./app-protocol.js";
import { registerIpcHandlers } from "./ipc-handlers.js";
import { safeStorageCodec } from "./safe-storage-codec.js";
import { isTrustedSender } from "./sender-check.js";
import { loadWindowState, saveWindowState } from "./window-state.js";

const development = !app.isPackaged;
let mainWindow: BrowserWindow | null = null;
let service: AppService | null = null;

/** `--project DIR` or `--demo` on the command line (also when a second instance passes them on). */
function projectArgument(argv: readonly string[]): { project?: string; demo: boolean } {
  const i = argv.indexOf("--project");
  const project = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--project="))?.slice("--project=".length);
  return { ...(project ? { project } : {}), demo: argv.includes("--demo") };
}

function showError(title: string, e: unknown): void {
  dialog.showErrorBox(title, e instanceof Error ? e.message : String(e));
}

async function openProject(root: string): Promise<void> {
  if (!service) return;
  try {
    await service.handlers.openProject({ root }, undefined);
    refreshMenu();
  } catch (e) {
    showError("Strata cannot open this folder", e);
  }
}

async function openDemo(): Promise<void> {
  try {
    const made = await createDemoProject(defaultDemoDirectory({ ...process.env, STRATA_DATA_DIR: process.env.STRATA_DATA_DIR ?? app.getPath("userData") }));
    await openProject(made.root);
  } catch (e) {
    showError("Strata cannot make the demo project", e);
  }
}

function refreshMenu(): void {
  if (!service) return;
  void service.handlers.recentProjects({}, undefined).then(({ projects }) => {
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
  const args = projectArgument(process.argv);
  let projectRoot: string | null = args.project ? path.resolve(args.project) : null;
  if (args.demo) {
    const made = await createDemoProject(defaultDemoDirectory({ ...process.env, STRATA_DATA_DIR: process.env.STRATA_DATA_DIR ?? app.getPath("userData") }));
    projectRoot = made.root;
  }
  const userData = app.getPath("userData");
  service = createAppService({
    host: "electron",
    projectRoot,
    profiles: new ProfileStore(path.join(userData, "profiles.json"), safeStorageCodec),
    recentFile: path.join(userData, "recent-projects.json"),
    schemaDiff: createSchemaDiffPort(),
  });
  if (projectRoot === null) {
    const [last] = (await service.handlers.recentProjects({}, undefined)).projects;
    if (last) await service.handlers.openProject({ root: last.root }, undefined).catch(() => undefined);
  }
  registerIpcHandlers(service.handlers, (event) => isTrustedSender(event, mainWindow?.webContents.id ?? null, APP_ORIGIN));
  service.events.subscribe((e) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT_CHANNEL, e);
  });
  refreshMenu();
  mainWindow = createWindow();
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
  // The migrations folder's watcher ends with the app.
  app.on("will-quit", () => service?.close());
  app.on("activate", () => {
    if (mainWindow === null && service !== null) mainWindow = createWindow();
  });
  app.whenReady().then(start, (e: unknown) => {
    showError("Strata could not start", e);
    app.quit();
  });
}
