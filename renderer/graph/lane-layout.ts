/**
 * Lays a revision DAG out in lanes the way a git client draws its history: newest on top,
 * each revision on a lane, lines from a revision down to its parents. Pure; no DOM.
 */

/** The minimum a revision needs for the layout. */
export interface LayoutInput {
  readonly revision: string;
  /** Parents (Alembic's down_revisions); two or more for a merge. */
  readonly downRevisions: readonly string[];
  /** depends_on resolved to ids: drawn as dashed lines, not lanes. */
  readonly dependencies?: readonly string[];
}

/** A piece of a depends_on line in one row: on dependency lane `lane`, right of the lanes. */
export interface DependencyMark {
  readonly lane: number;
  /** The line goes on above / below the row's middle. */
  readonly up: boolean;
  readonly down: boolean;
  /** This row's node is where the line starts (the revision that depends) or ends (what it depends on); null: passing by. */
  readonly node: "dependent" | "dependency" | null;
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
  /** On the trunk (lane 0): the longest first-parent line. */
  readonly isTrunk: boolean;
  /** depends_on lines at this row; empty for most rows. */
  readonly dependencies: readonly DependencyMark[];
}

/** The laid-out graph: rows newest first, and the widest row. */
export interface GraphLayout {
  readonly rows: readonly GraphRow[];
  readonly maxWidth: number;
  /** Row index by revision id. */
  readonly indexOf: ReadonlyMap<string, number>;
  /** How many dependency lanes the depends_on lines take, right of `maxWidth`. */
  readonly dependencyLanes: number;
}

// The layout runs on every load of the graph screen (10,000 revisions in bench/ui.ts), in a
// page whose JIT is cold: it works on indexes and typed arrays, not on Maps of ids.

const NO_LANES: readonly number[] = [];
const NO_IDS: readonly string[] = [];
const NO_MARKS: readonly DependencyMark[] = [];
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
 * The trunk: the first-parent chain (down_revisions[0] each step) from the head whose such
 * chain is longest, ties to the head listed first. It is drawn on lane 0 from its head to its
 * base, and nothing else is, so it never changes lane or colour (issue 19).
 */
function trunkOf(firstParent: Int32Array, childCount: Int32Array): Uint8Array {
  const n = firstParent.length;
  // Rows are newest first, so every first parent sits below its child: walk bottom-up.
  const depth = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const fp = firstParent[i]!;
    depth[i] = 1 + (fp >= 0 ? depth[fp]! : 0);
  }
  let head = -1;
  for (let i = 0; i < n; i++) if (childCount[i] === 0 && (head < 0 || depth[i]! > depth[head]!)) head = i;
  const trunk = new Uint8Array(n);
  for (let i = head; i >= 0; i = firstParent[i]!) trunk[i] = 1;
  return trunk;
}

/**
 * Assigns lanes to revisions given newest first (see orderNewestFirst). Lane 0 holds the trunk
 * only (see trunkOf). Every other first-parent chain keeps one lane from its top to the revision
 * it forks from: a revision continues the lane of its first-parent child listed first (the
 * trunk child on the trunk), so a lane never hands its line to another. Lines that join a chain
 * (a merge's other parents, a second branch from the same fork) ride the lane already waiting
 * for their parent or open the leftmost free one, and bend into the parent's node on its row.
 */
export function layoutLanes(ordered: readonly LayoutInput[]): GraphLayout {
  const n = ordered.length;
  const indexOf = indexById(ordered);
  const parents = parentIndexes(ordered, indexOf);
  /** The first parent as written (-1: none in the list); parentIndexes drops duplicates, not order. */
  const firstParent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const fp = ordered[i]!.downRevisions[0];
    const p = fp === undefined ? undefined : indexOf.get(fp);
    if (p !== undefined && p > i) firstParent[i] = p;
  }
  const childCount = new Int32Array(n);
  for (let i = 0; i < n; i++) for (const p of parents[i]!) childCount[p]!++;
  const trunk = trunkOf(firstParent, childCount);
  /** The child whose lane a revision continues: its first-parent child listed first (-1: none). */
  const continues = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = firstParent[i]!;
    if (p < 0) continue;
    if (trunk[p] ? trunk[i] : continues[p] === -1) continues[p] = i;
  }
  /** The row index each lane waits for; -1: free. Lane 0 is the trunk's alone. */
  const lanes: number[] = [-1];
  /** The lane each revision's line from its continuing child arrives in. */
  const arrivesIn = new Int32Array(n).fill(-1);
  const freeLane = (): number => {
    const i = lanes.indexOf(-1, 1);
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
    const lane = trunk[index] ? 0 : arrivesIn[index]! >= 0 ? arrivesIn[index]! : into.length > 0 ? into[0]! : freeLane();
    for (const i of into) lanes[i] = -1;

    const ps = parents[index]!;
    const outTo: number[] = [];
    for (let k = 0; k < ps.length; k++) {
      const p = ps[k]!;
      let to: number;
      if (p === firstParent[index] && continues[p] === index) {
        // The chain goes on: same lane (0 on the trunk), even where another line already waits for p.
        to = lane;
        arrivesIn[p] = lane;
      } else {
        const already = lanes.indexOf(p);
        to = already >= 0 ? already : p === firstParent[index] && lanes[lane] === -1 && lane !== 0 ? lane : freeLane();
      }
      lanes[to] = p;
      if (!outTo.includes(to)) outTo.push(to);
    }
    if (outTo.length > 1) outTo.sort((a, b) => a - b);
    while (lanes.length > 1 && lanes[lanes.length - 1] === -1) lanes.pop();

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
      isTrunk: trunk[index] === 1,
      dependencies: NO_MARKS,
    };
  }
  const dependencyLanes = placeDependencies(ordered, indexOf, rows);
  return { rows, maxWidth, indexOf, dependencyLanes };
}

/**
 * Gives every depends_on line a dependency lane of its own over the rows it spans (the
 * leftmost free one, lines taken top to bottom) and writes its pieces into those rows.
 * Returns how many dependency lanes are used.
 */
function placeDependencies(ordered: readonly LayoutInput[], indexOf: ReadonlyMap<string, number>, rows: GraphRow[]): number {
  const spans: { readonly dependent: number; readonly dependency: number; readonly top: number; readonly bottom: number }[] = [];
  for (let i = 0; i < ordered.length; i++) {
    for (const id of ordered[i]!.dependencies ?? NO_IDS) {
      const j = indexOf.get(id);
      if (j !== undefined && j !== i) spans.push({ dependent: i, dependency: j, top: Math.min(i, j), bottom: Math.max(i, j) });
    }
  }
  if (spans.length === 0) return 0;
  spans.sort((a, b) => a.top - b.top || a.bottom - b.bottom);
  /** The last row each dependency lane is taken to. */
  const takenTo: number[] = [];
  const marks = new Map<number, DependencyMark[]>();
  const mark = (row: number, m: DependencyMark): void => {
    const list = marks.get(row);
    if (list) list.push(m);
    else marks.set(row, [m]);
  };
  for (const s of spans) {
    let lane = takenTo.findIndex((end) => end < s.top);
    if (lane < 0) lane = takenTo.length;
    takenTo[lane] = s.bottom;
    for (let row = s.top; row <= s.bottom; row++) {
      const node = row === s.dependent ? "dependent" : row === s.dependency ? "dependency" : null;
      mark(row, { lane, up: row !== s.top, down: row !== s.bottom, node });
    }
  }
  for (const [row, list] of marks) rows[row] = { ...rows[row]!, dependencies: list };
  return takenTo.length;
}

/** Orders then lays out: the whole graph as the revision-graph screen draws it. */
export function layoutGraph<T extends LayoutInput>(revisions: readonly T[]): { readonly ordered: readonly T[]; readonly layout: GraphLayout } {
  const ordered = orderNewestFirst(revisions);
  return { ordered, layout: layoutLanes(ordered) };
}
