import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestCertificates } from "./certificates.js";
import { run, startDaemon, stopDaemon, waitForPort } from "./process-util.js";

/** A throwaway MariaDB that accepts only TLS over TCP (require_secure_transport); `x509User` needs a client certificate. */
export interface TlsMariaDb {
  readonly port: number;
  /** An account created with REQUIRE X509, no password. */
  readonly x509User: string;
  /** Runs SQL as root over the Unix socket. */
  sql(statement: string): string;
  stop(): Promise<void>;
}

/** mariadb-install-db, then mariadbd with --ssl-* on 127.0.0.1:port; bounded in time. */
export async function startTlsMariaDb(certs: TestCertificates, port: number): Promise<TlsMariaDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-tls-my-"));
  const data = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  run("mariadb-install-db", ["--no-defaults", `--datadir=${data}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"], { timeoutMs: 60_000 });
  const daemon = startDaemon("/usr/sbin/mariadbd", [
    "--no-defaults",
    `--datadir=${data}`,
    `--socket=${socket}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    "--user=root",
    `--pid-file=${path.join(dir, "mariadbd.pid")}`,
    `--ssl-ca=${certs.ca}`,
    `--ssl-cert=${certs.serverCert}`,
    `--ssl-key=${certs.serverKey}`,
    "--require-secure-transport=ON",
    "--skip-name-resolve",
    "--innodb-buffer-pool-size=16M",
    "--max-connections=60",
  ]);
  try {
    await waitForPort(port, 20_000, daemon.alive);
  } catch (e) {
    await stopDaemon(daemon.child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}: ${daemon.output().split("\n").slice(-4).join(" | ")}`);
  }
  const sql = (statement: string): string => run("mariadb", ["--no-defaults", "-S", socket, "-uroot", "-N", "-B", "-e", statement]).trim();
  const x509User = "strata_x509";
  sql(`create user '${x509User}'@'127.0.0.1' require x509; grant all on *.* to '${x509User}'@'127.0.0.1'`);
  return {
    port,
    x509User,
    sql,
    async stop() {
      try {
        await stopDaemon(daemon.child, 10_000);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
