import { describe, expect, it, vi } from "vitest";
import { API_CALLS } from "../../../shared/api.js";
import type { StrataClient, StrataEvent } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";

const exposed = new Map<string, unknown>();
const invoked: { channel: string; payload: unknown }[] = [];
const listeners = new Map<string, Set<(...args: unknown[]) => void>>();

vi.mock("electron", () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, payload: unknown) => {
      invoked.push({ channel, payload });
      if (channel === "strata:stamp") return { ok: false, error: { code: "CONFIRMATION_REQUIRED", message: "environment prod is protected", details: { environment: "prod" } } };
      return { ok: true, value: { channel } };
    },
    on: (channel: string, fn: (...args: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(fn);
    },
    removeListener: (channel: string, fn: (...args: unknown[]) => void) => listeners.get(channel)?.delete(fn),
    send: () => {
      throw new Error("the preload must not use send");
    },
  },
}));

await import("../../../electron/preload/preload.js");
const strata = exposed.get("strata") as StrataClient;

describe("the preload", () => {
  it("exposes only window.strata, with exactly one function per call plus onEvent", () => {
    expect([...exposed.keys()]).toEqual(["strata"]);
    expect(Object.keys(strata).sort()).toEqual([...API_CALLS, "onEvent"].sort());
    for (const [k, v] of Object.entries(strata)) expect(typeof v, k).toBe("function");
    expect(Object.isFrozen(strata)).toBe(true);
  });

  it("calls each over its own channel with the request", async () => {
    await expect(strata.planMigration({ environment: "dev", command: "upgrade", target: "heads" })).resolves.toEqual({ channel: "strata:planMigration" });
    await strata.appInfo();
    expect(invoked).toEqual([
      { channel: "strata:planMigration", payload: { environment: "dev", command: "upgrade", target: "heads" } },
      { channel: "strata:appInfo", payload: {} },
    ]);
  });

  it("rejects with the error's code, message and details", async () => {
    const e = await strata.stamp({ environment: "prod", targets: ["heads"] }).catch((x: unknown) => x);
    expect(asErrorShape(e)).toEqual({ code: "CONFIRMATION_REQUIRED", message: "environment prod is protected", details: { environment: "prod" } });
  });

  it("passes events on without the IPC event object, and stops when unsubscribed", () => {
    const got: unknown[][] = [];
    const off = strata.onEvent((...args: unknown[]) => got.push(args));
    const event: StrataEvent = { type: "project-changed", root: "/p", reason: "opened", at: "now" };
    const fakeIpcEvent = { sender: { send: () => undefined } };
    for (const fn of listeners.get("strata:event") ?? []) fn(fakeIpcEvent, event);
    expect(got).toEqual([[event]]);
    off();
    expect(listeners.get("strata:event")?.size).toBe(0);
  });
});
