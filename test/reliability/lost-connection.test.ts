/**
 * Issue 14, point 7: a connection lost in the middle of a revision (the network cut by a TCP
 * proxy between Strata and the server, the session killed by the server, a PostgreSQL restart)
 * is said in one line naming the environment, the revision and what the database kept; no
 * driver output reaches the terminal; the history and the lock are as after any failure; a rerun
 * once the database is back works (or, on MariaDB where DDL had committed, asks for
 * `strata resolve` first, as after any half-applied failure).
 *
 * SQLite runs in process on a local file: there is no connection to lose, so it has no case here.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import knexFactory from "knex";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { dialectFor } from "../../electron/engine/dialect/index.js";
import { createAppService } from "../../electron/engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../electron/engine/app-session/profile-store.js";
import { MIGRATION_LOCK_NAME } from "../../electron/engine/runner/index.js";
import { createTestDatabase, versionHeads } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { delay, SLEEP_ENV, spawnStrata, waitForSleep } from "../helpers/killed-runner.js";
import { strata, writeProject, writeRevision } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";
import { freePort } from "./servers/process-util.js";
import { startPlainPostgres } from "./servers/postgres-cluster.js";
import type { PostgresCluster } from "./servers/postgres-cluster.js";
import { startTcpProxy } from "./servers/tcp-proxy.js";
import type { TcpProxy } from "./servers/tcp-proxy.js";

const A1 = "a1a1a1a1a1a1";
const L2 = "l2l2l2l2l2l2";
const L3 = "l3l3l3l3l3l3";

type ServerClient = "pg" | "mysql2";

const BASE: RevisionSpec = {
  revision: A1,
  downRevision: null,
  message: "create base",
  up: `await knex.schema.createTable("base_t", (t) => { t.integer("id"); });`,
  down: `await knex.schema.dropTable("base_t");`,
};

/** A first statement, then (in the run the test interrupts) a wait inside the database, then a second. */
function firstWaitSecond(client: ServerClient, marker: string): RevisionSpec {
  const sleep = client === "pg" ? "select pg_sleep(20)" : "select sleep(20)";
  return {
    revision: L2,
    downRevision: A1,
    message: "first, wait, second",
    up: [
      `await knex.schema.createTable("lost_a", (t) => { t.integer("id"); });`,
      // Offline renderings (the plan's destructive check) run up() too: only the real run waits.
      `if (process.env.${SLEEP_ENV} && (knex.client as any).config.connection) { require("node:fs").writeFileSync(${JSON.stringify(marker)}, "waiting"); await knex.raw(${JSON.stringify(sleep)}); }`,
      `await knex.schema.createTable("lost_b", (t) => { t.integer("id"); });`,
    ].join("\n  "),
    down: `await knex.schema.dropTable("lost_b"); await knex.schema.dropTable("lost_a");`,
  };
}

/** A revision after it in the same run: two revisions in a row share one carried transaction (the runner's chain). */
const AFTER: RevisionSpec = {
  revision: L3,
  downRevision: L2,
  message: "after",
  up: `await knex.schema.createTable("after_t", (t) => { t.integer("id"); });`,
  down: `await knex.schema.dropTable("after_t");`,
};

const LABEL: Record<ServerClient, string> = { pg: "PostgreSQL", mysql2: "MySQL/MariaDB" };

/** Figures for docs/RELIABILITY.md. */
const figures: Record<string, unknown>[] = [];

interface HistoryRow {
  readonly revision: string;
  readonly status: string;
  readonly error: string | null;
}

async function history(db: TestDatabase): Promise<HistoryRow[]> {
  return (await db.knex("strata_history").select("revision", "status", "error").orderBy("id")) as HistoryRow[];
}

/** How long until the migration lock is free, polled every 50 ms for up to 15 s. */
async function lockFreeWithin(client: ServerClient, db: TestDatabase): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 15_000) {
    if ((await dialectFor(client).describeLockHolder(db.knex, MIGRATION_LOCK_NAME)) === null) return Date.now() - started;
    await delay(50);
  }
  throw new Error("the migration lock was still held 15 s after the run ended");
}

/** Ends the session that runs the revision's wait, from another connection, as a DBA would. */
async function killWaitingSession(client: ServerClient, db: TestDatabase): Promise<void> {
  if (client === "pg") {
    const r = await db.knex.raw("select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%' and state = 'active'");
    expect(r.rows[0].n).toBe(1);
    return;
  }
  const [rows] = await db.knex.raw("select id from information_schema.processlist where db = database() and info like 'select sleep%'");
  expect(rows).toHaveLength(1);
  await db.knex.raw(`kill connection ${Number(rows[0].id)}`);
}

/** The lines of stderr; with -q a failed run prints nothing but Strata's own line. */
function lines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l !== "");
}

describe.each(["pg", "mysql2"] as const)("lost connection on %s", (client: ServerClient) => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let marker: string;
  let dir: string;
  beforeEach(async () => {
    db = await createTestDatabase(client);
    proxy = await startTcpProxy(client === "pg" ? 5432 : 3306);
    marker = path.join(os.tmpdir(), `strata-lost-${randomBytes(6).toString("hex")}.marker`);
    const connection = db.env.knexConfig.connection as Record<string, unknown>;
    dir = writeProject({
      environments: {
        // Through the proxy the test can cut.
        staging: { client, connection: { ...connection, port: proxy.port } },
        // Straight to the server.
        direct: { client, connection },
      },
      revisions: [BASE, firstWaitSecond(client, marker), AFTER],
    });
    expect((await strata(["--project", dir, "--env", "direct", "upgrade", A1])).code).toBe(0);
  });
  afterEach(async () => {
    await proxy.close();
    await db.drop();
    fs.rmSync(marker, { force: true });
  });

  /** Runs `upgrade heads` on an environment with the wait switched on, does `interrupt` inside the wait, and returns how the run ended. */
  async function interruptedRun(env: string, interrupt: () => Promise<void> | void, options: readonly string[] = []) {
    const run = spawnStrata(["--project", dir, "--env", env, "-q", "--json", "upgrade", "heads", ...options], { env: { [SLEEP_ENV]: "1" } });
    try {
      await waitForSleep(client, db.knex, marker);
    } catch (e) {
      run.child.kill("SIGKILL");
      throw e;
    }
    await interrupt();
    const at = Date.now();
    const ended = await run.ended;
    return { ...ended, json: JSON.parse(ended.stdout), exitMs: Date.now() - at };
  }

  it("a network cut mid-revision: one line with the environment, the revision and what was kept; the lock is free; a rerun after the network is back works", async () => {
    const r = await interruptedRun("staging", () => proxy.cut());
    expect(r.code).toBe(2);
    // Nothing but Strata's line: no "Connection Error: ..." from knex, no "internal error".
    expect(lines(r.stderr)).toHaveLength(1);
    const line = lines(r.stderr)[0]!;
    expect(line).not.toMatch(/internal error|Connection Error|please report/);
    const head = `strata: environment staging: the connection to ${LABEL[client]} was lost while revision ${L2} (first, wait, second) ran up: the network connection was reset (ECONNRESET); `;
    expect(r.json.error).toMatchObject({ code: "CONNECTION_LOST", details: { environment: "staging", revision: L2, direction: "up", historyRecorded: false } });
    if (client === "pg") {
      expect(line).toBe(`${head}rolled back: nothing of ${L2} was kept, the version table is still at ${A1}; run the command again once the database can be reached`);
      expect(r.json.error.details).toMatchObject({ kept: "rolled-back", statements: [] });
      // What PostgreSQL kept: nothing of the revision; no history row, as after a killed runner.
      expect(await db.knex.schema.hasTable("lost_a")).toBe(false);
      expect((await history(db)).map((h) => `${h.revision} ${h.status}`)).toEqual([`${A1} succeeded`]);
    } else {
      expect(line).toBe(
        `${head}MySQL/MariaDB commits DDL as it runs, so the revision may be half applied: 1 statement had run (last: create table \`lost_a\` (\`id\` int)); the version table was left at ${A1}; check the database, then run \`strata resolve ${L2} --applied\` if all of it took effect or \`strata resolve ${L2} --rolled-back\` if none of it did (undo any part that did first)`,
      );
      expect(r.json.error.details).toMatchObject({ kept: "partial", statements: ["create table `lost_a` (`id` int)"] });
      // What MariaDB kept: the first statement's table; the history could not be told, so its `running` row stays.
      expect(await db.knex.schema.hasTable("lost_a")).toBe(true);
      expect((await history(db)).map((h) => `${h.revision} ${h.status}`)).toEqual([`${A1} succeeded`, `${L2} running`]);
    }
    expect(await db.knex.schema.hasTable("lost_b")).toBe(false);
    expect(await versionHeads(db)).toEqual([A1]);
    const lockMs = await lockFreeWithin(client, db);

    // Still cut: the next run cannot connect, and says so in one line.
    const down = await strata(["--project", dir, "--env", "staging", "-q", "upgrade", "heads"]);
    expect(down.code).toBe(2);
    expect(lines(down.stderr)).toEqual([expect.stringMatching(/^strata: environment staging: cannot reach /)]);

    proxy.restore();
    const started = Date.now();
    const rerun = await strata(["--project", dir, "--env", "staging", "-q", "--json", "upgrade", "heads"]);
    const rerunMs = Date.now() - started;
    if (client === "pg") {
      expect(rerun.code).toBe(0);
      expect(rerun.json.heads).toEqual([L3]);
    } else {
      // As after any half-applied failure: refused, naming what to resolve.
      expect(rerun.code).toBe(2);
      expect(rerun.reason).toMatch(new RegExp(`^strata: upgrade refused, nothing was run: revision ${L2} \\(first, wait, second\\) was interrupted while running up`));
      expect(rerun.reason).toContain(`strata resolve ${L2} --rolled-back`);
      // The person checked: lost_a is there, lost_b is not; they undo it and say so.
      await db.knex.schema.dropTable("lost_a");
      expect((await strata(["--project", dir, "--env", "staging", "resolve", L2, "--rolled-back"])).code).toBe(0);
      const after = await strata(["--project", dir, "--env", "staging", "--json", "upgrade", "heads"]);
      expect(after.code).toBe(0);
      expect(after.json.heads).toEqual([L3]);
    }
    expect(await db.knex.schema.hasTable("lost_b")).toBe(true);
    expect(await db.knex.schema.hasTable("after_t")).toBe(true);
    figures.push({ client, case: "network cut", cutToExitMs: r.exitMs, lockFreeMs: lockMs, rerunMs });
  });

  it("the server kills the session mid-revision: one line, the failure recorded, the lock released, and the rerun works or asks for resolve", async () => {
    const r = await interruptedRun("direct", () => killWaitingSession(client, db));
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    const line = lines(r.stderr)[0]!;
    expect(line).not.toMatch(/internal error|Connection Error/);
    expect(line).toMatch(new RegExp(`^strata: environment direct: the connection to ${LABEL[client].replace("/", "\\/")} was lost while revision ${L2} \\(first, wait, second\\) ran up: the server (ended the session|closed the connection)`));
    expect(r.json.error).toMatchObject({ code: "CONNECTION_LOST", details: { environment: "direct", revision: L2, direction: "up", historyRecorded: true } });
    // The run released the lock itself: it is free as soon as the process is gone.
    expect(await dialectFor(client).describeLockHolder(db.knex, MIGRATION_LOCK_NAME)).toBeNull();
    const rows = await history(db);
    expect(rows.map((h) => `${h.revision} ${h.status}`)).toEqual([`${A1} succeeded`, `${L2} failed`]);
    expect(`strata: ${rows[1]!.error}`).toBe(line);
    expect(await versionHeads(db)).toEqual([A1]);
    if (client === "pg") {
      expect(line).toContain(`; rolled back: nothing of ${L2} was kept, the version table is still at ${A1}; run the command again`);
      expect(await db.knex.schema.hasTable("lost_a")).toBe(false);
      const rerun = await strata(["--project", dir, "--env", "direct", "--json", "upgrade", "heads"]);
      expect(rerun.code).toBe(0);
      expect(rerun.json.heads).toEqual([L3]);
    } else {
      expect(line).toContain("so the revision may be half applied: 1 statement had run (last: create table `lost_a` (`id` int))");
      expect(await db.knex.schema.hasTable("lost_a")).toBe(true);
      const refused = await strata(["--project", dir, "--env", "direct", "upgrade", "heads"]);
      expect(refused.code).toBe(2);
      expect(refused.reason).toMatch(new RegExp(`^strata: upgrade refused, nothing was run: revision ${L2} \\(first, wait, second\\) failed on up .* after 1 statement had run \\(last: create table .lost_a. \\(.id. int\\)\\), so it may be half applied`));
      // Checked: the first statement took effect; finishing the revision by hand is the person's call, undoing it here.
      await db.knex.schema.dropTable("lost_a");
      expect((await strata(["--project", dir, "--env", "direct", "resolve", L2, "--rolled-back"])).code).toBe(0);
      const rerun = await strata(["--project", dir, "--env", "direct", "--json", "upgrade", "heads"]);
      expect(rerun.code).toBe(0);
      expect(rerun.json.heads).toEqual([L3]);
    }
    expect(await db.knex.schema.hasTable("after_t")).toBe(true);
    figures.push({ client, case: "session killed", killToExitMs: r.exitMs });
  });

  it("--single-transaction cut mid-revision: what the dialect kept of the whole batch, in one line", async () => {
    const r = await interruptedRun("staging", () => proxy.cut(), ["--single-transaction"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    const line = lines(r.stderr)[0]!;
    expect(line).toMatch(new RegExp(`^strata: environment staging: the connection to .* was lost while revision ${L2} \\(first, wait, second\\) ran up: the network connection was reset \\(ECONNRESET\\); `));
    if (client === "pg") {
      // One transaction for both revisions: PostgreSQL rolled all of it back.
      expect(line).toContain(`rolled back: nothing of ${L2} was kept (nor of ${L3}, in the same single transaction), the version table is still at ${A1}`);
      expect(r.json.error.details).toMatchObject({ kept: "rolled-back", statements: [] });
      expect(await db.knex.schema.hasTable("lost_a")).toBe(false);
    } else {
      // MySQL cannot make DDL one transaction: the first statement committed as it ran.
      expect(line).toContain("so the revision may be half applied: 1 statement had run (last: create table `lost_a` (`id` int))");
      expect(r.json.error.details).toMatchObject({ kept: "partial", statements: ["create table `lost_a` (`id` int)"] });
      expect(await db.knex.schema.hasTable("lost_a")).toBe(true);
    }
    expect(await versionHeads(db)).toEqual([A1]);
    await lockFreeWithin(client, db);
    proxy.restore();
    if (client === "mysql2") {
      await db.knex.schema.dropTable("lost_a");
      expect((await strata(["--project", dir, "--env", "staging", "resolve", L2, "--rolled-back"])).code).toBe(0);
    }
    const rerun = await strata(["--project", dir, "--env", "staging", "--json", "upgrade", "heads", "--single-transaction"]);
    expect(rerun.code).toBe(0);
    expect(rerun.json.heads).toEqual([L3]);
  });

  it("cut while waiting for the lock: one line saying nothing was changed", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = dialectFor(client).withLock(db.knex, { name: MIGRATION_LOCK_NAME, timeoutMs: 5000 }, async () => {
      locked();
      await held;
    });
    await isLocked;
    try {
      const run = spawnStrata(["--project", dir, "--env", "staging", "--json", "upgrade", "heads", "--lock-timeout", "30"]);
      let progress = "";
      run.child.stderr!.on("data", (d) => (progress += d));
      for (let i = 0; i < 300 && !progress.includes("waiting for the migration lock"); i++) await delay(50);
      expect(progress).toContain("waiting for the migration lock");
      proxy.cut();
      const ended = await run.ended;
      expect(ended.code).toBe(2);
      // The progress line, then Strata's own line; nothing from the drivers.
      expect(lines(ended.stderr)).toEqual([
        expect.stringMatching(/^waiting for the migration lock/),
        // Cut between two polls, the socket dies idle: the driver's next query only finds it closed.
        expect.stringMatching(new RegExp(`^strata: environment staging: the connection to ${LABEL[client].replace("/", "\\/")} was lost before any revision ran, so nothing was changed: the (network )?connection [a-z ]+( \\(ECONNRESET\\))?; run the command again once the database can be reached$`)),
      ]);
      expect(JSON.parse(ended.stdout).error).toMatchObject({ code: "CONNECTION_LOST", details: { environment: "staging", revision: null, kept: "rolled-back" } });
    } finally {
      release();
      await holder;
    }
    expect(await versionHeads(db)).toEqual([A1]);
    expect((await history(db)).map((h) => `${h.revision} ${h.status}`)).toEqual([`${A1} succeeded`]);
  });

  if (client === "pg") {
    it("a transaction = false revision cut mid-way keeps its first statement, said as on MariaDB, and asks for resolve", async () => {
      writeRevision(dir, { ...firstWaitSecond(client, marker), transaction: false });
      const r = await interruptedRun("staging", () => proxy.cut());
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toEqual([
        `strata: environment staging: the connection to PostgreSQL was lost while revision ${L2} (first, wait, second) ran up: the network connection was reset (ECONNRESET); it runs outside a transaction (transaction = false), so the revision may be half applied: 1 statement had run (last: create table "lost_a" ("id" integer)); the version table was left at ${A1}; check the database, then run \`strata resolve ${L2} --applied\` if all of it took effect or \`strata resolve ${L2} --rolled-back\` if none of it did (undo any part that did first)`,
      ]);
      expect(r.json.error.details).toMatchObject({ kept: "partial", statements: ['create table "lost_a" ("id" integer)'] });
      expect(await db.knex.schema.hasTable("lost_a")).toBe(true);
      expect((await history(db)).map((h) => `${h.revision} ${h.status}`)).toEqual([`${A1} succeeded`, `${L2} running`]);
      proxy.restore();
      const refused = await strata(["--project", dir, "--env", "staging", "upgrade", "heads"]);
      expect(refused.code).toBe(2);
      expect(refused.reason).toMatch(new RegExp(`^strata: upgrade refused, nothing was run: revision ${L2} \\(first, wait, second\\) was interrupted while running up`));
    });
  }

  it("the app's run (what the apply screen shows) ends with the same line, and nothing from the drivers reaches the host's console", async () => {
    const data = fs.mkdtempSync(`${dir}-app-`);
    const service = createAppService({ host: "browser", projectRoot: dir, profiles: new ProfileStore(`${data}/profiles.json`, NO_PASSWORD_STORAGE), recentFile: null });
    const printed: string[] = [];
    const spies = (["log", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" "))));
    process.env[SLEEP_ENV] = "1";
    try {
      const ticket = await service.handlers.runMigration({ environment: "staging", command: "upgrade", target: "heads" });
      await waitForSleep(client, db.knex, marker);
      proxy.cut();
      let run = await service.handlers.getRun({ runId: ticket.runId });
      for (let i = 0; i < 300 && run.state !== "failed" && run.state !== "succeeded"; i++) {
        await delay(100);
        run = await service.handlers.getRun({ runId: ticket.runId });
      }
      expect(run.state).toBe("failed");
      expect(run.error).toMatchObject({ code: "CONNECTION_LOST", details: { environment: "staging", revision: L2, direction: "up", kept: client === "pg" ? "rolled-back" : "partial" } });
      expect(run.error!.message).toMatch(new RegExp(`^environment staging: the connection to ${LABEL[client].replace("/", "\\/")} was lost while revision ${L2} \\(first, wait, second\\) ran up: the network connection was reset \\(ECONNRESET\\); `));
      expect(run.error!.message).not.toMatch(/internal error/);
      expect(printed.filter((l) => /Connection Error|ECONNRESET|closed state/.test(l))).toEqual([]);
    } finally {
      delete process.env[SLEEP_ENV];
      for (const spy of spies) spy.mockRestore();
      fs.rmSync(data, { recursive: true, force: true });
    }
    expect(await versionHeads(db)).toEqual([A1]);
  });

  it("reports its figures", () => {
    const mine = figures.filter((f) => f.client === client);
    process.stdout.write(`lost-connection figures: ${JSON.stringify(mine)}\n`);
    expect(mine.length).toBeGreaterThan(0);
  });
});

describe("lost connection on a PostgreSQL server restarted mid-run", () => {
  let cluster: PostgresCluster;
  let observer: ReturnType<typeof knexFactory> | null = null;
  beforeAll(async () => {
    cluster = await startPlainPostgres(await freePort());
    cluster.sql("create database lost_restart");
  }, 60_000);
  afterAll(async () => {
    await observer?.destroy();
    await cluster?.stop();
  });

  it("says the server ended the session, keeps nothing of the revision, and the rerun after the restart works", async () => {
    const marker = path.join(os.tmpdir(), `strata-lost-${randomBytes(6).toString("hex")}.marker`);
    const connection = { host: "127.0.0.1", port: cluster.port, user: "postgres", database: "lost_restart" };
    const dir = writeProject({ environments: { prod: { client: "pg", connection } }, revisions: [BASE, firstWaitSecond("pg", marker), AFTER] });
    expect((await strata(["--project", dir, "upgrade", A1])).code).toBe(0);
    const run = spawnStrata(["--project", dir, "-q", "--json", "upgrade", "heads"], { env: { [SLEEP_ENV]: "1" } });
    // Watched over the Unix socket with psql: a pool of the test's own would die with the restart.
    const deadline = Date.now() + 30_000;
    while (cluster.sql("select count(*) from pg_stat_activity where query like 'select pg_sleep%' and state = 'active'") !== "1") {
      if (Date.now() > deadline) {
        run.child.kill("SIGKILL");
        throw new Error("the revision did not reach its wait within 30 s");
      }
      await delay(50);
    }
    await cluster.restart();
    const ended = await run.ended;
    fs.rmSync(marker, { force: true });
    expect(ended.code).toBe(2);
    const stderr = lines(ended.stderr);
    expect(stderr).toEqual([
      `strata: environment prod: the connection to PostgreSQL was lost while revision ${L2} (first, wait, second) ran up: the server ended the session (terminated by an administrator, or the server shut down); rolled back: nothing of ${L2} was kept, the version table is still at ${A1}; run the command again once the database can be reached`,
    ]);
    expect(JSON.parse(ended.stdout).error).toMatchObject({ code: "CONNECTION_LOST", details: { environment: "prod", revision: L2, kept: "rolled-back" } });

    observer = knexFactory({ client: "pg", connection, pool: { min: 0, max: 1 } });
    expect(await observer.schema.hasTable("lost_a")).toBe(false);
    expect((await observer("strata_version").select("version_num")).map((r) => r.version_num)).toEqual([A1]);
    // Written once the server was back (the pool retries within its 5 s), or not at all: never `running`, never applied.
    const rows = (await observer("strata_history").select("revision", "status").orderBy("id")).map((r) => `${r.revision} ${r.status}`);
    expect([[`${A1} succeeded`], [`${A1} succeeded`, `${L2} failed`]]).toContainEqual(rows);

    const rerun = await strata(["--project", dir, "--json", "upgrade", "heads"]);
    expect(rerun.code).toBe(0);
    expect(rerun.json.heads).toEqual([L3]);
    expect(await observer.schema.hasTable("lost_b")).toBe(true);
    process.stdout.write(`lost-connection figures: ${JSON.stringify({ client: "pg", case: "server restart", historyRows: rows })}\n`);
  });
});
