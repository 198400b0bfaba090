import type { TestCertificates } from "./certificates.js";
import { startPostgresCluster } from "./postgres-cluster.js";

/** A throwaway PostgreSQL cluster that accepts only TLS over TCP; `certUser` logs in by client certificate. */
export interface TlsPostgres {
  readonly port: number;
  /** Logs in with a client certificate (pg_hba "cert"), no password. */
  readonly certUser: string;
  /** Runs SQL as the superuser over the Unix socket, in `database` (default postgres). */
  sql(statement: string, database?: string): string;
  stop(): Promise<void>;
}

/** initdb + pg_ctl start as the postgres user, with TLS switched on and required over TCP. */
export async function startTlsPostgres(certs: TestCertificates, port: number): Promise<TlsPostgres> {
  const certUser = "strata_cert";
  const cluster = await startPostgresCluster(port, {
    prefix: "strata-tls-pg-",
    files: (give) => {
      give(certs.serverCert, "server.crt");
      give(certs.serverKey, "server.key");
      give(certs.ca, "ca.crt");
    },
    hba: [
      // TCP only with TLS: a plain-text connection finds no line and is refused.
      `hostssl all ${certUser} 127.0.0.1/32 cert`,
      "hostssl all all 127.0.0.1/32 trust",
    ],
    options: ["-c ssl=on", "-c ssl_cert_file=server.crt", "-c ssl_key_file=server.key", "-c ssl_ca_file=ca.crt"],
  });
  cluster.sql(`create user ${certUser}`);
  return { port, certUser, sql: cluster.sql, stop: () => cluster.stop() };
}
