import { assertNever } from "../errors.js";
import { mysqlDialect } from "./mysql-dialect.js";
import { postgresDialect } from "./postgres-dialect.js";
import { sqliteDialect } from "./sqlite-dialect.js";
import type { DbClient, Dialect } from "./types.js";

/** The dialect for a knex client, chosen once per connection. */
export function dialectFor(client: DbClient): Dialect {
  switch (client) {
    case "pg":
      return postgresDialect;
    case "mysql2":
      return mysqlDialect;
    case "better-sqlite3":
      return sqliteDialect;
    default:
      return assertNever(client);
  }
}
