import { beforeEach, describe, expect, it } from "vitest";
import type { Knex } from "knex";
import { dialectFor } from "../../../electron/engine/dialect/index.js";
import { adoptKnex, migrate, readAppliedChecksums, readHeads, readHistory, readKnexMigrations, stamp } from "../../../electron/engine/runner/index.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { TEST_CLIENTS, describeColumns } from "../../helpers/databases.js";
import { linearUpgradePlanner, revisionScript, scriptMap } from "../../helpers/revision-fixtures.js";

const TABLES = { versionTable: "strata_version", historyTable: "strata_history" } as const;

describe.each(TEST_CLIENTS)("stamp and knex adoption on %s", (client) => {
  const db = useTestDatabase(client);
  const dialect = dialectFor(client);
  let knex: Knex;
  beforeEach(() => {
    knex = db.knex;
  });

  it("stamps heads without running anything, with a stamp row per change", async () => {
    const first = await stamp(knex, dialect, {
      makeStamp: (heads) => ({ headsBefore: heads, ops: [{ kind: "insert", revision: "x1" }, { kind: "insert", revision: "y1" }], headsAfter: ["x1", "y1"] }),
      ...TABLES,
      strataVersion: "t",
    });
    expect(first).toEqual({ steps: [], headsBefore: [], heads: ["x1", "y1"] });
    let seen: readonly string[] = [];
    const second = await stamp(knex, dialect, {
      makeStamp: (heads) => {
        seen = heads;
        return { headsBefore: heads, ops: [{ kind: "delete", revision: "y1" }, { kind: "update", from: "x1", to: "x2" }], headsAfter: ["x2"] };
      },
      ...TABLES,
      strataVersion: "t",
    });
    expect(seen).toEqual(["x1", "y1"]);
    expect(second.heads).toEqual(["x2"]);
    expect(await readHeads(knex, TABLES)).toEqual(["x2"]);
    const history = await readHistory(knex, TABLES);
    expect(history.map((h) => `${h.direction}:${h.revision}:${h.message}`)).toEqual([
      "stamp:x2:stamp: x1 -> x2",
      "stamp:y1:stamp: delete y1",
      "stamp:y1:stamp: insert y1",
      "stamp:x1:stamp: insert x1",
    ]);
    expect(await describeColumns(knex, client, ["strata_version", "strata_history"])).toEqual([]);
    // A stamp is not an applied file: nothing for `strata check` to compare.
    expect(await readAppliedChecksums(knex, TABLES)).toEqual(new Map());
  });

  it("reads knex_migrations and adopts a knex-built database by stamping its last migration", async () => {
    expect(await readKnexMigrations(knex)).toBeNull();
    const knexMigrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
      "20240101_create_users": { up: (k) => k.schema.createTable("users", (t) => { t.increments("id"); }), down: (k) => k.schema.dropTable("users") },
      "20240102_create_posts": { up: (k) => k.schema.createTable("posts", (t) => { t.increments("id"); }), down: (k) => k.schema.dropTable("posts") },
    };
    await knex.migrate.latest({
      migrationSource: {
        getMigrations: async () => Object.keys(knexMigrations),
        getMigrationName: (m: string) => m,
        getMigration: async (m: string) => knexMigrations[m]!,
      },
    });
    expect(await readKnexMigrations(knex)).toEqual(["20240101_create_users", "20240102_create_posts"]);
    const adopted = await adoptKnex(knex, dialect, { headRevision: "20240102_create_posts", ...TABLES, strataVersion: "t" });
    expect(adopted.heads).toEqual(["20240102_create_posts"]);
    const [row] = await readHistory(knex, TABLES);
    expect(row).toMatchObject({ direction: "stamp", revision: "20240102_create_posts", status: "succeeded" });
    expect(row!.message).toContain("adopted from knex_migrations");
    // Later Strata revisions continue from knex's last migration.
    const chain = ["20240101_create_users", "20240102_create_posts", "r3"];
    const scripts = scriptMap(revisionScript("r3", ["20240102_create_posts"], (k) => k.schema.createTable("comments", (t) => { t.integer("id"); }), () => undefined));
    const next = await migrate(knex, dialect, { scripts, makePlan: linearUpgradePlanner(chain), ...TABLES, strataVersion: "t" });
    expect(next.steps.map((s) => s.revision)).toEqual(["r3"]);
    expect(next.heads).toEqual(["r3"]);
  });
});
