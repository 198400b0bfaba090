import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestCertificates } from "./certificates.js";
import { run, waitForPort } from "./process-util.js";

/** A throwaway PostgreSQL cluster that accepts only TLS over TCP; `certUser` logs in by client certificate. */
export interface TlsPostgres {
  readonly port: number;
  /** Logs in with a client certificate (pg_hba "cert"), no password. */
  readonly certUser: string;
  /** Runs SQL as the superuser over the Unix socket, in `database` (default postgres). */
  sql(statement: string, database?: string): string;
  stop(): Promise<void>;
}

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return path.join(root, versions[0]!, "bin");
}

/** initdb + pg_ctl start as the postgres user (postgres refuses to run as root); bounded in time. */
export async function startTlsPostgres(certs: TestCertificates, port: number): Promise<TlsPostgres> {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-tls-pg-"));
  const uid = Number(run("id", ["-u", "postgres"]).trim());
  const gid = Number(run("id", ["-g", "postgres"]).trim());
  fs.chownSync(dir, uid, gid);
  const data = path.join(dir, "data");
  const asPostgres = (cmd: string, args: readonly string[], timeoutMs = 30_000): string => run("runuser", ["-u", "postgres", "--", cmd, ...args], { timeoutMs });
  asPostgres(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"]);
  // The server reads its key only when the postgres user owns it and nobody else may read it.
  for (const [from, to] of [[certs.serverCert, "server.crt"], [certs.serverKey, "server.key"], [certs.ca, "ca.crt"]] as const) {
    const file = path.join(dir, to);
    fs.copyFileSync(from, file);
    fs.chownSync(file, uid, gid);
    fs.chmodSync(file, 0o600);
  }
  const certUser = "strata_cert";
  fs.writeFileSync(
    path.join(data, "pg_hba.conf"),
    [
      "local all all trust",
      // TCP only with TLS: a plain-text connection finds no line and is refused.
      `hostssl all ${certUser} 127.0.0.1/32 cert`,
      "hostssl all all 127.0.0.1/32 trust",
      "",
    ].join("\n"),
  );
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c ssl=on",
    `-c ssl_cert_file=${dir}/server.crt`,
    `-c ssl_key_file=${dir}/server.key`,
    `-c ssl_ca_file=${dir}/ca.crt`,
    "-c fsync=off",
    "-c max_connections=40",
  ].join(" ");
  const log = path.join(dir, "server.log");
  try {
    asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-l", log, "-w", "-t", "20", "-o", options, "start"], 25_000);
    await waitForPort(port, 5000);
  } catch (e) {
    const tail = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(-5).join(" | ") : "";
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message} ${tail}`);
  }
  const sql = (statement: string, database = "postgres"): string =>
    asPostgres("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", statement]).trim();
  sql(`create user ${certUser}`);
  return {
    port,
    certUser,
    sql,
    async stop() {
      try {
        asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "20", "stop"], 25_000);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
