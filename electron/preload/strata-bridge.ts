// api-calls.ts, not api.ts: the preload must not carry the schema library.
import { API_CALLS, IPC_EVENT_CHANNEL, ipcChannel } from "../../shared/api-calls.js";
import type { ApiEnvelope } from "../../shared/api-calls.js";
import type { StrataClient, StrataEvent } from "../../shared/api.js";

/**
 * Builds window.strata from an invoke and a subscribe function: one function per call that
 * resolves to the value or rejects with the ErrorShape the main process sent back.
 */
export function createBridge(
  invoke: (channel: string, payload: unknown) => Promise<unknown>,
  subscribe: (channel: string, listener: (data: unknown) => void) => () => void,
): StrataClient {
  const api: Record<string, unknown> = {};
  for (const call of API_CALLS) {
    api[call] = async (req?: unknown) => {
      const envelope = (await invoke(ipcChannel(call), req ?? {})) as ApiEnvelope<unknown>;
      // A plain object survives contextBridge with its code and details; an Error would keep only its message.
      if (!envelope.ok) throw { ...envelope.error };
      return envelope.value;
    };
  }
  api.onEvent = (listener: (e: StrataEvent) => void) => subscribe(IPC_EVENT_CHANNEL, (data) => listener(data as StrataEvent));
  return Object.freeze(api) as StrataClient;
}
