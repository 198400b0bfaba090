import { ipcMain } from "electron";
import type { IpcMainInvokeEvent } from "electron";
import { API_CALLS, ipcChannel } from "../../shared/api.js";
import type { ApiCall, ApiEnvelope, ApiHandlers } from "../../shared/api.js";
import { dispatch } from "../engine/operations/api-dispatch.js";
import type { IpcSender } from "./sender-check.js";

/**
 * Registers one ipcMain handler per StrataApi call. Each refuses a sender that is not the app's
 * own page (checked by isTrusted) and parses its payload with the call's schema before the
 * engine sees it. Returns the function that removes them.
 */
export function registerIpcHandlers(
  handlers: ApiHandlers,
  isTrusted: (event: IpcSender) => boolean,
  onInternal: (call: ApiCall, e: unknown) => void = (call, e) => console.error(`strata: internal error in ${call}:`, e),
): () => void {
  for (const call of API_CALLS) {
    ipcMain.handle(ipcChannel(call), async (event: IpcMainInvokeEvent, payload: unknown): Promise<ApiEnvelope<unknown>> => {
      if (!isTrusted(event as unknown as IpcSender)) {
        return { ok: false, error: { code: "FORBIDDEN", message: `refused ${call}: it did not come from Strata's own window` } };
      }
      return dispatch(handlers, call, payload, undefined, onInternal);
    });
  }
  return () => {
    for (const call of API_CALLS) ipcMain.removeHandler(ipcChannel(call));
  };
}
