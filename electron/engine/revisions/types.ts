/** A revision as the graph sees it: plain data, no file or module behind it. */
export interface RevisionRecord {
  readonly revision: string;
  /** Empty for a base; two or more for a merge. */
  readonly downRevisions: readonly string[];
  readonly branchLabels: readonly string[];
  /** As written in the file: full ids, unique prefixes or branch labels. */
  readonly dependsOn: readonly string[];
  readonly message: string;
  /** Where it came from, for error messages; absent for graphs built in memory. */
  readonly file?: string;
}

export type Direction = "up" | "down";

/** One change to the version table, as Alembic's HeadMaintainer makes it. */
export type VersionOp =
  | { readonly kind: "insert"; readonly revision: string }
  | { readonly kind: "delete"; readonly revision: string }
  | { readonly kind: "update"; readonly from: string; readonly to: string };

/** One revision to run, with the version-table changes that record it. */
export interface Step {
  readonly revision: string;
  readonly direction: Direction;
  readonly ops: readonly VersionOp[];
  /** The version table's rows once this step is recorded (sorted). */
  readonly headsAfter: readonly string[];
}

/**
 * A relative step (`-N`) taken from several current heads: Alembic 1.8 runs it from the first
 * version-table row and warns that it is ambiguous (issue 20). The plan is Alembic's; this says so.
 */
export interface AmbiguousRelativeStep {
  readonly code: "RELATIVE_FROM_SEVERAL_HEADS";
  /** One line for a person: what is ambiguous, the head walked from and why, the plain targets. */
  readonly message: string;
  readonly target: string;
  /** The current heads the step could have walked from. */
  readonly heads: readonly string[];
  /** The head the plan walks from. */
  readonly walkedFrom: string;
  /**
   * `REV@REV-N` for each head: the targets that say the same thing without ambiguity (the walk
   * from that head, on its branch only, as Alembic does it; `REV-N` alone would reach other branches).
   */
  readonly absoluteTargets: readonly string[];
}

/** What an upgrade or downgrade would do, computed from the current heads; executes nothing. */
export interface Plan {
  readonly command: "upgrade" | "downgrade";
  readonly target: string;
  readonly headsBefore: readonly string[];
  readonly steps: readonly Step[];
  /** Sorted. */
  readonly headsAfter: readonly string[];
  /** What Alembic would warn about while planning this (absent when nothing). */
  readonly warnings?: readonly AmbiguousRelativeStep[];
}

/** What a stamp would do to the version table (no revision is run). */
export interface StampPlan {
  readonly headsBefore: readonly string[];
  readonly ops: readonly VersionOp[];
  /** Sorted. */
  readonly headsAfter: readonly string[];
}
