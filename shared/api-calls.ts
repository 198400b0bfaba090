/**
 * The names of the StrataApi calls and where they travel, with no schema library behind them,
 * so that the sandboxed preload stays small. shared/api.ts checks at compile time that this
 * list and its `apiSchemas` name the same calls.
 */
import type { ErrorShape } from "./errors.js";

/** Every call, in the order the screens were specified. */
export const API_CALLS = [
  "appInfo",
  "projectSummary",
  "openProject",
  "recentProjects",
  "environmentStatus",
  "stopDriftChecks",
  "revisionDetail",
  "planMigration",
  "runMigration",
  "getRun",
  "listRuns",
  "stamp",
  "resolveRevision",
  "createRevision",
  "createMerge",
  "diffSources",
  "schemaDiff",
  "history",
  "listProfiles",
  "saveProfile",
  "testProfile",
  "removeProfile",
  "recoveryCheck",
  "undoPartialRevision",
  "repairRevision",
  "previewRevision",
  "deleteRevision",
] as const;

/** The name of a call. */
export type ApiCallName = (typeof API_CALLS)[number];

/** The IPC channel of a call (Electron). */
export function ipcChannel(call: ApiCallName): string {
  return `strata:${call}`;
}
/** The IPC channel events are pushed on. */
export const IPC_EVENT_CHANNEL = "strata:event";
/** The HTTP path of a call. */
export function httpPath(call: ApiCallName): string {
  return `/api/${call}`;
}
/** The WebSocket path of the event stream. */
export const EVENTS_PATH = "/events";
/** The header that may carry the token (besides `Authorization: Bearer`). */
export const TOKEN_HEADER = "x-strata-token";

/** True for a known call name (e.g. from a URL). */
export function isApiCall(name: string): name is ApiCallName {
  return (API_CALLS as readonly string[]).includes(name);
}

/**
 * What an IPC handler returns: Electron keeps only an Error's message across IPC, so errors
 * travel as data and the preload turns them back into a rejection with the ErrorShape.
 */
export type ApiEnvelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorShape };
