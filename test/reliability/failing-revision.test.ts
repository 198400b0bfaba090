/**
 * Issue 5, item 3: a revision that fails after some statements. The error names the revision,
 * the statement and the database's message (one line on stderr; the facts in --json);
 * PostgreSQL and SQLite roll it back; MariaDB records `failed`, says which statements ran, and
 * (as Flyway does until `repair`) refuses further runs until `strata resolve` says what was found.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createTestDatabase, envEntry, versionHeads, TEST_CLIENTS } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { strata, writeProject, writeRevision } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const F2 = "f2f2f2f2f2f2";

const BASE: RevisionSpec = {
  revision: A1,
  downRevision: null,
  message: "create base",
  up: `await knex.schema.createTable("base_t", (t) => { t.integer("id"); }); await knex("base_t").insert([{ id: 1 }, { id: 2 }]);`,
  down: `await knex.schema.dropTable("base_t");`,
};

/** Creates a table, inserts a row, then refers to a table that does not exist. */
const FAILING: RevisionSpec = {
  revision: F2,
  downRevision: A1,
  message: "half then fail",
  up: `await knex.schema.createTable("half_t", (t) => { t.integer("id"); }); await knex("half_t").insert({ id: 7 }); await knex.raw("insert into no_such_table (id) values (1)");`,
  down: `await knex.schema.dropTable("half_t");`,
};

/** The database's own words for the missing table. */
const DB_MESSAGE: Record<DbClient, RegExp> = {
  pg: /^relation "no_such_table" does not exist$/,
  mysql2: /^Table '\w+\.no_such_table' doesn't exist$/,
  "better-sqlite3": /^no such table: no_such_table$/,
};

const figures: Record<string, unknown>[] = [];

async function historyRows(db: TestDatabase): Promise<{ revision: string; status: string; error: string | null }[]> {
  return (await db.knex("strata_history").select("revision", "status", "error").orderBy("id")) as never;
}

async function count(db: TestDatabase, table: string): Promise<number> {
  return Number((await db.knex(table).count({ n: "*" }))[0]!.n);
}

describe.each(TEST_CLIENTS)("failing revision on %s", (client: DbClient) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(client);
  });
  afterEach(async () => {
    await db.drop();
  });

  it("names the revision, the statement and the database's message; rolls back or records what ran", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, FAILING] });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);

    const r = await strata([...p, "upgrade", "heads", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("strata: "))).toEqual([r.reason]);
    expect(r.reason).toMatch(new RegExp(`^strata: revision ${F2} \\(half then fail\\) failed on up in \`insert into no_such_table \\(id\\) values \\(1\\)\`: `));
    const details = r.json.error.details;
    expect(r.json.error.code).toBe("REVISION_FAILED");
    expect(details).toMatchObject({ revision: F2, direction: "up", statement: "insert into no_such_table (id) values (1)" });
    expect(details.databaseMessage).toMatch(DB_MESSAGE[client]);
    expect(r.reason).toContain(details.databaseMessage);
    // The statements that had run before the failure, as the database received them.
    expect(details.executed.filter((s: string) => !/^(pragma|select|savepoint|release)\b/i.test(s))).toEqual([
      expect.stringMatching(/^create table .half_t. \(.id. (integer|int)\)$/),
      expect.stringMatching(/^insert into .half_t. \(.id.\) values \(7\)$/),
    ]);

    expect(await versionHeads(db)).toEqual([A1]);
    expect(await count(db, "base_t")).toBe(2);
    const rows = await historyRows(db);
    expect(rows.map((x) => `${x.revision} ${x.status}`)).toEqual([`${A1} succeeded`, `${F2} failed`]);
    expect(rows[1]!.error).toBe(r.reason.replace(/^strata: /, ""));

    if (client === "mysql2") {
      // DDL committed as it ran: the table and its row stay, and the message says so and what to do.
      expect(await count(db, "half_t")).toBe(1);
      expect(r.reason).toContain("MySQL/MariaDB commits DDL as it runs, so the revision may be half applied: 2 statements had run (last: insert into `half_t` (`id`) values (7)); the version table was left at a1a1a1a1a1a1");
      expect(r.reason).toContain(`strata resolve ${F2} --applied`);

      // Like Flyway until `repair`: the next run refuses before changing anything.
      const next = await strata([...p, "upgrade", "heads", "--json"]);
      expect(next.code).toBe(2);
      expect(next.reason).toMatch(new RegExp(`^strata: upgrade refused, nothing was run: revision ${F2} \\(half then fail\\) failed on up \\(started .* by .*\\) after 2 statements had run \\(last: insert into \`half_t\` \\(\`id\`\\) values \\(7\\)\\), so it may be half applied; check the database, then run \`strata resolve ${F2} --applied\``));
      expect(next.json.error).toMatchObject({ code: "HALF_APPLIED", details: { revision: F2, status: "failed" } });
      expect((await historyRows(db)).length).toBe(2);
      const status = await strata([...p, "status", "--json", "--no-drift"]);
      expect(status.json.environments[0].unresolved).toMatchObject([{ revision: F2, state: "failed" }]);
      expect((await strata([...p, "check", "--no-drift"])).code).toBe(1);

      // The person undoes the half, fixes the file, resolves, and the revision runs again.
      await db.knex.schema.dropTable("half_t");
      const resolved = await strata([...p, "resolve", F2, "--rolled-back", "--json"]);
      expect(resolved.code).toBe(0);
      expect(resolved.json).toMatchObject({ revision: F2, outcome: "rolled-back", heads: [A1] });
      expect((await historyRows(db))[1]!.error).toMatch(/^resolved as rolled back by .*; it was: revision f2f2f2f2f2f2 \(half then fail\) failed on up/);
      writeRevision(dir, { ...FAILING, up: `await knex.schema.createTable("half_t", (t) => { t.integer("id"); }); await knex("half_t").insert({ id: 7 });` });
      const fixed = await strata([...p, "upgrade", "heads", "--json"]);
      expect(fixed.code).toBe(0);
      expect(fixed.json.heads).toEqual([F2]);
      expect(await count(db, "half_t")).toBe(1);
      figures.push({ client, revisions: 2, faults: 1, refusals: 1, rowsChecked: { base_t: 2, half_t: 1 }, historyRows: 3 });
    } else {
      // Rolled back: nothing of the revision remains, and running again simply fails the same way.
      expect(r.reason).toMatch(/it was rolled back: the database is as it was before this revision$/);
      expect(await db.knex.schema.hasTable("half_t")).toBe(false);
      const again = await strata([...p, "upgrade", "heads"]);
      expect(again.code).toBe(2);
      expect(again.reason).toBe(r.reason);
      expect(await db.knex.schema.hasTable("half_t")).toBe(false);
      expect(await versionHeads(db)).toEqual([A1]);
      expect((await strata([...p, "status", "--json", "--no-drift"])).json.environments[0].unresolved).toEqual([]);
      figures.push({ client, revisions: 2, faults: 2, rowsChecked: { base_t: 2 }, tablesAbsent: ["half_t"], historyRows: 3 });
    }
  });

  it("a failure before anything committed leaves nothing to resolve and the run may be retried", async () => {
    // Only row changes before the failure: MariaDB's transaction undoes them too.
    const dmlOnly: RevisionSpec = {
      revision: F2,
      downRevision: A1,
      message: "rows then fail",
      up: `await knex("base_t").insert({ id: 3 }); await knex.raw("insert into no_such_table (id) values (1)");`,
      down: `await knex("base_t").where({ id: 3 }).delete();`,
    };
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, dmlOnly] });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);
    const r = await strata([...p, "upgrade", "heads"]);
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(new RegExp(`revision ${F2} \\(rows then fail\\) failed on up in \`insert into no_such_table`));
    if (client === "mysql2") expect(r.reason).toMatch(/the 1 statement that ran was rolled back, so nothing of it is applied; the version table was left at a1a1a1a1a1a1$/);
    expect(await count(db, "base_t")).toBe(2);
    // Not blocked: the retry runs the revision again (and fails the same way).
    const again = await strata([...p, "upgrade", "heads"]);
    expect(again.code).toBe(2);
    expect(again.reason).toBe(r.reason);
    expect((await historyRows(db)).map((x) => x.status)).toEqual(["succeeded", "failed", "failed"]);
    figures.push({ client, revisions: 2, faults: 2, rowsChecked: { base_t: 2 }, historyRows: 3 });
  });

  it("a failure after earlier steps of the same run keeps those steps and undoes only its own rows", async () => {
    // Two steps that succeed (DDL, then rows only), then rows and a failure, all in one `upgrade heads`.
    const B2 = "b2b2b2b2b2b2";
    const C3 = "c3c3c3c3c3c3";
    const revisions: RevisionSpec[] = [
      BASE,
      { revision: B2, downRevision: A1, message: "rows", up: `await knex("base_t").insert({ id: 3 });`, down: `await knex("base_t").where({ id: 3 }).delete();` },
      {
        revision: C3,
        downRevision: B2,
        message: "rows then fail",
        up: `await knex("base_t").insert({ id: 4 }); await knex("base_t").where({ id: 1 }).delete(); await knex.raw("insert into no_such_table (id) values (1)");`,
        down: `await knex("base_t").where({ id: 4 }).delete();`,
      },
    ];
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions });
    const r = await strata(["--project", dir, "upgrade", "heads"]);
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(new RegExp(`revision ${C3} \\(rows then fail\\) failed on up`));
    if (client === "mysql2") expect(r.reason).toMatch(new RegExp(`the 2 statements that ran were rolled back, so nothing of it is applied; the version table was left at ${B2}$`));
    expect((await db.knex("base_t").select("id").orderBy("id")).map((x: { id: number }) => x.id)).toEqual([1, 2, 3]);
    expect(await versionHeads(db)).toEqual([B2]);
    expect((await historyRows(db)).map((x) => `${x.revision} ${x.status}`)).toEqual([`${A1} succeeded`, `${B2} succeeded`, `${C3} failed`]);
    // Nothing is left to resolve: the next run tries the revision again.
    expect((await strata(["--project", dir, "status", "--json", "--no-drift"])).json.environments[0].unresolved).toEqual([]);
  });

  it("a statement over several lines that fails still gives the database's own words", async () => {
    const B2 = "b2b2b2b2b2b2";
    const multiLine: RevisionSpec = { revision: B2, downRevision: A1, message: "lines", up: `await knex.raw("insert into no_such_table (id)\\nvalues (1)");` };
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, multiLine] });
    const r = await strata(["--project", dir, "upgrade", "heads", "--json"]);
    expect(r.code).toBe(2);
    expect(r.json.error.details.databaseMessage).toMatch(DB_MESSAGE[client]);
    expect(r.json.error.message).toMatch(new RegExp(`^revision ${B2} \\(lines\\) failed on up in \`insert into no_such_table \\(id\\) values \\(1\\)\`: ${DB_MESSAGE[client].source.slice(1, -1)}; `));
  });

  it("a revision that moves the version table itself is refused at its close and undone", async () => {
    const B2 = "b2b2b2b2b2b2";
    const meddling: RevisionSpec = {
      revision: B2,
      downRevision: A1,
      message: "meddles",
      up: `await knex("base_t").insert({ id: 3 }); await knex("strata_version").update({ version_num: "zzzzzzzzzzzz" });`,
      down: `await knex("base_t").where({ id: 3 }).delete();`,
    };
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, meddling] });
    const r = await strata(["--project", dir, "upgrade", "heads"]);
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(new RegExp(`revision ${B2} \\(meddles\\) failed on up: strata_version did not hold the row to update ${A1} to ${B2}; it was changed outside this run`));
    expect(await versionHeads(db)).toEqual([A1]);
    expect(await count(db, "base_t")).toBe(2);
    expect((await historyRows(db)).map((x) => `${x.revision} ${x.status}`)).toEqual([`${A1} succeeded`, `${B2} failed`]);
  });

  if (client === "mysql2") {
    it("a knex.raw of several statements runs them all, and DDL inside one counts as committed when the revision fails", async () => {
      const M2 = "m2m2m2m2m2m2";
      const multi: RevisionSpec = {
        revision: M2,
        downRevision: A1,
        message: "multi",
        up: `await knex.raw("insert into base_t (id) values (5); create table multi_t (id int)"); await knex.raw("insert into no_such_table (id) values (1)");`,
        down: `await knex.raw("drop table multi_t; delete from base_t where id = 5");`,
      };
      const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, multi] });
      const r = await strata(["--project", dir, "upgrade", "heads"]);
      expect(r.code).toBe(2);
      // Both statements of the first knex.raw ran; the CREATE committed the INSERT with it.
      expect(await db.knex.schema.hasTable("multi_t")).toBe(true);
      expect(await count(db, "base_t")).toBe(3);
      expect(r.reason).toMatch(/commits DDL as it runs, so the revision may be half applied: 1 statement had run \(last: insert into base_t \(id\) values \(5\); create table multi_t/);
      // Where the version table is now: at the revision this same run applied first.
      expect(r.reason).toMatch(/the version table was left at a1a1a1a1a1a1;/);
      expect(await versionHeads(db)).toEqual([A1]);
    });

    it("a downgrade that failed half way, resolved --applied, moves the version table down as the step would have", async () => {
      const D2 = "d2d2d2d2d2d2";
      const dropThenFail: RevisionSpec = {
        revision: D2,
        downRevision: A1,
        message: "two",
        up: `await knex.schema.createTable("two_t", (t) => { t.integer("id"); });`,
        down: `await knex.schema.dropTable("two_t"); await knex.raw("insert into no_such_table (id) values (1)");`,
      };
      const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, dropThenFail] });
      const p = ["--project", dir];
      expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
      const down = await strata([...p, "downgrade", A1]);
      expect(down.code).toBe(2);
      expect(down.reason).toMatch(new RegExp(`^strata: revision ${D2} \\(two\\) failed on down in \`insert into no_such_table \\(id\\) values \\(1\\)\`: .*1 statement had run \\(last: drop table \`two_t\`\\)`));
      expect(await db.knex.schema.hasTable("two_t")).toBe(false);
      expect(await versionHeads(db)).toEqual([D2]);
      const refused = await strata([...p, "upgrade", "heads"]);
      expect(refused.reason).toMatch(new RegExp(`revision ${D2} \\(two\\) failed on down .* after 1 statement had run \\(last: drop table \`two_t\`\\), so it may be half applied`));

      // The person finds the table gone: the downgrade took effect.
      const resolved = await strata([...p, "resolve", "d2d2", "--applied", "--json"]);
      expect(resolved.code).toBe(0);
      expect(resolved.json).toMatchObject({ revision: D2, direction: "down", outcome: "applied", heads: [A1] });
      expect(await versionHeads(db)).toEqual([A1]);
      const again = await strata([...p, "upgrade", "heads", "--json"]);
      expect(again.code).toBe(0);
      expect(again.json.heads).toEqual([D2]);
      expect(await count(db, "two_t")).toBe(0);
      expect((await historyRows(db)).map((x) => x.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
      figures.push({ client, revisions: 2, faults: 1, refusals: 1, historyRows: 4 });
    });
  }

  if (client === "pg") {
    it("a deferred constraint that fails at COMMIT fails its revision, keeps the step before it and stops the run", async () => {
      // Three steps in one run: each commits on its own, and the second's commit is refused.
      const B2 = "b2b2b2b2b2b2";
      const C3 = "c3c3c3c3c3c3";
      const deferred: RevisionSpec = {
        revision: B2,
        downRevision: A1,
        message: "deferred",
        up: `await knex.raw("create table child_t (id int, base_id int references base_t (id) deferrable initially deferred)"); await knex.raw("insert into child_t values (1, 99)");`,
        down: `await knex.schema.dropTable("child_t");`,
      };
      const after: RevisionSpec = { revision: C3, downRevision: B2, message: "after", up: `await knex.schema.createTable("after_t", (t) => { t.integer("id"); });`, down: `await knex.schema.dropTable("after_t");` };
      const base: RevisionSpec = { ...BASE, up: `await knex.raw("create table base_t (id int primary key)"); await knex("base_t").insert([{ id: 1 }, { id: 2 }]);` };
      const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [base, deferred, after] });
      const r = await strata(["--project", dir, "upgrade", "heads"]);
      expect(r.code).toBe(2);
      expect(r.reason).toMatch(new RegExp(`^strata: revision ${B2} \\(deferred\\) failed on up: insert or update on table "child_t" violates foreign key constraint "\\w+"; it was rolled back: the database is as it was before this revision$`));
      expect(await versionHeads(db)).toEqual([A1]);
      expect(await db.knex.schema.hasTable("child_t")).toBe(false);
      expect(await db.knex.schema.hasTable("after_t")).toBe(false);
      expect((await historyRows(db)).map((x) => `${x.revision} ${x.status}`)).toEqual([`${A1} succeeded`, `${B2} failed`]);
    });

    it("a revision outside a transaction may outlast the server's idle-in-transaction timeout", async () => {
      // No connection of the run sits in an open transaction while such a revision runs elsewhere.
      const name = (db.env.knexConfig.connection as { database: string }).database;
      await db.knex.raw(`alter database "${name}" set idle_in_transaction_session_timeout = '300ms'`);
      const revisions: RevisionSpec[] = [
        BASE,
        { revision: "b2b2b2b2b2b2", downRevision: A1, message: "rows", up: `await knex("base_t").insert({ id: 3 });` },
        { revision: "c3c3c3c3c3c3", downRevision: "b2b2b2b2b2b2", message: "slow", transaction: false, up: `await knex.raw("select pg_sleep(1)");` },
        { revision: "d4d4d4d4d4d4", downRevision: "c3c3c3c3c3c3", message: "rows", up: `await knex("base_t").insert({ id: 4 });` },
        { revision: "e5e5e5e5e5e5", downRevision: "d4d4d4d4d4d4", message: "rows", up: `await knex("base_t").insert({ id: 5 });` },
      ];
      const dir = writeProject({ environments: { dev: envEntry(db) }, revisions });
      const r = await strata(["--project", dir, "upgrade", "heads"]);
      expect(r.reason).toBe("");
      expect(r.code).toBe(0);
      expect(await versionHeads(db)).toEqual(["e5e5e5e5e5e5"]);
      expect(await count(db, "base_t")).toBe(5);
      expect((await historyRows(db)).map((x) => x.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    });
  }

  it("reports its figures", () => {
    const mine = figures.filter((f) => f.client === client);
    process.stdout.write(`failing-revision figures: ${JSON.stringify(mine)}\n`);
    expect(mine.length).toBe(client === "mysql2" ? 3 : 2);
  });
});
