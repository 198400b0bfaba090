// The suite hooks of test/helpers/databases.ts, apart: databases.ts is also loaded by the benches
// (bench/*.ts under tsx), where vitest cannot be imported.
import { afterEach, beforeEach } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createTestDatabase } from "./databases.js";
import type { TestDatabase } from "./databases.js";

/**
 * The hooks of a suite whose every test uses two fresh databases of one dialect, `app` (the one
 * Strata migrates) and `target` (the schema it is compared with): made before each test, dropped after.
 */
export function useAppAndTarget(client: DbClient): { readonly app: TestDatabase; readonly target: TestDatabase } {
  let app: TestDatabase | undefined;
  let target: TestDatabase | undefined;
  beforeEach(async () => {
    app = await createTestDatabase(client);
    target = await createTestDatabase(client);
  });
  afterEach(async () => {
    await app?.drop();
    await target?.drop();
  });
  const made = (db: TestDatabase | undefined): TestDatabase => {
    if (!db) throw new Error("the test databases are made before each test: use them inside a test");
    return db;
  };
  return {
    get app() {
      return made(app);
    },
    get target() {
      return made(target);
    },
  };
}
