import { StrataError } from "../errors.js";
import type { GraphNode, RevisionGraph } from "./revision-graph.js";
import { isNode, type TargetResolver } from "./target-resolver.js";
import type { StampMove } from "./version-table.js";

/**
 * Alembic's _stamp_revs: for each destination, one movement of the version table relative to the
 * current rows that share its lineage (a branch removal for base, a move down, a move up, or a new branch).
 */
export function stampMoves(graph: RevisionGraph, resolver: TargetResolver, current: readonly string[], targets: readonly string[]): StampMove[] {
  const headNodes = resolver.revisions(current).filter(isNode);
  const revision = targets.length === 0 ? ["base"] : targets;

  const filtered: GraphNode[] = [];
  for (const rev of revision) {
    if (!rev) continue;
    for (const h of resolver.filterForLineage(headNodes, rev, true)) if (!filtered.includes(h)) filtered.push(h);
  }

  const resolvedDests = resolver.revisions(revision);
  const dests = resolvedDests.length === 0 ? [null] : resolvedDests;
  const moves: StampMove[] = [];
  for (const dest of dests) {
    if (dest === null) {
      for (const h of filtered) moves.push({ from: [h.id], to: [], isUpgrade: false, branchMove: true });
      continue;
    }
    if (!isNode(dest)) {
      throw new StrataError("TARGET_INVALID", `stamp target ${revision.join(" ")} walks down to base; stamp 'base' instead`, { targets: [...revision] });
    }
    if (filtered.includes(dest)) continue;
    const above = new Set(graph.descendants([dest]));
    const below = new Set(graph.ancestors([dest]));
    const headIds = filtered.map((h) => h.id);
    if (filtered.some((h) => above.has(h))) {
      if (filtered.some((h) => below.has(h))) {
        throw new StrataError(
          "TARGET_INVALID",
          `cannot stamp ${dest.id}: the version table has rows both above and below it (${headIds.join(", ")}); stamp each branch separately`,
          { target: dest.id, heads: headIds },
        );
      }
      moves.push({ from: headIds, to: [dest.id], isUpgrade: false, branchMove: false });
    } else if (filtered.some((h) => below.has(h))) {
      moves.push({ from: headIds, to: [dest.id], isUpgrade: true, branchMove: false });
    } else {
      moves.push({ from: [], to: [dest.id], isUpgrade: true, branchMove: true });
    }
  }
  return moves;
}
