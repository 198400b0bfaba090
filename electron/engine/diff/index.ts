// diff/: compares two plain schema models (shared/schema.ts) into ordered changes and renders them as knex
// code and SQL; knows no connection. May import: shared/, errors.ts, knex-factory.ts, introspect/, dialect/.
export { diffSchemas, columnDifferences, compareNotCompared, describeNotCompared } from "./schema-differ.js";
export { renderKnexBody, columnCall } from "./knex-renderer.js";
export { renderBodySql, renderBodySqlOrReason } from "./sql-renderer.js";
export { changeKey, describeColumn, describeType, qualifiedName } from "./change.js";
export { enumCheckValues, normaliseAcrossDialects } from "./cross-dialect.js";
export type { CrossDialectModels, SetAsideModel } from "./cross-dialect.js";
export { compareObjects } from "./object-comparison.js";
export type { ChangePayload, SchemaChange } from "./change.js";
export { definitionKey, formatStatement, renderObjectDefinitions } from "./object-definitions.js";
