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
    return new StrataError("CONNECTION_FAILED", `${at}: no answer within 5 s; check the host, port, firewall or VPN`, facts);
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
