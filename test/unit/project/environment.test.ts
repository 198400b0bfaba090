import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../electron/engine/project/config-file.js";
import { environmentFromUrl, resolveEnvironment } from "../../../electron/engine/project/environment.js";
import type { ProjectConfig } from "../../../electron/engine/project/types.js";
import { strataErrorOf } from "../../helpers/strata-errors.js";

const ROOT = path.resolve("/projects/app");

function config(environments: Record<string, unknown>, extra: Record<string, unknown> = {}): ProjectConfig {
  return parseConfig(JSON.stringify({ migrations: "migrations", environments, ...extra }), ROOT);
}

describe("resolveEnvironment: choosing", () => {
  const three = config({
    dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } },
    staging: { client: "pg", connection: "postgres://app@db/app" },
    prod: { client: "pg", connection: "postgres://app@prod/app", protected: true, color: "#d33" },
  });

  it("takes the named environment", () => {
    const env = resolveEnvironment(three, "prod");
    expect(env).toMatchObject({ name: "prod", client: "pg", protected: true, color: "#d33" });
  });

  it("takes dev when several exist and none is named", () => {
    expect(resolveEnvironment(three).name).toBe("dev");
  });

  it("takes the only environment when there is one", () => {
    expect(resolveEnvironment(config({ main: { client: "pg", connection: "postgres://h/db" } })).name).toBe("main");
  });

  it("asks for --env when several exist and none is dev", () => {
    const err = strataErrorOf(() => resolveEnvironment(config({ a: { client: "pg", connection: "postgres://h/a" }, b: { client: "pg", connection: "postgres://h/b" } })));
    expect(err.code).toBe("USAGE");
    expect(err.message).toBe("strata.config.json defines several environments (a, b); pick one with --env NAME");
  });

  it("lists the known environments for an unknown name", () => {
    const err = strataErrorOf(() => resolveEnvironment(three, "qa"));
    expect(err.code).toBe("ENV_UNKNOWN");
    expect(err.message).toBe('unknown environment "qa"; strata.config.json defines dev, staging, prod');
  });
});

describe("resolveEnvironment: building the knex config", () => {
  it("substitutes ${NAME} from the environment map everywhere in the environment", () => {
    const cfg = config({
      prod: { client: "postgres", connection: "${DATABASE_URL}", searchPath: ["${SCHEMA}"], pool: { max: 4 } },
      other: { client: "mysql2", connection: { host: "${DB_HOST:-127.0.0.1}", user: "root", password: "${DB_PASSWORD}", database: "app_${STAGE}" } },
    });
    const env = resolveEnvironment(cfg, "prod", undefined, {
      env: { DATABASE_URL: "postgresql://deploy:s3cr%40t@10.0.0.5:6432/app?sslmode=require", SCHEMA: "billing" },
    });
    expect(env.knexConfig).toEqual({
      client: "pg",
      connection: {
        // sslmode is Strata's to apply (env.tls), so node-postgres never reads it with its own meaning.
        connectionString: "postgresql://deploy:s3cr%40t@10.0.0.5:6432/app",
        host: "10.0.0.5",
        port: 6432,
        user: "deploy",
        password: "s3cr@t",
        database: "app",
      },
      searchPath: ["billing"],
      pool: { max: 4 },
    });
    expect(env.displayTarget).toBe("deploy@10.0.0.5:6432/app");
    expect(env.displayTarget).not.toContain("s3cr");
    expect(env.tls).toEqual({ mode: "require" });

    const other = resolveEnvironment(cfg, "other", undefined, { env: { DB_PASSWORD: "pw", STAGE: "qa" } });
    expect(other.knexConfig.connection).toEqual({ host: "127.0.0.1", user: "root", password: "pw", database: "app_qa" });
    expect(other.displayTarget).toBe("root@127.0.0.1:3306/app_qa");
  });

  it("shows where a connection object's connectionString points", () => {
    const env = resolveEnvironment(config({ dev: { client: "pg", connection: { connectionString: "postgres://me:pw@pghost:5433/appdb", ssl: false } } }));
    expect(env.displayTarget).toBe("me@pghost:5433/appdb");
    expect(env.knexConfig.connection).toEqual({ connectionString: "postgres://me:pw@pghost:5433/appdb", ssl: false });
  });

  it("names the missing variable and the environment", () => {
    const cfg = config({ prod: { client: "pg", connection: "${DATABASE_URL}" } });
    const err = strataErrorOf(() => resolveEnvironment(cfg, "prod", undefined, { env: {} }));
    expect(err.code).toBe("ENV_VARIABLE_MISSING");
    expect(err.message).toBe('environment "prod" needs the environment variable DATABASE_URL, which is not set; set it or change strata.config.json');
  });

  it("puts a relative SQLite file next to the config file and sets useNullAsDefault", () => {
    const env = resolveEnvironment(config({ dev: { client: "sqlite3", connection: { filename: "data/dev.sqlite3" } } }));
    expect(env.knexConfig).toEqual({ client: "better-sqlite3", connection: { filename: path.join(ROOT, "data", "dev.sqlite3") }, useNullAsDefault: true });
    expect(env.displayTarget).toBe("data/dev.sqlite3");
    const abs = resolveEnvironment(config({ dev: { client: "better-sqlite3", connection: "/var/db/app.db" } }));
    expect(abs.knexConfig.connection).toEqual({ filename: "/var/db/app.db" });
    const mem = resolveEnvironment(config({ dev: { client: "better-sqlite3", connection: { filename: ":memory:" } } }));
    expect(mem.knexConfig.connection).toEqual({ filename: ":memory:" });
  });

  it("uses the environment's tables, else the project's, else the defaults", () => {
    const cfg = config(
      { a: { client: "pg", connection: "postgres://h/a", versionTable: "a_version" }, dev: { client: "pg", connection: "postgres://h/b" } },
      { historyTable: "proj_history" },
    );
    expect(resolveEnvironment(cfg, "a")).toMatchObject({ versionTable: "a_version", historyTable: "proj_history", protected: false });
    expect(resolveEnvironment(cfg, "dev")).toMatchObject({ versionTable: "strata_version", historyTable: "proj_history" });
    expect(resolveEnvironment(cfg, "dev").knexConfig).not.toHaveProperty("versionTable");
  });
});

describe("--url", () => {
  const cwd = path.resolve("/work/here");

  it("parses PostgreSQL URLs", () => {
    for (const url of ["postgres://postgres@127.0.0.1:5432/app", "postgresql://postgres@127.0.0.1/app"]) {
      const env = environmentFromUrl(url, { cwd });
      expect(env).toMatchObject({ name: "url", client: "pg", protected: false, versionTable: "strata_version", displayTarget: "postgres@127.0.0.1:5432/app" });
      expect(env.knexConfig.connection).toMatchObject({ connectionString: url, host: "127.0.0.1", user: "postgres", database: "app" });
    }
  });

  it("parses MySQL and MariaDB URLs, hiding the password", () => {
    const env = environmentFromUrl("mariadb://root:hunter2@db.local:3307/shop?charset=utf8mb4", { cwd });
    expect(env.client).toBe("mysql2");
    expect(env.knexConfig.connection).toEqual({ host: "db.local", port: 3307, user: "root", password: "hunter2", database: "shop", charset: "utf8mb4" });
    expect(env.displayTarget).toBe("root@db.local:3307/shop");
    expect(environmentFromUrl("mysql://root@127.0.0.1/app", { cwd }).displayTarget).toBe("root@127.0.0.1:3306/app");
  });

  it("parses SQLite URLs and file paths", () => {
    const cases: Array<[string, string]> = [
      ["sqlite:///var/data/app.db", "/var/data/app.db"],
      ["sqlite:////var/data/app.db", "/var/data/app.db"],
      ["sqlite:dev.sqlite3", path.join(cwd, "dev.sqlite3")],
      ["sqlite://rel/dev.db", path.join(cwd, "rel", "dev.db")],
      ["local.sqlite", path.join(cwd, "local.sqlite")],
      ["./data/x.sqlite3", path.join(cwd, "data", "x.sqlite3")],
      ["/tmp/abs.db", "/tmp/abs.db"],
      ["sqlite::memory:", ":memory:"],
    ];
    for (const [url, filename] of cases) {
      const env = environmentFromUrl(url, { cwd });
      expect(env.client).toBe("better-sqlite3");
      expect(env.knexConfig).toEqual({ client: "better-sqlite3", connection: { filename }, useNullAsDefault: true });
    }
  });

  it("refuses what it does not know", () => {
    const err = strataErrorOf(() => environmentFromUrl("oracle://scott:tiger@h/db", { cwd }));
    expect(err.code).toBe("USAGE");
    expect(err.message).toBe(
      '--url "oracle://scott:***@h/db" is not a database URL Strata knows; use postgres://, mysql://, mariadb://, sqlite:///path or a .sqlite/.sqlite3/.db file',
    );
  });

  it("wins over the config's environments through resolveEnvironment, with the project's tables", () => {
    const cfg = config({ dev: { client: "pg", connection: "postgres://h/d" } }, { versionTable: "vt" });
    const env = resolveEnvironment(cfg, undefined, "sqlite:x.db", { cwd });
    expect(env).toMatchObject({ name: "url", client: "better-sqlite3", versionTable: "vt", historyTable: "strata_history" });
    expect(strataErrorOf(() => resolveEnvironment(cfg, "dev", "sqlite:x.db")).code).toBe("USAGE");
    expect(resolveEnvironment(null, undefined, "postgres://h/d").client).toBe("pg");
  });
});
