/**
 * Issue 14, point 4: recovery checked against the database. A MariaDB revision that adds a
 * column and fails on its second statement, or a runner killed inside a revision, is explained
 * statement by statement (ran / failed / not run, and what the live schema shows); an outcome the
 * live schema contradicts is refused unless overridden on purpose; the statements that ran are
 * undone where each has a known inverse, the revision is recorded rolled back, and a retry runs.
 * PostgreSQL and SQLite roll such a revision back whole: nothing is half applied, nothing offered.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { openProject, selectEnvironment } from "../../electron/engine/use-cases/open-project.js";
import { recoveryCheck, undoPartialRevision } from "../../electron/engine/use-cases/recovery.js";
import { useTestDatabase } from "../helpers/database-hooks.js";
import { describeColumns, envEntry, versionHeads, TEST_CLIENTS } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { BASE, killInsideSleep, sleepingRevision } from "../helpers/killed-runner.js";
import { strata, writeProject, writeRevision } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const F2 = "f2f2f2f2f2f2";
const K2 = "k2k2k2k2k2k2";

/** Adds a column, then alters a table that does not exist: the first statement commits on MariaDB. */
const ADD_THEN_FAIL: RevisionSpec = {
  revision: F2,
  downRevision: A1,
  message: "add note then fail",
  up: `await knex.schema.alterTable("base_t", (t) => { t.string("note", 20); }); await knex.schema.alterTable("no_such_table", (t) => { t.integer("x"); });`,
  down: `await knex.schema.alterTable("base_t", (t) => { t.dropColumn("note"); });`,
};

/** The same revision, fixed. */
const ADD_FIXED: RevisionSpec = { ...ADD_THEN_FAIL, up: `await knex.schema.alterTable("base_t", (t) => { t.string("note", 20); });` };

const figures: Record<string, unknown>[] = [];

async function historyRows(db: TestDatabase): Promise<{ revision: string; status: string; error: string | null }[]> {
  return (await db.knex("strata_history").select("revision", "status", "error").orderBy("id")) as never;
}

async function check(dir: string, revision: string) {
  const project = await openProject({ project: dir, cwd: dir });
  return recoveryCheck(project, selectEnvironment(project, "dev"), revision);
}

describe.each(TEST_CLIENTS)("recovery of a half-applied revision on %s", (client: DbClient) => {
  const db = useTestDatabase(client);
  let dir = "";
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = "";
  });

  it("lists what ran, refuses the outcomes the live schema contradicts, undoes the added column and retries", async () => {
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, ADD_THEN_FAIL] });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);
    const failed = await strata([...p, "upgrade", "heads"]);
    expect(failed.code).toBe(2);

    if (client !== "mysql2") {
      // Rolled back whole: the column is not there, nothing waits to be resolved, no recovery is offered.
      expect(await describeColumns(db.knex, client, ["strata_version", "strata_history"])).toEqual(["base_t.id"]);
      expect((await strata([...p, "status", "--json", "--no-drift"])).json.environments[0].unresolved).toEqual([]);
      await expect(check(dir, F2)).rejects.toMatchObject({ code: "USAGE", message: `revision ${F2} has nothing to recover: its last run was not interrupted and did not fail half way` });
      figures.push({ client, revisions: 2, faults: 1, halfApplied: 0 });
      return;
    }

    // Which statement ran, which the database refused, and what the live schema shows of each.
    const found = await check(dir, F2);
    expect(found).toMatchObject({ revision: F2, direction: "up", state: "failed", statementsFrom: "recorded" });
    expect(found.statements).toEqual([
      { sql: "alter table `base_t` add `note` varchar(20)", ran: "ran", basis: "recorded", schema: "done", evidence: ["column base_t.note is there"] },
      { sql: "alter table `no_such_table` add `x` int", ran: "failed", basis: "recorded", schema: "not-done", evidence: ["column no_such_table.x is not there"] },
    ]);
    expect(found.contradicted).toEqual(["applied", "rolled-back"]);
    expect(found.undo).toEqual({ available: true, statements: ["alter table `base_t` drop column `note`"], reason: null });

    // "It did not take effect" while the column is there: refused, one line, nothing changed.
    const historyBefore = JSON.stringify(await historyRows(db));
    const rolledBack = await strata([...p, "resolve", F2, "--rolled-back", "--json"]);
    expect(rolledBack.code).toBe(2);
    expect(rolledBack.reason).toBe(
      `strata: revision ${F2} was not recorded as rolled-back: the live schema says otherwise (column base_t.note is there (\`alter table \`base_t\` add \`note\` varchar(20)\`)); check the database, and if it did not take effect (rolled back) after all, record it anyway with --force (in the app: "I checked the database: record it anyway"), or undo what ran with --undo (it runs \`alter table \`base_t\` drop column \`note\`\`)`,
    );
    expect(rolledBack.json.error).toMatchObject({ code: "RESOLVE_CONTRADICTED", details: { revision: F2, outcome: "rolled-back" } });
    const applied = await strata([...p, "resolve", F2, "--applied"]);
    expect(applied.code).toBe(2);
    expect(applied.reason).toMatch(/was not recorded as applied: the live schema says otherwise \(column no_such_table\.x is not there/);
    expect(JSON.stringify(await historyRows(db))).toBe(historyBefore);
    expect(await versionHeads(db)).toEqual([A1]);

    // Undo the statement that ran: the column goes and the revision is recorded rolled back.
    const project = await openProject({ project: dir, cwd: dir });
    const undone = await undoPartialRevision(project, selectEnvironment(project, "dev"), { revision: "f2f2" });
    expect(undone).toMatchObject({ revision: F2, outcome: "rolled-back", heads: [A1], undone: ["alter table `base_t` drop column `note`"] });
    expect(await describeColumns(db.knex, client, ["strata_version", "strata_history"])).toEqual(["base_t.id"]);
    const rows = await historyRows(db);
    expect(rows[1]).toMatchObject({ revision: F2, status: "failed" });
    expect(rows[1]!.error).toMatch(/^resolved as rolled back by .* \(after undoing 1 statement: alter table `base_t` drop column `note`\); it was: revision f2f2f2f2f2f2 \(add note then fail\) failed on up/);
    await expect(check(dir, F2)).rejects.toMatchObject({ code: "USAGE" });

    // The retry runs the fixed revision (no "Duplicate column").
    writeRevision(dir, ADD_FIXED);
    const retry = await strata([...p, "upgrade", "heads", "--json"]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.json.heads).toEqual([F2]);
    expect(await describeColumns(db.knex, client, ["strata_version", "strata_history"])).toEqual(["base_t.id", "base_t.note"]);
    figures.push({ client, revisions: 2, faults: 1, refusals: 2, undone: 1, retries: 1, historyRows: 3 });
  });

  it("an outcome the live schema contradicts is recorded when overridden on purpose", async () => {
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, ADD_THEN_FAIL] });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(2);
    if (client !== "mysql2") return;
    // The person knows better (say the missing table was never meant to be there): applied, on purpose.
    const forced = await strata([...p, "resolve", F2, "--applied", "--force", "--json"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.json).toMatchObject({ revision: F2, outcome: "applied", heads: [F2] });
    expect(forced.json.note).toMatch(/^resolved as applied by .* \(on purpose, although the live schema showed: column no_such_table\.x is not there \(`alter table `no_such_table` add `x` int`\)\)$/);
    expect(await versionHeads(db)).toEqual([F2]);
    expect((await strata([...p, "status", "--json", "--no-drift"])).json.environments[0].unresolved).toEqual([]);
  });

  it("a runner killed inside a revision: the statements from its file, marked from the live schema; undo drops the table and the retry runs", async () => {
    const marker = path.join(os.tmpdir(), `strata-recover-${randomBytes(5).toString("hex")}.marker`);
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, sleepingRevision(client, marker, { revision: K2, downRevision: A1, table: "killed_t" })] });
    const p = ["--project", dir];
    try {
      expect((await strata([...p, "upgrade", A1])).code).toBe(0);
      const { signal } = await killInsideSleep([...p, "upgrade", "heads"], client, client === "better-sqlite3" ? null : db.knex, marker);
      expect(signal).toBe("SIGKILL");
    } finally {
      fs.rmSync(marker, { force: true });
    }
    if (client !== "mysql2") {
      // PostgreSQL and SQLite undid the whole revision with the connection.
      expect(await db.knex.schema.hasTable("killed_t")).toBe(false);
      await expect(check(dir, K2)).rejects.toMatchObject({ code: "USAGE" });
      return;
    }

    const found = await check(dir, K2);
    expect(found).toMatchObject({ revision: K2, state: "interrupted", statementsFrom: "file" });
    expect(found.statements.map((s) => [s.sql, s.ran, s.basis, s.schema])).toEqual([
      ["create table `killed_t` (`id` int, `note` varchar(20))", "ran", "schema", "done"],
      // The row was in the transaction the kill ended; the schema cannot say.
      ["insert into `killed_t` (`id`, `note`) values (1, 'half')", "unknown", "none", "not-visible"],
    ]);
    expect(found.contradicted).toEqual(["rolled-back"]);
    expect(found.contradictions.rolledBack).toEqual(["table killed_t is there (`create table `killed_t` (`id` int, `note` varchar(20))`)"]);
    // The row goes with the table.
    expect(found.undo).toEqual({ available: true, statements: ["drop table `killed_t`"], reason: null });

    const refused = await strata([...p, "resolve", K2, "--rolled-back"]);
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(new RegExp(`^strata: revision ${K2} was not recorded as rolled-back: the live schema says otherwise \\(table killed_t is there`));

    // The CLI shows the same check, and undoes the same way.
    const shown = await strata([...p, "resolve", K2, "--check"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.split("\n")).toEqual([
      `dev: ${K2} (up) interrupted; its statements, as its file issues them, marked from the live schema:`,
      "  ran      create table `killed_t` (`id` int, `note` varchar(20))  [table killed_t is there]",
      "  unknown  insert into `killed_t` (`id`, `note`) values (1, 'half')",
      "--applied: the live schema agrees",
      "--rolled-back: contradicted (table killed_t is there (`create table `killed_t` (`id` int, `note` varchar(20))`))",
      "--undo would run: drop table `killed_t`",
      "",
    ]);
    expect((await strata([...p, "resolve", K2, "--check", "--json"])).json).toEqual(found);
    const undone = await strata([...p, "resolve", K2, "--undo", "--json"]);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.json).toMatchObject({ revision: K2, outcome: "rolled-back", heads: [A1], undone: ["drop table `killed_t`"] });
    expect(await db.knex.schema.hasTable("killed_t")).toBe(false);
    expect(await versionHeads(db)).toEqual([A1]);

    const retry = await strata([...p, "upgrade", "heads", "--json"]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.json.heads).toEqual([K2]);
    expect(Number((await db.knex("killed_t").count({ n: "*" }))[0]!.n)).toBe(1);
    expect((await historyRows(db)).map((r) => `${r.revision} ${r.status}`)).toEqual([`${A1} succeeded`, `${K2} failed`, `${K2} succeeded`]);
    figures.push({ client, killed: 1, revisions: 2, refusals: 1, undone: 1, retries: 1, historyRows: 3 });
  });

  it("undo is refused, changing nothing, where a statement that ran has no known inverse", async () => {
    const rowsThenFail: RevisionSpec = {
      revision: F2,
      downRevision: A1,
      message: "rows, column, fail",
      up: `await knex("base_t").insert({ id: 2 }); await knex.schema.alterTable("base_t", (t) => { t.string("note", 20); }); await knex.schema.alterTable("no_such_table", (t) => { t.integer("x"); });`,
    };
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, rowsThenFail] });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(2);
    if (client !== "mysql2") return;
    const found = await check(dir, F2);
    expect(found.undo).toEqual({ available: false, statements: [], reason: "`insert into `base_t` (`id`) values (2)` changed rows, which Strata cannot put back" });
    const project = await openProject({ project: dir, cwd: dir });
    await expect(undoPartialRevision(project, selectEnvironment(project, "dev"), { revision: F2 })).rejects.toMatchObject({
      code: "NOT_SUPPORTED",
      message: `revision ${F2} cannot be undone automatically: \`insert into \`base_t\` (\`id\`) values (2)\` changed rows, which Strata cannot put back; nothing was changed`,
    });
    expect(await describeColumns(db.knex, client, ["strata_version", "strata_history"])).toEqual(["base_t.id", "base_t.note"]);
    expect((await strata([...p, "status", "--json", "--no-drift"])).json.environments[0].unresolved).toMatchObject([{ revision: F2, state: "failed" }]);
  });

  it("a transaction = false revision that fails half way is checked and undone the same way on every dialect", async () => {
    const outside: RevisionSpec = { ...ADD_THEN_FAIL, transaction: false };
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, outside] });
    const p = ["--project", dir];
    expect((await strata([...p, "upgrade", A1])).code).toBe(0);
    const failed = await strata([...p, "upgrade", "heads"]);
    expect(failed.code).toBe(2);
    expect(failed.reason).toMatch(/it runs outside a transaction \(transaction = false\), so the revision may be half applied: 1 statement had run/);
    const found = await check(dir, F2);
    expect(found.statements.map((s) => [s.ran, s.schema, s.evidence])).toEqual([
      ["ran", "done", ["column base_t.note is there"]],
      ["failed", "not-done", ["column no_such_table.x is not there"]],
    ]);
    const q = client === "mysql2" ? "`" : '"';
    expect(found.undo.statements).toEqual([`alter table ${q}base_t${q} drop column ${q}note${q}`]);
    expect((await strata([...p, "resolve", F2, "--rolled-back"])).reason).toMatch(/was not recorded as rolled-back: the live schema says otherwise \(column base_t\.note is there/);
    const project = await openProject({ project: dir, cwd: dir });
    await undoPartialRevision(project, selectEnvironment(project, "dev"), { revision: F2 });
    expect(await describeColumns(db.knex, client, ["strata_version", "strata_history"])).toEqual(["base_t.id"]);
    writeRevision(dir, { ...ADD_FIXED, transaction: false });
    const retry = await strata([...p, "upgrade", "heads", "--json"]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(await describeColumns(db.knex, client, ["strata_version", "strata_history"])).toEqual(["base_t.id", "base_t.note"]);
    figures.push({ client, transaction: false, revisions: 2, faults: 1, refusals: 1, undone: 1, retries: 1 });
  });

  it("a reader never sees the failed row without the statements it ran (the GUI reads the status while the run ends)", async () => {
    dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, { ...ADD_THEN_FAIL, transaction: false }] });
    expect((await strata(["--project", dir, "upgrade", A1])).code).toBe(0);
    // What another connection reads of F2's row, as often as it can, from before the run starts until it has ended.
    const seen: string[] = [];
    let running = true;
    const poll = (async () => {
      while (running) {
        try {
          const rows = (await db.knex("strata_history").where({ revision: F2 }).select("*")) as { status: string; statements?: string | null }[];
          for (const r of rows) seen.push(`${r.status} ${r.statements ? "with" : "without"} statements`);
        } catch {
          // SQLite's writer may hold the file for a moment: read again.
        }
        // better-sqlite3 answers at once: give the event loop its turn (the child's exit).
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const failed = await strata(["--project", dir, "upgrade", "heads"]);
    running = false;
    await poll;
    expect(failed.code).toBe(2);
    const states = [...new Set(seen)];
    expect(states).toContain("failed with statements");
    expect(states.filter((s) => s.startsWith("failed"))).toEqual(["failed with statements"]);
  });

  it.each([[[]], [["--single-transaction"]]])("failing as the third revision of one run %j: the statements are recorded all the same", async (flags: string[]) => {
    const B2 = "b2b2b2b2b2b2";
    const third: RevisionSpec = { ...ADD_THEN_FAIL, revision: "f3f3f3f3f3f3", downRevision: B2 };
    dir = writeProject({
      environments: { dev: envEntry(db) },
      revisions: [BASE, { revision: B2, downRevision: A1, message: "rows", up: `await knex("base_t").insert({ id: 2 });` }, third],
    });
    const r = await strata(["--project", dir, "upgrade", "heads", ...flags]);
    expect(r.code).toBe(2);
    if (client !== "mysql2") {
      await expect(check(dir, third.revision)).rejects.toMatchObject({ code: "USAGE" });
      return;
    }
    expect(await versionHeads(db)).toEqual([B2]);
    const found = await check(dir, third.revision);
    expect(found.statementsFrom).toBe("recorded");
    expect(found.statements.map((s) => `${s.ran} ${s.sql}`)).toEqual(["ran alter table `base_t` add `note` varchar(20)", "failed alter table `no_such_table` add `x` int"]);
    expect(found.undo.statements).toEqual(["alter table `base_t` drop column `note`"]);
  });

  it("reports its figures", () => {
    process.stdout.write(`recovery figures: ${JSON.stringify(figures.filter((f) => f.client === client))}\n`);
  });
});
