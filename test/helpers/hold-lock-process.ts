/**
 * A runner to kill: takes the migration lock for the environment given as JSON in argv[2],
 * prints "locked", and waits forever. Run with tsx from an integration test.
 */
import { dialectFor } from "../../electron/engine/dialect/index.js";
import { openConnection } from "../../electron/engine/project/connect.js";
import type { ConnectionEnvironment } from "../../electron/engine/project/connect.js";
import { MIGRATION_LOCK_NAME } from "../../electron/engine/runner/index.js";

async function holdForever(): Promise<void> {
  const env = JSON.parse(process.argv[2]!) as ConnectionEnvironment;
  const knex = await openConnection(env);
  await dialectFor(env.client).withLock(knex, { name: MIGRATION_LOCK_NAME, timeoutMs: 5000 }, async () => {
    process.stdout.write("locked\n");
    await new Promise(() => undefined);
  });
}

void holdForever();
