import type { GraphRevisionDto, ProjectSummaryDto } from "../../shared/api.js";

/** A project summary around a hand-written graph (newest first, parents as indexes), for the renderer's unit tests. */
export function graphSummary(revisions: readonly GraphRevisionDto[], heads: readonly string[]): ProjectSummaryDto {
  const bases = revisions.filter((r) => r.parents.length === 0).map((r) => r.id);
  return { root: "/p", name: "p", configFile: "/p/strata.config.json", migrations: "migrations", mode: "strata", environments: [], revisions, heads, bases, branchPoints: [], mergePoints: [] };
}
