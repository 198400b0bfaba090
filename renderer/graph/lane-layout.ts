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

// The layout runs on every load of the graph screen (10,000 revisions in bench/ui.ts), in a
// page whose JIT is cold: it works on indexes and typed arrays, not on Maps of ids.

const NO_LANES: readonly number[] = [];
/** `[lane]` arrays are shared between rows: most rows of a big graph carry one. */
const oneLane: number[][] = [];
const lanesOf = (lanes: number[]): readonly number[] => {
  if (lanes.length === 0) return NO_LANES;
  if (lanes.length === 1) return (oneLane[lanes[0]!] ??= [lanes[0]!]);
  return lanes;
};

/** Row index by id (the last one wins, as a Map built in order would). */
function indexById(revisions: readonly LayoutInput[]): Map<string, number> {
  const indexOf = new Map<string, number>();
  for (let i = 0; i < revisions.length; i++) indexOf.set(revisions[i]!.revision, i);
  return indexOf;
}

/** Each revision's parents that are in the list, as indexes, once each and in the order written. */
function parentIndexes(revisions: readonly LayoutInput[], indexOf: ReadonlyMap<string, number>): (readonly number[])[] {
  const out: (readonly number[])[] = new Array(revisions.length);
  for (let i = 0; i < revisions.length; i++) {
    const parents = revisions[i]!.downRevisions;
    if (parents.length === 0) {
      out[i] = NO_LANES;
    } else if (parents.length === 1) {
      const p = indexOf.get(parents[0]!);
      out[i] = p === undefined ? NO_LANES : [p];
    } else {
      const list: number[] = [];
      for (const id of parents) {
        const p = indexOf.get(id);
        if (p !== undefined && !list.includes(p)) list.push(p);
      }
      out[i] = list;
    }
  }
  return out;
}

/**
 * Orders revisions newest first so that every child comes before its parents and a branch
 * stays together (git's --topo-order): a revision is emitted once all its children are, and
 * the most recently readied parent goes next, first parent last so the main line stays left.
 * Ties are broken by input order; parents not in the input are ignored.
 */
export function orderNewestFirst<T extends LayoutInput>(revisions: readonly T[]): T[] {
  const n = revisions.length;
  const parents = parentIndexes(revisions, indexById(revisions));
  const waitingChildren = new Int32Array(n);
  for (let i = 0; i < n; i++) for (const p of parents[i]!) waitingChildren[p]!++;
  // Heads pushed in reverse so the first head in input order is popped first.
  const stack: number[] = [];
  for (let i = n - 1; i >= 0; i--) if (waitingChildren[i] === 0) stack.push(i);
  const out: T[] = [];
  const emitted = new Uint8Array(n);
  while (stack.length > 0) {
    const i = stack.pop()!;
    out.push(revisions[i]!);
    emitted[i] = 1;
    const ps = parents[i]!;
    // Pushed last-to-first: the first parent is popped next and keeps the lane.
    for (let k = ps.length - 1; k >= 0; k--) {
      const p = ps[k]!;
      if (--waitingChildren[p]! === 0) stack.push(p);
    }
  }
  // A cycle would leave revisions behind; the engine refuses cycles, but never hide a row.
  if (out.length < n) for (let i = 0; i < n; i++) if (!emitted[i]) out.push(revisions[i]!);
  return out;
}

/**
 * Assigns lanes to revisions given newest first (see orderNewestFirst). Each lane holds the
 * revision it is waiting for; a revision takes the leftmost lane waiting for it (or a free
 * one when nothing waits: a head), its first parent inherits that lane, other parents join
 * the lane already waiting for them or open the leftmost free one.
 */
export function layoutLanes(ordered: readonly LayoutInput[]): GraphLayout {
  const n = ordered.length;
  const indexOf = indexById(ordered);
  const parents = parentIndexes(ordered, indexOf);
  const childCount = new Int32Array(n);
  for (let i = 0; i < n; i++) for (const p of parents[i]!) childCount[p]!++;
  /** The row index each lane waits for; -1: free. */
  const lanes: number[] = [];
  const freeLane = (): number => {
    const i = lanes.indexOf(-1);
    if (i >= 0) return i;
    lanes.push(-1);
    return lanes.length - 1;
  };
  const rows: GraphRow[] = new Array(n);
  let maxWidth = 0;

  for (let index = 0; index < n; index++) {
    const r = ordered[index]!;
    const into: number[] = [];
    const through: number[] = [];
    for (let i = 0; i < lanes.length; i++) {
      const waiting = lanes[i]!;
      if (waiting === -1) continue;
      (waiting === index ? into : through).push(i);
    }
    const widthAbove = lanes.length;
    const lane = into.length > 0 ? into[0]! : freeLane();
    for (const i of into) lanes[i] = -1;

    const ps = parents[index]!;
    const outTo: number[] = [];
    for (let k = 0; k < ps.length; k++) {
      const p = ps[k]!;
      const already = lanes.indexOf(p);
      if (already >= 0) {
        if (!outTo.includes(already)) outTo.push(already);
      } else if (k === 0 && lanes[lane] === -1) {
        lanes[lane] = p;
        outTo.push(lane);
      } else {
        const i = freeLane();
        lanes[i] = p;
        outTo.push(i);
      }
    }
    if (outTo.length > 1) outTo.sort((a, b) => a - b);
    while (lanes.length > 0 && lanes[lanes.length - 1] === -1) lanes.pop();

    const width = Math.max(widthAbove, lanes.length, lane + 1);
    if (width > maxWidth) maxWidth = width;
    rows[index] = {
      revision: r.revision,
      index,
      lane,
      through: lanesOf(through),
      into: lanesOf(into),
      outTo: lanesOf(outTo),
      width,
      isHead: into.length === 0,
      isMerge: ps.length > 1,
      isBranchPoint: childCount[index]! > 1,
      isBase: r.downRevisions.length === 0,
    };
  }
  return { rows, maxWidth, indexOf };
}

/** Orders then lays out: the whole graph as the revision-graph screen draws it. */
export function layoutGraph<T extends LayoutInput>(revisions: readonly T[]): { readonly ordered: readonly T[]; readonly layout: GraphLayout } {
  const ordered = orderNewestFirst(revisions);
  return { ordered, layout: layoutLanes(ordered) };
}
