import { ipcMain } from "electron";
import type { IpcMainInvokeEvent } from "electron";
import { API_CALLS, ipcChannel } from "../../shared/api.js";
import type { ApiCall, ApiEnvelope } from "../../shared/api.js";
import type { IpcSender } from "./sender-check.js";

/** Where a trusted call goes: the engine's utility process (issue 18), which parses its payload with the call's schema. */
export type ForwardCall = (call: ApiCall, payload: unknown) => Promise<ApiEnvelope<unknown>>;

/**
 * Registers one ipcMain handler per StrataApi call. Each refuses a sender that is not the app's
 * own page (checked by isTrusted) and hands the rest to forward. Returns the function that removes them.
 */
export function registerIpcHandlers(forward: ForwardCall, isTrusted: (event: IpcSender) => boolean): () => void {
  for (const call of API_CALLS) {
    ipcMain.handle(ipcChannel(call), async (event: IpcMainInvokeEvent, payload: unknown): Promise<ApiEnvelope<unknown>> => {
      if (!isTrusted(event as unknown as IpcSender)) {
        return { ok: false, error: { code: "FORBIDDEN", message: `refused ${call}: it did not come from Strata's own window` } };
      }
      return forward(call, payload);
    });
  }
  return () => {
    for (const call of API_CALLS) ipcMain.removeHandler(ipcChannel(call));
  };
}
