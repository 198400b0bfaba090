// Issue 15: a knex-mode run commits each revision on its own, its knex_migrations row and history
// row in the query that commits it; on PostgreSQL every commit but the run's last returns before
// the WAL flush (synchronous_commit off for that transaction), the last one flushes them all; on
// MariaDB the query that writes the record commits it too, its checks ahead of its COMMIT.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Knex } from "knex";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import { migrate, readHistory } from "../../../electron/engine/runner/index.js";
import type { MigrateOptions } from "../../../electron/engine/runner/index.js";
import type { Plan } from "../../../electron/engine/revisions/types.js";
import type { RevisionScript } from "../../../electron/engine/scripts/types.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { TEST_CLIENTS, tableExists } from "../../helpers/databases.js";
import { plan, revisionScript, scriptMap, step } from "../../helpers/revision-fixtures.js";
import { knexList, knexRows } from "../../helpers/knex-projects.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";
import type { DbClient } from "../../../electron/engine/dialect/index.js";

const TABLES = { versionTable: "strata_version", historyTable: "strata_history" } as const;

/** Messages a history row must keep as they are, whatever way its values reach the database. */
const MESSAGES = ["plain", "it's O'Brien's \\ back\\slash", "why? \\? $1 ?? :name", "E'x' -- ; commit; drop table t_1", "é ✓ 表"];

/** What a revision's transaction will do at its commit, as the revision itself reads it (null where the dialect has no such setting). */
async function commitSetting(k: Knex, client: DbClient): Promise<string | null> {
  if (client !== "pg") return null;
  const r = (await k.raw("select current_setting('synchronous_commit') as s")) as { rows: { s: string }[] };
  return r.rows[0]!.s;
}

/** n knex migrations in a line, `m1.js` .. `mN.js`; each makes table t_i and notes the commit setting its transaction saw; `failing` throws after its table. */
function knexFolder(n: number, client: DbClient, seen: Map<string, string | null>, failing?: number): { scripts: ReadonlyMap<string, RevisionScript>; plan: Plan } {
  const ids = Array.from({ length: n }, (_, i) => `m${i + 1}`);
  const scripts = scriptMap(
    ...ids.map((id, i) => ({
      ...revisionScript(
        id,
        i === 0 ? [] : [ids[i - 1]!],
        async (k: Knex) => {
          await k.schema.createTable(`t_${i + 1}`, (t) => {
            t.increments("id");
          });
          seen.set(id, await commitSetting(k, client));
          if (failing === i + 1) throw new Error(`${id} fails on purpose`);
        },
        (k: Knex) => k.schema.dropTable(`t_${i + 1}`),
        { message: MESSAGES[i % MESSAGES.length]! },
      ),
      knexName: `${id}.js`,
    })),
  );
  return { scripts, plan: plan("upgrade", "heads", [], ids.map((id) => step(id, "up", [{ kind: "insert", revision: id }], [id]))) };
}

/** The same n migrations as files, for knex's own migrator to read: `m1.js` .. `mN.js`. */
function knexFiles(dir: string, n: number): Knex.MigratorConfig {
  const directory = path.join(dir, "migrations");
  fs.mkdirSync(directory);
  for (let i = 1; i <= n; i++) {
    fs.writeFileSync(path.join(directory, `m${i}.js`), `exports.up = (k) => k.schema.createTable("t_${i}", (t) => { t.increments("id"); });\nexports.down = (k) => k.schema.dropTable("t_${i}");\n`);
  }
  return { directory };
}

function options(scripts: ReadonlyMap<string, RevisionScript>, p: Plan): MigrateOptions {
  return { scripts, makePlan: () => p, ...TABLES, strataVersion: "0.1.0-test", lockTimeoutMs: 5000, knex: { tableName: "knex_migrations" } };
}

describe.each(TEST_CLIENTS)("knex-mode commits on %s", (client) => {
  const db = useTestDatabase(client);
  const tempDir = useTempDirs("strata-knex-commits-");
  const dialect = dialectFor(client);
  const zone = process.env.TZ;
  // Away from UTC, so a migration_time written without its offset would be hours off.
  beforeEach(() => {
    process.env.TZ = "America/New_York";
  });
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it("a run of 5 revisions leaves each applied and recorded, with knex's migration_time and its messages as written; on PostgreSQL only the last commit waits for the disk", async () => {
    const seen = new Map<string, string | null>();
    const { scripts, plan: p } = knexFolder(5, client, seen);
    const before = Date.now();
    const result = await migrate(db.knex, dialect, options(scripts, p));
    const after = Date.now();
    expect(result.steps.map((s) => s.revision)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    // Read on a new connection: every commit is visible to others.
    const other = await db.connectAgain();
    try {
      const rows = (await other("knex_migrations").select("name", "batch", "migration_time").orderBy("id")) as { name: string; batch: number; migration_time: Date | string }[];
      expect(rows.map((r) => `${r.name}:${r.batch}`)).toEqual(["m1.js:1", "m2.js:1", "m3.js:1", "m4.js:1", "m5.js:1"]);
      for (const r of rows) {
        // SQLite keeps knex's value as the driver wrote it (epoch milliseconds); the others a timestamp.
        const t = typeof r.migration_time === "number" ? r.migration_time : new Date(r.migration_time).getTime();
        expect(t).toBeGreaterThanOrEqual(before - 1000);
        expect(t).toBeLessThanOrEqual(after + 1000);
      }
      for (let i = 1; i <= 5; i++) expect(await tableExists(other, `t_${i}`)).toBe(true);
      const history = await readHistory(other, TABLES);
      expect(history.map((h) => `${h.revision}:${h.status}`)).toEqual(["m5:succeeded", "m4:succeeded", "m3:succeeded", "m2:succeeded", "m1:succeeded"]);
      expect(history.map((h) => h.message).reverse()).toEqual(MESSAGES);
    } finally {
      await other.destroy();
    }
    if (client === "pg") {
      expect([...seen.entries()]).toEqual([["m1", "off"], ["m2", "off"], ["m3", "off"], ["m4", "off"], ["m5", "on"]]);
      // Nothing of it outlives the run's transactions: the pool's sessions keep the server's setting.
      expect(await commitSetting(db.knex, client)).toBe("on");
    }
  });

  it("a revision failing in the middle leaves the ones before it applied and recorded, itself rolled back and recorded as failed", async () => {
    const seen = new Map<string, string | null>();
    const { scripts, plan: p } = knexFolder(5, client, seen, 3);
    await expect(migrate(db.knex, dialect, options(scripts, p))).rejects.toThrow(/revision m3 \(why\? .*\) failed on up: m3 fails on purpose/);
    const other = await db.connectAgain();
    try {
      expect(((await other("knex_migrations").select("name").orderBy("id")) as { name: string }[]).map((r) => r.name)).toEqual(["m1.js", "m2.js"]);
      const history = await readHistory(other, TABLES);
      expect(history.map((h) => `${h.revision}:${h.status}`)).toEqual(["m3:failed", "m2:succeeded", "m1:succeeded"]);
      expect(await tableExists(other, "t_2")).toBe(true);
      // MySQL's DDL commits itself: there t_3 stays, and the failure says so.
      expect(await tableExists(other, "t_3")).toBe(client === "mysql2");
      expect(await tableExists(other, "t_4")).toBe(false);
    } finally {
      await other.destroy();
    }
  });

  it("knex's own migrator agrees with a run: every file completed, nothing pending, and its latest() then runs nothing", async () => {
    const { scripts, plan: p } = knexFolder(5, client, new Map());
    await migrate(db.knex, dialect, options(scripts, p));
    const config = knexFiles(tempDir(), 5);
    const other = await db.connectAgain();
    try {
      expect(await knexList({ knex: other, config })).toEqual({ completed: ["m1.js", "m2.js", "m3.js", "m4.js", "m5.js"], pending: [] });
      const [, ran] = (await other.migrate.latest(config)) as [number, string[]];
      expect(ran).toEqual([]);
      // Each revision's `running` row (opened by the record before it) was closed, none left behind.
      const history = await readHistory(other, TABLES);
      expect(history.map((h) => `${h.revision}:${h.direction}:${h.status}:${h.finishedAt === null ? "open" : "closed"}`)).toEqual(
        [5, 4, 3, 2, 1].map((i) => `m${i}:up:succeeded:closed`),
      );
    } finally {
      await other.destroy();
    }
  });

  it("a revision that deletes its own knex_migrations row is refused at its close and undone; the step before it stays committed, and knex agrees", async () => {
    const { scripts, plan: up } = knexFolder(3, client, new Map());
    await migrate(db.knex, dialect, options(scripts, up));
    // m2's down meddles with knex's table (rows only, so MySQL can roll it back too).
    const meddling = revisionScript("m2", ["m1"], () => undefined, (k: Knex) => k("knex_migrations").where({ name: "m2.js" }).delete(), { message: "meddles" });
    const withMeddling = new Map([...scripts, ["m2", { ...meddling, knexName: "m2.js" }]]);
    const down = plan("downgrade", "base", ["m3"], [step("m3", "down", [{ kind: "delete", revision: "m3" }], ["m2"]), step("m2", "down", [{ kind: "delete", revision: "m2" }], ["m1"]), step("m1", "down", [{ kind: "delete", revision: "m1" }], [])]);
    await expect(migrate(db.knex, dialect, options(withMeddling, down))).rejects.toThrow(
      /^revision m2 \(meddles\) failed on down: knex_migrations did not hold the row to delete m2; it was changed outside this run/,
    );
    const other = await db.connectAgain();
    try {
      expect((await knexRows(other)).map((r) => r.name)).toEqual(["m1.js", "m2.js"]);
      expect(await knexList({ knex: other, config: knexFiles(tempDir(), 3) })).toEqual({ completed: ["m1.js", "m2.js"], pending: ["m3.js"] });
      const history = await readHistory(other, TABLES);
      expect(history.map((h) => `${h.revision}:${h.direction}:${h.status}`)).toEqual(["m2:down:failed", "m3:down:succeeded", "m3:up:succeeded", "m2:up:succeeded", "m1:up:succeeded"]);
      expect(await tableExists(other, "t_3")).toBe(false);
      expect(await tableExists(other, "t_2")).toBe(true);
    } finally {
      await other.destroy();
    }
  });
});
