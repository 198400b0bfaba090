/** Data that crosses from the engine to a front end (CLI JSON, IPC, HTTP). All plain and readonly. */

import type { DriftDto } from "./schema.js";

export type { DriftDto, SchemaChangeDto, SchemaDiffDto, SchemaModel, SchemaSourceDto } from "./schema.js";

export type DirectionDto = "up" | "down";

export interface RevisionDto {
  readonly revision: string;
  readonly downRevisions: readonly string[];
  readonly branchLabels: readonly string[];
  readonly dependsOn: readonly string[];
  readonly message: string;
  /** Path relative to the project root. */
  readonly file: string | null;
  /** Branch labels in effect (sorted): its own and those inherited along its branch, as Alembic prints them (issue 20). */
  readonly labels?: readonly string[];
  /** A head that another revision depends on (Alembic's "(effective head)"); `heads` does not upgrade to it on its own. */
  readonly effectiveHead?: boolean;
}

export interface HeadDto {
  readonly revision: string;
  /** As declared in the revision's file. */
  readonly branchLabels: readonly string[];
  readonly message: string;
  /** Branch labels in effect (sorted), inherited ones included: `5c85685d616d (contract) (head)` (issue 20). */
  readonly labels?: readonly string[];
  /** Another revision depends on this head: Alembic's "(effective head)". */
  readonly effectiveHead?: boolean;
}

/**
 * Something Alembic would only warn about in a plan (issue 20): a relative step from several
 * current heads. `--strict` (or `"strictTargets": true`) refuses it instead.
 */
export interface PlanWarningDto {
  readonly code: "RELATIVE_FROM_SEVERAL_HEADS";
  readonly message: string;
  readonly target: string;
  readonly heads: readonly string[];
  /** The head the plan walks from. */
  readonly walkedFrom: string;
  /** `REV@REV-N` per head: the targets that say it plainly (that head's branch only, as Alembic walks it). */
  readonly absoluteTargets: readonly string[];
}

export interface StepDto {
  readonly revision: string;
  readonly direction: DirectionDto;
  readonly durationMs?: number;
  readonly message?: string;
}

/** The result of `upgrade` / `downgrade` (run or --plan). */
export interface MigrationResultDto {
  readonly environment: string;
  readonly steps: readonly StepDto[];
  readonly heads: readonly string[];
  readonly planned?: boolean;
  /** Statements of the plan that lose data or structure (issue 5), listed before a run. */
  readonly destructive?: readonly { readonly revision: string; readonly statement: string; readonly reason: string }[];
  /** With --plan: applied revisions whose file was edited or removed since they ran. */
  readonly problems?: readonly FileProblemDto[];
  /**
   * With --plan on a protected database (issue 14): the name a run needs (`--confirm NAME`), the
   * environment's own or that of the protected environment whose database it reaches.
   */
  readonly confirmationName?: string;
  /**
   * The plan's verdict (issue 14): true when every step's SQL was rendered and linted, so
   * `destructive` is the whole list (an empty plan is checked); false when not (uncheckedReason says why).
   */
  readonly checked?: boolean;
  /** Why the plan, or which of its revisions, could not be checked; null when checked. */
  readonly uncheckedReason?: string | null;
  /** What Alembic would warn about (issue 20); absent when nothing. */
  readonly warnings?: readonly PlanWarningDto[];
}

export interface CurrentDto {
  readonly environment: string;
  readonly heads: readonly string[];
}

export interface BranchDto {
  readonly revision: string;
  readonly message: string;
  readonly branchLabels: readonly string[];
  /** The children that start separate branches here. */
  readonly children: readonly string[];
}

/** An applied revision whose file changed since it ran, or that has no file any more. */
export interface FileProblemDto {
  readonly revision: string;
  readonly kind: "edited" | "missing";
  readonly file: string | null;
}

/**
 * A revision whose last attempt may have left part of it in the database: interrupted (its
 * runner stopped before recording the end), failed after some statements had committed, or
 * still running (the migration lock is held). Runs are refused until `strata resolve` records
 * whether it took effect.
 */
export interface UnresolvedRunDto {
  readonly revision: string;
  readonly direction: DirectionDto;
  readonly state: "interrupted" | "failed" | "running";
  /** The history row. */
  readonly historyId: number;
  readonly message: string;
  readonly startedAt: string;
  readonly user: string;
  readonly host: string;
  /** One clause for a person: what happened and what may be half done. */
  readonly description: string;
  /** What to do: check the database, then resolve as applied or rolled back. */
  readonly advice: string;
}

export interface EnvironmentStatusDto {
  readonly environment: string;
  readonly client: string;
  readonly target: string;
  readonly protected: boolean;
  /** null when the database could not be reached (see error). */
  readonly heads: readonly string[] | null;
  readonly pending: readonly string[];
  readonly problems: readonly FileProblemDto[];
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Whether the live schema differs from what the applied revisions build; absent when not asked. */
  readonly drift?: DriftDto;
  /** Revisions left interrupted or half applied; absent or empty when none. */
  readonly unresolved?: readonly UnresolvedRunDto[];
  /**
   * The verdict of its pending upgrade to heads (`strata check`, issue 14): the statements that lose
   * data or structure, or why the plan could not be checked; absent when nothing is pending or not asked.
   */
  readonly verdict?: PlanVerdictDto;
  /** A knex-mode folder: what knex_migrations holds against it (issue #15); absent otherwise. */
  readonly knex?: KnexMigrationsDto;
}

/** A plan's verdict: its destructive statements, and whether that list is the whole truth. */
export interface PlanVerdictDto {
  readonly destructive: readonly { readonly revision: string; readonly statement: string; readonly reason: string }[];
  readonly checked: boolean;
  readonly uncheckedReason: string | null;
}

/** knex_migrations read against a knex-mode folder: where it is not a prefix of the folder. */
export interface KnexMigrationsDto {
  /** How many files knex_migrations names. */
  readonly applied: number;
  /** Pending files with an applied file after them (ids, in knex's file order). */
  readonly gaps: readonly string[];
  /** Rows whose name is no file of the folder, as knex stored them. */
  readonly unknown: readonly string[];
}

export interface StatusDto {
  readonly environments: readonly EnvironmentStatusDto[];
}
