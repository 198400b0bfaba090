import net from "node:net";
import { checkServerIdentity } from "node:tls";
import type { PeerCertificate } from "node:tls";

/** A knex pool's afterCreate hook. */
export type AfterCreate = (conn: unknown, done: (err: Error | null, conn: unknown) => void) => void;

/** Where the database is, as the environment names it. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * How one server driver (node-postgres, mysql2) takes Strata's connection settings: the same
 * meaning, the driver's own option names and quirks. Everything here edits a copy of the knex
 * connection object.
 */
export interface ServerDriverOptions {
  /** The driver's `ssl` option for a connection that checks the chain and/or the host name. */
  sslOption(files: Readonly<Record<string, unknown>>, verifyChain: boolean, verifyName: boolean, host: string): Record<string, unknown>;
  /** Sets the connect timeout and, where the driver takes one as an option, the statement timeout. */
  setTimeouts(c: Record<string, unknown>, connectMs: number, statementMs: number | undefined): void;
  /** Sets `ssl` for one attempt (false: plain text), with what a name check needs. */
  setTls(c: Record<string, unknown>, ssl: false | Record<string, unknown>, verifyName: boolean, server: ServerAddress): void;
  /** Points the connection at an SSH tunnel's local port while certificates are still checked against `server`. */
  setTunnel(c: Record<string, unknown>, localPort: number, server: ServerAddress): void;
  /** A session setup that sets the statement timeout, where it is a session variable rather than an option. */
  statementTimeoutSetup?(ms: number, theirs?: AfterCreate): AfterCreate;
}

const skipNameCheck = (): undefined => undefined;

/** node-postgres: `ssl` goes to tls.connect as is; statement_timeout is a startup option. */
const pgOptions: ServerDriverOptions = {
  sslOption(files, verifyChain, verifyName, host) {
    const isIp = net.isIP(host) !== 0;
    return {
      ...files,
      rejectUnauthorized: verifyChain,
      // The name checked is the database host's, not the tunnel's 127.0.0.1 (tls.connect reads host and servername).
      host,
      ...(isIp ? {} : { servername: host }),
      checkServerIdentity: verifyName ? (_h: string, cert: PeerCertificate) => checkServerIdentity(host, cert) : skipNameCheck,
    };
  },
  setTimeouts(c, connectMs, statementMs) {
    c.connectionTimeoutMillis = connectMs;
    if (statementMs !== undefined) c.statement_timeout = statementMs;
  },
  setTls(c, ssl) {
    c.ssl = ssl;
  },
  setTunnel(c, localPort) {
    c.host = "127.0.0.1";
    c.port = localPort;
    // node-postgres lets a connection string override host and port; point it at the tunnel too.
    if (typeof c.connectionString === "string") {
      try {
        const u = new URL(c.connectionString);
        u.hostname = "127.0.0.1";
        u.port = String(localPort);
        c.connectionString = u.toString();
      } catch {
        delete c.connectionString;
      }
    }
  },
};

/** mysql2: `ssl` with verifyIdentity; the name check reads the socket's host; statement time is a session variable. */
const mysqlOptions: ServerDriverOptions = {
  sslOption(files, verifyChain, verifyName) {
    return { ...files, rejectUnauthorized: verifyChain, verifyIdentity: verifyName };
  },
  setTimeouts(c, connectMs) {
    c.connectTimeout = connectMs;
  },
  setTls(c, ssl, verifyName, server) {
    if (ssl === false) {
      delete c.ssl;
      return;
    }
    c.ssl = ssl;
    if (verifyName && typeof c.socketPath !== "string" && c.stream === undefined) {
      c.host = server.host;
      c.port = server.port;
      c.stream = () => namedSocket(server.port, server.host, server.host);
    }
  },
  setTunnel(c, localPort, server) {
    // mysql2 keeps the database's host (its certificate name check reads it) and gets its socket from the tunnel.
    c.host = server.host;
    c.port = server.port;
    c.stream = () => namedSocket(localPort, "127.0.0.1", server.host);
  },
  statementTimeoutSetup(ms, theirs) {
    // MariaDB's max_statement_time (seconds, every statement); MySQL's max_execution_time (ms, SELECT only) where MariaDB's is unknown.
    type Conn = { query(sql: string, cb: (err: (Error & { errno?: number }) | null) => void): void };
    return (raw, done) => {
      const conn = raw as Conn;
      const next = (err: Error | null): void => (err || !theirs ? done(err, conn) : theirs(conn, done));
      conn.query(`set session max_statement_time = ${ms / 1000}`, (err) => {
        if (!err || err.errno !== 1193) return next(err);
        conn.query(`set session max_execution_time = ${Math.round(ms)}`, next);
      });
    };
  },
};

/** The server drivers Strata connects through. */
export const SERVER_DRIVERS: Readonly<Record<"pg" | "mysql2", ServerDriverOptions>> = { pg: pgOptions, mysql2: mysqlOptions };

/**
 * A socket for mysql2 whose certificate name check uses `name`: tls.connect falls back to the
 * socket's `_host` when mysql2 sets no servername (it sets none for IP addresses, and Node records
 * no host for them), which would otherwise check "localhost".
 */
function namedSocket(port: number, host: string, name: string): net.Socket {
  const sock = net.connect(port, host);
  sock.setNoDelay(true);
  (sock as unknown as { _host: string })._host = name;
  return sock;
}
