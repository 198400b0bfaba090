import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Knex } from "knex";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import type { Dialect } from "../../../electron/engine/dialect/index.js";
import { MIGRATION_LOCK_NAME, forceUnlock, migrate, readHeads, readHistory, readLockHolder } from "../../../electron/engine/runner/index.js";
import type { RunEvent } from "../../../electron/engine/runner/types.js";
import { TEST_CLIENTS, createTestDatabase } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { linearUpgradePlanner, revisionScript, scriptMap } from "../../helpers/revision-fixtures.js";

const TABLES = { versionTable: "strata_version", historyTable: "strata_history" } as const;
const CHAIN = ["r1", "r2", "r3"];
const scripts = scriptMap(
  ...CHAIN.map((id, i) =>
    revisionScript(id, i === 0 ? [] : [CHAIN[i - 1]!], async (k) => {
      await k.schema.createTable(`t_${id}`, (t) => { t.integer("id"); });
      // Give a concurrent runner time to try its luck.
      await new Promise((r) => setTimeout(r, 50));
    }, (k) => k.schema.dropTable(`t_${id}`)),
  ),
);

/** Holds the migration lock from `knex` until the returned release() is called. */
async function holdLock(knex: Knex, dialect: Dialect): Promise<{ release(): void; done: Promise<unknown> }> {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let acquired!: () => void;
  const isHeld = new Promise<void>((r) => (acquired = r));
  const done = dialect.withLock(knex, { name: MIGRATION_LOCK_NAME, timeoutMs: 5000 }, async () => {
    acquired();
    await gate;
  }).catch((e: unknown) => e);
  await isHeld;
  return { release, done };
}

describe.each(TEST_CLIENTS)("the migration lock on %s", (client) => {
  let db: TestDatabase;
  let dialect: Dialect;
  beforeEach(async () => {
    db = await createTestDatabase(client);
    dialect = dialectFor(client);
  });
  afterEach(async () => {
    await db.drop();
  });

  it("lets two runners started at once on a new database apply each revision exactly once", async () => {
    const other = await db.connectAgain();
    const run = (k: Knex) => migrate(k, dialect, { scripts, makePlan: linearUpgradePlanner(CHAIN), ...TABLES, strataVersion: "t", lockTimeoutMs: 20_000 });
    const [a, b] = await Promise.all([run(db.knex), run(other)]);
    expect([a.steps.length, b.steps.length].sort()).toEqual([0, 3]);
    expect(a.heads).toEqual(["r3"]);
    expect(b.heads).toEqual(["r3"]);
    const ups = (await readHistory(db.knex, TABLES)).filter((h) => h.direction === "up");
    expect(ups.map((h) => h.revision).sort()).toEqual(["r1", "r2", "r3"]);
  });

  it("lets ten runners race on a brand-new database without failing", async () => {
    const pools = [db.knex, ...(await Promise.all(Array.from({ length: 9 }, () => db.connectAgain())))];
    const results = await Promise.all(
      pools.map((k) => migrate(k, dialect, { scripts, makePlan: linearUpgradePlanner(CHAIN), ...TABLES, strataVersion: "t", lockTimeoutMs: 30_000 })),
    );
    expect(results.map((r) => r.steps.length).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
    expect(results.every((r) => r.heads.join() === "r3")).toBe(true);
    expect((await readHistory(db.knex, TABLES)).length).toBe(3);
  });

  it("times out naming the holder when another session holds the lock", async () => {
    const other = await db.connectAgain();
    const held = await holdLock(db.knex, dialect);
    try {
      const events: RunEvent[] = [];
      const started = Date.now();
      const error = await migrate(other, dialect, {
        scripts,
        makePlan: linearUpgradePlanner(CHAIN),
        ...TABLES,
        strataVersion: "t",
        lockTimeoutMs: 300,
        onEvent: (e) => events.push(e),
      }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error).toMatchObject({ code: "LOCK_TIMEOUT" });
      const message = (error as Error).message;
      expect(message).toContain("waited 300 ms for the migration lock");
      expect(message).toMatch(client === "pg" ? /held by PostgreSQL backend pid \d+ "strata .*@.* pid \d+"/ : client === "mysql2" ? /held by MySQL connection id \d+ \(user root/ : /held by another connection or process with a write transaction open on .*\.sqlite/);
      expect(events[0]).toMatchObject({ kind: "lock-wait" });
      expect(await readLockHolder(other, dialect)).not.toBeNull();
      expect(await readHeads(other, TABLES)).toEqual([]);
    } finally {
      held.release();
      await held.done;
    }
    expect(await readLockHolder(other, dialect)).toBeNull();
    const after = await migrate(other, dialect, { scripts, makePlan: linearUpgradePlanner(CHAIN), ...TABLES, strataVersion: "t", lockTimeoutMs: 2000 });
    expect(after.heads).toEqual(["r3"]);
  });

  it("leaves no lock behind when the holding process is killed", async () => {
    // node itself, not the tsx launcher: SIGKILL must reach the process that holds the lock.
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("test/helpers/hold-lock-process.ts"), JSON.stringify(db.env)], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
        child.on("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      expect(await readLockHolder(db.knex, dialect)).not.toBeNull();
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const run = await migrate(db.knex, dialect, { scripts, makePlan: linearUpgradePlanner(CHAIN), ...TABLES, strataVersion: "t", lockTimeoutMs: 5000 });
      expect(run.heads).toEqual(["r3"]);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("forceUnlock ends the holding session where the database allows it", async () => {
    const other = await db.connectAgain();
    const held = await holdLock(db.knex, dialect);
    try {
      const result = await forceUnlock(other, dialect);
      if (client === "better-sqlite3") {
        expect(result.released).toBe(false);
        expect(result.note).toContain("end with the process");
        expect(result.holder).toContain("write transaction");
      } else {
        expect(result.released).toBe(true);
        expect(result.holder).toMatch(client === "pg" ? /PostgreSQL backend pid \d+/ : /MySQL connection id \d+/);
        // The killed session took its lock with it: the next runner gets it at once.
        await expect.poll(() => readLockHolder(other, dialect), { timeout: 3000 }).toBeNull();
        const run = await migrate(other, dialect, { scripts, makePlan: linearUpgradePlanner(CHAIN), ...TABLES, strataVersion: "t", lockTimeoutMs: 2000 });
        expect(run.heads).toEqual(["r3"]);
      }
    } finally {
      held.release();
      await held.done;
    }
    expect(await forceUnlock(other, dialect)).toMatchObject({ released: false, holder: null });
  });
});
