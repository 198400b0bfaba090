// dialect/: everything that differs between PostgreSQL, MySQL/MariaDB and SQLite (locks, transactional DDL,
// the runner's record statements, addresses, error words), one Dialect per database, chosen once by dialectFor.
// May import: errors.ts, introspect/ (each dialect's reader), knex.
export { dialectFor } from "./dialect-for.js";
export { insertRowRaw, rowChangeSql, runFixed } from "./row-insert.js";
export type { AddressVariables, DatabaseAddress } from "./database-address.js";
export type { AheadCarrier, ConnectionTarget, DbClient, Dialect, DirectResult, LockRequest, RowChange, SqlRow, SqlValue, StepRecord, StepRecordSql, UnlockResult } from "./types.js";
