import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { run, waitForPort } from "./process-util.js";

/** A throwaway PostgreSQL cluster on 127.0.0.1, run as the postgres user. */
export interface PostgresCluster {
  readonly port: number;
  /** The cluster's folder (the Unix socket, files copied in for the server). */
  readonly dir: string;
  /** Runs SQL as the superuser over the Unix socket, in `database` (default postgres). */
  sql(statement: string, database?: string): string;
  /** `pg_ctl restart -m fast`: every session is ended (57P01), the server is back when this returns. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** What differs between the clusters the tests start: pg_hba.conf, extra server options, files the server reads. */
export interface ClusterSetup {
  /** Lines of pg_hba.conf (`local all all trust` comes first). */
  readonly hba: readonly string[];
  /** More `-c name=value` options. */
  readonly options?: readonly string[];
  /** Called with a copier that gives a file to the postgres user in the data folder, mode 0600 (options name it relative to that folder). */
  readonly files?: (give: (from: string, name: string) => void) => void;
  /** Where the folder is made (under the OS temp folder). */
  readonly prefix: string;
}

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return path.join(root, versions[0]!, "bin");
}

/** initdb + pg_ctl start as the postgres user (postgres refuses to run as root); bounded in time. */
export async function startPostgresCluster(port: number, setup: ClusterSetup): Promise<PostgresCluster> {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), setup.prefix));
  const uid = Number(run("id", ["-u", "postgres"]).trim());
  const gid = Number(run("id", ["-g", "postgres"]).trim());
  fs.chownSync(dir, uid, gid);
  const data = path.join(dir, "data");
  const asPostgres = (cmd: string, args: readonly string[], timeoutMs = 30_000): string => run("runuser", ["-u", "postgres", "--", cmd, ...args], { timeoutMs });
  asPostgres(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"]);
  // The server reads a key only when the postgres user owns it and nobody else may read it.
  setup.files?.((from, name) => {
    const file = path.join(data, name);
    fs.copyFileSync(from, file);
    fs.chownSync(file, uid, gid);
    fs.chmodSync(file, 0o600);
  });
  fs.writeFileSync(path.join(data, "pg_hba.conf"), ["local all all trust", ...setup.hba, ""].join("\n"));
  const options = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", ...(setup.options ?? []), "-c fsync=off", "-c max_connections=40"].join(" ");
  const log = path.join(dir, "server.log");
  const tail = (): string => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(-5).join(" | ") : "");
  try {
    asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-l", log, "-w", "-t", "20", "-o", options, "start"], 25_000);
    await waitForPort(port, 5000);
  } catch (e) {
    const why = tail();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message} ${why}`);
  }
  return {
    port,
    dir,
    sql: (statement, database = "postgres") =>
      asPostgres("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", statement]).trim(),
    async restart() {
      try {
        asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-l", log, "-m", "fast", "-w", "-t", "20", "-o", options, "restart"], 25_000);
      } catch (e) {
        throw new Error(`${(e as Error).message} ${tail()}`);
      }
      await waitForPort(port, 5000);
    },
    async stop() {
      try {
        asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "20", "stop"], 25_000);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A plain cluster (no TLS): trust over TCP from 127.0.0.1. */
export function startPlainPostgres(port: number): Promise<PostgresCluster> {
  return startPostgresCluster(port, { prefix: "strata-pg-", hba: ["host all all 127.0.0.1/32 trust"] });
}
