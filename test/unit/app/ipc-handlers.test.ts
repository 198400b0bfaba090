import { beforeEach, describe, expect, it, vi } from "vitest";
import { API_CALLS, apiSchemas, ipcChannel } from "../../../shared/api.js";
import type { ApiEnvelope, ApiHandlers } from "../../../shared/api.js";
import { StrataError } from "../../../electron/engine/errors.js";

type Handler = (event: unknown, payload: unknown) => Promise<ApiEnvelope<unknown>>;
const registered = new Map<string, Handler>();

vi.mock("electron", () => ({
  ipcMain: {
    handle: (channel: string, fn: Handler) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
      registered.set(channel, fn);
    },
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { registerIpcHandlers } = await import("../../../electron/main/ipc-handlers.js");
const { dispatch } = await import("../../../electron/engine/app-session/api-dispatch.js");
const { isTrustedSender } = await import("../../../electron/main/sender-check.js");

const MAIN_ID = 7;
const APP = "strata://app";
const ownPage = { sender: { id: MAIN_ID }, senderFrame: { url: `${APP}/index.html`, parent: null } };

function fakeHandlers(): { handlers: ApiHandlers; calls: { call: string; req: unknown }[] } {
  const calls: { call: string; req: unknown }[] = [];
  const handlers = Object.fromEntries(
    API_CALLS.map((call) => [
      call,
      async (req: unknown) => {
        calls.push({ call, req });
        if (call === "getRun") throw new StrataError("NOT_FOUND", "no run r1 in this session", { runId: "r1" });
        return { answered: call };
      },
    ]),
  ) as unknown as ApiHandlers;
  return { handlers, calls };
}

let calls: { call: string; req: unknown }[];
let unregister: () => void;

beforeEach(() => {
  unregister?.();
  registered.clear();
  const fake = fakeHandlers();
  calls = fake.calls;
  // Main forwards to the engine process, whose host dispatches as here (electron/engine-host/engine-host.ts).
  unregister = registerIpcHandlers((call, payload) => dispatch(fake.handlers, call, payload, undefined, () => undefined), (e) => isTrustedSender(e, MAIN_ID, APP));
});

describe("main's IPC handler map", () => {
  it("registers one channel per StrataApi call and nothing else", () => {
    expect([...registered.keys()].sort()).toEqual(API_CALLS.map(ipcChannel).sort());
    expect([...API_CALLS].sort()).toEqual(Object.keys(apiSchemas).sort());
  });

  it("answers the app's own page with the engine's value, the payload parsed", async () => {
    const out = await registered.get("strata:planMigration")!(ownPage, { environment: "dev", command: "upgrade", target: "heads", extra: "dropped" });
    expect(out).toEqual({ ok: true, value: { answered: "planMigration" } });
    expect(calls).toEqual([{ call: "planMigration", req: { environment: "dev", command: "upgrade", target: "heads" } }]);
  });

  it("refuses a foreign frame, an iframe, another window and a page that navigated away", async () => {
    const senders = [
      { sender: { id: MAIN_ID }, senderFrame: { url: "https://evil.example/", parent: null } },
      { sender: { id: MAIN_ID }, senderFrame: { url: `${APP}/index.html`, parent: { url: `${APP}/index.html` } } },
      { sender: { id: MAIN_ID + 1 }, senderFrame: { url: `${APP}/index.html`, parent: null } },
      { sender: { id: MAIN_ID }, senderFrame: { url: "file:///etc/passwd", parent: null } },
      { sender: { id: MAIN_ID }, senderFrame: null },
      { sender: { id: MAIN_ID }, senderFrame: { url: "strata://app.evil/index.html", parent: null } },
    ];
    for (const s of senders) {
      const out = await registered.get("strata:projectSummary")!(s, {});
      expect(out.ok, JSON.stringify(s)).toBe(false);
      if (!out.ok) expect(out.error.code).toBe("FORBIDDEN");
    }
    expect(calls).toEqual([]);
  });

  it("refuses a payload that does not match the call's schema, before the engine sees it", async () => {
    const out = await registered.get("strata:runMigration")!(ownPage, { environment: "prod", command: "delete-everything", target: 5 });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error.code).toBe("INVALID_REQUEST");
      expect(out.error.message).toMatch(/^runMigration: command: /);
    }
    const notObject = await registered.get("strata:history")!(ownPage, "dev");
    expect(notObject.ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it("sends the engine's errors back as data with their code and facts", async () => {
    const out = await registered.get("strata:getRun")!(ownPage, { runId: "r1" });
    expect(out).toEqual({ ok: false, error: { code: "NOT_FOUND", message: "no run r1 in this session", details: { runId: "r1" } } });
  });

  it("removes every handler when asked", () => {
    unregister();
    expect(registered.size).toBe(0);
  });
});
