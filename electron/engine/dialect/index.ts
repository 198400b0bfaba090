export { dialectFor } from "./dialect-for.js";
export type { AddressVariables, DatabaseAddress } from "./database-address.js";
export type { AheadCarrier, ConnectionTarget, DbClient, Dialect, LockRequest, UnlockResult } from "./types.js";
