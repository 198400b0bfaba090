import type { Knex } from "knex";
import { StrataError, isStrataError } from "../errors.js";
import { loadKnex } from "../knex-factory.js";
import type { DbClient } from "../dialect/index.js";

type AsyncBody = (knex: Knex) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (arg: string, body: string) => AsyncBody;

/**
 * Turns a rendered up()/down() body into the dialect's SQL by running it on a knex that sends
 * nothing: the builder calls become exactly the statements a revision would run.
 */
export async function renderBodySql(client: DbClient, body: string): Promise<string[]> {
  const knex = (await loadKnex())({ client, useNullAsDefault: true });
  const c = knex.client as unknown as Record<string, unknown>;
  const statements: string[] = [];
  c.acquireConnection = async () => ({ offline: true });
  c.releaseConnection = async () => undefined;
  c.positionBindings = (sql: string) => sql;
  c._query = async (_conn: unknown, obj: { sql: string; bindings?: readonly unknown[] }) => {
    // Bindings are inlined with the dialect's own escaping so the script runs as printed.
    statements.push(obj.bindings?.length ? knex.raw(obj.sql, obj.bindings as Knex.RawBinding[]).toQuery() : obj.sql.replace(/\\\?/g, "?"));
    return obj;
  };
  c.processResponse = () => [];
  try {
    await new AsyncFunction("knex", body)(knex);
  } catch (e) {
    throw new StrataError("NOT_SUPPORTED", `the change cannot be rendered as SQL without a database: ${(e as Error).message.split("\n")[0]}`);
  } finally {
    await knex.destroy();
  }
  return statements.map((s) => (s.trim().endsWith(";") ? s.trim() : `${s.trim()};`));
}

/**
 * A body's SQL as a pane shows it: the statements, or one SQL comment saying why the body cannot
 * be rendered without a database (the rest of the screen still shows).
 */
export async function renderBodySqlOrReason(client: DbClient, body: string): Promise<string> {
  try {
    return (await renderBodySql(client, body)).join("\n");
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return `-- ${e.message}`;
  }
}
