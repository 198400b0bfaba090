/**
 * The StrataApi over `strata serve`'s HTTP + WebSocket, for the renderer in a browser.
 * Browser-safe: fetch and WebSocket only.
 */
import { API_CALLS, EVENTS_PATH, TOKEN_HEADER, httpPath } from "./api-calls.js";
import type { ApiCall, ApiResponses, StrataClient, StrataEvent } from "./api.js";
import { ApiError, isErrorShape } from "./api-errors.js";

/** Options of createHttpApi(). */
export interface HttpApiOptions {
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Defaults to the global WebSocket. */
  readonly WebSocket?: typeof WebSocket;
  /** Delay before the event stream reconnects after it drops (ms). */
  readonly reconnectMs?: number;
}

async function call<K extends ApiCall>(doFetch: typeof fetch, base: string, token: string, name: K, req: unknown): Promise<ApiResponses[K]> {
  let res: Response;
  try {
    res = await doFetch(base + httpPath(name), {
      method: "POST",
      headers: { "content-type": "application/json", [TOKEN_HEADER]: token },
      body: JSON.stringify(req ?? {}),
    });
  } catch (e) {
    throw new ApiError({ code: "CONNECTION_FAILED", message: `cannot reach strata serve at ${base}: ${e instanceof Error ? e.message : String(e)}; is it still running?` });
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError({ code: "INTERNAL", message: `strata serve answered ${name} with ${res.status} and a body that is not JSON` });
  }
  if (!res.ok) {
    if (isErrorShape(body)) throw new ApiError(body);
    throw new ApiError({ code: "INTERNAL", message: `strata serve answered ${name} with HTTP ${res.status}` });
  }
  return body as ApiResponses[K];
}

/** Builds a StrataClient that talks to `strata serve` at baseUrl (e.g. `http://127.0.0.1:4000`) with its token. */
export function createHttpApi(baseUrl: string, token: string, options: HttpApiOptions = {}): StrataClient {
  const base = baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const listeners = new Set<(e: StrataEvent) => void>();
  let socket: WebSocket | null = null;
  let reconnect: ReturnType<typeof setTimeout> | null = null;

  const open = (): void => {
    const WS = options.WebSocket ?? WebSocket;
    const url = `${base.replace(/^http/, "ws")}${EVENTS_PATH}?token=${encodeURIComponent(token)}`;
    const ws = new WS(url);
    socket = ws;
    ws.onmessage = (m: MessageEvent) => {
      let event: StrataEvent;
      try {
        event = JSON.parse(String(m.data)) as StrataEvent;
      } catch {
        return;
      }
      for (const l of [...listeners]) l(event);
    };
    ws.onclose = () => {
      socket = null;
      if (listeners.size > 0 && reconnect === null) {
        reconnect = setTimeout(() => {
          reconnect = null;
          if (listeners.size > 0 && socket === null) open();
        }, options.reconnectMs ?? 1000);
      }
    };
  };

  const api: Record<string, unknown> = {};
  for (const name of API_CALLS) api[name] = (req?: unknown) => call(doFetch, base, token, name, req);
  api.onEvent = (listener: (e: StrataEvent) => void) => {
    listeners.add(listener);
    if (socket === null && reconnect === null) open();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && socket !== null) {
        socket.close();
        socket = null;
      }
    };
  };
  return api as StrataClient;
}

/** Reads the token and base URL of the page `strata serve` printed (`http://127.0.0.1:PORT/?token=...`). */
export function httpApiFromLocation(location: { readonly origin: string; readonly search: string }, options?: HttpApiOptions): StrataClient | null {
  const token = new URLSearchParams(location.search).get("token");
  return token ? createHttpApi(location.origin, token, options) : null;
}
