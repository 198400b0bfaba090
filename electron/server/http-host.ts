import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { EVENTS_PATH, isApiCall } from "../../shared/api.js";
import type { ApiHandlers } from "../../shared/api.js";
import type { ErrorCode, ErrorShape } from "../../shared/errors.js";
import { dispatch } from "../engine/app-session/api-dispatch.js";
import type { EventHub } from "../engine/app-session/event-hub.js";
import { StrataError } from "../engine/errors.js";
import { checkHostAndOrigin, checkRemoteAddress, checkToken, presentedToken } from "./request-guard.js";
import type { Refusal } from "./request-guard.js";
import { serveStatic } from "./static-files.js";

/** What `strata serve` serves. */
export interface HttpHostOptions {
  readonly handlers: ApiHandlers;
  readonly events: EventHub;
  /** 0: any free port. */
  readonly port: number;
  /** The built renderer (dist/renderer). */
  readonly staticDir: string;
  /** Fixed in tests; random otherwise. */
  readonly token?: string;
  /** Where internal errors are reported (default: stderr). */
  readonly onInternalError?: (call: string, e: unknown) => void;
  /** Called for every request that passed the host checks (the service's idle work waits while a page loads). */
  readonly onRequest?: () => void;
}

/** A running host. */
export interface HttpHost {
  readonly port: number;
  readonly token: string;
  /** http://127.0.0.1:PORT/?token=... : the page to open. */
  readonly url: string;
  close(): Promise<void>;
}

/** Requests larger than this are refused. */
const MAX_BODY_BYTES = 1_000_000;

/** The HTTP status for an error code: the client's fault, refused by policy, or ours. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case "UNAUTHORIZED":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "INVALID_REQUEST":
      return 400;
    case "CONFIRMATION_REQUIRED":
    case "LOCK_TIMEOUT":
      return 409;
    case "INTERNAL":
      return 500;
    default:
      // Understood, but refused by the engine (a bad target, a missing env variable, ...).
      return 422;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: ErrorShape, status = httpStatusFor(error.code)): void {
  sendJson(res, status, error);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // The rest is read and dropped, not cut off: destroying the socket would leave the client a reset, not an answer.
        chunks.length = 0;
        req.removeAllListeners("data");
        req.resume();
        reject(new StrataError("INVALID_REQUEST", `request body over ${MAX_BODY_BYTES} bytes; refused`, { tooLarge: true }));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts `strata serve`'s host on 127.0.0.1: the API under /api/<call>, events on /events, the renderer elsewhere. */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const onInternal = options.onInternalError ?? ((call: string, e: unknown) => process.stderr.write(`strata serve: internal error in ${call}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
  let port = options.port;

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const refused = checkToken(presentedToken(req, url, false), token);
    if (refused) return sendError(res, refused.error, refused.status);
    const call = url.pathname.slice("/api/".length);
    if (!isApiCall(call)) return sendError(res, { code: "NOT_FOUND", message: `no API call "${call}"; this server and the page may be from different versions` });
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return sendError(res, { code: "INVALID_REQUEST", message: `${call}: use POST` }, 405);
    }
    // A JSON content type makes a cross-site form post impossible even before the token is checked.
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
      return sendError(res, { code: "INVALID_REQUEST", message: `${call}: send the request as application/json` }, 415);
    }
    let payload: unknown;
    try {
      const text = await readBody(req);
      payload = text.trim() === "" ? {} : JSON.parse(text);
    } catch (e) {
      if (e instanceof StrataError && e.details.tooLarge) {
        res.setHeader("connection", "close");
        return sendError(res, { code: "INVALID_REQUEST", message: e.message }, 413);
      }
      return sendError(res, { code: "INVALID_REQUEST", message: e instanceof StrataError ? e.message : `${call}: the request body is not valid JSON` });
    }
    const outcome = await dispatch(options.handlers, call, payload, undefined, onInternal);
    if (outcome.ok) sendJson(res, 200, outcome.value ?? null);
    else sendError(res, outcome.error);
  };

  const server: Server = createServer((req, res) => {
    const refused = checkRemoteAddress(req) ?? checkHostAndOrigin(req, port);
    if (refused) return sendError(res, refused.error, refused.status);
    options.onRequest?.();
    let url: URL;
    try {
      url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    } catch {
      return sendError(res, { code: "INVALID_REQUEST", message: "malformed URL" });
    }
    if (url.pathname.startsWith("/api/")) {
      handleApi(req, res, url).catch((e: unknown) => {
        onInternal("request", e);
        if (!res.headersSent) sendError(res, { code: "INTERNAL", message: "internal error; see the terminal running strata serve" });
      });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") return sendError(res, { code: "INVALID_REQUEST", message: "only GET is served here" }, 405);
    // Static paths are checked on the raw path too: URL parsing has already folded "/../".
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    if (rawPath.split("/").some((seg) => seg === ".." || /^(%2e|\.){2}$/i.test(seg))) return sendError(res, { code: "NOT_FOUND", message: "not found" });
    serveStatic(options.staticDir, url.pathname, port, res);
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (r: Refusal | { status: 404; error: ErrorShape }): void => {
      const text = JSON.stringify(r.error);
      socket.end(`HTTP/1.1 ${r.status} ${r.status === 404 ? "Not Found" : r.status === 401 ? "Unauthorized" : "Forbidden"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    };
    const hostRefusal = checkRemoteAddress(req) ?? checkHostAndOrigin(req, port);
    if (hostRefusal) return refuse(hostRefusal);
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    if (url.pathname !== EVENTS_PATH) return refuse({ status: 404, error: { code: "NOT_FOUND", message: `no WebSocket at ${url.pathname}; events are at ${EVENTS_PATH}` } });
    const tokenRefusal = checkToken(presentedToken(req, url, true), token);
    if (tokenRefusal) return refuse(tokenRefusal);
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const unsubscribe = options.events.subscribe((e) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
      });
      ws.on("close", unsubscribe);
      ws.on("error", unsubscribe);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      reject(
        e.code === "EADDRINUSE"
          ? new StrataError("USAGE", `port ${options.port} on 127.0.0.1 is in use; pick another with --port N (or leave it out for a free one)`, { port: options.port })
          : e,
      );
    });
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  port = typeof address === "object" && address !== null ? address.port : options.port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.clients) ws.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
