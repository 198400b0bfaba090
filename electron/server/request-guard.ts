import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { TOKEN_HEADER } from "../../shared/api.js";
import type { ErrorShape } from "../../shared/errors.js";

/** Why a request was turned away, with the HTTP status to answer. */
export interface Refusal {
  readonly status: 401 | 403;
  readonly error: ErrorShape;
}

/** True for an address on this machine's loopback: 127.0.0.0/8, ::1, and 127.x written as IPv4-mapped IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === "::1";
}

/**
 * Refuses a request that did not come from this machine. The server listens on 127.0.0.1 only,
 * so this holds already; the check keeps it so if the listening address ever changes.
 */
export function checkRemoteAddress(req: Pick<IncomingMessage, "socket">): Refusal | null {
  const address = req.socket?.remoteAddress;
  if (isLoopbackAddress(address)) return null;
  return { status: 403, error: { code: "FORBIDDEN", message: `refused: a request from ${address ?? "an unknown address"}; strata serve answers this machine (loopback) only` } };
}

/**
 * Refuses a request whose Host is not this server (DNS rebinding) or whose Origin is another
 * site (a page the person happens to have open). Returns null when it may go on.
 */
export function checkHostAndOrigin(req: IncomingMessage, port: number): Refusal | null {
  const host = (req.headers.host ?? "").toLowerCase();
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!allowed.includes(host)) {
    return { status: 403, error: { code: "FORBIDDEN", message: `refused: Host "${req.headers.host ?? ""}" is not this server; open http://127.0.0.1:${port}/ instead` } };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
    return { status: 403, error: { code: "FORBIDDEN", message: `refused: a page from ${origin} may not use this server; only the page it serves may` } };
  }
  return null;
}

/** The token a request carries: Authorization: Bearer, x-strata-token, or (WebSocket) ?token=. */
export function presentedToken(req: IncomingMessage, url: URL, allowQuery: boolean): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === "string" && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, "").trim();
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === "string" && header !== "") return header;
  if (allowQuery) return url.searchParams.get("token");
  return null;
}

/** Refuses a request without this server's token. */
export function checkToken(presented: string | null, token: string): Refusal | null {
  if (presented === null || presented === "") {
    return { status: 401, error: { code: "UNAUTHORIZED", message: "refused: no token; open the URL strata serve printed (it ends in ?token=...)" } };
  }
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return { status: 401, error: { code: "UNAUTHORIZED", message: "refused: wrong token; open the URL strata serve printed this time (the token changes on every start)" } };
  }
  return null;
}
