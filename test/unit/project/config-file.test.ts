import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findProjectRoot, loadConfig, parseConfig } from "../../../electron/engine/project/config-file.js";
import { DEFAULT_FILE_TEMPLATE } from "../../../electron/engine/scripts/file-template.js";
import { strataErrorOf } from "../../helpers/strata-errors.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-config-");

describe("findProjectRoot", () => {
  it("walks up to the folder holding strata.config.json", () => {
    const root = tempDir();
    writeFileSync(path.join(root, "strata.config.json"), '{"migrations": "migrations"}');
    const deep = path.join(root, "a", "b", "c");
    mkdirSync(deep, { recursive: true });
    expect(findProjectRoot(deep)).toBe(root);
    expect(findProjectRoot(root)).toBe(root);
  });

  it("says where it looked and what to do when there is none", () => {
    const start = path.join(tempDir(), "x");
    mkdirSync(start);
    const err = strataErrorOf(() => findProjectRoot(start));
    expect(err.code).toBe("CONFIG_NOT_FOUND");
    expect(err.message).toBe(`no strata.config.json or knexfile in ${start} or any parent; run \`strata init\` or pass --project DIR`);
  });
});

describe("loadConfig", () => {
  it("applies defaults; only migrations is required", () => {
    const root = tempDir();
    writeFileSync(path.join(root, "strata.config.json"), '{ "migrations": "db/migrations" }\n');
    expect(loadConfig(root)).toEqual({
      root,
      configFile: path.join(root, "strata.config.json"),
      migrations: "db/migrations",
      migrationsDir: path.join(root, "db", "migrations"),
      fileTemplate: DEFAULT_FILE_TEMPLATE,
      versionTable: "strata_version",
      historyTable: "strata_history",
      environments: {},
    });
  });

  it("reads DESIGN.md's example, normalising client names and passing knex keys through", () => {
    const root = tempDir();
    const config = parseConfig(
      JSON.stringify({
        migrations: "migrations",
        fileTemplate: "%(rev)s_%(slug)s",
        versionTable: "v",
        historyTable: "h",
        environments: {
          dev: { client: "sqlite3", connection: { filename: "dev.sqlite3" } },
          prod: { client: "postgresql", connection: "${DATABASE_URL}", protected: true, color: "#d33", searchPath: ["app"], pool: { min: 0, max: 4 } },
          maria: { client: "mysql", connection: { host: "127.0.0.1", user: "root" }, versionTable: "maria_version" },
        },
      }),
      root,
    );
    expect(config.fileTemplate).toBe("%(rev)s_%(slug)s");
    expect(config.environments).toEqual({
      dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } },
      prod: { client: "pg", connection: "${DATABASE_URL}", protected: true, color: "#d33", searchPath: ["app"], pool: { min: 0, max: 4 } },
      maria: { client: "mysql2", connection: { host: "127.0.0.1", user: "root" }, versionTable: "maria_version" },
    });
  });

  it("reports invalid JSON with line and column", () => {
    const root = tempDir();
    writeFileSync(path.join(root, "strata.config.json"), '{\n  "migrations": "m",\n  "environments": {\n    "dev": }\n}\n');
    const err = strataErrorOf(() => loadConfig(root));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toBe("strata.config.json:4:12: Unexpected token \"}\"; expected a value");
  });

  it("reports a trailing comma and an unterminated file", () => {
    expect(strataErrorOf(() => parseConfig('{\n  "migrations": "m",\n}', "/p")).message).toBe(
      'strata.config.json:3:1: Unexpected token "}"; expected a double-quoted property name (is there a trailing comma?)',
    );
    expect(strataErrorOf(() => parseConfig('{ "migrations": "m"', "/p")).message).toBe(
      'strata.config.json:1:20: Unexpected end of JSON input; expected "," or "}"',
    );
  });

  it("names the path of a schema error", () => {
    const bad = (config: unknown): string => strataErrorOf(() => parseConfig(JSON.stringify(config), "/p")).message;
    expect(bad({ migrations: "m", environments: { prod: { client: "oracle" } } })).toBe(
      'strata.config.json: environments.prod.client: expected one of pg, mysql2, better-sqlite3 (got "oracle")',
    );
    expect(bad({ environments: {} })).toBe("strata.config.json: migrations: required");
    expect(bad({ migrations: 3 })).toBe("strata.config.json: migrations: expected a string, got 3");
    expect(bad({ migrations: "m", environments: { dev: { client: "pg", protected: "yes" } } })).toBe(
      'strata.config.json: environments.dev.protected: expected a boolean, got "yes"',
    );
    expect(bad({ migrations: "m", environments: { dev: { connection: {} } } })).toBe(
      "strata.config.json: environments.dev.client: required: one of pg, mysql2, better-sqlite3",
    );
    expect(bad({ migrations: "m", enviroments: {} })).toBe(
      'strata.config.json: unknown key "enviroments"; the keys are migrations, fileTemplate, versionTable, historyTable, environments, baseSchema, knex, strictTargets',
    );
    expect(bad({ migrations: "m", strictTargets: "yes" })).toBe('strata.config.json: strictTargets: expected a boolean, got "yes"');
    expect(parseConfig(JSON.stringify({ migrations: "m", strictTargets: true }), "/p").strictTargets).toBe(true);
    expect(bad({ migrations: "m", versionTable: "drop table x" })).toMatch(/^strata\.config\.json: versionTable: expected a table name/);
    expect(bad([])).toBe("strata.config.json: expected an object, got []");
    expect(bad({ migrations: "m", fileTemplate: "%(rev)s_%(name)s" })).toBe(
      'strata.config.json: fileTemplate "%(rev)s_%(name)s": unknown token %(name); use rev, slug, year, month, day, hour, minute, second, epoch',
    );
  });

  it("says CONFIG_NOT_FOUND for a folder without a config", () => {
    const root = tempDir();
    const err = strataErrorOf(() => loadConfig(root));
    expect(err.code).toBe("CONFIG_NOT_FOUND");
    expect(err.message).toContain(root);
  });
});

describe("baseSchema (issue #15 point 6)", () => {
  it("is resolved against the project folder", () => {
    const root = tempDir();
    mkdirSync(path.join(root, "db"));
    writeFileSync(path.join(root, "db", "base.sql"), "create table accounts (id int);");
    writeFileSync(path.join(root, "db", "base.cjs"), "module.exports = async (knex) => {};");
    expect(parseConfig(JSON.stringify({ migrations: "m", baseSchema: "db/base.sql" }), root).baseSchema).toBe(path.join(root, "db", "base.sql"));
    expect(parseConfig(JSON.stringify({ migrations: "m", baseSchema: "db/base.cjs" }), root).baseSchema).toBe(path.join(root, "db", "base.cjs"));
  });

  it("refuses a missing file or one that is neither SQL nor a module, in one line", () => {
    const root = tempDir();
    writeFileSync(path.join(root, "base.txt"), "");
    const bad = (config: unknown): string => strataErrorOf(() => parseConfig(JSON.stringify(config), root)).message;
    expect(bad({ migrations: "m", baseSchema: "db/base.sql" })).toBe(`strata.config.json: baseSchema: db/base.sql does not exist in ${root}; create it or fix the path`);
    expect(bad({ migrations: "m", baseSchema: "base.txt" })).toBe(
      'strata.config.json: baseSchema: "base.txt" is neither a .sql file nor a module (.js, .cjs, .mjs, .ts); name a SQL script or a module exporting async (knex) => ...',
    );
    expect(bad({ migrations: "m", baseSchema: "" })).toMatch(/^strata\.config\.json: baseSchema: expected a \.sql file or a module/);
    expect(bad({ migrations: "m", baseSchema: 3 })).toBe("strata.config.json: baseSchema: expected a string, got 3");
  });

  it("takes knex's migration settings under \"knex\"", () => {
    const c = parseConfig(JSON.stringify({ migrations: "m", knex: { tableName: "app_migrations", loadExtensions: [".js"], sortDirsSeparately: true } }), "/p");
    expect(c.knexMigrations).toEqual({ tableName: "app_migrations", loadExtensions: [".js"], sortDirsSeparately: true });
    expect(strataErrorOf(() => parseConfig(JSON.stringify({ migrations: "m", knex: { table: "x" } }), "/p")).message).toBe(
      'strata.config.json: knex: unknown key "table"; the keys are tableName, loadExtensions, sortDirsSeparately, extension',
    );
  });
});
