import { afterEach, describe, expect, it } from "vitest";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { openConnection } from "../../../electron/engine/project/connect.js";
import { createTestDatabase } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";

describe("openConnection", () => {
  let db: TestDatabase | null = null;
  afterEach(async () => {
    await db?.drop();
    db = null;
  });

  it("names the PostgreSQL session after the runner", async () => {
    db = await createTestDatabase("pg");
    const r = await db.knex.raw("select application_name from pg_stat_activity where pid = pg_backend_pid()");
    expect(r.rows[0].application_name).toBe(`strata ${os.userInfo().username}@${os.hostname()} pid ${process.pid}`.slice(0, 63));
  });

  it("reports a refused PostgreSQL port as CONNECTION_FAILED", async () => {
    const error = await openConnection({ name: "prod", client: "pg", knexConfig: { connection: { host: "127.0.0.1", port: 1, user: "postgres", password: "s3cret", database: "x" } }, displayTarget: "postgres@127.0.0.1:1/x" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect((error as Error).message).toBe("environment prod: cannot reach PostgreSQL at 127.0.0.1:1: connection refused; check that the server is running and the host and port are right");
  });

  it("reports an unknown PostgreSQL database as DATABASE_NOT_FOUND", async () => {
    const error = await openConnection({ name: "dev", client: "pg", knexConfig: { connection: { host: "127.0.0.1", port: 5432, user: "postgres", database: "strata_no_such_db" } }, displayTarget: "postgres@127.0.0.1:5432/strata_no_such_db" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_NOT_FOUND" });
    expect((error as Error).message).toContain('database "strata_no_such_db" does not exist on 127.0.0.1:5432');
  });

  it("reports a wrong MariaDB password as AUTH_FAILED without the password", async () => {
    const error = await openConnection({ name: "prod", client: "mysql2", knexConfig: { connection: { host: "127.0.0.1", port: 3306, user: "strata_nobody", password: "s3cret-pw", database: "mysql" } }, displayTarget: "strata_nobody@127.0.0.1:3306/mysql" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AUTH_FAILED" });
    expect((error as Error).message).toBe("environment prod: password authentication failed for user strata_nobody at 127.0.0.1:3306; check the password");
    expect(JSON.stringify(error)).not.toContain("s3cret-pw");
  });

  it("reports an unknown MariaDB database as DATABASE_NOT_FOUND", async () => {
    const error = await openConnection({ name: "dev", client: "mysql2", knexConfig: { connection: { host: "127.0.0.1", port: 3306, user: "root", password: "", database: "strata_no_such_db" } }, displayTarget: "root@127.0.0.1:3306/strata_no_such_db" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_NOT_FOUND" });
  });

  it.each(["pg", "mysql2"] as const)("fails within about 5 s when a %s server never answers", async (client) => {
    // A listener that accepts and then says nothing: what a black-holed host or a hung proxy looks like.
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const error = await openConnection({ name: "far", client, knexConfig: { connection: { host: "127.0.0.1", port, user: "u", password: "p", database: "x" } }, displayTarget: `u@127.0.0.1:${port}/x` }).catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThan(3000);
      expect(elapsed).toBeLessThan(8000);
      expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
      expect((error as Error).message).toMatch(new RegExp(`^environment far: cannot reach .* at 127\\.0\\.0\\.1:${port}: no answer within 5 s; check the host, port, firewall or VPN$`));
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it("reports a SQLite file in a missing folder", async () => {
    const filename = path.join(os.tmpdir(), "strata-no-such-folder", "app.sqlite");
    const error = await openConnection({ name: "local", client: "better-sqlite3", knexConfig: { connection: { filename } }, displayTarget: filename }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect((error as Error).message).toBe(`environment local: folder ${path.dirname(filename)} does not exist for SQLite database ${filename}; create the folder or fix the filename`);
  });
});
