// diff/: compares two plain schema models (shared/schema.ts) into ordered changes and renders them as knex
// code and SQL; knows no connection. May import: shared/, errors.ts, knex-factory.ts, introspect/, dialect/.
export { diffSchemas, columnDifferences, compareNotCompared, describeNotCompared } from "./schema-differ.js";
export { renderKnexBody, columnCall } from "./knex-renderer.js";
export { renderBodySql } from "./sql-renderer.js";
export { describeColumn, describeType, qualifiedName } from "./change.js";
export type { ChangePayload, SchemaChange } from "./change.js";
