/**
 * Lays a revision DAG out in lanes the way a git client draws its history: newest on top,
 * each revision on a lane, lines from a revision down to its parents. Pure; no DOM.
 */

/** The minimum a revision needs for the layout. */
export interface LayoutInput {
  readonly revision: string;
  /** Parents (Alembic's down_revisions); two or more for a merge. */
  readonly downRevisions: readonly string[];
}

/**
 * One row of the drawn graph. A row is drawn on its own (it is one line of a virtualised
 * list), so it carries everything needed to draw its top half and its bottom half.
 */
export interface GraphRow {
  readonly revision: string;
  readonly index: number;
  /** The lane the revision's node sits on. */
  readonly lane: number;
  /** Lanes that enter the row at its top and go straight down past the node. */
  readonly through: readonly number[];
  /** Lanes that enter the row at its top and end in the node (a child's line arriving). */
  readonly into: readonly number[];
  /** Lanes that leave the node towards the bottom of the row (one per parent drawn). */
  readonly outTo: readonly number[];
  /** Lanes used anywhere in this row: the width to reserve for it. */
  readonly width: number;
  /** No child: a head. */
  readonly isHead: boolean;
  /** Two or more parents. */
  readonly isMerge: boolean;
  /** Two or more children: where branches start. */
  readonly isBranchPoint: boolean;
  /** No parent. */
  readonly isBase: boolean;
}

/** The laid-out graph: rows newest first, and the widest row. */
export interface GraphLayout {
  readonly rows: readonly GraphRow[];
  readonly maxWidth: number;
  /** Row index by revision id. */
  readonly indexOf: ReadonlyMap<string, number>;
}

/** The parents that are in the graph, once each (most revisions have one: no Set for those). */
function distinctPresent(parents: readonly string[], present: { has(id: string): boolean }): readonly string[] {
  if (parents.length === 1) return present.has(parents[0]!) ? parents : [];
  return [...new Set(parents)].filter((p) => present.has(p));
}

/**
 * Orders revisions newest first so that every child comes before its parents and a branch
 * stays together (git's --topo-order): a revision is emitted once all its children are, and
 * the most recently readied parent goes next, first parent last so the main line stays left.
 * Ties are broken by input order; parents not in the input are ignored.
 */
export function orderNewestFirst<T extends LayoutInput>(revisions: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const r of revisions) byId.set(r.revision, r);
  const waitingChildren = new Map<string, number>();
  for (const r of revisions) waitingChildren.set(r.revision, 0);
  for (const r of revisions) {
    for (const p of new Set(r.downRevisions)) {
      if (byId.has(p)) waitingChildren.set(p, (waitingChildren.get(p) ?? 0) + 1);
    }
  }
  // Heads pushed in reverse so the first head in input order is popped first.
  const stack: T[] = revisions.filter((r) => waitingChildren.get(r.revision) === 0).reverse();
  const out: T[] = [];
  while (stack.length > 0) {
    const r = stack.pop()!;
    out.push(r);
    const parents = distinctPresent(r.downRevisions, byId);
    // Pushed last-to-first: the first parent is popped next and keeps the lane.
    for (let i = parents.length - 1; i >= 0; i--) {
      const p = parents[i]!;
      const left = waitingChildren.get(p)! - 1;
      waitingChildren.set(p, left);
      if (left === 0) stack.push(byId.get(p)!);
    }
  }
  // A cycle would leave revisions behind; the engine refuses cycles, but never hide a row.
  if (out.length < revisions.length) {
    const seen = new Set(out.map((r) => r.revision));
    for (const r of revisions) if (!seen.has(r.revision)) out.push(r);
  }
  return out;
}

/**
 * Assigns lanes to revisions given newest first (see orderNewestFirst). Each lane holds the
 * revision it is waiting for; a revision takes the leftmost lane waiting for it (or a free
 * one when nothing waits: a head), its first parent inherits that lane, other parents join
 * the lane already waiting for them or open the leftmost free one.
 */
export function layoutLanes(ordered: readonly LayoutInput[]): GraphLayout {
  const present = new Set(ordered.map((r) => r.revision));
  const childCount = new Map<string, number>();
  for (const r of ordered) {
    for (const p of distinctPresent(r.downRevisions, present)) childCount.set(p, (childCount.get(p) ?? 0) + 1);
  }
  const lanes: (string | null)[] = [];
  const freeLane = (): number => {
    const i = lanes.indexOf(null);
    if (i >= 0) return i;
    lanes.push(null);
    return lanes.length - 1;
  };
  const rows: GraphRow[] = [];
  const indexOf = new Map<string, number>();
  let maxWidth = 0;

  ordered.forEach((r, index) => {
    const into: number[] = [];
    const through: number[] = [];
    lanes.forEach((waiting, i) => {
      if (waiting === null) return;
      (waiting === r.revision ? into : through).push(i);
    });
    const widthAbove = lanes.length;
    const lane = into.length > 0 ? into[0]! : freeLane();
    for (const i of into) lanes[i] = null;

    const parents = distinctPresent(r.downRevisions, present);
    const outTo: number[] = [];
    parents.forEach((p, k) => {
      const already = lanes.indexOf(p);
      if (already >= 0) {
        outTo.push(already);
      } else if (k === 0 && lanes[lane] === null) {
        lanes[lane] = p;
        outTo.push(lane);
      } else {
        const i = freeLane();
        lanes[i] = p;
        outTo.push(i);
      }
    });
    while (lanes.length > 0 && lanes[lanes.length - 1] === null) lanes.pop();

    const width = Math.max(widthAbove, lanes.length, lane + 1);
    maxWidth = Math.max(maxWidth, width);
    indexOf.set(r.revision, index);
    rows.push({
      revision: r.revision,
      index,
      lane,
      through,
      into,
      outTo: [...new Set(outTo)].sort((a, b) => a - b),
      width,
      isHead: into.length === 0,
      isMerge: parents.length > 1,
      isBranchPoint: (childCount.get(r.revision) ?? 0) > 1,
      isBase: r.downRevisions.length === 0,
    });
  });
  return { rows, maxWidth, indexOf };
}

/** Orders then lays out: the whole graph as the revision-graph screen draws it. */
export function layoutGraph<T extends LayoutInput>(revisions: readonly T[]): { readonly ordered: readonly T[]; readonly layout: GraphLayout } {
  const ordered = orderNewestFirst(revisions);
  return { ordered, layout: layoutLanes(ordered) };
}
