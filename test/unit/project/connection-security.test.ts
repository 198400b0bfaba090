import { createHmac, generateKeyPairSync, randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../electron/engine/project/config-file.js";
import { environmentFromUrl, resolveEnvironment } from "../../../electron/engine/project/environment.js";
import { checkHostKey, fingerprintOf, keyTypeOf, knownKeyTypes } from "../../../electron/engine/project/known-hosts.js";
import { tlsAttempts } from "../../../electron/engine/project/tls.js";
import { strataErrorOf } from "../../helpers/strata-errors.js";

const ROOT = path.resolve("/projects/app");

/** An SSH ed25519 public key blob (string "ssh-ed25519", string key), as a server presents it. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const str = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]);
}

function line(hosts: string, blob: Buffer): string {
  return `${hosts} ${keyTypeOf(blob)} ${blob.toString("base64")}`;
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("known_hosts", () => {
  const key = ed25519Blob();
  const other = ed25519Blob();

  it("matches plain, hashed, wildcard and [host]:port entries, as OpenSSH looks them up", () => {
    expect(checkHostKey(line("db.example.com", key), "db.example.com", 22, key)).toEqual({ kind: "match", line: 1 });
    expect(checkHostKey(line("[db.example.com]:2222", key), "db.example.com", 2222, key).kind).toBe("match");
    expect(checkHostKey(line("db.example.com", key), "db.example.com", 2222, key).kind).toBe("unknown");
    expect(checkHostKey(`# comment\n\n${line(hashed("[10.0.0.5]:2200"), key)}`, "10.0.0.5", 2200, key)).toEqual({ kind: "match", line: 3 });
    expect(checkHostKey(line(hashed("10.0.0.5"), key), "10.0.0.6", 22, key).kind).toBe("unknown");
    expect(checkHostKey(line("*.example.com,!bad.example.com", key), "db.example.com", 22, key).kind).toBe("match");
    expect(checkHostKey(line("*.example.com,!bad.example.com", key), "bad.example.com", 22, key).kind).toBe("unknown");
    expect(checkHostKey(line("DB.Example.COM", key), "db.example.com", 22, key).kind).toBe("match");
  });

  it("calls a different key of the same type for the host changed, and never a match", () => {
    const text = [line("other.host", key), line("bastion,10.0.0.9", other)].join("\n");
    expect(checkHostKey(text, "bastion", 22, key)).toEqual({ kind: "changed", line: 2 });
    expect(checkHostKey(text, "10.0.0.9", 22, key)).toEqual({ kind: "changed", line: 2 });
    // A second line with the right key (keys rotated, both listed) is a match.
    expect(checkHostKey(`${text}\n${line("bastion", key)}`, "bastion", 22, key).kind).toBe("match");
  });

  it("refuses a @revoked key and reports only other key types as unknown", () => {
    expect(checkHostKey(`@revoked * ${keyTypeOf(key)} ${key.toString("base64")}\n${line("bastion", key)}`, "bastion", 22, key)).toEqual({ kind: "revoked", line: 1 });
    const rsaOnly = "bastion ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7";
    expect(checkHostKey(rsaOnly, "bastion", 22, key)).toEqual({ kind: "unknown", knownTypes: ["ssh-rsa"] });
    expect(knownKeyTypes(`${rsaOnly}\n${line("bastion", key)}`, "bastion", 22)).toEqual(["ssh-rsa", "ssh-ed25519"]);
  });

  it("prints fingerprints as OpenSSH does", () => {
    expect(fingerprintOf(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe("TLS and SSH settings in strata.config.json and URLs", () => {
  const cfg = (env: Record<string, unknown>) => parseConfig(JSON.stringify({ migrations: "m", environments: { prod: env } }), ROOT);

  it("accepts libpq's and MySQL's mode names in any case, and resolves files against the project", () => {
    const pg = resolveEnvironment(cfg({ client: "pg", connection: { host: "db" }, tls: { mode: "VERIFY-FULL", ca: "certs/ca.pem", cert: "~/c.pem", key: "/abs/k.pem" } }));
    expect(pg.tls).toEqual({ mode: "verify-full", ca: path.join(ROOT, "certs/ca.pem"), cert: path.join(os.homedir(), "c.pem"), key: "/abs/k.pem" });
    const my = resolveEnvironment(cfg({ client: "mysql", connection: { host: "db" }, tls: { mode: "VERIFY_IDENTITY" }, statementTimeoutMs: 1500, connectTimeoutMs: 2000 }));
    expect(my.tls).toEqual({ mode: "verify-full" });
    expect(my.statementTimeoutMs).toBe(1500);
    expect(my.connectTimeoutMs).toBe(2000);
    // Strata's keys never reach knex.
    expect(Object.keys(my.knexConfig).sort()).toEqual(["client", "connection"]);
  });

  it("takes TLS settings out of URLs (libpq's names for PostgreSQL, MySQL's for MySQL), relative to the working folder", () => {
    const pg = environmentFromUrl("postgres://u@db:5432/app?sslmode=verify-ca&sslrootcert=ca.pem&application_name=x", { cwd: "/work" });
    expect(pg.tls).toEqual({ mode: "verify-ca", ca: "/work/ca.pem" });
    expect((pg.knexConfig.connection as { connectionString: string }).connectionString).toBe("postgres://u@db:5432/app?application_name=x");
    const my = environmentFromUrl("mysql://u@db/app?ssl-mode=REQUIRED&ssl-ca=/c/ca.pem&charset=utf8mb4", { cwd: "/work" });
    expect(my.tls).toEqual({ mode: "require", ca: "/c/ca.pem" });
    expect(my.knexConfig.connection).toEqual({ host: "db", user: "u", database: "app", charset: "utf8mb4" });
    // A CA alone means libpq's and MySQL's default mode, prefer.
    expect(environmentFromUrl("postgres://db/app?sslrootcert=/ca.pem").tls).toEqual({ mode: "prefer", ca: "/ca.pem" });
  });

  it("gives one line for an unknown mode, allow on MySQL, unknown keys and bad ssh settings", () => {
    expect(strataErrorOf(() => resolveEnvironment(cfg({ client: "pg", connection: { host: "db" }, tls: { mode: "strict" } }))).message).toBe(
      'strata.config.json: environments.prod.tls.mode: unknown TLS mode "strict"; use disable, allow, prefer, require, verify-ca or verify-full',
    );
    expect(strataErrorOf(() => environmentFromUrl("mysql://db/app?ssl-mode=allow")).message).toBe(
      '--url (tls.mode): TLS mode "allow" is PostgreSQL\'s; for MySQL/MariaDB use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY',
    );
    expect(strataErrorOf(() => cfg({ client: "pg", tls: { mode: "require", rootcert: "x" } })).message).toBe(
      'strata.config.json: environments.prod.tls: unknown key "rootcert"; the keys are mode, ca, cert, key, passphrase',
    );
    expect(strataErrorOf(() => cfg({ client: "pg", ssh: { host: "b", user: "u", privateKey: "k", port: 70000 } })).message).toMatch(/^strata\.config\.json: environments\.prod\.ssh\.port: /);
    expect(strataErrorOf(() => cfg({ client: "pg", statementTimeoutMs: -5 })).message).toBe("strata.config.json: environments.prod.statementTimeoutMs: expected milliseconds, at least 1");
  });

  it("defaults the SSH port to 22 and known_hosts to ~/.ssh/known_hosts", () => {
    const env = resolveEnvironment(cfg({ client: "pg", connection: { host: "10.0.0.5" }, ssh: { host: "bastion", user: "deploy", privateKey: "keys/id_ed25519" } }));
    expect(env.ssh).toEqual({ host: "bastion", port: 22, user: "deploy", privateKey: path.join(ROOT, "keys/id_ed25519"), knownHosts: path.join(os.homedir(), ".ssh", "known_hosts") });
  });
});

describe("what each TLS mode asks of the driver", () => {
  const ca = Buffer.from("ca");
  const pg = (mode: Parameters<typeof tlsAttempts>[1]["mode"], withCa: boolean) => tlsAttempts("pg", { mode }, withCa ? { ca } : {}, "db.example.com");
  const my = (mode: Parameters<typeof tlsAttempts>[1]["mode"], withCa: boolean) => tlsAttempts("mysql2", { mode }, withCa ? { ca } : {}, "db.example.com");

  it("PostgreSQL as libpq: require checks the chain only with a CA; verify-ca never the name; verify-full both", () => {
    expect(pg("disable", true)).toEqual([{ ssl: false }]);
    expect(pg("require", false)[0]!.ssl).toMatchObject({ rejectUnauthorized: false });
    expect(pg("require", true)[0]!.ssl).toMatchObject({ rejectUnauthorized: true, ca });
    const verifyCa = pg("verify-ca", true)[0]!.ssl as { checkServerIdentity: () => unknown; rejectUnauthorized: boolean };
    expect(verifyCa.rejectUnauthorized).toBe(true);
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(pg("verify-full", true)[0]!.ssl).toMatchObject({ rejectUnauthorized: true, servername: "db.example.com", host: "db.example.com" });
    expect(pg("prefer", false).map((a) => a.ssl === false)).toEqual([false, true]);
    expect(pg("allow", false).map((a) => a.ssl === false)).toEqual([true, false]);
  });

  it("MySQL as --ssl-mode: REQUIRED never checks; VERIFY_CA the chain; VERIFY_IDENTITY the chain and the name", () => {
    expect(my("require", true)[0]!.ssl).toEqual({ ca, rejectUnauthorized: false, verifyIdentity: false });
    expect(my("verify-ca", true)[0]!.ssl).toEqual({ ca, rejectUnauthorized: true, verifyIdentity: false });
    expect(my("verify-full", true)[0]!.ssl).toEqual({ ca, rejectUnauthorized: true, verifyIdentity: true });
    expect(my("prefer", false).map((a) => a.ssl === false)).toEqual([false, true]);
  });
});
