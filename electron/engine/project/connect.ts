import { loadKnex } from "../knex-factory.js";
import type { Knex } from "knex";
import { dialectFor } from "../dialect/index.js";
import type { DbClient } from "../dialect/index.js";

/** What openConnection needs to know about an environment. */
export interface ConnectionEnvironment {
  readonly name: string;
  readonly client: DbClient;
  readonly knexConfig: Knex.Config;
  /** Where it points, for messages; never contains a password. */
  readonly displayTarget: string;
}

/**
 * knex prints every failed connection attempt with its stack before the error reaches us; Strata
 * turns that error into one line, so only knex's other warnings are passed on.
 */
const quietLogger: Knex.Logger = {
  warn(message: unknown) {
    if (typeof message === "string" && message.startsWith("Acquire connection error")) return;
    console.warn(message);
  },
};

/** How long an unreachable server may keep a person waiting. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens a knex pool on the environment's database and proves it with a trivial query, so that a
 * wrong host, password or database fails here within ~5 s as a one-line StrataError.
 */
export async function openConnection(env: ConnectionEnvironment): Promise<Knex> {
  const dialect = dialectFor(env.client);
  const config = dialect.connectionOptions({
    acquireConnectionTimeout: CONNECT_TIMEOUT_MS,
    log: quietLogger,
    ...env.knexConfig,
    client: env.client,
  });
  const knexFactory = await loadKnex();
  let knex: Knex;
  try {
    knex = knexFactory(config);
  } catch (e) {
    throw dialect.connectionError(e, env);
  }
  try {
    // No statement timeout is set on the pool: a migration may rightly run for hours. Only the probe is bounded.
    await knex.raw("select 1 as ok").timeout(CONNECT_TIMEOUT_MS);
  } catch (e) {
    await knex.destroy().catch(() => undefined);
    throw dialect.connectionError(e, env);
  }
  return knex;
}
