import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import type { ConnectionTarget } from "./types.js";

/** The user and host:port a connection config names, for messages (never the password). */
export function describeEndpoint(config: Knex.Config, fallback: string): { user: string; hostPort: string; database: string } {
  const c = config.connection;
  if (c && typeof c === "object" && !Array.isArray(c)) {
    const o = c as Record<string, unknown>;
    const host = typeof o.host === "string" ? o.host : "localhost";
    const port = o.port !== undefined ? `:${String(o.port)}` : "";
    return {
      user: typeof o.user === "string" ? o.user : "?",
      hostPort: `${host}${port}`,
      database: typeof o.database === "string" ? o.database : "?",
    };
  }
  return { user: "?", hostPort: fallback, database: "?" };
}

/** The network failures every server dialect shares: refused, timed out, unknown host. */
export function networkError(err: unknown, target: ConnectionTarget, serverLabel: string): StrataError | null {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : String(err);
  const { hostPort } = describeEndpoint(target.knexConfig, target.displayTarget);
  const at = `environment ${target.name}: cannot reach ${serverLabel} at ${hostPort}`;
  const facts = { environment: target.name, target: target.displayTarget, cause: code || message };
  if (code === "ECONNREFUSED") return new StrataError("CONNECTION_FAILED", `${at}: connection refused; check that the server is running and the host and port are right`, facts);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new StrataError("CONNECTION_FAILED", `${at}: the host name does not resolve; check the host`, facts);
  if (code === "ETIMEDOUT" || e.name === "KnexTimeoutError" || /timeout|timed out/i.test(message)) {
    const ms = target.knexConfig.acquireConnectionTimeout ?? 5000;
    return new StrataError("CONNECTION_FAILED", `${at}: no answer within ${Number((ms / 1000).toFixed(1))} s; check the host, port, firewall or VPN`, facts);
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ECONNRESET") {
    return new StrataError("CONNECTION_FAILED", `${at}: ${code}; check the network route to the server`, facts);
  }
  return null;
}

/** A connection error no rule recognised: still one line, still no password. */
export function otherConnectionError(err: unknown, target: ConnectionTarget, serverLabel: string): StrataError {
  const message = err instanceof Error ? err.message : String(err);
  return new StrataError(
    "CONNECTION_FAILED",
    `environment ${target.name}: cannot connect to ${serverLabel} ${target.displayTarget}: ${firstLine(message)}`,
    { environment: target.name, target: target.displayTarget },
  );
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

/** Node's codes for a server certificate that does not chain to a trusted CA. */
const UNTRUSTED_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);

/** Node's messages for its certificate checks, back to their codes. */
const NODE_TLS_MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/^self[- ]signed certificate in certificate chain/i, "SELF_SIGNED_CERT_IN_CHAIN"],
  [/^self[- ]signed certificate/i, "DEPTH_ZERO_SELF_SIGNED_CERT"],
  [/^unable to verify the first certificate/i, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
  [/^unable to get local issuer certificate/i, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"],
  [/^unable to get issuer certificate/i, "UNABLE_TO_GET_ISSUER_CERT"],
  [/^certificate signature failure/i, "CERT_SIGNATURE_FAILURE"],
  [/^certificate has expired/i, "CERT_HAS_EXPIRED"],
  [/^certificate is not yet valid/i, "CERT_NOT_YET_VALID"],
  [/^Hostname\/IP does not match certificate's altnames/i, "ERR_TLS_CERT_ALTNAME_INVALID"],
];

function nodeTlsCodeOf(message: string): string | undefined {
  return NODE_TLS_MESSAGES.find(([re]) => re.test(message))?.[1];
}

/** What the TLS failure messages need to know about the settings. */
export interface TlsContext {
  /** The mode in the words of the client's own tools (verify-full, VERIFY_IDENTITY, ...). */
  readonly mode: string | null;
  readonly ca?: string;
  readonly cert?: string;
}

/**
 * TLS failures in one line each: an untrusted or expired certificate, a name the certificate does
 * not carry, a server without TLS, a server that wants TLS, a refused client certificate.
 * null when the error is not about TLS.
 */
export function tlsError(err: unknown, target: ConnectionTarget, serverLabel: string, tls: TlsContext): StrataError | null {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown; host?: unknown; cert?: { subjectaltname?: unknown } };
  const message = typeof e.message === "string" ? e.message : String(err);
  // mysql2 replaces Node's TLS error code with its own; Node's message still says which it was.
  const code = e.code === "HANDSHAKE_SSL_ERROR" ? (nodeTlsCodeOf(message) ?? "HANDSHAKE_SSL_ERROR") : typeof e.code === "string" ? e.code : "";
  const { hostPort, user } = describeEndpoint(target.knexConfig, target.displayTarget);
  const facts = { environment: target.name, target: target.displayTarget, cause: code || firstLine(message), tls: true };
  const at = `environment ${target.name}: ${serverLabel} at ${hostPort}`;
  const mode = tls.mode ?? "none";
  if (UNTRUSTED_CODES.has(code)) {
    const against = tls.ca ? `the CA in ${tls.ca}` : "Node's trusted CAs (no tls.ca given)";
    return new StrataError("CONNECTION_FAILED", `${at}: its TLS certificate is not signed by ${against} (${code}); set tls.ca to the CA that issued the server's certificate`, facts);
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return new StrataError("CONNECTION_FAILED", `${at}: its TLS certificate ${code === "CERT_HAS_EXPIRED" ? "has expired" : "is not valid yet"}; renew it on the server, or check this machine's clock`, facts);
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = typeof e.cert?.subjectaltname === "string" ? e.cert.subjectaltname : "other names";
    const host = typeof e.host === "string" ? e.host : hostPort;
    return new StrataError(
      "CONNECTION_FAILED",
      `${at}: its TLS certificate is not issued for "${host}" (it names ${names}), so tls.mode ${mode} refuses it; connect by a name the certificate carries, or use verify-ca to check only the CA`,
      facts,
    );
  }
  if (code === "HANDSHAKE_NO_SSL_SUPPORT" || /server does not support SSL connections/i.test(message)) {
    return new StrataError("CONNECTION_FAILED", `${at} does not offer TLS, and tls.mode ${mode} requires it; switch TLS on at the server, or use mode prefer to allow plain text`, facts);
  }
  if ((e.code === "28000" && /no encryption/i.test(message)) || /insecure transport are prohibited|require_secure_transport/i.test(message)) {
    return new StrataError("CONNECTION_FAILED", `${at} accepts only TLS connections${user !== "?" ? ` for user ${user}` : ""}, and tls.mode is ${mode}; set tls.mode to require or verify-full`, facts);
  }
  if (e.code === "28000" && /certificate/i.test(message)) {
    const what = tls.cert ? `the client certificate ${tls.cert} was refused` : "it requires a client certificate and none was given";
    return new StrataError("AUTH_FAILED", `${at}: ${what} for user ${user} (${firstLine(message)}); set tls.cert and tls.key to a certificate its CA issued for that user`, facts);
  }
  if (code.startsWith("ERR_SSL_") || code === "EPROTO" || /ssl alert|tlsv1 alert|handshake failure|wrong version number/i.test(message)) {
    const hint = /unknown ca|bad certificate|certificate required|certificate unknown/i.test(message)
      ? "the server refused the client certificate; check tls.cert and tls.key"
      : "check that the port is the database's and that both sides share a TLS version";
    return new StrataError("CONNECTION_FAILED", `${at}: the TLS handshake failed (${firstLine(message)}); ${hint}`, facts);
  }
  return null;
}

/**
 * Driver and server codes that mean an open session is gone, with the words for why. pg and
 * mysql2 report a dead session under several names, depending on when in the query it died.
 */
const LOST_CODES: Readonly<Record<string, string>> = {
  ECONNRESET: "the network connection was reset",
  EPIPE: "the network connection broke",
  ECONNABORTED: "the network connection was aborted",
  ETIMEDOUT: "the network connection timed out",
  EHOSTUNREACH: "the server's host became unreachable",
  ENETUNREACH: "the server's network became unreachable",
  // PostgreSQL: pg_terminate_backend, or a fast shutdown (a restart) of the server.
  "57P01": "the server ended the session (terminated by an administrator, or the server shut down)",
  "57P02": "the server crashed",
  "57P03": "the server is shutting down",
  "08006": "the connection failed",
  "08003": "the connection no longer exists",
  // mysql2 when the socket closes; MariaDB's own codes for KILL and shutdown.
  PROTOCOL_CONNECTION_LOST: "the server closed the connection",
  ER_CONNECTION_KILLED: "the server ended the session (KILL)",
  ER_SERVER_SHUTDOWN: "the server is shutting down",
  CR_SERVER_GONE_ERROR: "the server has gone away",
  CR_SERVER_LOST: "the connection to the server was lost",
};

/** What the drivers say, without a code, about a session that died earlier (the next query on it, a ROLLBACK). */
const LOST_MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/Connection terminated unexpectedly|Connection terminated\b/i, "the connection closed unexpectedly"],
  [/Client has encountered a connection error and is not queryable/i, "the connection broke"],
  [/Can't add new command when connection is in closed state/i, "the connection closed"],
  [/Connection lost: The server closed the connection/i, "the server closed the connection"],
  [/Connection was killed/i, "the server ended the session (KILL)"],
  [/MySQL server has gone away|Lost connection to (MySQL )?server/i, "the server has gone away"],
];

/**
 * Why the session under a query is gone, in words for a person, or null when the error is not a
 * lost connection (a statement the database refused, a timeout Strata set). The one place that
 * reads the drivers' codes and messages for it; the runner decides what the loss means.
 */
export function lostConnectionCause(err: unknown): string | null {
  if (err === null || typeof err !== "object") return null;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const byCode = LOST_CODES[code];
  // Node's socket codes (ECONNRESET, ...) are what a network person searches for; they go in the words.
  if (byCode) return /^E[A-Z]+$/.test(code) ? `${byCode} (${code})` : byCode;
  const message = typeof e.message === "string" ? e.message : "";
  return LOST_MESSAGES.find(([re]) => re.test(message))?.[1] ?? null;
}
