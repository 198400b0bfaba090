import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { API_CALLS } from "../../../shared/api.js";
import type { ApiEnvelope } from "../../../shared/api.js";

// A stand-in for the parts of Electron main.ts touches, recording what it was asked.
const state = vi.hoisted(() => ({
  userData: "",
  singleInstance: true,
  quit: 0,
  windows: [] as { options: Record<string, any>; openHandler?: (d: { url: string }) => { action: string }; listeners: Map<string, (...a: any[]) => void>; url?: string }[],
  ipc: new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>(),
  protocolHandlers: new Map<string, (req: { url: string }) => Promise<Response>>(),
  privileged: [] as unknown[],
  opened: [] as string[],
  permission: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
  ready: null as null | Promise<void>,
  // The engine's utility processes: a real engine host forked under Node stands in for each.
  forked: [] as { modulePath: string; options: Record<string, unknown>; child: import("../../helpers/engine-host-process.js").ForkedEngine }[],
  sent: [] as { channel: string; data: any }[],
  windowListeners: [] as Map<string, (...a: any[]) => void>[],
}));

vi.mock("electron", async () => {
  const { forkEngineHost } = await import("../../helpers/engine-host-process.js");
  class BrowserWindow {
    readonly webContents: Record<string, unknown>;
    constructor(readonly options: Record<string, any>) {
      const record: (typeof state.windows)[number] = { options, listeners: new Map() };
      state.windows.push(record);
      this.webContents = {
        id: 41,
        setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (record.openHandler = fn),
        on: (name: string, fn: (...a: any[]) => void) => record.listeners.set(name, fn),
        send: (channel: string, data: unknown) => void state.sent.push({ channel, data }),
      };
      this.loadURL = async (url: string) => {
        record.url = url;
      };
    }
    loadURL: (url: string) => Promise<void>;
    private readonly own = new Map<string, (...a: any[]) => void>();
    once(): void {}
    on(name: string, fn: (...a: any[]) => void): void {
      if (!state.windowListeners.includes(this.own)) state.windowListeners.push(this.own);
      this.own.set(name, fn);
    }
    maximize(): void {}
    isDestroyed(): boolean {
      return false;
    }
  }
  const app = {
    isPackaged: false,
    getPath: () => state.userData,
    getAppPath: () => state.userData,
    requestSingleInstanceLock: () => state.singleInstance,
    quit: () => void state.quit++,
    on: () => undefined,
    whenReady: () => {
      state.ready = Promise.resolve();
      return state.ready;
    },
  };
  return {
    app,
    BrowserWindow,
    Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (t: unknown) => t },
    dialog: { showErrorBox: (t: string, m: string) => console.error(t, m), showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    session: { defaultSession: { setPermissionRequestHandler: (fn: typeof state.permission) => (state.permission = fn) } },
    shell: { openExternal: async (url: string) => void state.opened.push(url) },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => state.privileged.push(...s),
      handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) => state.protocolHandlers.set(scheme, fn),
    },
    net: { fetch: async (url: string) => new Response(readFileSync(new URL(url)), { headers: { "content-type": "text/html" } }) },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, payload: unknown) => Promise<unknown>) => state.ipc.set(channel, fn),
      removeHandler: (channel: string) => state.ipc.delete(channel),
    },
    utilityProcess: {
      fork: (modulePath: string, _args: string[], options: Record<string, unknown>) => {
        const child = forkEngineHost();
        state.forked.push({ modulePath, options, child });
        return {
          postMessage: (m: never) => child.post(m),
          on: (event: string, fn: Parameters<typeof child.onMessage>[0]) => event === "message" && child.onMessage(fn),
          once: (event: string, fn: (code: number | null) => void) => event === "exit" && child.onExit(fn),
          kill: () => child.kill(),
        };
      },
    },
    safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => "basic_text", encryptString: () => Buffer.alloc(0), decryptString: () => "" },
  };
});

state.userData = mkdtempSync(path.join(os.tmpdir(), "strata-main-"));
afterAll(() => {
  for (const f of state.forked) f.child.kill();
  rmSync(state.userData, { recursive: true, force: true });
});

async function started(): Promise<void> {
  await import("../../../electron/main/main.js");
  for (let i = 0; i < 100 && state.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
}

describe("the main process", () => {
  it("opens one window with the security settings of STYLE.md point 5", async () => {
    await started();
    expect(state.windows).toHaveLength(1);
    const prefs = state.windows[0]!.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(path.basename(prefs.preload)).toBe("preload.cjs");
    expect(state.windows[0]!.url).toBe("strata://app/index.html");
    expect(state.privileged).toEqual([{ scheme: "strata", privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it("denies new windows (sending web links to the browser) and navigation away from the app", () => {
    const w = state.windows[0]!;
    expect(w.openHandler!({ url: "https://example.com/docs" })).toEqual({ action: "deny" });
    expect(w.openHandler!({ url: "file:///etc/passwd" })).toEqual({ action: "deny" });
    expect(state.opened).toEqual(["https://example.com/docs"]);
    const prevented: string[] = [];
    for (const url of ["https://evil.example/", "file:///etc/passwd", "strata://app/index.html#/history"]) {
      w.listeners.get("will-navigate")!({ preventDefault: () => prevented.push(url) }, url);
    }
    expect(prevented).toEqual(["https://evil.example/", "file:///etc/passwd"]);
    let granted: boolean | null = null;
    state.permission!({}, "media", (ok) => (granted = ok));
    expect(granted).toBe(false);
  });

  it("answers the window's own page over IPC and refuses any other frame", async () => {
    expect(API_CALLS.every((c) => state.ipc.has(`strata:${c}`))).toBe(true);
    const own = { sender: { id: 41 }, senderFrame: { url: "strata://app/index.html", parent: null } };
    const info = (await state.ipc.get("strata:appInfo")!(own, {})) as ApiEnvelope<{ host: string }>;
    expect(info).toMatchObject({ ok: true, value: { host: "electron" } });
    const foreign = { sender: { id: 41 }, senderFrame: { url: "https://evil.example/", parent: null } };
    expect(await state.ipc.get("strata:appInfo")!(foreign, {})).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    const profiles = (await state.ipc.get("strata:saveProfile")!(own, { name: "x", client: "pg", host: "h", password: "pw" })) as ApiEnvelope<unknown>;
    expect(profiles).toMatchObject({ ok: false, error: { code: "PASSWORD_STORAGE_UNAVAILABLE" } });
  });

  it("runs the engine in a utility process of the window's own, not in main", () => {
    expect(state.forked).toHaveLength(1);
    expect(path.basename(state.forked[0]!.modulePath)).toBe("engine-host.cjs");
    expect(path.dirname(state.forked[0]!.modulePath)).toBe(path.dirname(state.windows[0]!.options.webPreferences.preload));
  });

  it("tells the window when its engine process died, and answers again from the restarted one", async () => {
    const own = { sender: { id: 41 }, senderFrame: { url: "strata://app/index.html", parent: null } };
    state.forked[0]!.child.process.kill("SIGKILL");
    for (let i = 0; i < 200 && state.forked.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(state.forked).toHaveLength(2);
    const notice = state.sent.find((m) => m.data?.type === "engine-restarted");
    expect(notice).toMatchObject({ channel: "strata:event", data: { restarted: true } });
    expect(notice!.data.message).toMatch(/^Strata's engine process was killed and was restarted/);
    const info = (await state.ipc.get("strata:appInfo")!(own, {})) as ApiEnvelope<{ host: string }>;
    expect(info).toMatchObject({ ok: true, value: { host: "electron" } });
  });

  it("ends the engine process when its window closes", async () => {
    const child = state.forked.at(-1)!.child;
    const exited = new Promise((r) => child.process.once("exit", r));
    for (const listeners of state.windowListeners) listeners.get("closed")?.();
    await exited;
    expect(child.process.exitCode !== null || child.process.signalCode !== null).toBe(true);
    expect(state.forked).toHaveLength(2);
  });

  it("serves the renderer with a CSP and nothing outside its folder", async () => {
    const { serveRenderer } = await import("../../../electron/main/app-protocol.js");
    const dir = path.join(state.userData, "renderer");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Strata</title>");
    writeFileSync(path.join(state.userData, "secret.txt"), "secret");
    serveRenderer(dir);
    const handler = state.protocolHandlers.get("strata")!;
    const page = await handler({ url: "strata://app/index.html" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'none'");
    expect(await (await handler({ url: "strata://app/history" })).text()).toContain("<title>Strata</title>");
    for (const url of ["strata://app/%2e%2e/secret.txt", "strata://app/..%2fsecret.txt", "strata://app/missing.js"]) {
      const r = await handler({ url });
      expect(r.status, url).toBe(404);
    }
    const outside = await handler({ url: "strata://app/%2e%2e/%2e%2e/package.json" });
    expect(outside.status).toBe(404);
    const other = await handler({ url: "strata://elsewhere/index.html" });
    expect(other.status).toBe(404);
  });

  it("leaves at once when another instance holds the single-instance lock", async () => {
    vi.resetModules();
    state.singleInstance = false;
    const windowsBefore = state.windows.length;
    await import("../../../electron/main/main.js");
    await new Promise((r) => setTimeout(r, 50));
    expect(state.quit).toBe(1);
    expect(state.windows.length).toBe(windowsBefore);
  });
});
