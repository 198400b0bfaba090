export { diffSchemas, columnDifferences, compareNotCompared, describeNotCompared } from "./schema-differ.js";
export { renderKnexBody, columnCall } from "./knex-renderer.js";
export { renderBodySql } from "./sql-renderer.js";
export { describeColumn, describeType, qualifiedName } from "./change.js";
export type { ChangePayload, SchemaChange } from "./change.js";
