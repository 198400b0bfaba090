import { StrataError } from "../errors.js";
import type { GraphNode, RevisionGraph } from "./revision-graph.js";

/**
 * The ancestors of one pending head (itself included), explored only as deep as the questions
 * asked of it need (issue 19 point 7). Computing every pending head's whole ancestry at each of
 * 200 merges walked two million revisions at 10,000; a head is asked "is X below you?" for the
 * revisions the walk emits, which lie close above it, and a path down to X passes only revisions
 * ranked above X, so the walk stops there and resumes where it stopped for a lower X.
 */
class LazyAncestors {
  /** Revisions found below the head (and the head), by `order`. */
  private readonly seen = new Set<number>();
  /** Found but not yet expanded: a max-heap on rank. */
  private readonly frontier: number[] = [];

  constructor(
    private readonly graph: RevisionGraph,
    head: number,
  ) {
    this.seen.add(head);
    this.frontier.push(head);
  }

  /** True when `i` is the head or one of its ancestors (down_revision and normalized depends_on). */
  has(i: number): boolean {
    if (this.seen.has(i)) return true;
    const rank = this.graph.rank;
    const floor = rank[i]!;
    const list = this.graph.list;
    const frontier = this.frontier;
    while (frontier.length > 0 && rank[frontier[0]!]! > floor) {
      const top = this.pop();
      const edges = list[top]!.normalizedDownIx;
      for (let k = 0; k < edges.length; k++) {
        const d = edges[k]!;
        if (!this.seen.has(d)) {
          this.seen.add(d);
          this.push(d);
        }
      }
    }
    return this.seen.has(i);
  }

  /**
   * The head was emitted and the walk moved to its only parent: the parent's ancestry is this
   * one without the head (nothing below the head can reach it again in a DAG).
   */
  dropHead(head: number): void {
    this.seen.delete(head);
  }

  private push(i: number): void {
    const heap = this.frontier;
    const rank = this.graph.rank;
    let at = heap.length;
    heap.push(i);
    while (at > 0) {
      const up = (at - 1) >> 1;
      if (rank[heap[up]!]! >= rank[i]!) break;
      heap[at] = heap[up]!;
      at = up;
    }
    heap[at] = i;
  }

  private pop(): number {
    const heap = this.frontier;
    const rank = this.graph.rank;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && rank[heap[right]!]! > rank[heap[left]!]! ? right : left;
      if (rank[heap[child]!]! <= rank[last]!) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = last;
    return top;
  }
}

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
  const ancestorsOf = (i: number): LazyAncestors => new LazyAncestors(graph, i);

  const current = [...new Set(heads.filter((h) => todo[h.order] === 1).map((h) => h.order))].sort((a, b) => a - b);
  const ancestorsByIdx = current.map(ancestorsOf);
  const output: string[] = [];
  let idx = 0;

  while (current.length > 0) {
    const candidate = current[idx]!;
    const blockedBy = ancestorsByIdx.findIndex((anc, i) => i !== idx && anc.has(candidate));
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
      ancestorsByIdx[idx]!.dropHead(candidate);
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
