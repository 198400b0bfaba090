// introspect/: reads a live schema from each database's catalog into a plain model (shared/schema.ts).
// May import: shared/, errors.ts, knex.
export { introspectPostgres, postgresSchema } from "./postgres-introspector.js";
export { introspectMysql, mysqlSchema } from "./mysql-introspector.js";
export { introspectSqlite, sqliteSchema } from "./sqlite-introspector.js";
export { KNEX_TABLES, CountingReader } from "./types.js";
export type { Introspection, IntrospectOptions, SchemaDialect, ScratchServer } from "./types.js";
