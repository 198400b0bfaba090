import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { TEST_CLIENTS, createTestDatabase, envEntry } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { strata, writeProject } from "../helpers/strata-cli.js";
import type { RevisionSpec, StrataRun } from "../helpers/strata-cli.js";

/**
 * Promise 1 of docs/RELIABILITY.md: ten `strata upgrade heads` processes at once never fail,
 * never run a revision twice, and leave one history row per revision.
 *
 * Every revision also inserts a row naming itself into `runs`, a table made by the first one,
 * so a revision that ran twice (even in a transaction that later committed twice) would show as
 * two rows there, independently of what Strata's own history says.
 */
const RACERS = 10;

/** base -> a branch of two and a branch of three -> a merge -> two more: 9 revisions. */
const GRAPH: RevisionSpec[] = (() => {
  const run = (id: string, extra = "") =>
    `${extra}await knex("runs").insert({ revision: ${JSON.stringify(id)} }); await new Promise((r) => setTimeout(r, 30));`;
  const table = (id: string) => `await knex.schema.createTable("t_${id}", (t) => { t.increments("id"); t.string("note", 40); });`;
  const spec = (revision: string, downRevision: string | string[] | null, up: string): RevisionSpec => ({
    revision,
    downRevision,
    message: `step ${revision}`,
    up,
    down: `await knex.schema.dropTableIfExists("t_${revision}");`,
  });
  return [
    { ...spec("r0base000000", null, `await knex.schema.createTable("runs", (t) => { t.increments("id"); t.string("revision", 20); }); ${run("r0base000000")}`), down: `await knex.schema.dropTable("runs");` },
    spec("a1a1a1a1a1a1", "r0base000000", table("a1a1a1a1a1a1") + run("a1a1a1a1a1a1")),
    spec("a2a2a2a2a2a2", "a1a1a1a1a1a1", table("a2a2a2a2a2a2") + run("a2a2a2a2a2a2")),
    spec("b1b1b1b1b1b1", "r0base000000", table("b1b1b1b1b1b1") + run("b1b1b1b1b1b1")),
    spec("b2b2b2b2b2b2", "b1b1b1b1b1b1", table("b2b2b2b2b2b2") + run("b2b2b2b2b2b2")),
    spec("b3b3b3b3b3b3", "b2b2b2b2b2b2", table("b3b3b3b3b3b3") + run("b3b3b3b3b3b3")),
    spec("m1m1m1m1m1m1", ["a2a2a2a2a2a2", "b3b3b3b3b3b3"], table("m1m1m1m1m1m1") + run("m1m1m1m1m1m1")),
    spec("c1c1c1c1c1c1", "m1m1m1m1m1m1", table("c1c1c1c1c1c1") + run("c1c1c1c1c1c1")),
    spec("c2c2c2c2c2c2", "c1c1c1c1c1c1", table("c2c2c2c2c2c2") + run("c2c2c2c2c2c2")),
  ];
})();
const ALL = GRAPH.map((r) => r.revision).sort();

async function race(dir: string): Promise<StrataRun[]> {
  return Promise.all(
    Array.from({ length: RACERS }, () => strata(["upgrade", "heads", "--json", "--lock-timeout", "120"], { cwd: dir, timeoutMs: 150_000 })),
  );
}

async function expectEachRevisionOnce(db: TestDatabase, runs: StrataRun[], dir: string): Promise<void> {
  for (const r of runs) {
    expect(r.reason).toBe("");
    expect(r.code).toBe(0);
    expect(r.json.heads).toEqual(["c2c2c2c2c2c2"]);
  }
  // Between them the racers ran each revision once; which racer ran which does not matter.
  const ran = runs.flatMap((r) => r.json.steps.map((s: { revision: string }) => s.revision)).sort();
  expect(ran).toEqual(ALL);
  const runsRows: { revision: string }[] = await db.knex("runs").select("revision");
  expect(runsRows.map((r) => r.revision).sort()).toEqual(ALL);
  const history: { revision: string; direction: string; status: string }[] = await db.knex("strata_history").select("revision", "direction", "status");
  expect(history.filter((h) => h.direction === "up").map((h) => h.revision).sort()).toEqual(ALL);
  expect(history.every((h) => h.status === "succeeded")).toBe(true);
  expect((await db.knex("strata_version").select("version_num")).map((r: { version_num: string }) => r.version_num)).toEqual(["c2c2c2c2c2c2"]);

  // The eleventh run finds nothing to do and changes nothing.
  const eleventh = await strata(["upgrade", "heads", "--json"], { cwd: dir });
  expect(eleventh.code).toBe(0);
  expect(eleventh.json.steps).toEqual([]);
  expect((await db.knex("strata_history").count({ n: "*" }))[0]!.n).toEqual(client(db) === "pg" ? String(ALL.length) : ALL.length);
}

function client(db: TestDatabase): DbClient {
  return db.env.client as DbClient;
}

describe.each(TEST_CLIENTS)("ten `strata upgrade heads` processes at once on %s", (dbClient) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(dbClient);
  });
  afterEach(async () => {
    await db.drop();
  });

  it("on a brand-new database (no Strata tables yet): none fails and each revision runs once", async () => {
    const project = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH });
    expect(await db.knex.schema.hasTable("strata_version")).toBe(false);
    const runs = await race(project);
    await expectEachRevisionOnce(db, runs, project);
  });

  it("on an empty database whose Strata tables exist: none fails and each revision runs once", async () => {
    const project = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH });
    const stamped = await strata(["stamp", "base", "--json"], { cwd: project });
    expect(stamped.code).toBe(0);
    expect(await db.knex.schema.hasTable("strata_version")).toBe(true);
    const runs = await race(project);
    await expectEachRevisionOnce(db, runs, project);
  });
});
