/**
 * Issue 14, points 1 and 8: every plan has a verdict. A plan whose revisions read the schema
 * (renameColumn, which knex must read the table for on MySQL; hasColumn and hasTable guards) is
 * rendered in a scratch database holding the live schema, so its destructive statements are found
 * (the six-table rollback that once said `"destructive": []`); a revision that reads rows leaves it
 * unchecked, naming the revision and its statement. --fail-on-destructive / --fail-on-unchecked
 * exit 2 before anything runs, and `check --json` gives each environment's pending verdict.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import knexFactory from "knex";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { planWithSql } from "../../../electron/engine/app-session/migration-plan.js";
import { openProject, selectEnvironment } from "../../../electron/engine/use-cases/open-project.js";
import { SCRATCH_PREFIX } from "../../../electron/engine/use-cases/schema-diff.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { describeColumns, envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { STRATA_BIN, strata, writeProject, writeRevision } from "../../helpers/strata-cli.js";
import type { RevisionSpec } from "../../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";
const C3 = "c3c3c3c3c3c3";
const D4 = "d4d4d4d4d4d4";
const E5 = "e5e5e5e5e5e5";

/** Revisions in the shapes real knex projects use: guards that ask the schema before they act. */
const REVISIONS: readonly RevisionSpec[] = [
  {
    revision: A1,
    downRevision: null,
    message: "users and orders",
    up: `await knex.schema.createTable("users", (t) => { t.increments("id"); t.string("nick", 40); t.string("email", 200); });
  await knex.schema.createTable("orders", (t) => { t.increments("id"); t.integer("user_id").unsigned().references("id").inTable("users"); t.decimal("total", 10, 2); });`,
    down: `await knex.schema.dropTable("orders");
  await knex.schema.dropTable("users");`,
  },
  {
    revision: B2,
    downRevision: A1,
    message: "rename email",
    // knex reads MySQL's table (SHOW FULL FIELDS) to write CHANGE COLUMN: this once blanked the whole render.
    up: `await knex.schema.alterTable("users", (t) => { t.renameColumn("email", "email_address"); });`,
    down: `await knex.schema.alterTable("users", (t) => { t.renameColumn("email_address", "email"); });`,
  },
  {
    revision: C3,
    downRevision: B2,
    message: "drop nick where it is still there",
    up: `if (await knex.schema.hasColumn("users", "nick")) {
    await knex.schema.alterTable("users", (t) => { t.dropColumn("nick"); });
  }`,
    down: `if (!(await knex.schema.hasColumn("users", "nick"))) {
    await knex.schema.alterTable("users", (t) => { t.string("nick", 40); });
  }`,
  },
  {
    revision: D4,
    downRevision: C3,
    message: "billing tables",
    up: `for (const name of ["invoices", "payments", "products", "audit"]) {
    if (!(await knex.schema.hasTable(name))) {
      await knex.schema.createTable(name, (t) => { t.increments("id"); t.string("note", 100); });
    }
  }`,
    down: `for (const name of ["audit", "products", "payments", "invoices"]) {
    if (await knex.schema.hasTable(name)) await knex.schema.dropTable(name);
  }`,
  },
  {
    revision: E5,
    downRevision: D4,
    message: "drop email where nobody has one",
    // What it drops depends on the rows: no copy of the schema can say.
    up: `const [{ n }] = await knex("users").whereNotNull("email_address").count({ n: "*" });
  if (Number(n) === 0) {
    await knex.schema.alterTable("users", (t) => { t.dropColumn("email_address"); });
  }`,
    down: `if (!(await knex.schema.hasColumn("users", "email_address"))) {
    await knex.schema.alterTable("users", (t) => { t.string("email_address", 200); });
  }`,
  },
];

/** Scratch databases a process (this one by default) left on the server: withScratchDatabase names them with its pid. */
async function leftoverScratch(client: DbClient, pid = process.pid): Promise<string[]> {
  if (client === "better-sqlite3") return [];
  const admin = knexFactory(
    client === "pg"
      ? { client, connection: { host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" }, pool: { min: 0, max: 1 } }
      : { client, connection: { host: "127.0.0.1", port: 3306, user: "root", password: "" }, pool: { min: 0, max: 1 } },
  );
  try {
    const like = `${SCRATCH_PREFIX}${pid}\\_%`;
    if (client === "pg") return (await admin.raw("select datname as name from pg_database where datname like ?", [like])).rows.map((r: { name: string }) => r.name);
    return (await admin.raw("select SCHEMA_NAME as name from information_schema.SCHEMATA where SCHEMA_NAME like ?", [like]))[0].map((r: { name: string }) => r.name);
  } finally {
    await admin.destroy();
  }
}

/** Every row count and column of the database, Strata's tables included: what "nothing changed" compares. */
async function snapshot(db: TestDatabase): Promise<{ columns: string[]; heads: string[] }> {
  const columns = await describeColumns(db.knex, db.env.client);
  const heads = (await db.knex.schema.hasTable("strata_version")) ? ((await db.knex("strata_version").select("version_num")) as { version_num: string }[]).map((r) => r.version_num) : [];
  return { columns, heads };
}

/** "REV: reason", the same words on every dialect (SQLite says how it drops a column). */
const said = (list: readonly { revision: string; reason: string }[]): string[] =>
  list.map((d) => `${d.revision}: ${d.reason.replace(/ \(SQLite rebuilds the table without it\)/, "")}`);

const tableDrops = (list: readonly { revision: string; reason: string }[]): string[] =>
  list.flatMap((d) => /^drops table (\S+) and all its rows$/.exec(d.reason)?.[1] ?? []);

/** Figures for docs/RELIABILITY.md. */
const figures: Record<string, { scratchPlanMs: number; rollbackDrops: number; refused: number }> = {};

describe.each(TEST_CLIENTS)("plan verdict on %s", (client: DbClient) => {
  const db = useTestDatabase(client);
  let dir: string;
  const mine = (figures[client] = { scratchPlanMs: 0, rollbackDrops: 0, refused: 0 });
  beforeEach(() => {
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: REVISIONS });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("checks an upgrade through renameColumn, a hasColumn guard and hasTable guards, and lists the guarded drop", async () => {
    const p = ["--project", dir];
    const started = Date.now();
    const plan = await strata([...p, "upgrade", D4, "--plan", "--json"]);
    // The whole command, Node's start included: the scratch database made, seeded, used and dropped.
    mine.scratchPlanMs = Date.now() - started;
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json.checked).toBe(true);
    expect(plan.json.uncheckedReason).toBeNull();
    expect(said(plan.json.destructive)).toEqual([`${C3}: drops column users.nick and its data`]);
    const text = await strata([...p, "upgrade", D4, "--plan"]);
    expect(text.stdout).toContain("destructive: 1 statement would lose data or structure:");
    expect(text.stdout).toContain(`  ${C3}: drops column users.nick and its data`);
    expect(text.stdout).not.toContain("not checked");

    // The app's plan: the same verdict, and the SQL shown (renameColumn included), not a blank render.
    const project = await openProject({ project: dir, cwd: dir });
    const gui = await planWithSql(project, selectEnvironment(project, "dev"), "upgrade", D4);
    expect(gui.checked).toBe(true);
    expect(gui.uncheckedReason).toBeNull();
    expect(gui.sqlError).toBeNull();
    expect(said(gui.destructive)).toEqual([`${C3}: drops column users.nick and its data`]);
    expect(gui.sql).toMatch(/email_address/);
    if (client !== "better-sqlite3") expect(gui.sql).toContain("rendered in a scratch database holding the live schema");

    // A plan changes nothing: no table in the live database, no scratch database left behind.
    expect(await snapshot(db)).toEqual({ columns: [], heads: [] });
    expect(await leftoverScratch(client)).toEqual([]);
  });

  it("finds the six tables a rollback drops through renameColumn and the guards (the rollback that said \"destructive\": [])", async () => {
    const p = ["--project", dir];
    const up = await strata([...p, "upgrade", D4, "--json"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.checked).toBe(true);
    const before = await snapshot(db);

    const plan = await strata([...p, "downgrade", "base", "--plan", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json.checked).toBe(true);
    expect(tableDrops(plan.json.destructive).sort()).toEqual(["audit", "invoices", "orders", "payments", "products", "users"]);
    expect(plan.json.destructive.filter((d: { revision: string }) => d.revision === D4)).toHaveLength(4);
    const text = await strata([...p, "downgrade", "base", "--plan"]);
    expect(text.stdout).toContain("destructive: 6 statements would lose data or structure:");
    expect(text.stdout).toContain(`  ${A1}: drops table users and all its rows`);
    mine.rollbackDrops = tableDrops(plan.json.destructive).length;

    const project = await openProject({ project: dir, cwd: dir });
    const gui = await planWithSql(project, selectEnvironment(project, "dev"), "downgrade", "base");
    expect(gui.checked).toBe(true);
    expect(tableDrops(gui.destructive).sort()).toEqual(["audit", "invoices", "orders", "payments", "products", "users"]);

    expect(await snapshot(db)).toEqual(before);
    // Down through the guard that re-adds nick: checked, nothing lost, and said so.
    expect((await strata([...p, "downgrade", C3])).code).toBe(0);
    const back = await strata([...p, "downgrade", B2, "--plan"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain("checked: no destructive statements");
    expect(await leftoverScratch(client)).toEqual([]);
  });

  it("leaves a plan with a revision that reads rows unchecked, naming the revision and its statement, in --plan, the app and the run", async () => {
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", D4])).code).toBe(0);
    const plan = await strata([...p, "upgrade", "heads", "--plan", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json.checked).toBe(false);
    expect(plan.json.uncheckedReason).toMatch(new RegExp(`^revision ${E5} reads rows \\(\`select count\\(\\*\\) as .n. from .users. where .email_address. is not null\`\\)`));
    expect(plan.json.uncheckedReason).toContain("what it does with the rows was not checked");
    const text = await strata([...p, "upgrade", "heads", "--plan"]);
    expect(text.stdout).toContain(`not checked: revision ${E5} reads rows`);
    // Not a terminal: no colour codes in a CI log; on a terminal (script(1) gives it one) the line is red.
    expect(text.stdout).not.toContain("\u001b[");
    const tty = spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(STRATA_BIN)} --project ${JSON.stringify(dir)} upgrade heads --plan`, "/dev/null"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });
    expect(tty.stdout).toContain(`\u001b[31mnot checked: revision ${E5} reads rows`);

    const project = await openProject({ project: dir, cwd: dir });
    const gui = await planWithSql(project, selectEnvironment(project, "dev"), "upgrade", "heads");
    expect(gui.checked).toBe(false);
    expect(gui.uncheckedReason).toBe(plan.json.uncheckedReason);
    // The script is still shown: only what the revision does with rows is unknown.
    expect(gui.sql).toContain(`-- Running upgrade ${E5}`);
    expect(gui.sqlError).toBeNull();

    const run = await strata([...p, "upgrade", "heads", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`not checked: revision ${E5} reads rows`);
    expect(run.json.checked).toBe(false);
    expect(run.json.uncheckedReason).toBe(plan.json.uncheckedReason);
    expect(run.json.heads).toEqual([E5]);
  });

  it("takes a columnInfo guard and a raw catalog query for the schema reads they are, and finds the drops behind them", async () => {
    writeRevision(dir, {
      revision: "f6f6f6f6f6f6",
      downRevision: E5,
      message: "drop the old total where it is still there",
      up: `const columns = await knex("orders").columnInfo();
  if ("total" in columns) await knex.schema.alterTable("orders", (t) => { t.dropColumn("total"); });`,
    });
    // And the catalog asked in the revision's own SQL, the way hand-written guards do.
    const catalog = client === "better-sqlite3" ? "pragma table_info(audit)" : "select column_name from information_schema.columns where table_name = 'audit'";
    writeRevision(dir, {
      revision: "a7a7a7a7a7a7",
      downRevision: "f6f6f6f6f6f6",
      message: "drop the audit note where the catalog lists it",
      up: `const listed = JSON.stringify(await knex.raw(${JSON.stringify(catalog)}));
  if (listed.includes('"note"')) await knex.schema.alterTable("audit", (t) => { t.dropColumn("note"); });`,
    });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", E5])).code).toBe(0);
    const plan = await strata([...p, "upgrade", "a7a7a7a7a7a7", "--plan", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json.checked, plan.json.uncheckedReason).toBe(true);
    expect(said(plan.json.destructive)).toEqual(["f6f6f6f6f6f6: drops column orders.total and its data", "a7a7a7a7a7a7: drops column audit.note and its data"]);
  });

  it("says which revision failed in the scratch database, and leaves the plan unchecked", async () => {
    writeRevision(dir, {
      revision: "f6f6f6f6f6f6",
      downRevision: E5,
      message: "guarded change of a table that is not there",
      up: `if (await knex.schema.hasTable("users")) await knex.schema.alterTable("no_such_table", (t) => { t.string("x", 10); });`,
    });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", D4])).code).toBe(0);
    const plan = await strata([...p, "upgrade", "f6f6f6f6f6f6", "--plan", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json.checked).toBe(false);
    expect(plan.json.uncheckedReason).toMatch(/revision f6f6f6f6f6f6 .*failed while rendering in a scratch database: .*no_such_table/);
    expect(await leftoverScratch(client)).toEqual([]);
  });

  it("--fail-on-destructive and --fail-on-unchecked exit 2 before anything runs, with one line; nothing changes, not even Strata's tables", async () => {
    const p = ["--project", dir];
    const destructive = await strata([...p, "upgrade", D4, "--fail-on-destructive"]);
    expect(destructive.code).toBe(2);
    expect(destructive.stderr.trim().split("\n"), destructive.stderr).toHaveLength(1);
    expect(destructive.reason.replace(" (SQLite rebuilds the table without it)", "")).toBe(
      `strata: environment dev: the upgrade (4 revisions) has 1 destructive statement (${C3}: drops column users.nick and its data) and --fail-on-destructive is set; nothing was run`,
    );
    expect(await snapshot(db)).toEqual({ columns: [], heads: [] });
    mine.refused++;

    // Checked and harmless: it runs.
    const harmless = await strata([...p, "upgrade", B2, "--fail-on-destructive", "--fail-on-unchecked", "--json"]);
    expect(harmless.code, harmless.stderr).toBe(0);
    expect(harmless.json.checked).toBe(true);
    expect(harmless.json.heads).toEqual([B2]);
    const atB2 = await snapshot(db);

    const unchecked = await strata([...p, "upgrade", "heads", "--fail-on-unchecked", "--json"]);
    expect(unchecked.code).toBe(2);
    expect(unchecked.stderr.trim().split("\n"), unchecked.stderr).toHaveLength(1);
    expect(unchecked.reason).toMatch(new RegExp(`^strata: environment dev: the upgrade \\(3 revisions\\) was not checked for destructive statements \\(revision ${E5} reads rows .*\\) and --fail-on-unchecked is set; nothing was run$`));
    expect(unchecked.json.error.code).toBe("PLAN_UNCHECKED");
    expect(await snapshot(db)).toEqual(atB2);
    mine.refused++;

    // With --plan: the plan is printed whole, and CI still gets exit 2 and the line.
    const planned = await strata([...p, "upgrade", "heads", "--plan", "--json", "--fail-on-destructive"]);
    expect(planned.code).toBe(2);
    expect(planned.json.steps).toHaveLength(3);
    // c3's drop, and e5's, which the copy without rows takes (nobody has an email there).
    expect(planned.reason).toMatch(/has 2 destructive statements \(c3c3c3c3c3c3: drops column users\.nick .*; e5e5e5e5e5e5: drops column users\.email_address .*--fail-on-destructive is set/);

    expect((await strata([...p, "upgrade", D4])).code).toBe(0);
    const atD4 = await snapshot(db);
    const rollback = await strata([...p, "downgrade", "base", "--fail-on-destructive"]);
    expect(rollback.code).toBe(2);
    expect(rollback.reason).toMatch(/^strata: environment dev: the downgrade \(4 revisions\) has 6 destructive statements \(.*; and 3 more \(see --plan\)\) and --fail-on-destructive is set; nothing was run$/);
    expect(await snapshot(db)).toEqual(atD4);
    mine.refused++;

    const noLint = await strata([...p, "upgrade", "heads", "--fail-on-unchecked", "--no-lint"]);
    expect(noLint.code).toBe(2);
    expect(noLint.reason).toBe("strata: --fail-on-unchecked needs the plan checked; drop --no-lint");
    expect(await snapshot(db)).toEqual(atD4);
  });

  it("check --json gives the verdict of each environment's pending upgrade; the text says it", async () => {
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", B2])).code).toBe(0);
    const check = await strata([...p, "check", "--no-drift", "--json"]);
    expect(check.code).toBe(1);
    const env = check.json.environments[0];
    expect(env.pending).toEqual([C3, D4, E5]);
    expect(env.verdict.checked).toBe(false);
    expect(env.verdict.uncheckedReason).toMatch(new RegExp(`^revision ${E5} reads rows`));
    // e5's drop is listed as what it may do: on the copy without rows, nobody has an email.
    expect(said(env.verdict.destructive)).toEqual([
      `${C3}: drops column users.nick and its data`,
      `${E5}: drops column users.email_address and its data; whether it runs depends on rows this check could not see`,
    ]);
    const text = await strata([...p, "check", "--no-drift"]);
    expect(text.stdout).toContain("  destructive: 2 statements would lose data or structure:");
    expect(text.stdout).toContain(`  not checked: revision ${E5} reads rows`);

    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
    const done = await strata([...p, "check", "--no-drift", "--json"]);
    expect(done.code).toBe(0);
    expect(done.json.environments[0].verdict).toBeUndefined();
  });

  it("renders on a copy of the live schema as it stands (a table made by hand, its key, its view), so a guarded rename keeps its type and loses nothing", async () => {
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", D4])).code).toBe(0);
    // Drift: a table and a view nobody's revision made, with a foreign key to users and a "?" in a default.
    await db.knex.schema.createTable("legacy", (t) => {
      t.integer("id").primary();
      t.string("code", 123).notNullable().defaultTo("x?");
      t.integer("user_id").unsigned().references("id").inTable("users");
    });
    await db.knex.raw("create view legacy_codes as select id, code from legacy");
    writeRevision(dir, {
      revision: "f6f6f6f6f6f6",
      downRevision: D4,
      message: "rename the legacy code where that table exists",
      up: `if (await knex.schema.hasTable("legacy")) {
    await knex.schema.alterTable("legacy", (t) => { t.renameColumn("code", "legacy_code"); });
  }`,
    });
    const before = await snapshot(db);
    const plan = await strata([...p, "upgrade", "f6f6f6f6f6f6", "--plan", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json.checked, plan.json.uncheckedReason).toBe(true);
    // Had the copy spelled legacy.code differently, MySQL's CHANGE COLUMN would read as a type change here.
    expect(plan.json.destructive).toEqual([]);
    const project = await openProject({ project: dir, cwd: dir });
    const gui = await planWithSql(project, selectEnvironment(project, "dev"), "upgrade", "f6f6f6f6f6f6");
    expect(gui.sql).toMatch(/legacy_code/);
    if (client === "mysql2") expect(gui.sql).toMatch(/change `code` `legacy_code` varchar\(123\)/);
    expect(await snapshot(db)).toEqual(before);
    expect(await leftoverScratch(client)).toEqual([]);
  });

  it.skipIf(client === "better-sqlite3")("never runs a statement that names the live database in the scratch database", async () => {
    const live = (db.env.knexConfig.connection as { database: string }).database;
    const q = client === "mysql2" ? "`" : '"';
    writeRevision(dir, {
      revision: "f6f6f6f6f6f6",
      downRevision: D4,
      message: "reach into the live database by name",
      up: `if (await knex.schema.hasTable("users")) await knex.raw(${JSON.stringify(`alter table ${q}${live}${q}.users add column reached int`)});`,
    });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", D4])).code).toBe(0);
    const before = await snapshot(db);
    const plan = await strata([...p, "upgrade", "f6f6f6f6f6f6", "--plan", "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json.checked).toBe(false);
    expect(plan.json.uncheckedReason).toBe(
      `revision f6f6f6f6f6f6 failed while rendering in a scratch database: it names the live database ${live} (\`alter table ${q}${live}${q}.users add column reached int\`), so it was not run there; check what it does by hand`,
    );
    expect(await snapshot(db)).toEqual(before);
    expect(before.columns).not.toContain("users.reached");
  });

  it.skipIf(client === "better-sqlite3")("drops its scratch database when --plan is interrupted (SIGINT) while the plan renders there", async () => {
    writeRevision(dir, {
      revision: "f6f6f6f6f6f6",
      downRevision: D4,
      message: "a slow guarded change",
      up: `if (await knex.schema.hasTable("users")) await new Promise((resolve) => setTimeout(resolve, 20000));`,
    });
    const child = spawn(process.execPath, [STRATA_BIN, "--project", dir, "upgrade", "f6f6f6f6f6f6", "--plan"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while ((await leftoverScratch(client, child.pid)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await leftoverScratch(client, child.pid), "the scratch database was never made").toHaveLength(1);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("strata: interrupted; dropping scratch databases");
    expect(await leftoverScratch(client, child.pid), stderr).toEqual([]);
  });

  it.skipIf(client === "better-sqlite3")("says so when the plan needs a scratch database and the user may not make one", async () => {
    const user = `strata_t_${randomBytes(4).toString("hex")}`;
    const database = (db.env.knexConfig.connection as { database: string }).database;
    const grants: string[] =
      client === "pg"
        ? [`create role ${user} login nocreatedb`, `grant all on database ${database} to ${user}`]
        : [`create user '${user}'@'%'`, `create user '${user}'@'localhost'`, `grant all on \`${database}\`.* to '${user}'@'%'`, `grant all on \`${database}\`.* to '${user}'@'localhost'`];
    for (const g of grants) await db.knex.raw(g);
    try {
      if (client === "pg") await db.knex.raw(`grant all on schema public to ${user}`);
      const limited = { ...envEntry(db), connection: { ...(db.env.knexConfig.connection as object), user, password: "" } };
      fs.writeFileSync(`${dir}/strata.config.json`, JSON.stringify({ migrations: "migrations", environments: { dev: limited } }));
      const plan = await strata(["--project", dir, "upgrade", D4, "--plan", "--json"]);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.json.checked).toBe(false);
      expect(plan.json.uncheckedReason).toMatch(
        // MySQL's first read is renameColumn's (SHOW FULL FIELDS); PostgreSQL's the hasColumn guard.
        new RegExp(`^revision ${client === "mysql2" ? `${B2} reads the schema \\(\`show full fields from` : `${C3} reads the schema \\(\`select \\* from information_schema.columns`}.*\`\\), so the plan must be rendered in a scratch database, and none could be made on .*\\(.*denied.*\\); grant this user CREATE DATABASE to have the plan checked$`),
      );
      const refused = await strata(["--project", dir, "upgrade", D4, "--fail-on-unchecked"]);
      expect(refused.code).toBe(2);
      expect(refused.reason).toMatch(/was not checked for destructive statements \(revision (b2b2b2b2b2b2|c3c3c3c3c3c3) reads the schema .*none could be made .*\) and --fail-on-unchecked is set; nothing was run$/);
      expect(await snapshot(db)).toEqual({ columns: [], heads: [] });
    } finally {
      if (client === "pg") {
        await db.knex.raw(`revoke all on schema public from ${user}`).catch(() => undefined);
        await db.knex.raw(`revoke all on database ${database} from ${user}`).catch(() => undefined);
        await db.knex.raw(`drop role if exists ${user}`);
      } else {
        await db.knex.raw(`drop user if exists '${user}'@'%', '${user}'@'localhost'`);
      }
    }
  });

  it("reports its figures", () => {
    console.log(`plan verdict ${client}: ${JSON.stringify(mine)}`);
  });
});
