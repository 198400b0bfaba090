import { loadKnex } from "../knex-factory.js";
import type { Knex } from "knex";
import { StrataError } from "../errors.js";
import { dialectFor } from "../dialect/index.js";
import type { DbClient, Dialect } from "../dialect/index.js";
import { tlsError } from "../dialect/connection-error-text.js";
import type { TlsContext } from "../dialect/connection-error-text.js";
import { SERVER_DRIVERS } from "./driver-options.js";
import type { AfterCreate, ServerAddress } from "./driver-options.js";
import { openSshTunnel } from "./ssh-tunnel.js";
import type { SshTunnel } from "./ssh-tunnel.js";
import { modeName, readTlsMaterial, tlsAttempts } from "./tls.js";
import type { TlsAttempt } from "./tls.js";
import type { ConnectionSecurity } from "./types.js";

/** What openConnection needs to know about an environment. */
export interface ConnectionEnvironment extends ConnectionSecurity {
  readonly name: string;
  readonly client: DbClient;
  readonly knexConfig: Knex.Config;
  /** Where it points, for messages; never contains a password. */
  readonly displayTarget: string;
}

/**
 * What knex says about a connection that failed or went away: every failed attempt with its
 * stack ("Acquire connection error"), and a pooled session found dead ("Connection Error: ...",
 * also when a run lost its connection, issue 14). Strata says it in its own one line
 * (connectionError, CONNECTION_LOST), so these never reach the terminal.
 */
const CONNECTION_NOISE = /^(Acquire connection error|Connection Error)\b/;

/** knex's logger for every pool Strata opens: connection noise dropped, the rest passed on as knex would print it. */
export const knexLogger: Knex.Logger = {
  warn(message: unknown) {
    if (typeof message === "string" && CONNECTION_NOISE.test(message)) return;
    console.warn(message);
  },
  error(message: unknown) {
    if (typeof message === "string" && CONNECTION_NOISE.test(message)) return;
    console.error(message);
  },
  deprecate(method: string, alternative: string) {
    console.warn(`knex: ${method} is deprecated, use ${alternative} instead`);
  },
  // knex logs queries here only with its `debug` option, which a person asks for on purpose.
  debug(message: unknown) {
    console.debug(message);
  },
};

/** How long an unreachable server may keep a person waiting, per step (SSH login, then the database). */
export const CONNECT_TIMEOUT_MS = 5000;

const DEFAULT_PORTS = { pg: 5432, mysql2: 3306 } as const;

/**
 * Opens a knex pool on the environment's database and proves it with a trivial query, so that a
 * wrong host, password, certificate or host key fails here within the connect timeout (5 s by
 * default) as a one-line StrataError. With `ssh`, the pool goes through a tunnel that closes with
 * the pool; with `tls`, the mode decides what is tried (prefer and allow may try twice).
 */
export async function openConnection(env: ConnectionEnvironment): Promise<Knex> {
  const dialect = dialectFor(env.client);
  const timeoutMs = env.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  // Messages name the environment's own host and the timeout in force.
  const target = { ...env, knexConfig: { ...env.knexConfig, acquireConnectionTimeout: timeoutMs } };
  if (env.client === "better-sqlite3") {
    return openSqlite(dialect, baseConfig(env, timeoutMs, env.knexConfig.connection), target, timeoutMs);
  }
  const client = env.client;
  const server = serverAddress(env);
  const material = env.tls ? readTlsMaterial(env.tls, env.name) : null;
  const attempts: (TlsAttempt | null)[] = env.tls && material ? tlsAttempts(client, env.tls, material, server.host) : [null];
  const tlsContext: TlsContext = {
    mode: env.tls ? modeName(env.tls.mode, client) : null,
    ...(env.tls?.ca ? { ca: env.tls.ca } : {}),
    ...(env.tls?.cert ? { cert: env.tls.cert } : {}),
  };
  const tunnel = env.ssh ? await openSshTunnel(env.ssh, server, { envName: env.name, timeoutMs }) : null;
  try {
    for (let i = 0; ; i++) {
      const attempt = attempts[i]!;
      const connection = serverConnection(env, client, attempt, tunnel, server, timeoutMs);
      const config = baseConfig(env, timeoutMs, connection as Knex.Config["connection"]);
      try {
        const knex = await openPool(config, timeoutMs);
        if (tunnel) closeTunnelWith(knex, tunnel);
        return knex;
      } catch (e) {
        if (attempt?.fallBackWhen && i + 1 < attempts.length && attempt.fallBackWhen(e)) continue;
        throw describeFailure(e, env, dialect, target, tunnel, tlsContext);
      }
    }
  } catch (e) {
    await tunnel?.close();
    throw e;
  }
}

function baseConfig(env: ConnectionEnvironment, timeoutMs: number, connection: Knex.Config["connection"]): Knex.Config {
  const dialect = dialectFor(env.client);
  const config = dialect.connectionOptions({
    acquireConnectionTimeout: timeoutMs,
    log: knexLogger,
    ...env.knexConfig,
    client: env.client,
    ...(connection !== undefined ? { connection } : {}),
  });
  const setup = env.client !== "better-sqlite3" ? SERVER_DRIVERS[env.client].statementTimeoutSetup : undefined;
  if (env.statementTimeoutMs !== undefined && setup) {
    config.pool = { ...(config.pool ?? {}), afterCreate: setup(env.statementTimeoutMs, config.pool?.afterCreate as AfterCreate | undefined) };
  }
  return config;
}

/** A SQLite file: no TLS, tunnel or fallback; the dialect words its errors. */
async function openSqlite(dialect: Dialect, config: Knex.Config, target: ConnectionEnvironment, timeoutMs: number): Promise<Knex> {
  try {
    return await openPool(config, timeoutMs);
  } catch (e) {
    throw dialect.connectionError(e, target);
  }
}

/** Makes the pool and proves it with a trivial query; destroys it again when that fails. */
async function openPool(config: Knex.Config, timeoutMs: number): Promise<Knex> {
  const knex = (await loadKnex())(config);
  try {
    // No statement timeout is set on the pool unless asked: a migration may rightly run for hours. Only the probe is bounded.
    await knex.raw("select 1 as ok").timeout(timeoutMs);
  } catch (e) {
    await knex.destroy().catch(() => undefined);
    throw e;
  }
  return knex;
}

/** The database's host and port as the environment names them (the SSH server connects there; certificates are checked against it). */
function serverAddress(env: ConnectionEnvironment): ServerAddress {
  const c = (env.knexConfig.connection ?? {}) as Record<string, unknown>;
  let host = typeof c.host === "string" && c.host !== "" ? c.host : undefined;
  let port = c.port !== undefined && c.port !== "" ? Number(c.port) : undefined;
  if ((host === undefined || port === undefined) && typeof c.connectionString === "string") {
    try {
      const u = new URL(c.connectionString);
      host ??= u.hostname.replace(/^\[(.*)\]$/, "$1") || undefined;
      if (port === undefined && u.port) port = Number(u.port);
    } catch {
      // not a URL: the driver will say so
    }
  }
  if (env.ssh && typeof c.socketPath === "string") {
    throw new StrataError("CONFIG_INVALID", `environment ${env.name}: an SSH tunnel needs the database's host and port, not socketPath; set connection.host`, { environment: env.name });
  }
  return { host: host ?? "localhost", port: port ?? DEFAULT_PORTS[env.client as "pg" | "mysql2"] };
}

/** The driver's connection options for one attempt: timeouts, TLS, the tunnel. */
function serverConnection(
  env: ConnectionEnvironment,
  client: "pg" | "mysql2",
  attempt: TlsAttempt | null,
  tunnel: SshTunnel | null,
  server: ServerAddress,
  timeoutMs: number,
): Record<string, unknown> {
  const driver = SERVER_DRIVERS[client];
  const c: Record<string, unknown> = { ...((env.knexConfig.connection ?? {}) as Record<string, unknown>) };
  driver.setTimeouts(c, timeoutMs, env.statementTimeoutMs);
  if (tunnel) driver.setTunnel(c, tunnel.localPort, server);
  if (attempt) driver.setTls(c, attempt.ssl, env.tls?.mode === "verify-full", server);
  return c;
}

/** The tunnel lives as long as the pool: destroying the pool (knex.destroy calls its client's) closes it. */
function closeTunnelWith(knex: Knex, tunnel: SshTunnel): void {
  const client = knex.client as { destroy(cb?: unknown): Promise<void> };
  const destroy = client.destroy.bind(client);
  client.destroy = async (cb?: unknown) => {
    try {
      return await destroy(cb);
    } finally {
      await tunnel.close();
    }
  };
}

function describeFailure(e: unknown, env: ConnectionEnvironment, dialect: Dialect, target: ConnectionEnvironment, tunnel: SshTunnel | null, tls: TlsContext): StrataError {
  if (e instanceof StrataError) return e;
  const forward = tunnel?.lastForwardError();
  if (forward && env.ssh) {
    const { host, port } = serverAddress(env);
    return new StrataError(
      "CONNECTION_FAILED",
      `environment ${env.name}: the SSH server ${env.ssh.host}:${env.ssh.port} could not reach the database at ${host}:${port} (${forward}); check the host and port as the SSH server sees them, and that it allows TCP forwarding`,
      { environment: env.name, target: env.displayTarget },
    );
  }
  const label = dialect.label;
  const viaTls = tlsError(e, target, label, tls);
  if (viaTls) return viaTls;
  const err = dialect.connectionError(e, target);
  const errno = (e as { errno?: unknown }).errno;
  if (env.client === "mysql2" && errno === 1045 && env.tls && !env.tls.cert) {
    // MariaDB answers "access denied" alike to a wrong password, to require_secure_transport or REQUIRE SSL
    // without TLS, and to REQUIRE X509 without a client certificate: where TLS is configured, the line names the other ways out.
    const hint =
      env.tls.mode === "disable"
        ? `; or, if the server or the account requires TLS (require_secure_transport, REQUIRE SSL/X509), set tls.mode to REQUIRED or VERIFY_IDENTITY (it is ${tls.mode})`
        : "; or, if the account requires a client certificate (REQUIRE X509), set tls.cert and tls.key";
    return new StrataError(err.code, `${err.message}${hint}`, { ...err.details });
  }
  return err;
}
