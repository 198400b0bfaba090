import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata } from "../../helpers/strata-cli.js";

// Issue #15 point 7: a folder with a knexfile and no strata.config.json is a project; `strata
// init --from-knexfile` writes the equivalent config.

const FIRST = "20230816120000_create_users";
const FIRST_FILE = `exports.up = (knex) => knex.schema.createTable("users", (t) => { t.increments("id"); });
exports.down = (knex) => knex.schema.dropTable("users");
`;

/** vitest sets NODE_ENV=test; a person's shell usually has none, and knex then picks "development". */
const SHELL = { NODE_ENV: "" };

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-knexfile-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** The notice line on stderr, among the others. */
function notice(stderr: string): string | undefined {
  return stderr.split("\n").find((l) => l.startsWith("strata: no strata.config.json"));
}

/** A connection the knexfile reads from an environment variable, as deployed knexfiles do. */
function connectionFromVariable(db: TestDatabase, variable: string): { code: string; value: string } {
  const c = db.env.knexConfig.connection as Record<string, unknown>;
  if (db.env.client === "better-sqlite3") return { code: `{ filename: process.env.${variable} }`, value: String(c.filename) };
  const scheme = db.env.client === "pg" ? "postgres" : "mysql";
  return { code: `process.env.${variable}`, value: `${scheme}://${String(c.user)}@${String(c.host)}:${String(c.port)}/${String(c.database)}` };
}

describe.each(TEST_CLIENTS)("a knexfile is enough on %s", (client: DbClient) => {
  const db = useTestDatabase(client);
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("knexfile.js with one config per environment: its environments and ./migrations, said in one line; init --from-knexfile writes the same", async () => {
    const variable = `STRATA_TEST_URL_${client.replace(/\W/g, "_").toUpperCase()}`;
    const prod = connectionFromVariable(db, variable);
    dir = folder({
      "knexfile.js": `module.exports = {
  development: { client: ${JSON.stringify(client)}, connection: ${JSON.stringify(db.env.knexConfig.connection)}, useNullAsDefault: true },
  production: { client: ${JSON.stringify(client)}, connection: ${prod.code}, migrations: { directory: "./migrations" } },
};
`,
      [`migrations/${FIRST}.js`]: FIRST_FILE,
    });
    const env = { ...SHELL, [variable]: prod.value };
    const up = await strata(["upgrade", "heads", "--json"], { cwd: dir, env });
    expect(up.code, up.stderr).toBe(0);
    expect(notice(up.stderr)).toBe("strata: no strata.config.json; using knexfile.js (environments: development, production)");
    expect(up.json.environment).toBe("development");
    expect(up.json.steps.map((s: { revision: string }) => s.revision)).toEqual([FIRST]);
    // A knex folder keeps its record in knex_migrations, as knex's own latest would (issue 15).
    expect(await db.knex("knex_migrations").pluck("name")).toEqual([`${FIRST}.js`]);

    // A subfolder finds the knexfile by walking up, as it finds strata.config.json.
    fs.mkdirSync(path.join(dir, "src"));
    const prodCurrent = await strata(["--env", "production", "current", "--json"], { cwd: path.join(dir, "src"), env });
    expect(prodCurrent.code, prodCurrent.stderr).toBe(0);
    expect(prodCurrent.json).toEqual({ environment: "production", heads: [FIRST] });

    const init = await strata(["init", "--from-knexfile"], { cwd: dir, env });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("from knexfile.js (environments: development, production)");
    const written = JSON.parse(fs.readFileSync(path.join(dir, "strata.config.json"), "utf8"));
    expect(written.migrations).toBe("./migrations");
    expect(Object.keys(written.environments)).toEqual(["development", "production"]);
    expect(written.environments.development.client).toBe(client);
    // What the knexfile read from the environment is written as ${NAME}, never as the value.
    expect(JSON.stringify(written.environments.production)).toContain(`\${${variable}}`);
    expect(fs.readFileSync(path.join(dir, "strata.config.json"), "utf8")).not.toContain(prod.value);

    const after = await strata(["--env", "production", "current", "--json"], { cwd: dir, env });
    expect(after.code, after.stderr).toBe(0);
    expect(after.json.heads).toEqual([FIRST]);
    expect(notice(after.stderr)).toBeUndefined();
    const again = await strata(["init", "--from-knexfile"], { cwd: dir, env });
    expect(again.code).toBe(2);
    expect(again.reason).toMatch(/strata\.config\.json already exists/);
  });

  it("knexfile.ts exporting one config: one environment, its migrations.directory and tableName", async () => {
    dir = folder({
      "knexfile.ts": `import type { Knex } from "knex";

const config: Knex.Config = {
  client: ${JSON.stringify(client)},
  connection: ${JSON.stringify(db.env.knexConfig.connection)},
  useNullAsDefault: true,
  migrations: { directory: "./db/migrations", tableName: "app_migrations", loadExtensions: [".js"] },
};

export default config;
`,
      [`db/migrations/${FIRST}.js`]: FIRST_FILE,
    });
    const history = await strata(["history", "--json"], { cwd: dir, env: SHELL });
    expect(history.code, history.stderr).toBe(0);
    expect(notice(history.stderr)).toBe("strata: no strata.config.json; using knexfile.ts (environments: default)");
    expect(history.json.revisions.map((r: { revision: string; file: string }) => [r.revision, r.file])).toEqual([[FIRST, `db/migrations/${FIRST}.js`]]);
    const up = await strata(["upgrade", "heads", "--json"], { cwd: dir, env: SHELL });
    expect(up.code, up.stderr).toBe(0);
    expect(up.json).toMatchObject({ environment: "default", heads: [FIRST] });
    expect(await db.knex.schema.hasTable("users")).toBe(true);
    // The run kept knex's record under the knexfile's tableName; that bookkeeping is not the app's schema: no drift for it.
    expect(await db.knex("app_migrations").pluck("name")).toEqual([`${FIRST}.js`]);
    expect(await db.knex.schema.hasTable("app_migrations_lock")).toBe(true);
    expect(await db.knex.schema.hasTable("knex_migrations")).toBe(false);
    const check = await strata(["check", "--json"], { cwd: dir, env: SHELL });
    expect(check.code, check.stdout).toBe(0);
    expect(check.json.environments[0].drift).toMatchObject({ checked: true, drifted: false, changes: [], error: null });

    const init = await strata(["init", "--from-knexfile", "--json"], { cwd: dir, env: SHELL });
    expect(init.code, init.stderr).toBe(0);
    expect(init.json.environments).toEqual(["default"]);
    const written = JSON.parse(fs.readFileSync(path.join(dir, "strata.config.json"), "utf8"));
    expect(written).toMatchObject({ migrations: "./db/migrations", knex: { tableName: "app_migrations", loadExtensions: [".js"], extension: "ts" } });
    expect(written.environments.default).toMatchObject({ client, useNullAsDefault: true });
    expect(written.environments.default.migrations).toBeUndefined();
  });
});

describe("knexfile forms and mistakes", () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a function export is called; a new revision in its empty folder is a knex migration", async () => {
    dir = folder({
      "knexfile.cjs": `module.exports = async () => ({
  development: { client: "sqlite3", connection: { filename: "./dev.sqlite3" }, useNullAsDefault: true, pool: { afterCreate: (conn, done) => done(null, conn) } },
});
`,
    });
    fs.mkdirSync(path.join(dir, "migrations"));
    const made = await strata(["revision", "-m", "create users", "--json"], { cwd: dir, env: SHELL });
    expect(made.code, made.stderr).toBe(0);
    expect(notice(made.stderr)).toBe("strata: no strata.config.json; using knexfile.cjs (environments: development)");
    expect(made.json.revision).toMatch(/^\d{14}_create_users$/);
    // In an empty folder, the extension knex's migrate:make would take: the knexfile's own.
    expect(made.json.file).toBe(`migrations/${made.json.revision}.cjs`);
    expect(fs.readFileSync(path.join(dir, made.json.file), "utf8")).toMatch(/^exports\.up = /m);
    const init = await strata(["init", "--from-knexfile"], { cwd: dir, env: SHELL });
    expect(init.code, init.stderr).toBe(0);
    // A function (pool.afterCreate) cannot be written in JSON: said, not dropped in silence.
    expect(init.stdout).toContain("not written (functions stay in knexfile.cjs only): environments.development.pool.afterCreate");
  });

  it("a knexfile that does not compile, or has no environments, is one line", async () => {
    dir = folder({ "knexfile.js": "module.exports = { development: { client: 'pg', connection: {\n};\n" });
    const broken = await strata(["current"], { cwd: dir, env: SHELL });
    expect(broken.code).toBe(2);
    expect(broken.reason).toMatch(/^strata: knexfile\.js:\d+:\d+: .+; fix the knexfile or write a strata\.config\.json$/);

    fs.writeFileSync(path.join(dir, "knexfile.js"), "module.exports = { port: 3000 };\n");
    const empty = await strata(["current"], { cwd: dir, env: SHELL });
    expect(empty.code).toBe(2);
    expect(empty.reason).toBe(
      "strata: knexfile.js has no environments: export one knex config ({ client, connection }) or one per environment ({ development: {...}, production: {...} })",
    );

    fs.writeFileSync(path.join(dir, "knexfile.js"), "module.exports = { development: { client: 'oracledb' } };\n");
    const client = await strata(["current"], { cwd: dir, env: SHELL });
    expect(client.code).toBe(2);
    expect(client.reason).toBe('strata: knexfile.js: environments.development.client: expected one of pg, mysql2, better-sqlite3 (got "oracledb")');
    expect(fs.existsSync(path.join(dir, "strata.config.json"))).toBe(false);
  });
});
