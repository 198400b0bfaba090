/**
 * Issue 14, "protection follows the database": which database an environment reaches, worked out
 * from its config the way its driver reads it (defaults, loopback, resolved names, real paths).
 */
import { mkdirSync, symlinkSync, writeFileSync, linkSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, resolveEnvironment } from "../../../electron/engine/project/index.js";
import { databaseIdentity, sameDatabase } from "../../../electron/engine/project/database-identity.js";
import type { IdentifiableEnvironment, IdentityOptions } from "../../../electron/engine/project/database-identity.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-identity-");

/** Environments from a strata.config.json's `environments`, resolved as the CLI resolves them. */
function envs(environments: Record<string, unknown>, root = "/srv/app", vars: Record<string, string> = {}): Record<string, IdentifiableEnvironment> {
  const config = parseConfig(JSON.stringify({ migrations: "migrations", environments }), root);
  return Object.fromEntries(Object.keys(environments).map((n) => [n, resolveEnvironment(config, n, undefined, { env: vars })]));
}

const fakeDns: IdentityOptions = {
  variables: { USER: "alice" },
  lookup: async (host) => {
    const table: Record<string, string[]> = { "db.example.com": ["10.1.2.3"], "db-alias.example.com": ["10.9.9.9", "10.1.2.3"], "other.example.com": ["10.4.5.6"], "bastion.example.com": ["10.0.0.1"] };
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found;
  },
};

async function same(a: IdentifiableEnvironment, b: IdentifiableEnvironment, options: IdentityOptions = fakeDns): Promise<boolean> {
  return sameDatabase(await databaseIdentity(a, options), await databaseIdentity(b, options));
}

describe("database identity", () => {
  it("PostgreSQL: a URL and the object form, the default port and localhost vs 127.0.0.1 vs ::1 are one database", async () => {
    const e = envs({
      url: { client: "pg", connection: "postgres://app:secret@127.0.0.1:5432/app" },
      object: { client: "pg", connection: { host: "localhost", user: "other", database: "app" } },
      v6: { client: "pg", connection: "postgresql://[::1]/app" },
      loop2: { client: "pg", connection: { host: "127.0.0.2", port: 5432, database: "app" } },
      otherDb: { client: "pg", connection: { host: "127.0.0.1", database: "app2" } },
      otherPort: { client: "pg", connection: { host: "127.0.0.1", port: 5433, database: "app" } },
    });
    expect(await same(e.url!, e.object!)).toBe(true);
    expect(await same(e.url!, e.v6!)).toBe(true);
    expect(await same(e.url!, e.loop2!)).toBe(true);
    expect(await same(e.url!, e.otherDb!)).toBe(false);
    expect(await same(e.url!, e.otherPort!)).toBe(false);
    expect((await databaseIdentity(e.url!, fakeDns)).display).toBe("postgres 127.0.0.1:5432/app");
  });

  it("PostgreSQL: no database means the user's name, as libpq; the schema (searchPath) tells two apart", async () => {
    const e = envs({
      named: { client: "pg", connection: { host: "127.0.0.1", user: "alice", database: "alice" } },
      userDefault: { client: "pg", connection: { host: "127.0.0.1", user: "alice" } },
      osUser: { client: "pg", connection: "postgres://127.0.0.1" },
      billing: { client: "pg", connection: { host: "127.0.0.1", user: "alice" }, searchPath: ["billing", "public"] },
      billing2: { client: "pg", connection: { host: "localhost", database: "alice" }, searchPath: "billing" },
    });
    expect(await same(e.named!, e.userDefault!)).toBe(true);
    // No user anywhere: node-postgres takes $USER (alice here), and the database after it.
    expect(await same(e.named!, e.osUser!)).toBe(true);
    expect(await same(e.named!, e.billing!)).toBe(false);
    expect(await same(e.billing!, e.billing2!)).toBe(true);
    expect((await databaseIdentity(e.billing!, fakeDns)).display).toBe("postgres 127.0.0.1:5432/alice (schema billing)");
  });

  it("PostgreSQL: a Unix socket folder (host=/var/run/postgresql) is this machine's server on that port", async () => {
    const e = envs({
      socket: { client: "pg", connection: { host: "/var/run/postgresql", database: "app" } },
      socketUrl: { client: "pg", connection: "postgres:///app?host=/var/run/postgresql" },
      tcp: { client: "pg", connection: "postgres://127.0.0.1:5432/app" },
      otherPort: { client: "pg", connection: { host: "/var/run/postgresql", port: 5433, database: "app" } },
    });
    expect(await same(e.socket!, e.socketUrl!)).toBe(true);
    expect(await same(e.socket!, e.tcp!)).toBe(true);
    expect(await same(e.otherPort!, e.tcp!)).toBe(false);
  });

  it("MySQL: the default port 3306, mysql:// and mariadb:// URLs and the object form", async () => {
    const e = envs({
      url: { client: "mysql2", connection: "mysql://root@localhost/shop" },
      maria: { client: "mariadb", connection: "mariadb://root:pw@127.0.0.1:3306/shop" },
      object: { client: "mysql", connection: { host: "::1", port: 3306, user: "app", database: "shop" } },
      other: { client: "mysql2", connection: { host: "127.0.0.1", port: 3307, database: "shop" } },
      pg: { client: "pg", connection: "postgres://127.0.0.1:3306/shop" },
    });
    expect(await same(e.url!, e.maria!)).toBe(true);
    expect(await same(e.url!, e.object!)).toBe(true);
    expect(await same(e.url!, e.other!)).toBe(false);
    // The same address and name on another kind of server is another database.
    expect(await same(e.url!, e.pg!)).toBe(false);
  });

  it("host names are resolved: a name and its address, two names sharing an address; unresolvable names compare by name", async () => {
    const e = envs({
      ip: { client: "pg", connection: { host: "10.1.2.3", database: "app" } },
      name: { client: "pg", connection: { host: "DB.example.com.", database: "app" } },
      alias: { client: "pg", connection: { host: "db-alias.example.com", database: "app" } },
      other: { client: "pg", connection: { host: "other.example.com", database: "app" } },
      lost1: { client: "pg", connection: { host: "nowhere.invalid", database: "app" } },
      lost2: { client: "pg", connection: { host: "NOWHERE.invalid", database: "app" } },
    });
    expect(await same(e.ip!, e.name!)).toBe(true);
    expect(await same(e.name!, e.alias!)).toBe(true);
    expect(await same(e.ip!, e.other!)).toBe(false);
    expect(await same(e.lost1!, e.lost2!)).toBe(true);
    expect(await same(e.lost1!, e.ip!)).toBe(false);
  });

  it("an unresolvable or hanging host is given up on within the timeout (one second by default), never blocking", async () => {
    const e = envs({ slow: { client: "pg", connection: { host: "slow.example.com", database: "app" } } });
    const hanging: IdentityOptions = { lookup: () => new Promise(() => undefined) };
    const started = Date.now();
    const id = await databaseIdentity(e.slow!, hanging);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(id.places).toEqual(["name:slow.example.com"]);
    // The real resolver on a name that cannot exist (RFC 6761 .invalid).
    const started2 = Date.now();
    const real = await databaseIdentity(envs({ x: { client: "pg", connection: { host: "strata-test.invalid", database: "app" } } }).x!);
    expect(Date.now() - started2).toBeLessThan(1500);
    expect(real.places).toEqual(["name:strata-test.invalid"]);
  });

  it("the real resolver: localhost and 127.0.0.1 are one host", async () => {
    const e = envs({ a: { client: "mysql2", connection: "mysql://localhost/shop" }, b: { client: "mysql2", connection: "mysql://127.0.0.1:3306/shop" } });
    expect(await same(e.a!, e.b!, {})).toBe(true);
  });

  it("SSH: the SSH server and the database host as it sees it; localhost there is the SSH server's machine", async () => {
    const ssh = { host: "bastion.example.com", user: "me", privateKey: "/k" };
    const e = envs({
      tunnel: { client: "pg", connection: { host: "db.internal", database: "app" }, ssh },
      tunnel2: { client: "pg", connection: "postgres://DB.internal:5432/app", ssh: { ...ssh, host: "10.0.0.1" } },
      direct: { client: "pg", connection: { host: "db.internal", database: "app" } },
      onBastion: { client: "pg", connection: { host: "localhost", database: "app" }, ssh },
      bastionDirect: { client: "pg", connection: { host: "bastion.example.com", database: "app" } },
      local: { client: "pg", connection: { host: "127.0.0.1", database: "app" } },
    });
    expect(await same(e.tunnel!, e.tunnel2!)).toBe(true);
    expect(await same(e.tunnel!, e.direct!)).toBe(false);
    expect(await same(e.onBastion!, e.bastionDirect!)).toBe(true);
    // localhost through the tunnel is not this machine's.
    expect(await same(e.onBastion!, e.local!)).toBe(false);
    expect((await databaseIdentity(e.tunnel!, fakeDns)).display).toBe("postgres db.internal:5432/app via ssh bastion.example.com:22");
  });

  it("SQLite: a file by its real path: relative, dir/../file, a symlinked folder, a hard link; a file not made yet by its folder's", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "data"));
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "data", "prod.sqlite3"), "");
    symlinkSync(path.join(dir, "data"), path.join(dir, "link"));
    linkSync(path.join(dir, "data", "prod.sqlite3"), path.join(dir, "hard.sqlite3"));
    const e = envs(
      {
        prod: { client: "better-sqlite3", connection: { filename: "data/prod.sqlite3" } },
        dotdot: { client: "sqlite3", connection: { filename: "sub/../data/prod.sqlite3" } },
        link: { client: "sqlite", connection: `sqlite:${path.join(dir, "link", "prod.sqlite3")}` },
        hard: { client: "better-sqlite3", connection: { filename: "hard.sqlite3" } },
        other: { client: "better-sqlite3", connection: { filename: "data/dev.sqlite3" } },
        later: { client: "better-sqlite3", connection: { filename: "link/new.sqlite3" } },
        later2: { client: "better-sqlite3", connection: { filename: "data/new.sqlite3" } },
        memory: { client: "better-sqlite3", connection: { filename: ":memory:" } },
      },
      dir,
    );
    expect(await same(e.prod!, e.dotdot!)).toBe(true);
    expect(await same(e.prod!, e.link!)).toBe(true);
    expect(await same(e.prod!, e.hard!)).toBe(true);
    expect(await same(e.prod!, e.other!)).toBe(false);
    expect(await same(e.later!, e.later2!)).toBe(true);
    expect(await same(e.memory!, e.memory!)).toBe(false);
  });

  it("never throws on odd connections: a NUL byte in a path, a port that is no number, a host that is no string", async () => {
    const odd: IdentifiableEnvironment[] = [
      { client: "better-sqlite3", knexConfig: { connection: { filename: "/tmp/a\0b.sqlite3" } } },
      { client: "pg", knexConfig: { connection: { host: 42, port: "abc", database: ["x"] } as never } },
      { client: "mysql2", knexConfig: { connection: "not a url" as never } },
      { client: "pg", knexConfig: { connection: { host: "bad host name with spaces", database: "app" } } },
    ];
    for (const env of odd) await expect(databaseIdentity(env, fakeDns)).resolves.toMatchObject({ family: expect.any(String) });
  });
});
