export { dialectFor } from "./dialect-for.js";
export type { ConnectionTarget, DbClient, Dialect, LockRequest, UnlockResult } from "./types.js";
