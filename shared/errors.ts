/** Error codes that cross every boundary (CLI, IPC, HTTP); the words for people are made per front end. */
export const ERROR_CODES = [
  "CONFIG_NOT_FOUND",
  "CONFIG_INVALID",
  "ENV_UNKNOWN",
  "ENV_VARIABLE_MISSING",
  "CONNECTION_FAILED",
  "AUTH_FAILED",
  "DATABASE_NOT_FOUND",
  "REVISION_FILE_INVALID",
  "REVISION_DUPLICATE",
  "REVISION_MISSING",
  /** An applied revision's file changed since it ran (issue 5): runs stop until it is restored or allowed. */
  "REVISION_EDITED",
  "REVISION_CYCLE",
  "BRANCH_LABEL_DUPLICATE",
  "TARGET_UNKNOWN",
  "TARGET_AMBIGUOUS",
  "MULTIPLE_HEADS",
  "RELATIVE_OUT_OF_RANGE",
  "TARGET_INVALID",
  "REVISION_FAILED",
  "HALF_APPLIED",
  "LOCK_TIMEOUT",
  "FILE_EXISTS",
  "USAGE",
  "NOT_SUPPORTED",
  "SOURCE_UNKNOWN",
  "SQL_FILE_FAILED",
  // The desktop and browser hosts (issue 4):
  /** A protected environment was asked to change without its name typed. */
  "CONFIRMATION_REQUIRED",
  /** A request to `strata serve` without the right token. */
  "UNAUTHORIZED",
  /** A request from a foreign Host, Origin or frame. */
  "FORBIDDEN",
  /** A payload that does not match the call's schema. */
  "INVALID_REQUEST",
  /** An unknown call, run, profile or file. */
  "NOT_FOUND",
  /** A password cannot be saved: no OS-backed encryption on this host. */
  "PASSWORD_STORAGE_UNAVAILABLE",
  "INTERNAL",
  /** A run's plan is not the one the person confirmed (issue 14): files or heads changed in between; nothing ran. */
  "PLAN_CHANGED",
  // Issue 14:
  /** The live schema contradicts what a person said an interrupted revision did (resolve without override). */
  "RESOLVE_CONTRADICTED",
  /**
   * The session to the database went away while a run was changing it (network cut, server
   * restarted, session killed), issue 14. details: {environment, revision, direction, kept, statements}:
   * kept "rolled-back" (nothing of the revision stayed), "partial" (`statements` committed before
   * the loss; settle with `strata resolve`) or "unknown" (lost while committing).
   */
  "CONNECTION_LOST",
  // Issue 14, for CI:
  /** --fail-on-destructive: the plan has statements that lose data or structure; nothing was run. */
  "PLAN_DESTRUCTIVE",
  /** --fail-on-unchecked: the plan could not be checked for destructive statements; nothing was run. */
  "PLAN_UNCHECKED",
  // Issue 15:
  /**
   * A scratch database (diff, autogenerate, drift, the lint) could not be built from the
   * revision files: details {revision, direction, statement, databaseMessage}. Nothing of the
   * user's databases is involved.
   */
  "SCRATCH_BUILD_FAILED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The shape an error takes on the wire: a code, one line for a person, and the facts behind it. */
export interface ErrorShape {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}
