import type { EnvironmentStateDto } from "../../shared/api.js";

/** What an environment's version table says of revisions, read once per matrix. */
export interface EnvironmentReach {
  readonly name: string;
  /** null: it cannot be read (unreachable, or not yet answered). */
  readonly heads: ReadonlySet<string> | null;
  readonly pending: ReadonlySet<string>;
}

/** Where a revision stands in one environment. */
export type Standing = "here" | "applied" | "not-applied" | "unknown";

/** Each environment's heads and pending revisions as sets. */
export function environmentReach(states: readonly EnvironmentStateDto[]): readonly EnvironmentReach[] {
  return states.map((s) => ({ name: s.environment.name, heads: s.error || s.heads === null ? null : new Set(s.heads), pending: new Set(s.pending) }));
}

/**
 * Where a revision stands in an environment: its version table stands here, it is applied
 * (below where it stands), not applied (an upgrade to heads would run it), or not known.
 */
export function standingOf(reach: EnvironmentReach, revision: string): Standing {
  if (reach.heads === null) return "unknown";
  if (reach.heads.has(revision)) return "here";
  return reach.pending.has(revision) ? "not-applied" : "applied";
}

/** The migrations that would change something for this environment from this revision. */
export interface Actions {
  /** Upgrading to the revision would apply it (and what it needs). */
  readonly upgrade: boolean;
  /** Downgrading to it would roll back what is applied above it. */
  readonly downgrade: boolean;
}

/** Which of upgrade / downgrade to a revision would do anything in the environment. */
export function actionsAt(reach: EnvironmentReach | undefined, revision: string, children: readonly string[]): Actions {
  if (!reach) return { upgrade: false, downgrade: false };
  const standing = standingOf(reach, revision);
  if (standing === "unknown") return { upgrade: false, downgrade: false };
  if (standing === "not-applied") return { upgrade: true, downgrade: false };
  // Applied revisions are closed downward: a child applied means something above would be rolled back.
  return { upgrade: false, downgrade: children.some((c) => standingOf(reach, c) !== "not-applied") };
}
