// Counts the statements a run sends through knex (knex's `query` event) for its bookkeeping, per
// dialect: an upgrade of N small revisions on a fresh database, the same on a database whose
// history table already exists, and a stamp. Load-independent: it measures what the run asks
// the server, not how long the server takes. (SQLite's bookkeeping statements that run straight
// on the driver, Dialect.runDirect, fire no knex event and are not counted; the catalog reads
// of Strata's tables are.)
// Usage: npx tsx bench/history-queries.ts [N] [pg,mysql2,better-sqlite3]
import type { Knex } from "knex";
import type { DbClient } from "../electron/engine/dialect/index.js";
import { dialectFor } from "../electron/engine/dialect/index.js";
import { migrate, stamp } from "../electron/engine/runner/index.js";
import type { Plan } from "../electron/engine/revisions/types.js";
import { createTestDatabase } from "../test/helpers/databases.js";
import { linearUpgradePlanner, revisionScript, scriptMap } from "../test/helpers/revision-fixtures.js";

const N = Number(process.argv[2] ?? 10);
const clients = (process.argv[3] ?? "better-sqlite3,pg,mysql2").split(",") as DbClient[];
const TABLES = { versionTable: "strata_version", historyTable: "strata_history" } as const;

/** The statements `work` sends through knex. */
async function counted(knex: Knex, work: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const count = () => void n++;
  knex.on("query", count);
  try {
    await work();
  } finally {
    knex.off("query", count);
  }
  return n;
}

async function main(): Promise<void> {
 for (const client of clients) {
  const db = await createTestDatabase(client);
  const dialect = dialectFor(client);
  try {
    const ids = Array.from({ length: 2 * N }, (_, i) => `r${String(i).padStart(4, "0")}`);
    const scripts = scriptMap(...ids.map((id, i) => revisionScript(id, i ? [ids[i - 1]!] : [], () => undefined, () => undefined)));
    const upTo = (n: number) => (heads: readonly string[]): Plan => linearUpgradePlanner(ids.slice(0, n))(heads);
    const fresh = await counted(db.knex, () => migrate(db.knex, dialect, { scripts, makePlan: upTo(N), ...TABLES, strataVersion: "bench" }));
    const existing = await counted(db.knex, () => migrate(db.knex, dialect, { scripts, makePlan: upTo(2 * N), ...TABLES, strataVersion: "bench" }));
    const stamped = await counted(db.knex, () =>
      stamp(db.knex, dialect, { makeStamp: (heads) => ({ headsBefore: heads, ops: [{ kind: "update", from: ids[2 * N - 1]!, to: ids[0]! }], headsAfter: [ids[0]!] }), ...TABLES, strataVersion: "bench" }),
    );
    console.log(JSON.stringify({ client, revisions: N, upgradeFreshDatabase: fresh, upgradeExistingTables: existing, stamp: stamped }));
  } finally {
    await db.drop();
  }
}
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
