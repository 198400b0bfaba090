import { StrataError } from "../errors.js";
import type { GraphNode, RevisionGraph } from "./revision-graph.js";

/**
 * Orders revisions newest first, children before parents, the way Alembic's _topological_sort
 * does: follow one branch down from the earliest-defined head until another pending head still
 * needs the next revision, then switch to that head. Upgrades run the reverse of this order.
 */
export function topologicalSort(graph: RevisionGraph, revisions: ReadonlySet<GraphNode>, heads: readonly GraphNode[]): string[] {
  const list = graph.list;
  const todo = new Uint8Array(list.length);
  let pending = 0;
  for (const r of revisions) {
    if (todo[r.order] === 0) pending++;
    todo[r.order] = 1;
  }
  const ancestorsOf = (i: number): Uint8Array => graph.ancestorMask([list[i]!]);

  const current = [...new Set(heads.filter((h) => todo[h.order] === 1).map((h) => h.order))].sort((a, b) => a - b);
  const ancestorsByIdx = current.map(ancestorsOf);
  const output: string[] = [];
  let idx = 0;

  while (current.length > 0) {
    const candidate = current[idx]!;
    const blockedBy = ancestorsByIdx.findIndex((anc, i) => i !== idx && anc[candidate] === 1);
    if (blockedBy >= 0) {
      // another pending head still sits above this revision: it must be emitted first
      idx = blockedBy;
      continue;
    }
    const node = list[candidate]!;
    if (todo[candidate] === 1) {
      todo[candidate] = 0;
      pending--;
      output.push(node.id);
    }
    const toAdd = node.normalizedDownIx.filter((r) => todo[r] === 1 && !current.includes(r));
    if (toAdd.length === 0) {
      current.splice(idx, 1);
      ancestorsByIdx.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else if (node.normalizedDependsOn.length === 0 && node.down.length === 1) {
      current[idx] = toAdd[0]!;
      ancestorsByIdx[idx]![candidate] = 0;
    } else {
      current[idx] = toAdd[0]!;
      ancestorsByIdx[idx] = ancestorsOf(toAdd[0]!);
      for (const extra of toAdd.slice(1)) {
        current.push(extra);
        ancestorsByIdx.push(ancestorsOf(extra));
      }
    }
  }
  if (pending > 0) {
    const left = list.filter((n) => todo[n.order] === 1).map((n) => n.id);
    throw new StrataError("TARGET_INVALID", `cannot order revisions ${left.join(", ")} below the requested heads; check their down_revision and depends_on`, {
      revisions: left,
    });
  }
  return output;
}
