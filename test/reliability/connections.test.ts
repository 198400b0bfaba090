/**
 * Issue 5, item 7: secure connections and timeouts, against real servers started here.
 *
 * TLS: a throwaway PostgreSQL cluster (hostssl only; one user logs in by client certificate) and a
 * throwaway MariaDB (require_secure_transport; one REQUIRE X509 account), both with a certificate
 * made here for IP 127.0.0.1 only, so `localhost` does not match it. Each mode is shown to mean
 * what libpq's sslmode / MySQL's --ssl-mode mean. SSH: a throwaway sshd on loopback; the tunnel
 * reaches the shared servers, checks the host key against known_hosts, refuses unknown and changed
 * keys. Timeouts: a TCP server that accepts and never speaks; a revision that sleeps longer than
 * statementTimeoutMs. The shared servers on 5432/3306 are only read from, never reconfigured.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { isStrataError } from "../../electron/engine/errors.js";
import { ProfileStore } from "../../electron/engine/app-session/profile-store.js";
import type { SecretCodec } from "../../electron/engine/app-session/profile-store.js";
import { openConnection } from "../../electron/engine/project/connect.js";
import { parseConfig, resolveEnvironment } from "../../electron/engine/project/index.js";
import { createTestDatabase, TEST_CLIENTS } from "../helpers/databases.js";
import { strata, writeProject } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";
import { makeCertificates } from "./servers/certificates.js";
import type { TestCertificates } from "./servers/certificates.js";
import { freePort } from "./servers/process-util.js";
import { startSilentServer } from "./servers/silent-server.js";
import type { SilentServer } from "./servers/silent-server.js";
import { otherHostKey, startSshd } from "./servers/sshd.js";
import type { TestSshd } from "./servers/sshd.js";
import { startTlsMariaDb } from "./servers/tls-mariadb.js";
import type { TlsMariaDb } from "./servers/tls-mariadb.js";
import { startTlsPostgres } from "./servers/tls-postgres.js";
import type { TlsPostgres } from "./servers/tls-postgres.js";

/** Figures for docs/RELIABILITY.md, printed when the file ends. */
const figures = {
  tlsModesTested: { pg: new Set<string>(), mysql2: new Set<string>() } as Record<"pg" | "mysql2", Set<string>>,
  tlsRefusals: 0,
  tunnelsOpened: 0,
  hostKeysRefused: { changed: 0, unknown: 0 },
  connectTimeoutsMs: [] as { what: string; ms: number }[],
  statementTimeouts: [] as { client: string; limitMs: number; failedAfterMs: number }[],
  cliRuns: 0,
};

let tmp: string;
let certs: TestCertificates;
let pgTls: TlsPostgres;
let myTls: TlsMariaDb;
let sshd: TestSshd;
let silent: SilentServer;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "strata-conn-"));
  certs = makeCertificates(path.join(tmp, "certs"));
  // Client certificates are made before the servers start, so that the servers' startup overlaps nothing slow.
  certs.clientCert("strata_cert");
  certs.clientCert("strata_x509");
  const [pgPort, myPort, sshPort] = await Promise.all([freePort(), freePort(), freePort()]);
  [pgTls, myTls, sshd, silent] = await Promise.all([startTlsPostgres(certs, pgPort), startTlsMariaDb(certs, myPort), startSshd(sshPort), startSilentServer()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([pgTls?.stop(), myTls?.stop(), sshd?.stop(), silent?.stop()].map((p) => p?.catch((e: unknown) => console.error(e))));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  console.log(
    `connections figures: ${JSON.stringify({
      ...figures,
      tlsModesTested: { pg: [...figures.tlsModesTested.pg], mysql2: [...figures.tlsModesTested.mysql2] },
    })}`,
  );
}, 60_000);

/** What a user sees when Strata connects: it works (and whether the session is encrypted, and as whom) or one line. */
type Outcome = { ok: true; encrypted: boolean; user: string } | { ok: false; code: string; message: string };

/** Resolves an environment the way the CLI does (strata.config.json in `root`) and connects to it. */
async function connect(entry: Record<string, unknown>, root = tmp): Promise<Outcome> {
  try {
    const config = parseConfig(JSON.stringify({ migrations: "migrations", environments: { prod: entry } }), root);
    const env = resolveEnvironment(config, "prod");
    const knex = await openConnection(env);
    try {
      return { ok: true, ...(await sessionFacts(env.client, knex)) };
    } finally {
      await knex.destroy();
    }
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

async function sessionFacts(client: DbClient, knex: Knex): Promise<{ encrypted: boolean; user: string }> {
  if (client === "pg") {
    const r = await knex.raw("select s.ssl, current_user as u from pg_stat_ssl s where s.pid = pg_backend_pid()");
    return { encrypted: r.rows[0].ssl === true, user: r.rows[0].u };
  }
  const [rows] = await knex.raw("show session status like 'Ssl_cipher'");
  const [who] = await knex.raw("select current_user() as u");
  return { encrypted: String(rows[0]?.Value ?? "") !== "", user: String(who[0].u).split("@")[0]! };
}

function expectOk(o: Outcome, encrypted: boolean): asserts o is Extract<Outcome, { ok: true }> {
  expect(o.ok ? "" : `${o.code}: ${o.message}`).toBe("");
  if (o.ok) expect(o.encrypted).toBe(encrypted);
}

function expectRefused(o: Outcome, code: string, line: RegExp): void {
  expect(o.ok ? "connected" : o.code).toBe(code);
  if (!o.ok) {
    expect(o.message).toMatch(line);
    expect(o.message).not.toContain("\n");
    figures.tlsRefusals++;
  }
}

/** The per-server facts the TLS tests need; the mode names are each tool's own. */
interface TlsServer {
  readonly client: "pg" | "mysql2";
  readonly port: () => number;
  /** The superuser over TCP (TLS required by the server). */
  readonly admin: { user: string; database?: string; password?: string };
  readonly certUser: () => string;
  readonly modes: { disable: string; prefer: string; require: string; verifyCa: string; verifyFull: string };
  readonly sharedPort: number;
  readonly sharedAdmin: { user: string; database?: string; password?: string };
  createDatabase(name: string): void;
}

const TLS_SERVERS: Record<"pg" | "mysql2", TlsServer> = {
  pg: {
    client: "pg",
    port: () => pgTls.port,
    admin: { user: "postgres", database: "postgres" },
    certUser: () => pgTls.certUser,
    modes: { disable: "disable", prefer: "prefer", require: "require", verifyCa: "verify-ca", verifyFull: "verify-full" },
    sharedPort: 5432,
    sharedAdmin: { user: "postgres", database: "postgres" },
    createDatabase: (name) => {
      pgTls.sql(`create database ${name}`);
      pgTls.sql(`grant all on database ${name} to ${pgTls.certUser}; alter database ${name} owner to ${pgTls.certUser}`);
    },
  },
  mysql2: {
    client: "mysql2",
    port: () => myTls.port,
    admin: { user: "root", password: "" },
    certUser: () => myTls.x509User,
    modes: { disable: "DISABLED", prefer: "PREFERRED", require: "REQUIRED", verifyCa: "VERIFY_CA", verifyFull: "VERIFY_IDENTITY" },
    sharedPort: 3306,
    sharedAdmin: { user: "root", password: "" },
    createDatabase: (name) => void myTls.sql(`create database ${name}`),
  },
};

function tlsEntry(s: TlsServer, tls: Record<string, unknown> | undefined, host = "127.0.0.1", user = s.admin): Record<string, unknown> {
  return { client: s.client, connection: { host, port: s.port(), ...user }, ...(tls ? { tls } : {}) };
}

function noted(s: TlsServer, mode: string): string {
  figures.tlsModesTested[s.client].add(mode);
  return mode;
}

const SLEEP_REVISION = (client: DbClient): RevisionSpec => ({
  revision: "s1eep0000001",
  downRevision: null,
  message: "sleeps 3 s",
  up: client === "pg" ? `await knex.raw("select pg_sleep(3)");` : `await knex.raw("select sleep(3)");`,
});

const TABLE_REVISION: RevisionSpec = {
  revision: "t1b1e0000001",
  downRevision: null,
  message: "create secured",
  up: `await knex.schema.createTable("secured", (t) => { t.increments("id"); t.string("note", 40); }); await knex("secured").insert({ note: "through" });`,
  down: `await knex.schema.dropTable("secured");`,
};

async function cli(args: readonly string[], cwd: string): Promise<Awaited<ReturnType<typeof strata>> & { ms: number }> {
  figures.cliRuns++;
  const started = Date.now();
  const r = await strata(args, { cwd, timeoutMs: 60_000 });
  return { ...r, ms: Date.now() - started };
}

/** Waits (bounded) until the sshd has no session process left: the tunnel was closed. */
async function sessionsGone(timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (sshd.sessions() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return sshd.sessions();
}

function sshEntry(knownHosts: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: "127.0.0.1", port: sshd.port, user: os.userInfo().username, privateKey: sshd.clientKey, knownHosts, ...extra };
}

describe.each(TEST_CLIENTS)("secure connections and timeouts on %s", (client: DbClient) => {
  if (client === "better-sqlite3") {
    // A SQLite file has no server to encrypt to, tunnel to or time statements on: each key is refused in one line.
    it.each([
      ["tls", { tls: { mode: "require" } }],
      ["ssh", { ssh: { host: "127.0.0.1", user: "root", privateKey: "/nonexistent" } }],
      ["statementTimeoutMs", { statementTimeoutMs: 1000 }],
    ])("refuses %s on a SQLite environment in one line and creates no file", async (key, extra) => {
      const dir = fs.mkdtempSync(path.join(tmp, "sqlite-"));
      const file = path.join(dir, "dev.sqlite3");
      const o = await connect({ client: "better-sqlite3", connection: { filename: file }, ...extra }, dir);
      expect(o.ok ? "connected" : o.code).toBe("CONFIG_INVALID");
      if (!o.ok) expect(o.message).toBe(`strata.config.json: environments.prod.${key}: applies to PostgreSQL and MySQL/MariaDB servers, not to a SQLite file; remove it`);
      expect(fs.existsSync(file)).toBe(false);
    });
    return;
  }

  const s = TLS_SERVERS[client];

  describe("TLS", () => {
    it(`${s.modes.require} encrypts the session; it checks the certificate only as ${client === "pg" ? "libpq does (when a CA is given)" : "MySQL does (never)"}`, async () => {
      expectOk(await connect(tlsEntry(s, { mode: noted(s, s.modes.require) })), true);
      const withWrongCa = await connect(tlsEntry(s, { mode: s.modes.require, ca: certs.wrongCa }));
      if (client === "pg") expectRefused(withWrongCa, "CONNECTION_FAILED", /its TLS certificate is not signed by the CA in .*strata-wrong-ca\.crt/);
      else expectOk(withWrongCa, true);
    });

    it(`${s.modes.verifyCa} accepts the right CA whatever the host name, and refuses a wrong CA or none`, async () => {
      noted(s, s.modes.verifyCa);
      expectOk(await connect(tlsEntry(s, { mode: s.modes.verifyCa, ca: certs.ca }, "localhost")), true);
      expectRefused(
        await connect(tlsEntry(s, { mode: s.modes.verifyCa, ca: certs.wrongCa })),
        "CONNECTION_FAILED",
        new RegExp(`^environment prod: ${client === "pg" ? "PostgreSQL" : "MySQL/MariaDB"} at 127\\.0\\.0\\.1:${s.port()}: its TLS certificate is not signed by the CA in ${certs.wrongCa}`),
      );
      expectRefused(await connect(tlsEntry(s, { mode: s.modes.verifyCa })), "CONNECTION_FAILED", /not signed by Node's trusted CAs \(no tls\.ca given\).*set tls\.ca/);
    });

    it(`${s.modes.verifyFull} accepts 127.0.0.1 (named in the certificate) and refuses localhost (not named)`, async () => {
      noted(s, s.modes.verifyFull);
      expectOk(await connect(tlsEntry(s, { mode: s.modes.verifyFull, ca: certs.ca })), true);
      expectRefused(
        await connect(tlsEntry(s, { mode: s.modes.verifyFull, ca: certs.ca }, "localhost")),
        "CONNECTION_FAILED",
        new RegExp(`its TLS certificate is not issued for "localhost" \\(it names IP Address:127\\.0\\.0\\.1\\), so tls\\.mode ${s.modes.verifyFull} refuses it`),
      );
    });

    it(`${s.modes.disable} against a server that accepts only TLS is refused in one line`, async () => {
      noted(s, s.modes.disable);
      const o = await connect(tlsEntry(s, { mode: s.modes.disable }));
      if (client === "pg") {
        expectRefused(o, "CONNECTION_FAILED", /^environment prod: PostgreSQL at 127\.0\.0\.1:\d+ accepts only TLS connections for user postgres, and tls\.mode is disable; set tls\.mode to require or verify-full$/);
      } else {
        // MariaDB says only "access denied" to a plain-text login under require_secure_transport: the line names that way out.
        expectRefused(o, "AUTH_FAILED", /^environment prod: .* for user root at 127\.0\.0\.1:\d+; check the password; or, if the server or the account requires TLS \(require_secure_transport, REQUIRE SSL\/X509\), set tls\.mode to REQUIRED or VERIFY_IDENTITY \(it is DISABLED\)$/);
      }
    });

    it("a client certificate logs in the user it was issued for; without it the login is refused", async () => {
      const user = s.certUser();
      const { cert, key } = certs.clientCert(user);
      const o = await connect(tlsEntry(s, { mode: s.modes.verifyFull, ca: certs.ca, cert, key }, "127.0.0.1", { user, ...(client === "pg" ? { database: "postgres" } : {}) }));
      expectOk(o, true);
      expect(o.user).toBe(user);
      const without = await connect(tlsEntry(s, { mode: s.modes.verifyFull, ca: certs.ca }, "127.0.0.1", { user, ...(client === "pg" ? { database: "postgres" } : {}) }));
      expectRefused(without, "AUTH_FAILED", client === "pg" ? /requires a client certificate and none was given for user strata_cert/ : /if the account requires a client certificate \(REQUIRE X509\), set tls\.cert and tls\.key$/);
      const wrongPair = await connect(tlsEntry(s, { mode: s.modes.verifyFull, ca: certs.ca, cert, key: certs.serverKey }));
      expectRefused(wrongPair, "CONFIG_INVALID", /the key does not belong to the certificate/);
    });

    it(`${s.modes.prefer} falls back to plain text on a server without TLS; ${s.modes.require} there is refused`, async () => {
      noted(s, s.modes.prefer);
      const shared = { client, connection: { host: "127.0.0.1", port: s.sharedPort, ...s.sharedAdmin } };
      expectOk(await connect({ ...shared, tls: { mode: s.modes.prefer } }), false);
      expectOk(await connect({ ...tlsEntry(s, { mode: s.modes.prefer }) }), true);
      expectRefused(await connect({ ...shared, tls: { mode: s.modes.require } }), "CONNECTION_FAILED", new RegExp(`does not offer TLS, and tls\\.mode ${s.modes.require} requires it`));
    });

    if (client === "pg") {
      it("allow tries plain text first and TLS when the server refuses plain text", async () => {
        noted(s, "allow");
        expectOk(await connect(tlsEntry(s, { mode: "allow" })), true);
        expectOk(await connect({ client, connection: { host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" }, tls: { mode: "allow" } }), false);
      });
    } else {
      it("allow is PostgreSQL's only: refused in one line for MySQL", async () => {
        expectRefused(await connect(tlsEntry(s, { mode: "allow" })), "CONFIG_INVALID", /^strata\.config\.json: environments\.prod\.tls\.mode: TLS mode "allow" is PostgreSQL's; for MySQL\/MariaDB use DISABLED, PREFERRED/);
      });
    }

    it("bad settings give one line each: unknown mode, missing or unusable CA file, cert without key", async () => {
      expectRefused(await connect(tlsEntry(s, { mode: "verify-fool" })), "CONFIG_INVALID", /^strata\.config\.json: environments\.prod\.tls\.mode: unknown TLS mode "verify-fool"; use /);
      const missing = path.join(tmp, "no-such-ca.pem");
      expectRefused(await connect(tlsEntry(s, { mode: s.modes.verifyFull, ca: missing })), "CONFIG_INVALID", new RegExp(`^environment prod: the TLS CA file ${missing} does not exist; fix the path$`));
      const notPem = path.join(tmp, "not-a-ca.pem");
      fs.writeFileSync(notPem, "hello\n");
      expectRefused(await connect(tlsEntry(s, { mode: s.modes.verifyFull, ca: notPem })), "CONFIG_INVALID", /the TLS CA file .*not-a-ca\.pem (cannot be used|holds no PEM certificate)/);
      expectRefused(await connect(tlsEntry(s, { mode: s.modes.verifyFull, cert: certs.serverCert })), "CONFIG_INVALID", /needs both tls\.cert and tls\.key/);
      expectRefused(await connect(tlsEntry(s, { mode: s.modes.require, bogus: 1 })), "CONFIG_INVALID", /unknown key "bogus"; the keys are mode, ca, cert, key, passphrase/);
    });

    it("strata upgrade heads runs through TLS (verify-full, client certificate, paths relative to the project) and a URL with TLS parameters works", async () => {
      const db = `strata_tls_${process.pid}`;
      s.createDatabase(db);
      const user = s.certUser();
      const { cert, key } = certs.clientCert(user);
      const dir = writeProject({
        environments: {
          prod: {
            client,
            connection: { host: "127.0.0.1", port: s.port(), user, database: db },
            tls: { mode: s.modes.verifyFull, ca: "certs/ca.crt", cert: "certs/client.crt", key: "certs/client.key" },
          },
        },
        revisions: [TABLE_REVISION],
      });
      fs.mkdirSync(path.join(dir, "certs"));
      fs.copyFileSync(certs.ca, path.join(dir, "certs/ca.crt"));
      fs.copyFileSync(cert, path.join(dir, "certs/client.crt"));
      fs.copyFileSync(key, path.join(dir, "certs/client.key"));
      const r = await cli(["upgrade", "heads"], dir);
      expect(r.reason).toBe("");
      expect(r.code).toBe(0);
      const read = (sql: string): string => (client === "pg" ? pgTls.sql(sql, db) : myTls.sql(`use ${db}; ${sql}`));
      expect(read("select note from secured")).toBe("through");
      expect(read("select version_num from strata_version")).toBe(TABLE_REVISION.revision);

      // The same database by URL, with the TLS settings in libpq's / MySQL's parameter names.
      const q =
        client === "pg"
          ? `postgres://${user}@127.0.0.1:${s.port()}/${db}?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.ca)}&sslcert=${encodeURIComponent(cert)}&sslkey=${encodeURIComponent(key)}`
          : `mysql://${user}@127.0.0.1:${s.port()}/${db}?ssl-mode=VERIFY_IDENTITY&ssl-ca=${encodeURIComponent(certs.ca)}&ssl-cert=${encodeURIComponent(cert)}&ssl-key=${encodeURIComponent(key)}`;
      const current = await cli(["current", "--url", q], dir);
      expect(current.reason).toBe("");
      expect(current.code).toBe(0);
      expect(current.stdout).toContain(TABLE_REVISION.revision);
      const badUrl = await cli(["current", "--url", q.replace(client === "pg" ? "verify-full" : "VERIFY_IDENTITY", "verify-fool")], dir);
      expect(badUrl.code).toBe(2);
      expect(badUrl.stderr.trim()).toMatch(/^strata: --url \(tls\.mode\): unknown TLS mode "verify-fool"; use /);
      expect(badUrl.stderr.trim().split("\n")).toHaveLength(1);
    });
  });

  describe("SSH tunnel", () => {
    it("strata upgrade heads runs through a tunnel to the shared server, and the tunnel closes with the connection", async () => {
      const db = await createTestDatabase(client);
      try {
        const knownHosts = sshd.knownHosts(`known_hosts_plain_${client}`, [`[127.0.0.1]:${sshd.port} ${sshd.hostKeyLine}`]);
        const dir = writeProject({
          environments: { prod: { client, connection: db.env.knexConfig.connection, ssh: sshEntry(knownHosts) } },
          revisions: [TABLE_REVISION],
        });
        const r = await cli(["upgrade", "heads"], dir);
        expect(r.reason).toBe("");
        expect(r.code).toBe(0);
        figures.tunnelsOpened++;
        expect(await db.knex("secured").pluck("note")).toEqual(["through"]);
        expect(await db.knex("strata_version").pluck("version_num")).toEqual([TABLE_REVISION.revision]);
        expect(await sessionsGone()).toBe(0);
      } finally {
        await db.drop();
      }
    });

    it("accepts a hashed known_hosts entry, closes the tunnel on destroy, and carries TLS with the database's host name checked", async () => {
      const file = sshd.knownHosts(`known_hosts_hashed_${client}`, [`[127.0.0.1]:${sshd.port} ${sshd.hostKeyLine}`]);
      execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "ignore" });
      expect(fs.readFileSync(file, "utf8")).toMatch(/^\|1\|/);
      const o = await connect({ client, connection: { host: "127.0.0.1", port: s.sharedPort, ...s.sharedAdmin }, ssh: sshEntry(file) });
      expectOk(o, false);
      figures.tunnelsOpened++;
      expect(await sessionsGone()).toBe(0);
      // TLS through the tunnel: the certificate is checked against the database's host, not the tunnel's local port.
      expectOk(await connect({ ...tlsEntry(s, { mode: s.modes.verifyFull, ca: certs.ca }), ssh: sshEntry(file) }), true);
      expectRefused(await connect({ ...tlsEntry(s, { mode: s.modes.verifyFull, ca: certs.ca }, "localhost"), ssh: sshEntry(file) }), "CONNECTION_FAILED", /not issued for "localhost"/);
      figures.tunnelsOpened += 2;
      // The SSH server cannot reach the database (nothing listens on port 1): the line says so, not "connection reset".
      expectRefused(
        await connect({ client, connection: { host: "127.0.0.1", port: 1, ...s.sharedAdmin }, ssh: sshEntry(file) }),
        "CONNECTION_FAILED",
        new RegExp(`^environment prod: the SSH server 127\\.0\\.0\\.1:${sshd.port} could not reach the database at 127\\.0\\.0\\.1:1 \\(.+\\); check the host and port as the SSH server sees them`),
      );
      expect(await sessionsGone()).toBe(0);
    });

    it("refuses a changed host key and an unknown host, in one line each, and changes nothing", async () => {
      const db = await createTestDatabase(client);
      try {
        const changed = sshd.knownHosts(`known_hosts_changed_${client}`, [`[127.0.0.1]:${sshd.port} ${otherHostKey(sshd.dir, `other_${client}`)}`]);
        const unknown = sshd.knownHosts(`known_hosts_unknown_${client}`, [`[127.0.0.1]:1 ${sshd.hostKeyLine}`, `127.0.0.1 ${sshd.hostKeyLine}`]);
        const project = (knownHosts: string): string =>
          writeProject({ environments: { prod: { client, connection: db.env.knexConfig.connection, ssh: sshEntry(knownHosts) } }, revisions: [TABLE_REVISION] });
        const a = await cli(["upgrade", "heads"], project(changed));
        expect(a.code).toBe(2);
        expect(a.stderr.trim().split("\n")).toHaveLength(1);
        expect(a.reason).toMatch(
          new RegExp(`^strata: environment prod: the SSH host key of 127\\.0\\.0\\.1:${sshd.port} has CHANGED: it now presents ssh-ed25519 SHA256:\\S+, which differs from ${changed}:1; this may be an attack`),
        );
        figures.hostKeysRefused.changed++;
        const b = await cli(["upgrade", "heads"], project(unknown));
        expect(b.code).toBe(2);
        expect(b.stderr.trim().split("\n")).toHaveLength(1);
        expect(b.reason).toMatch(new RegExp(`^strata: environment prod: the SSH host 127\\.0\\.0\\.1:${sshd.port} is not in ${unknown}; it presents ssh-ed25519 SHA256:\\S+: check that fingerprint`));
        figures.hostKeysRefused.unknown++;
        const missingFile = await connect({ client, connection: db.env.knexConfig.connection, ssh: sshEntry(path.join(tmp, "no_known_hosts")) });
        expectRefused(missingFile, "CONNECTION_FAILED", /is not in .*no_known_hosts; it presents/);
        figures.hostKeysRefused.unknown++;
        expect(await db.knex.schema.hasTable("strata_version")).toBe(false);
        expect(await db.knex.schema.hasTable("secured")).toBe(false);
        expect(await sessionsGone()).toBe(0);
      } finally {
        await db.drop();
      }
    });
  });

  describe("saved profiles", () => {
    // Stands in for Electron's safeStorage: reversible, and the plain text never appears in the file.
    const codec: SecretCodec = {
      storage: () => ({ available: true, backend: "test", reason: null }),
      encrypt: (plain) => Buffer.from(plain, "utf8").reverse().toString("base64"),
      decrypt: (stored) => Buffer.from(stored, "base64").reverse().toString("utf8"),
    };

    it("a profile with TLS (verify-full, client certificate) and an SSH tunnel (encrypted key) connects, and keeps the key's passphrase encrypted", async () => {
      const dir = fs.mkdtempSync(path.join(tmp, `profiles-${client}-`));
      const store = new ProfileStore(path.join(dir, "profiles.json"), codec);
      const passphrase = `pass-${client}-phrase`;
      const sshKey = sshd.addClientKey(`profile_key_${client}`, passphrase);
      const knownHosts = sshd.knownHosts(`known_hosts_profile_${client}`, [`[127.0.0.1]:${sshd.port} ${sshd.hostKeyLine}`]);
      const user = s.certUser();
      const { cert, key } = certs.clientCert(user);
      const saved = store.save({
        name: `tls-ssh-${client}`,
        client,
        host: "127.0.0.1",
        port: s.port(),
        user,
        ...(client === "pg" ? { database: "postgres" } : {}),
        tls: { mode: "verify-full", ca: certs.ca, cert, key },
        ssh: { host: "127.0.0.1", port: sshd.port, user: os.userInfo().username, privateKey: sshKey, knownHosts },
        sshPassphrase: passphrase,
      });
      expect(saved.tls).toEqual({ mode: "verify-full", ca: certs.ca, cert, key });
      expect(saved.ssh).toMatchObject({ host: "127.0.0.1", port: sshd.port, privateKey: sshKey, hasPassphrase: true });
      expect(fs.readFileSync(path.join(dir, "profiles.json"), "utf8")).not.toContain(passphrase);

      const knex = await openConnection(store.environment(saved.id, dir));
      try {
        const facts = await sessionFacts(client, knex);
        expect(facts).toEqual({ encrypted: true, user });
      } finally {
        await knex.destroy();
      }
      figures.tunnelsOpened++;
      expect(await sessionsGone()).toBe(0);

      // Edited without its passphrase (kept), then with TLS mode verify-full against localhost: refused in one line.
      const edited = store.save({ ...store.list().map((p) => ({ id: p.id }))[0]!, name: saved.name, client, host: "localhost", port: s.port(), user, tls: { mode: "verify-full", ca: certs.ca, cert, key }, ssh: { host: "127.0.0.1", port: sshd.port, user: os.userInfo().username, privateKey: sshKey, knownHosts } });
      expect(edited.ssh?.hasPassphrase).toBe(true);
      const refused = await openConnection(store.environment(saved.id, dir)).then(
        async (k) => {
          await k.destroy();
          return "connected";
        },
        (e: unknown) => (isStrataError(e) ? e.message : String(e)),
      );
      expect(refused).toMatch(/its TLS certificate is not issued for "localhost"/);
      expect(await sessionsGone()).toBe(0);
      if (client === "mysql2") {
        expect(() => store.save({ name: "x", client, host: "h", tls: { mode: "allow" } })).toThrow(/TLS mode "allow" is PostgreSQL's/);
      }
    });
  });

  describe("timeouts", () => {
    it("a host that accepts and never answers fails within 10 s with one line (database, TLS handshake, SSH)", async () => {
      const dir = writeProject({
        environments: {
          db: { client, connection: { host: "127.0.0.1", port: silent.port, user: "u", database: "d" } },
          tls: { client, connection: { host: "127.0.0.1", port: silent.port, user: "u", database: "d" }, tls: { mode: s.modes.require }, connectTimeoutMs: 1500 },
          ssh: {
            client,
            connection: { host: "127.0.0.1", port: s.sharedPort, ...s.sharedAdmin },
            ssh: { host: "127.0.0.1", port: silent.port, user: "root", privateKey: sshd.clientKey, knownHosts: path.join(tmp, "none") },
          },
        },
      });
      const label = client === "pg" ? "PostgreSQL" : "MySQL/MariaDB";
      // The three run at once: each is bounded by its own timeout.
      const [db, tls, ssh] = await Promise.all([cli(["current", "--env", "db"], dir), cli(["current", "--env", "tls"], dir), cli(["current", "--env", "ssh"], dir)]);
      for (const r of [db, tls, ssh]) {
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
      }
      expect(db.reason).toBe(`strata: environment db: cannot reach ${label} at 127.0.0.1:${silent.port}: no answer within 5 s; check the host, port, firewall or VPN`);
      expect(db.ms).toBeLessThan(10_000);
      expect(db.ms).toBeGreaterThanOrEqual(4_500);
      expect(tls.reason).toBe(`strata: environment tls: cannot reach ${label} at 127.0.0.1:${silent.port}: no answer within 1.5 s; check the host, port, firewall or VPN`);
      expect(tls.ms).toBeLessThan(5_000);
      expect(ssh.reason).toBe(`strata: environment ssh: cannot reach the SSH server 127.0.0.1:${silent.port}: no SSH answer within 5 s; check ssh.host, ssh.port, firewall or VPN`);
      expect(ssh.ms).toBeLessThan(10_000);
      figures.connectTimeoutsMs.push({ what: `${client} silent server (default 5 s)`, ms: db.ms }, { what: `${client} TLS to silent server (1.5 s)`, ms: tls.ms }, { what: `ssh to silent server (default 5 s), ${client} run`, ms: ssh.ms });
    });

    it("statementTimeoutMs stops a revision that sleeps longer, with the revision named and the version table unchanged", async () => {
      const db = await createTestDatabase(client);
      try {
        const dir = writeProject({
          environments: { prod: { client, connection: db.env.knexConfig.connection, statementTimeoutMs: 700 } },
          revisions: [SLEEP_REVISION(client)],
        });
        const r = await cli(["upgrade", "heads"], dir);
        expect(r.code).toBe(2);
        expect(r.reason).toContain(SLEEP_REVISION(client).revision);
        expect(r.reason).toMatch(client === "pg" ? /statement timeout/ : /max_statement_time/);
        expect(r.ms).toBeLessThan(3_000 + 2_500);
        figures.statementTimeouts.push({ client, limitMs: 700, failedAfterMs: r.ms });
        const versions = (await db.knex.schema.hasTable("strata_version")) ? await db.knex("strata_version").pluck("version_num") : [];
        expect(versions).toEqual([]);
      } finally {
        await db.drop();
      }
    });
  });
});
