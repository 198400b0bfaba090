import { beforeEach, describe, expect, it } from "vitest";
import type { Knex } from "knex";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import { migrate, readAppliedChecksums, readHeads, readHistory } from "../../../electron/engine/runner/index.js";
import type { MigrateOptions } from "../../../electron/engine/runner/index.js";
import type { RunEvent } from "../../../electron/engine/runner/types.js";
import type { Plan } from "../../../electron/engine/revisions/types.js";
import type { RevisionScript } from "../../../electron/engine/scripts/types.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { TEST_CLIENTS, describeColumns, tableExists } from "../../helpers/databases.js";
import { plan, revisionScript, scriptMap, step } from "../../helpers/revision-fixtures.js";

const TABLES = { versionTable: "strata_version", historyTable: "strata_history" } as const;

/** A three-revision chain: users, users.email, posts. */
const chain = scriptMap(
  revisionScript("a1", [], (k) => k.schema.createTable("users", (t) => { t.increments("id"); t.string("name"); }), (k) => k.schema.dropTable("users")),
  revisionScript("b2", ["a1"], (k) => k.schema.alterTable("users", (t) => { t.string("email"); }), (k) => k.schema.alterTable("users", (t) => { t.dropColumn("email"); })),
  revisionScript("c3", ["b2"], (k) => k.schema.createTable("posts", (t) => { t.increments("id"); t.integer("user_id"); t.string("title"); }), (k) => k.schema.dropTable("posts")),
);

const upgradeChain = plan("upgrade", "c3", [], [
  step("a1", "up", [{ kind: "insert", revision: "a1" }], ["a1"]),
  step("b2", "up", [{ kind: "update", from: "a1", to: "b2" }], ["b2"]),
  step("c3", "up", [{ kind: "update", from: "b2", to: "c3" }], ["c3"]),
]);

function options(scripts: ReadonlyMap<string, RevisionScript>, p: Plan, extra: Partial<MigrateOptions> = {}): MigrateOptions {
  return { scripts, makePlan: () => p, ...TABLES, strataVersion: "0.1.0-test", lockTimeoutMs: 5000, ...extra };
}

/**
 * Three revisions in a line, `${prefix}1` to `${prefix}3`, each making a table `${prefix}_a` to
 * `${prefix}_c`; the middle one (message `middleMessage`) runs `middleFirst` before its table.
 */
function threeInALine(prefix: string, middleFirst: (k: Knex) => Promise<unknown>, middleMessage: string): { scripts: ReadonlyMap<string, RevisionScript>; plan: Plan } {
  const [r1, r2, r3] = [1, 2, 3].map((i) => `${prefix}${i}`) as [string, string, string];
  const scripts = scriptMap(
    revisionScript(r1, [], (k) => k.schema.createTable(`${prefix}_a`, (t) => { t.integer("id"); }), () => undefined),
    revisionScript(r2, [r1], async (k) => {
      await middleFirst(k);
      await k.schema.createTable(`${prefix}_b`, (t) => { t.integer("id"); });
    }, () => undefined, { message: middleMessage }),
    revisionScript(r3, [r2], (k) => k.schema.createTable(`${prefix}_c`, (t) => { t.integer("id"); }), () => undefined),
  );
  return {
    scripts,
    plan: plan("upgrade", r3, [], [
      step(r1, "up", [{ kind: "insert", revision: r1 }], [r1]),
      step(r2, "up", [{ kind: "update", from: r1, to: r2 }], [r2]),
      step(r3, "up", [{ kind: "update", from: r2, to: r3 }], [r3]),
    ]),
  };
}

describe.each(TEST_CLIENTS)("migrate on %s", (client) => {
  const db = useTestDatabase(client);
  const dialect = dialectFor(client);
  let knex: Knex;
  beforeEach(() => {
    knex = db.knex;
  });

  it("upgrades a chain, recording heads, history and events", async () => {
    const events: RunEvent[] = [];
    const result = await migrate(knex, dialect, options(chain, upgradeChain, { onEvent: (e) => events.push(e) }));
    expect(result.headsBefore).toEqual([]);
    expect(result.heads).toEqual(["c3"]);
    expect(result.steps.map((s) => `${s.revision}:${s.direction}`)).toEqual(["a1:up", "b2:up", "c3:up"]);
    expect(await readHeads(knex, TABLES)).toEqual(["c3"]);
    expect(await describeColumns(knex, client, ["strata_version", "strata_history"])).toEqual(["posts.id", "posts.title", "posts.user_id", "users.email", "users.id", "users.name"]);
    const history = await readHistory(knex, TABLES);
    expect(history.map((h) => `${h.revision}:${h.direction}:${h.status}`)).toEqual(["c3:up:succeeded", "b2:up:succeeded", "a1:up:succeeded"]);
    expect(history[0]!.checksum).toBe("sha-c3");
    expect(history[0]!.strataVersion).toBe("0.1.0-test");
    expect(history[0]!.finishedAt).not.toBeNull();
    expect(events.map((e) => e.kind)).toEqual(["plan", "step-start", "step-done", "step-start", "step-done", "step-start", "step-done"]);
    expect(await readAppliedChecksums(knex, TABLES)).toEqual(new Map([["a1", "sha-a1"], ["b2", "sha-b2"], ["c3", "sha-c3"]]));
  });

  it("reads no heads on a database Strata never touched", async () => {
    expect(await readHeads(knex, TABLES)).toEqual([]);
    expect(await readHistory(knex, TABLES)).toEqual([]);
  });

  it("downgrades, removing the revisions' schema and moving the version table", async () => {
    await migrate(knex, dialect, options(chain, upgradeChain));
    const down = plan("downgrade", "a1", ["c3"], [
      step("c3", "down", [{ kind: "update", from: "c3", to: "b2" }], ["b2"]),
      step("b2", "down", [{ kind: "update", from: "b2", to: "a1" }], ["a1"]),
    ]);
    const result = await migrate(knex, dialect, options(chain, down));
    expect(result.heads).toEqual(["a1"]);
    expect(await tableExists(knex, "posts")).toBe(false);
    expect(await describeColumns(knex, client, ["strata_version", "strata_history"])).toEqual(["users.id", "users.name"]);
    expect((await readHistory(knex, { ...TABLES, limit: 2 })).map((h) => `${h.revision}:${h.direction}`)).toEqual(["b2:down", "c3:down"]);
    expect([...(await readAppliedChecksums(knex, TABLES)).keys()]).toEqual(["a1"]);
  });

  it("applies two branches and merges them with the ops Alembic writes", async () => {
    const scripts = scriptMap(
      revisionScript("base", [], (k) => k.schema.createTable("t_base", (t) => { t.integer("id"); }), (k) => k.schema.dropTable("t_base")),
      revisionScript("left", ["base"], (k) => k.schema.createTable("t_left", (t) => { t.integer("id"); }), (k) => k.schema.dropTable("t_left")),
      revisionScript("right", ["base"], (k) => k.schema.createTable("t_right", (t) => { t.integer("id"); }), (k) => k.schema.dropTable("t_right")),
      revisionScript("merge", ["left", "right"], () => undefined, () => undefined),
    );
    // alembic upgrade left; alembic upgrade right (a second head); alembic upgrade heads (merge)
    await migrate(knex, dialect, options(scripts, plan("upgrade", "left", [], [
      step("base", "up", [{ kind: "insert", revision: "base" }], ["base"]),
      step("left", "up", [{ kind: "update", from: "base", to: "left" }], ["left"]),
    ])));
    const branched = await migrate(knex, dialect, options(scripts, plan("upgrade", "right", ["left"], [
      step("right", "up", [{ kind: "insert", revision: "right" }], ["left", "right"]),
    ])));
    expect(branched.heads).toEqual(["left", "right"]);
    const merged = await migrate(knex, dialect, options(scripts, plan("upgrade", "heads", ["left", "right"], [
      step("merge", "up", [{ kind: "delete", revision: "right" }, { kind: "update", from: "left", to: "merge" }], ["merge"]),
    ])));
    expect(merged.heads).toEqual(["merge"]);
    // alembic downgrade -1 from a merge point unmerges into both parents
    const unmerged = await migrate(knex, dialect, options(scripts, plan("downgrade", "-1", ["merge"], [
      step("merge", "down", [{ kind: "update", from: "merge", to: "left" }, { kind: "insert", revision: "right" }], ["left", "right"]),
    ])));
    expect(unmerged.heads).toEqual(["left", "right"]);
    expect(await readHeads(knex, TABLES)).toEqual(["left", "right"]);
  });

  it("runs a batch in one transaction with singleTransaction", async () => {
    const result = await migrate(knex, dialect, options(chain, upgradeChain, { singleTransaction: true }));
    expect(result.heads).toEqual(["c3"]);
    expect((await readHistory(knex, TABLES)).length).toBe(3);
  });

  it("rolls the whole batch back when a revision of a single transaction fails, except on MySQL", async () => {
    const scripts = scriptMap(
      revisionScript("ok1", [], (k) => k.schema.createTable("first_table", (t) => { t.integer("id"); }), () => undefined),
      revisionScript("bad2", ["ok1"], async (k) => {
        await k("first_table").insert({ id: 1 });
        await k.raw("insert into missing_table (id) values (1)");
      }, () => undefined),
    );
    const p = plan("upgrade", "bad2", [], [
      step("ok1", "up", [{ kind: "insert", revision: "ok1" }], ["ok1"]),
      step("bad2", "up", [{ kind: "update", from: "ok1", to: "bad2" }], ["bad2"]),
    ]);
    const error = await migrate(knex, dialect, options(scripts, p, { singleTransaction: true })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "REVISION_FAILED" });
    expect((error as Error).message).toContain("bad2");
    const failed = await readHistory(knex, { ...TABLES, status: "failed" });
    expect(failed.map((h) => h.revision)).toEqual(["bad2"]);
    if (dialect.transactionalDdl) {
      expect((error as Error).message).toContain("none of the 2 revisions");
      expect(await tableExists(knex, "first_table")).toBe(false);
      expect(await readHeads(knex, TABLES)).toEqual([]);
    } else {
      // ok1's record is kept (it waited for the next DDL to be committed); bad2's row is undone.
      expect(await tableExists(knex, "first_table")).toBe(true);
      expect(Number((await knex("first_table").count({ n: "*" }))[0]!.n)).toBe(0);
      expect(await readHeads(knex, TABLES)).toEqual(["ok1"]);
      expect((error as Error).message).toContain("the 1 statement that ran was rolled back, so nothing of it is applied; the version table was left at ok1");
      expect((await readHistory(knex, TABLES)).map((h) => `${h.revision} ${h.status}`).sort()).toEqual(["bad2 failed", "ok1 succeeded"]);
    }
  });

  it("on MySQL, a single transaction keeps every finished revision when one fails after its DDL; elsewhere none", async () => {
    const scripts = scriptMap(
      revisionScript("st1", [], (k) => k.schema.createTable("kept_t", (t) => { t.integer("id"); }), () => undefined),
      revisionScript("st2", ["st1"], (k) => k("kept_t").insert([{ id: 1 }, { id: 2 }]), () => undefined, { message: "rows only" }),
      revisionScript("st3", ["st2"], async (k) => {
        await k.schema.createTable("half_t", (t) => { t.integer("id"); });
        await k.raw("insert into missing_table (id) values (1)");
      }, () => undefined, { message: "half" }),
    );
    const p = plan("upgrade", "st3", [], [
      step("st1", "up", [{ kind: "insert", revision: "st1" }], ["st1"]),
      step("st2", "up", [{ kind: "update", from: "st1", to: "st2" }], ["st2"]),
      step("st3", "up", [{ kind: "update", from: "st2", to: "st3" }], ["st3"]),
    ]);
    const error = await migrate(knex, dialect, options(scripts, p, { singleTransaction: true })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "REVISION_FAILED", details: { revision: "st3" } });
    const history = (await readHistory(knex, TABLES)).map((h) => `${h.revision} ${h.status}`).sort();
    if (dialect.transactionalDdl) {
      expect(await tableExists(knex, "kept_t")).toBe(false);
      expect(await readHeads(knex, TABLES)).toEqual([]);
      expect(history).toEqual(["st3 failed"]);
    } else {
      // st2 changed only rows: its record and its rows were committed by st3's DDL, before st3 failed.
      expect(Number((await knex("kept_t").count({ n: "*" }))[0]!.n)).toBe(2);
      expect(await tableExists(knex, "half_t")).toBe(true);
      expect(await readHeads(knex, TABLES)).toEqual(["st2"]);
      expect(history).toEqual(["st1 succeeded", "st2 succeeded", "st3 failed"]);
      expect((error as Error).message).toContain("may be half applied: 1 statement had run (last: create table `half_t`");
      expect((error as Error).message).toContain("the version table was left at st2");
    }
    expect(await readHistory(knex, { ...TABLES, status: "running" })).toEqual([]);
  });

  it("a single transaction hands each revision its own results, through an empty revision, a select and a two-statement raw", async () => {
    // On MySQL each revision's record rides in the query of the next statement; what a revision reads must still be its own.
    const seen: unknown[] = [];
    const scripts = scriptMap(
      revisionScript("rs1", [], (k) => k.schema.createTable("rs_t", (t) => { t.integer("id"); }), () => undefined),
      revisionScript("rs2", ["rs1"], () => undefined, () => undefined, { message: "empty" }),
      revisionScript("rs3", ["rs2"], async (k) => {
        seen.push(await k("rs_t").count({ n: "*" }));
        seen.push(await k("rs_t").insert({ id: 7 }));
        seen.push(await k("rs_t").select("id"));
      }, () => undefined),
      revisionScript("rs4", ["rs3"], async (k) => {
        // A nested transaction's statements carry the record of the revision before as well.
        await k.transaction(async (t) => {
          seen.push(await t("strata_history").where({ revision: "rs3" }).pluck("status"));
          await t.schema.createTable("rs_nested", (c) => { c.integer("id"); });
        });
        if (client !== "mysql2") return;
        // Several statements in one raw (MySQL connections allow them): one result each, as without Strata.
        const [results] = (await k.raw("select 1 as a; select 2 as b")) as [unknown[]];
        seen.push(results.map((r) => (r as Record<string, unknown>[])[0]));
      }, () => undefined),
    );
    const p = plan("upgrade", "rs4", [], [
      step("rs1", "up", [{ kind: "insert", revision: "rs1" }], ["rs1"]),
      step("rs2", "up", [{ kind: "update", from: "rs1", to: "rs2" }], ["rs2"]),
      step("rs3", "up", [{ kind: "update", from: "rs2", to: "rs3" }], ["rs3"]),
      step("rs4", "up", [{ kind: "update", from: "rs3", to: "rs4" }], ["rs4"]),
    ]);
    const result = await migrate(knex, dialect, options(scripts, p, { singleTransaction: true }));
    expect(result.heads).toEqual(["rs4"]);
    expect(Number((seen[0] as { n: number | string }[])[0]!.n)).toBe(0);
    // knex's insert answers [insert id] on MySQL (0: the table has no auto-increment key), [rowid] on SQLite, the driver's result on PostgreSQL.
    if (client === "mysql2") expect(seen[1]).toEqual([0]);
    else if (client === "better-sqlite3") expect(seen[1]).toEqual([1]);
    else expect(seen[1]).toMatchObject({ command: "INSERT", rowCount: 1 });
    expect(seen[2]).toEqual([{ id: 7 }]);
    // MySQL's record of rs3 was in the database before rs4's first statement; elsewhere the batch writes its history at its end.
    expect(seen[3]).toEqual(client === "mysql2" ? ["succeeded"] : []);
    expect(await tableExists(knex, "rs_nested")).toBe(true);
    if (client === "mysql2") expect(seen[4]).toEqual([{ a: 1 }, { b: 2 }]);
    const history = await readHistory(knex, TABLES);
    expect(history.map((h) => `${h.revision} ${h.status}`)).toEqual(["rs4 succeeded", "rs3 succeeded", "rs2 succeeded", "rs1 succeeded"]);
    expect(history.every((h) => h.finishedAt !== null && h.durationMs !== null)).toBe(true);
  });

  it("a revision that empties the version table mid-run: MySQL's single transaction stops before the next revision; elsewhere the batch writes its heads at its end", async () => {
    const { scripts, plan: p } = threeInALine("vt", (k) => k("strata_version").delete(), "tamper");
    const outcome = await migrate(knex, dialect, options(scripts, p, { singleTransaction: true })).catch((e: unknown) => e);
    if (dialect.transactionalDdl) {
      // One transaction, its version change written once at its end: nothing was there yet to delete.
      expect(outcome).toMatchObject({ heads: ["vt3"] });
      expect(await tableExists(knex, "vt_c")).toBe(true);
      return;
    }
    expect(outcome).toMatchObject({ code: "REVISION_FAILED", details: { revision: "vt2" } });
    expect((outcome as Error).message).toBe(
      "revision vt2 (tamper) ran, but its record could not be written (strata_version or strata_history was changed outside this run), so the revision may be half applied; " +
        "the version table was left at vt1; check the database, then run `strata resolve vt2 --applied` if all of it took effect or `strata resolve vt2 --rolled-back` if none of it did (undo any part that did first)",
    );
    // vt3 never began: its table, its row.
    expect(await tableExists(knex, "vt_b")).toBe(true);
    expect(await tableExists(knex, "vt_c")).toBe(false);
    expect(await readHeads(knex, TABLES)).toEqual([]);
    expect((await readHistory(knex, TABLES)).map((h) => `${h.revision} ${h.status}`)).toEqual(["vt2 failed", "vt1 succeeded"]);
  });

  it("a history row written mid-run under the id the next revision's row was to take: MySQL's single transaction stops and leaves that row alone", async () => {
    const outsider = { revision: "outsider", direction: "up", message: "written by hand", started_at: "2026-01-01T00:00:00.000Z", status: "succeeded", user_name: "dba", host_name: "elsewhere", strata_version: "0" };
    const { scripts, plan: p } = threeInALine("hc", (k) => k(TABLES.historyTable).insert(outsider), "writes history");
    const outcome = await migrate(knex, dialect, options(scripts, p, { singleTransaction: true })).catch((e: unknown) => e);
    const history = async () => (await readHistory(knex, TABLES)).map((h) => `${h.revision} ${h.status}`);
    if (dialect.transactionalDdl) {
      // The batch writes its rows at its end, each under an id of its own.
      expect(outcome).toMatchObject({ heads: ["hc3"] });
      expect((await history()).sort()).toEqual(["hc1 succeeded", "hc2 succeeded", "hc3 succeeded", "outsider succeeded"]);
      return;
    }
    expect(outcome).toMatchObject({ code: "REVISION_FAILED", details: { revision: "hc2" } });
    expect((outcome as Error).message).toBe(
      "revision hc2 (writes history) ran, but its record could not be written (strata_version or strata_history was changed outside this run), so the revision may be half applied; " +
        "the version table was left at hc1; check the database, then run `strata resolve hc2 --applied` if all of it took effect or `strata resolve hc2 --rolled-back` if none of it did (undo any part that did first)",
    );
    expect(await tableExists(knex, "hc_b")).toBe(true);
    expect(await tableExists(knex, "hc_c")).toBe(false);
    expect(await readHeads(knex, TABLES)).toEqual(["hc1"]);
    // The row written by hand is as it was written: not taken for the next revision's, not closed.
    expect(await history()).toEqual(["outsider succeeded", "hc2 failed", "hc1 succeeded"]);
    const [row] = (await knex(TABLES.historyTable).where({ revision: "outsider" })) as { finished_at: string | null; host_name: string }[];
    expect(row).toMatchObject({ finished_at: null, host_name: "elsewhere" });
  });

  it("runs a transaction = false revision and keeps what ran before its failure", async () => {
    const scripts = scriptMap(
      revisionScript("nt1", [], (k) => k.schema.createTable("plain", (t) => { t.integer("id"); }), (k) => k.schema.dropTable("plain"), { transaction: false }),
      revisionScript("nt2", ["nt1"], async (k) => {
        await k.schema.createTable("kept", (t) => { t.integer("id"); });
        await k.raw("insert into missing_table (id) values (1)");
      }, () => undefined, { transaction: false }),
    );
    const ok = await migrate(knex, dialect, options(scripts, plan("upgrade", "nt1", [], [step("nt1", "up", [{ kind: "insert", revision: "nt1" }], ["nt1"])])));
    expect(ok.heads).toEqual(["nt1"]);
    expect(await tableExists(knex, "plain")).toBe(true);
    const error = await migrate(knex, dialect, options(scripts, plan("upgrade", "nt2", ["nt1"], [step("nt2", "up", [{ kind: "update", from: "nt1", to: "nt2" }], ["nt2"])]))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "REVISION_FAILED" });
    expect((error as Error).message).toMatch(/nt2 .*half applied.*1 statement had run/);
    expect(await tableExists(knex, "kept")).toBe(true);
    expect(await readHeads(knex, TABLES)).toEqual(["nt1"]);
    const [last] = await readHistory(knex, { ...TABLES, limit: 1 });
    expect(last).toMatchObject({ revision: "nt2", status: "failed" });
  });

  it("records a failing revision and leaves the version table where it was", async () => {
    await migrate(knex, dialect, options(chain, plan("upgrade", "a1", [], [step("a1", "up", [{ kind: "insert", revision: "a1" }], ["a1"])])));
    const scripts = scriptMap(
      ...chain.values(),
      revisionScript("f4", ["a1"], async (k) => {
        await k.schema.createTable("widgets", (t) => { t.integer("id"); });
        await k("widgets").insert({ id: 7 });
        await k.raw("insert into missing_table (id) values (1)");
      }, () => undefined, { message: "add widgets" }),
    );
    const error = await migrate(knex, dialect, options(scripts, plan("upgrade", "f4", ["a1"], [step("f4", "up", [{ kind: "update", from: "a1", to: "f4" }], ["f4"])]))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "REVISION_FAILED", details: { revision: "f4" } });
    const message = (error as Error).message;
    expect(message).toContain("revision f4 (add widgets) failed on up in `insert into missing_table (id) values (1)`");
    expect(message).toMatch(/missing_table/);
    expect(message).not.toContain("\n");
    expect((error as { details: { executed: string[] } }).details.executed[1]).toMatch(/^insert into .widgets. \(.id.\) values \(7\)$/);
    expect(await readHeads(knex, TABLES)).toEqual(["a1"]);
    const [last] = await readHistory(knex, { ...TABLES, limit: 1 });
    expect(last).toMatchObject({ revision: "f4", direction: "up", status: "failed" });
    expect(last!.error).toContain("missing_table");
    expect(await readHistory(knex, { ...TABLES, status: "running" })).toEqual([]);
    if (dialect.transactionalDdl) {
      expect(message).toContain("rolled back");
      expect(await tableExists(knex, "widgets")).toBe(false);
    } else {
      expect(message).toContain("MySQL/MariaDB commits DDL as it runs, so the revision may be half applied: 2 statements had run (last: insert into `widgets` (`id`) values (7)); the version table was left at a1");
      expect(await tableExists(knex, "widgets")).toBe(true);
    }
  });

  it("refuses a plan naming a revision without a script, changing nothing", async () => {
    const error = await migrate(knex, dialect, options(chain, plan("upgrade", "zz", [], [step("zz", "up", [{ kind: "insert", revision: "zz" }], ["zz"])]))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "REVISION_MISSING" });
    expect(await readHeads(knex, TABLES)).toEqual([]);
  });
});
