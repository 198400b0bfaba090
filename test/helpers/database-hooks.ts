// The vitest hooks of suites that use fresh databases per test or per file. Kept apart from
// databases.ts, which the benchmarks import outside vitest (vitest cannot be loaded there;
// test/integration/bench runs them so that stays true).
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createTestDatabase } from "./databases.js";
import type { TestDatabase } from "./databases.js";

/**
 * The hooks of a suite whose every test uses a fresh database of one dialect, made before each
 * test and dropped after (`"all"`: one for the whole file, made before its first test): the
 * handle returned reads through to the database of the moment.
 */
export function useTestDatabase(client: DbClient, scope: "each" | "all" = "each"): TestDatabase {
  let db: TestDatabase | undefined;
  (scope === "each" ? beforeEach : beforeAll)(async () => {
    db = await createTestDatabase(client);
  });
  (scope === "each" ? afterEach : afterAll)(async () => {
    await db?.drop();
    db = undefined;
  });
  const made = (): TestDatabase => {
    if (!db) throw new Error("the test database is made before each test: use it inside a test");
    return db;
  };
  return {
    get env() {
      return made().env;
    },
    get knex() {
      return made().knex;
    },
    connectAgain: () => made().connectAgain(),
    drop: () => made().drop(),
  };
}

/**
 * The hooks of a suite whose every test uses two fresh databases of one dialect, `app` (the one
 * Strata migrates) and `target` (the schema it is compared with): made before each test, dropped after.
 */
export function useAppAndTarget(client: DbClient): { readonly app: TestDatabase; readonly target: TestDatabase } {
  return { app: useTestDatabase(client), target: useTestDatabase(client) };
}
