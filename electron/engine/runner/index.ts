// runner/: executes a plan through knex: Strata's version and history tables, knex's own table in knex mode,
// locks, transactions, offline SQL, recovery of an interrupted run. May import: errors.ts, knex-factory.ts,
// revisions/, scripts/, dialect/, knex.
export { migrate } from "./migrate.js";
export type { MigrateOptions } from "./migrate.js";
export { stamp, adoptKnex } from "./stamp.js";
export type { StampOptions, AdoptOptions } from "./stamp.js";
export { readHeads, readHistory, readAppliedChecksums, readLockHolder, forceUnlock, readKnexMigrations } from "./read-state.js";
export type { HistoryQuery } from "./read-state.js";
export { SCRATCH_BUILD_WORDS, renderSql, sketchStatements } from "./render-sql.js";
export type { RenderSqlOptions } from "./render-sql.js";
export { DEFAULT_LOCK_TIMEOUT_MS, MIGRATION_LOCK_NAME } from "./strata-tables.js";
export type { HistoryRow, RunEvent, RunResult } from "./types.js";
export { resolveRun } from "./resolve.js";
export type { ResolveOptions, ResolveOutcome, ResolveResult } from "./resolve.js";
export { readUnresolved, describeUnresolved, resolveAdvice } from "./unresolved.js";
export type { RecordedStatements, UnresolvedRun } from "./unresolved.js";
export { connectionLostElsewhere } from "./lost-connection.js";
export type { KeptAfterLoss } from "./lost-connection.js";
export { recordRepair, REPAIRED_PREFIX } from "./repair.js";
export type { RepairOptions, RepairResult } from "./repair.js";
