import type { MigrateCommandDto } from "../../../shared/api.js";

/**
 * The targets the apply screen offers for an environment standing at these heads (issue 20).
 * A bare `+1` / `-1` from several heads is ambiguous (Alembic refuses `+1` and walks `-1` from
 * whichever row comes first), so there each head gets its own plain target instead:
 * `REV+1`, and `REV@REV-1` (that head's branch only, which is what `-1` does from it).
 */
export function relativeTargets(heads: readonly string[] | null): readonly string[] {
  if (heads === null || heads.length < 2) return ["+1", "-1"];
  return [...heads.map((h) => `${h}+1`), ...heads.map((h) => `${h}@${h}-1`)];
}

/** The target a direction starts with: `heads` up, one step down (from the first head where there are several). */
export function defaultTarget(command: MigrateCommandDto, heads: readonly string[] | null): string {
  if (command === "upgrade") return "heads";
  return heads !== null && heads.length > 1 ? `${heads[0]}@${heads[0]}-1` : "-1";
}
