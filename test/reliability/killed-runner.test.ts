/**
 * Issue 5, item 2: `kill -9` of `strata upgrade heads` while a revision sleeps inside the
 * database. PostgreSQL and SQLite: nothing of the revision remains, the version table is
 * unchanged, the lock is free at once and the next run succeeds. MariaDB: the history keeps the
 * `running` row, every run refuses naming the revision and what may be half done until
 * `strata resolve REV --applied|--rolled-back`.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialectFor } from "../../electron/engine/dialect/index.js";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { MIGRATION_LOCK_NAME } from "../../electron/engine/runner/index.js";
import { useTestDatabase } from "../helpers/database-hooks.js";
import { envEntry, versionHeads, TEST_CLIENTS } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { BASE, delay, killInsideSleep as killStrataInsideSleep, SLEEP_ENV, sleepingRevision, sleepStatement } from "../helpers/killed-runner.js";
import { strata, writeProject } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const K2 = "k2k2k2k2k2k2";
const K3 = "k3k3k3k3k3k3";

/** Figures for docs/RELIABILITY.md, printed at the end of each dialect's run. */
const figures: Record<string, unknown>[] = [];

async function historyRows(db: TestDatabase): Promise<{ id: number; revision: string; direction: string; status: string; error: string | null }[]> {
  return (await db.knex("strata_history").select("id", "revision", "direction", "status", "error").orderBy("id")) as never;
}

async function count(db: TestDatabase, table: string): Promise<number> {
  return Number((await db.knex(table).count({ n: "*" }))[0]!.n);
}

/** How long after the kill the migration lock is free, polled every 20 ms (up to 40 s). */
async function lockFreeAfter(client: DbClient, db: TestDatabase, killedAt: number): Promise<number> {
  const dialect = dialectFor(client);
  while (Date.now() - killedAt < 40_000) {
    if ((await dialect.describeLockHolder(db.knex, MIGRATION_LOCK_NAME)) === null) return Date.now() - killedAt;
    await delay(20);
  }
  throw new Error("the lock was still held 40 s after the kill");
}

describe.each(TEST_CLIENTS)("killed runner on %s", (client: DbClient) => {
  const db = useTestDatabase(client);
  let marker: string;
  beforeEach(() => {
    marker = path.join(os.tmpdir(), `strata-kill-${randomBytes(6).toString("hex")}.marker`);
  });
  afterEach(() => {
    fs.rmSync(marker, { force: true });
  });

  /** A second revision that changes only rows, then (in the run to be killed) sleeps inside the database. */
  function rowsThenSleep(): RevisionSpec {
    return {
      revision: K2,
      downRevision: A1,
      message: "rows and sleep",
      up: [
        `await knex("base_t").insert({ id: 2 });`,
        `if (process.env.${SLEEP_ENV} && (knex.client as any).config.connection && (knex.client as any).config.connection.filename !== ":memory:") { require("node:fs").writeFileSync(${JSON.stringify(marker)}, "sleeping"); await knex.raw(${JSON.stringify(sleepStatement(client))}); }`,
      ].join("\n  "),
      down: `await knex("base_t").where({ id: 2 }).delete();`,
    };
  }

  /** Applies the base revision, starts `upgrade heads` on the sleeping one and kills it inside the sleep. */
  async function killInsideSleep(dir: string, confirm: readonly string[] = []): Promise<{ killedAt: number }> {
    const base = await strata(["--project", dir, "upgrade", A1, ...confirm]);
    expect(base.code).toBe(0);
    const { killedAt, signal } = await killStrataInsideSleep(["--project", dir, "upgrade", "heads", ...confirm], client, client === "better-sqlite3" ? null : db.knex, marker);
    expect(signal).toBe("SIGKILL");
    return { killedAt };
  }

  if (client !== "mysql2") {
    it("leaves nothing of the revision, frees the lock at once, and the next run succeeds", async () => {
      const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, sleepingRevision(client, marker, { revision: K2, downRevision: A1, table: "killed_t" })] });
      const { killedAt } = await killInsideSleep(dir);
      const lockMs = await lockFreeAfter(client, db, killedAt);

      expect(await db.knex.schema.hasTable("killed_t")).toBe(false);
      expect(await versionHeads(db)).toEqual([A1]);
      const after = await historyRows(db);
      expect(after.map((r) => `${r.revision} ${r.status}`)).toEqual([`${A1} succeeded`]);
      expect(Number((await db.knex("base_t").count({ n: "*" }))[0]!.n)).toBe(1);

      const started = Date.now();
      const next = await strata(["--project", dir, "upgrade", "heads", "--json", "--lock-timeout", "25"]);
      const nextMs = Date.now() - started;
      expect(next.code).toBe(0);
      expect(next.json.heads).toEqual([K2]);
      // Well before the killed revision's 30 s sleep would have ended.
      expect(nextMs).toBeLessThan(15_000);
      expect(Number((await db.knex("killed_t").count({ n: "*" }))[0]!.n)).toBe(1);
      expect((await historyRows(db)).map((r) => `${r.revision} ${r.direction} ${r.status}`)).toEqual([`${A1} up succeeded`, `${K2} up succeeded`]);
      if (client === "pg") {
        // client_connection_check_interval ended the dead runner's backend: no pg_sleep left behind.
        const r = await db.knex.raw("select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%' and state = 'active'");
        expect(r.rows[0].n).toBe(0);
      }
      figures.push({ client, killed: 1, revisions: 2, lockFreeMs: lockMs, nextRunMs: nextMs, historyRows: 2, tablesChecked: ["killed_t", "base_t", "strata_version", "strata_history"] });
    });
  } else {
    it("keeps the running row, refuses every run naming the revision, until resolve --applied", async () => {
      const dir = writeProject({
        environments: { dev: envEntry(db), prod: envEntry(db, { protected: true }) },
        revisions: [BASE, sleepingRevision(client, marker, { revision: K2, downRevision: A1, table: "killed_t" })],
      });
      const p = ["--project", dir, "--env", "dev"];
      // dev reaches prod's database, so it changes it only with prod's name too (issue 14).
      const c = ["--confirm", "prod"];
      const { killedAt } = await killInsideSleep(dir, c);

      // What the kill left: DDL committed as it ran, the history says `running`, the version table did not move.
      expect(await db.knex.schema.hasTable("killed_t")).toBe(true);
      expect(Number((await db.knex("killed_t").count({ n: "*" }))[0]!.n)).toBe(1);
      expect(await versionHeads(db)).toEqual([A1]);
      const rows = await historyRows(db);
      expect(rows.map((r) => `${r.revision} ${r.direction} ${r.status}`)).toEqual([`${A1} up succeeded`, `${K2} up running`]);
      const historyBefore = JSON.stringify(rows);

      // The dead client's server thread keeps GET_LOCK until the server notices (SLEEP checks every few seconds).
      const started = Date.now();
      const next = await strata([...p, "upgrade", "heads", "--json", "--lock-timeout", "25", ...c]);
      const nextMs = Date.now() - started;
      const untilRefusedMs = Date.now() - killedAt;
      expect(next.code).toBe(2);
      expect(next.reason).toMatch(new RegExp(`^strata: upgrade refused, nothing was run: revision ${K2} \\(create and sleep\\) was interrupted while running up`));
      expect(next.reason).toMatch(/may be half done: its statements are `create table `killed_t`/);
      expect(next.reason).toContain(`strata resolve ${K2} --applied`);
      expect(next.reason).toContain(`strata resolve ${K2} --rolled-back`);
      expect(next.stderr.split("\n").filter((l) => l.startsWith("strata: "))).toEqual([next.reason]);
      expect(next.json.error).toMatchObject({ code: "HALF_APPLIED", details: { revision: K2, direction: "up", status: "running" } });
      expect(nextMs).toBeLessThan(15_000);

      // Downgrade and stamp refuse too, before changing anything.
      const down = await strata([...p, "downgrade", "base", ...c]);
      expect(down.code).toBe(2);
      expect(down.reason).toMatch(new RegExp(`^strata: downgrade refused, nothing was run: revision ${K2}`));
      const stamp = await strata([...p, "stamp", "heads", ...c]);
      expect(stamp.code).toBe(2);
      expect(stamp.reason).toMatch(new RegExp(`^strata: stamp refused, nothing was run: revision ${K2}`));
      expect(await versionHeads(db)).toEqual([A1]);
      expect(JSON.stringify(await historyRows(db))).toBe(historyBefore);
      expect(await db.knex.schema.hasTable("base_t")).toBe(true);

      // status and check show it; check exits 1.
      const status = await strata([...p, "status", "--json", "--no-drift"]);
      expect(status.code).toBe(0);
      expect(status.json.environments[0].unresolved).toMatchObject([{ revision: K2, direction: "up", state: "interrupted" }]);
      const statusText = await strata([...p, "status", "--no-drift"]);
      expect(statusText.stdout).toMatch(new RegExp(`unresolved: revision ${K2} \\(create and sleep\\) was interrupted`));
      const check = await strata([...p, "check", "--no-drift"]);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`strata resolve ${K2} --applied`);

      // resolve: refused without saying what was found, for a revision with nothing to resolve, and on a protected environment without its name.
      const noChoice = await strata([...p, "resolve", K2]);
      expect(noChoice.code).toBe(2);
      expect(noChoice.reason).toMatch(/--applied.*--rolled-back/);
      const nothing = await strata([...p, "resolve", A1, "--applied", ...c]);
      expect(nothing.code).toBe(2);
      expect(nothing.reason).toBe(`strata: revision ${A1} has nothing to resolve: its last run was not interrupted and did not fail half way; unresolved: ${K2}`);
      const unconfirmed = await strata(["--project", dir, "--env", "prod", "resolve", K2, "--applied"]);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.reason).toMatch(/environment prod is protected/);
      const wrong = await strata(["--project", dir, "--env", "prod", "resolve", K2, "--applied", "--confirm", "dev"]);
      expect(wrong.code).toBe(2);
      expect(wrong.reason).toMatch(/"dev" is not its name/);
      expect(await versionHeads(db)).toEqual([A1]);
      expect(JSON.stringify(await historyRows(db))).toBe(historyBefore);

      // The person checked: the table and its row are there, so all of it took effect.
      const resolved = await strata(["--project", dir, "--env", "prod", "resolve", "k2k2", "--applied", "--confirm", "prod", "--json"]);
      expect(resolved.code).toBe(0);
      expect(resolved.json).toMatchObject({ environment: "prod", revision: K2, direction: "up", outcome: "applied", heads: [K2] });
      expect(await versionHeads(db)).toEqual([K2]);
      const after = await historyRows(db);
      expect(after).toHaveLength(2);
      expect(after[1]).toMatchObject({ revision: K2, status: "succeeded" });
      expect(after[1]!.error).toMatch(new RegExp(`^resolved as applied by ${os.userInfo().username}@${os.hostname()} at \\d{4}-`));
      const again = await strata([...p, "resolve", K2, "--applied", ...c]);
      expect(again.code).toBe(2);
      expect(again.reason).toMatch(/has nothing to resolve/);

      // Runs work again, and check no longer complains about it.
      const after2 = await strata([...p, "upgrade", "heads", "--json", ...c]);
      expect(after2.code).toBe(0);
      expect(after2.json.steps).toEqual([]);
      expect((await strata([...p, "check", "--no-drift"])).code).toBe(0);
      figures.push({ client, killed: 1, revisions: 2, killToRefusalMs: untilRefusedMs, nextRunMs: nextMs, refusals: 3, historyRows: 2, tablesChecked: ["killed_t", "base_t", "strata_version", "strata_history"] });
    });

    it("resolve --rolled-back leaves the version table, and the revision runs again", async () => {
      const dir = writeProject({
        environments: { dev: envEntry(db) },
        revisions: [BASE, sleepingRevision(client, marker, { revision: K3, downRevision: A1, table: "killed_t" })],
      });
      const p = ["--project", dir];
      const { killedAt } = await killInsideSleep(dir);
      expect((await historyRows(db)).map((r) => r.status)).toEqual(["succeeded", "running"]);
      const lockMs = await lockFreeAfter(client, db, killedAt);
      const started = Date.now();
      const refused = await strata([...p, "upgrade", "heads", "--lock-timeout", "25"]);
      const nextMs = Date.now() - started;
      expect(refused.code).toBe(2);
      expect(refused.reason).toMatch(new RegExp(`revision ${K3} .*was interrupted`));

      // The person undid what had taken effect, then said so.
      await db.knex.schema.dropTable("killed_t");
      const resolved = await strata([...p, "resolve", K3, "--rolled-back"]);
      expect(resolved.code).toBe(0);
      expect(resolved.stdout).toMatch(new RegExp(`^dev: ${K3} \\(up\\) resolved as rolled back by `));
      expect(await versionHeads(db)).toEqual([A1]);
      const rows = await historyRows(db);
      expect(rows[1]).toMatchObject({ revision: K3, status: "failed" });
      expect(rows[1]!.error).toMatch(/^resolved as rolled back by .*; it was: the runner stopped before recording how the revision ended$/);

      const rerun = await strata([...p, "upgrade", "heads", "--json"]);
      expect(rerun.code).toBe(0);
      expect(rerun.json.heads).toEqual([K3]);
      expect(Number((await db.knex("killed_t").count({ n: "*" }))[0]!.n)).toBe(1);
      expect((await historyRows(db)).map((r) => `${r.revision} ${r.status}`)).toEqual([`${A1} succeeded`, `${K3} failed`, `${K3} succeeded`]);
      figures.push({ client, killed: 1, revisions: 2, lockFreeMs: lockMs, nextRunMs: nextMs, historyRows: 3 });
    });

    it("killed in a rows-only second revision of one run: the first stays committed, the second leaves its running row and no rows", async () => {
      // One `upgrade heads` runs both. The second changes only rows before it sleeps, so nothing in it
      // commits implicitly: the first step and the second's `running` row are durable only because
      // the run's carried transaction committed them before the second revision began.
      const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, rowsThenSleep()] });
      const { signal } = await killStrataInsideSleep(["--project", dir, "upgrade", "heads"], client, db.knex, marker);
      expect(signal).toBe("SIGKILL");
      await lockFreeAfter(client, db, Date.now());
      expect(await versionHeads(db)).toEqual([A1]);
      // The killed revision's row change was never committed.
      expect(await count(db, "base_t")).toBe(1);
      expect((await historyRows(db)).map((r) => `${r.revision} ${r.direction} ${r.status}`)).toEqual([`${A1} up succeeded`, `${K2} up running`]);
      const refused = await strata(["--project", dir, "upgrade", "heads", "--lock-timeout", "25"]);
      expect(refused.code).toBe(2);
      expect(refused.reason).toMatch(new RegExp(`revision ${K2} .*was interrupted`));
    });
  }

  it("--single-transaction killed in a rows-only second revision: what it leaves is what the dialect committed", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, rowsThenSleep()] });
    const { signal } = await killStrataInsideSleep(["--project", dir, "upgrade", "heads", "--single-transaction"], client, client === "better-sqlite3" ? null : db.knex, marker);
    expect(signal).toBe("SIGKILL");
    await lockFreeAfter(client, db, Date.now());
    // On SQLite the run's one write transaction had made Strata's tables too.
    const history = (await db.knex.schema.hasTable("strata_history")) ? (await historyRows(db)).map((r) => `${r.revision} ${r.direction} ${r.status}`) : [];
    if (client !== "mysql2") {
      // One transaction: nothing of the batch stays, and the next run does it all.
      expect(await db.knex.schema.hasTable("base_t")).toBe(false);
      expect((await db.knex.schema.hasTable("strata_version")) ? await versionHeads(db) : []).toEqual([]);
      expect(history).toEqual([]);
      const next = await strata(["--project", dir, "upgrade", "heads", "--json", "--single-transaction"]);
      expect(next.code).toBe(0);
      expect(next.json.heads).toEqual([K2]);
      expect(await count(db, "base_t")).toBe(2);
      return;
    }
    // MySQL: the base revision's DDL committed its `running` row; its record of success was to be
    // committed by the next revision's DDL, which never came. So it is left running, not applied twice.
    expect(await count(db, "base_t")).toBe(1);
    expect(await versionHeads(db)).toEqual([]);
    expect(history).toEqual([`${A1} up running`]);
    const refused = await strata(["--project", dir, "upgrade", "heads", "--single-transaction", "--lock-timeout", "25"]);
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(new RegExp(`^strata: upgrade refused, nothing was run: revision ${A1} \\(create base\\) was interrupted while running up`));
    expect(await versionHeads(db)).toEqual([]);
    // The person sees base_t and its row: the base revision took effect.
    const resolved = await strata(["--project", dir, "resolve", A1, "--applied"]);
    expect(resolved.code).toBe(0);
    expect(await versionHeads(db)).toEqual([A1]);
    const next = await strata(["--project", dir, "upgrade", "heads", "--json", "--single-transaction"]);
    expect(next.code).toBe(0);
    expect(next.json.heads).toEqual([K2]);
    expect(await count(db, "base_t")).toBe(2);
    expect((await historyRows(db)).map((r) => `${r.revision} ${r.status}`)).toEqual([`${A1} succeeded`, `${K2} succeeded`]);
  });

  if (client === "pg") {
    it("a transaction = false revision killed in its sleep leaves its running row, as on MariaDB", async () => {
      const sleeping = { ...sleepingRevision(client, marker, { revision: K2, downRevision: A1, table: "killed_t" }), transaction: false };
      const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [BASE, sleeping] });
      const { killedAt } = await killInsideSleep(dir);
      const lockMs = await lockFreeAfter(client, db, killedAt);
      // Its statements autocommitted one by one: the table stays, and the history says it never finished.
      expect(await count(db, "killed_t")).toBe(1);
      expect((await historyRows(db)).map((r) => `${r.revision} ${r.status}`)).toEqual([`${A1} succeeded`, `${K2} running`]);
      const refused = await strata(["--project", dir, "upgrade", "heads"]);
      expect(refused.code).toBe(2);
      expect(refused.reason).toMatch(new RegExp(`^strata: upgrade refused, nothing was run: revision ${K2} \\(create and sleep\\) was interrupted while running up`));
      const resolved = await strata(["--project", dir, "resolve", K2, "--applied"]);
      expect(resolved.code).toBe(0);
      expect(await versionHeads(db)).toEqual([K2]);
      figures.push({ client, killed: 1, revisions: 2, transaction: false, lockFreeMs: lockMs, historyRows: 2 });
    });
  }

  it("reports its figures", () => {
    const mine = figures.filter((f) => f.client === client);
    process.stdout.write(`killed-runner figures: ${JSON.stringify(mine)}\n`);
    expect(mine.length).toBeGreaterThan(0);
  });
});
