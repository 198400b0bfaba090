import { StrataError } from "../errors.js";
import type { RevisionRecord } from "./types.js";

/** A revision inside the graph with every edge resolved to full ids. */
export interface GraphNode {
  readonly id: string;
  readonly record: RevisionRecord;
  /** Position in the order the records were given: Alembic's tie-breaker when it sorts. */
  readonly order: number;
  /** down_revision as written (the versioned parents). */
  readonly down: readonly string[];
  /** depends_on resolved to full ids, in the order written. */
  readonly dependsOn: readonly string[];
  /** depends_on minus what an ancestor already depends on. */
  readonly normalizedDependsOn: readonly string[];
  /** down + dependsOn. */
  readonly allDown: readonly string[];
  /** down + normalizedDependsOn: the edges plans walk. */
  readonly normalizedDown: readonly string[];
  /** Children through down_revision only. */
  readonly next: readonly string[];
  /** Children through down_revision or depends_on. */
  readonly allNext: readonly string[];
  /** Own branch labels plus those Alembic spreads along the branch. */
  readonly labels: ReadonlySet<string>;
  /** The same edges as positions (`order`) for the hot walks. */
  readonly downIx: readonly number[];
  readonly normalizedDownIx: readonly number[];
  readonly nextIx: readonly number[];
  readonly allNextIx: readonly number[];
}

interface MutableNode extends GraphNode {
  down: readonly string[];
  dependsOn: readonly string[];
  normalizedDependsOn: readonly string[];
  allDown: readonly string[];
  normalizedDown: readonly string[];
  next: readonly string[];
  allNext: readonly string[];
  labels: ReadonlySet<string>;
  downIx: readonly number[];
  normalizedDownIx: readonly number[];
  nextIx: readonly number[];
  allNextIx: readonly number[];
}

// Most revisions have no labels, dependencies or second child; sharing empties keeps a
// 10,000-revision build from allocating a dozen arrays per node.
const NO_IDS: readonly string[] = Object.freeze([]);
const NO_IX: readonly number[] = Object.freeze([]);
const NO_LABELS: ReadonlySet<string> = new Set<string>();

function append<T>(list: readonly T[], item: T, empty: readonly T[]): readonly T[] {
  if (list === empty) return [item];
  (list as T[]).push(item);
  return list;
}

/** Options of RevisionGraph.build. */
export interface GraphOptions {
  /**
   * A knex folder's ids are its file names, whatever they hold (issue #15): '-', '@', '+' and ':'
   * only matter to Alembic's target syntax, and knex mode resolves exact ids first (KnexChain).
   */
  readonly anyIdCharacters?: boolean;
}

/** Which edges a walk follows. */
export type EdgeKind = "down" | "normalizedDown" | "next" | "allNext";

const ILLEGAL_ID_CHARS = ["@", "-", "+", ":"];
const ILLEGAL_ID = /[@\-+:]/;

function dedupe(ids: readonly string[]): readonly string[] {
  if (ids.length < 2) return ids;
  return ids.length === new Set(ids).size ? ids : [...new Set(ids)];
}

function edgesOf(node: GraphNode, kind: EdgeKind): readonly number[] {
  switch (kind) {
    case "down":
      return node.downIx;
    case "normalizedDown":
      return node.normalizedDownIx;
    case "next":
      return node.nextIx;
    case "allNext":
      return node.allNextIx;
  }
}

function describe(record: RevisionRecord): string {
  return record.file ? `${record.revision} (${record.file})` : record.revision;
}

/** The validated revision DAG and its graph walks; knows nothing about targets or the version table. */
export class RevisionGraph {
  /** Nodes by position. */
  readonly list: readonly GraphNode[];
  /**
   * A topological position per node (indexed by `order`): every parent, through down_revision or
   * depends_on, ranks below its children, so a walk down from a node toward a lower-ranked
   * revision can stop at any node ranked at or below it (topologicalSort relies on it).
   */
  readonly rank: Uint32Array;
  private readonly stamp: Uint32Array;
  private epoch = 0;

  private constructor(
    readonly nodes: ReadonlyMap<string, GraphNode>,
    readonly labelOwners: ReadonlyMap<string, GraphNode>,
    /** Revision ids then branch labels: the keys Alembic matches a partial id against. */
    readonly lookupKeys: readonly string[],
    /** Revisions no down_revision points at (Alembic's `heads`). */
    readonly heads: readonly string[],
    /** Revisions nothing points at, depends_on included (what the target `heads` means). */
    readonly realHeads: readonly string[],
    readonly bases: readonly string[],
    rank: Uint32Array,
  ) {
    this.list = [...nodes.values()];
    this.rank = rank;
    this.stamp = new Uint32Array(this.list.length);
  }

  /** Validates the records and links them; throws StrataError on duplicates, dangling references and cycles. */
  static build(records: readonly RevisionRecord[], options: GraphOptions = {}): RevisionGraph {
    const nodes = new Map<string, MutableNode>();
    for (const record of records) {
      if (record.revision === "" || (!options.anyIdCharacters && ILLEGAL_ID.test(record.revision))) {
        const bad = ILLEGAL_ID_CHARS.filter((c) => record.revision.includes(c));
        throw new StrataError(
          "REVISION_FILE_INVALID",
          `revision id '${record.revision}'${record.file ? ` in ${record.file}` : ""} is empty or contains ${bad.map((c) => `'${c}'`).join(", ")}; use letters, digits and '_' only`,
          { revision: record.revision, file: record.file },
        );
      }
      const existing = nodes.get(record.revision);
      if (existing) {
        throw new StrataError(
          "REVISION_DUPLICATE",
          `revision ${record.revision} is defined twice (${existing.record.file ?? "first record"} and ${record.file ?? "second record"}); give one of them a new id`,
          { revision: record.revision, files: [existing.record.file, record.file].filter(Boolean) },
        );
      }
      const down = record.downRevisions.length === 0 ? NO_IDS : dedupe(record.downRevisions);
      nodes.set(record.revision, {
        id: record.revision,
        record,
        order: nodes.size,
        down,
        dependsOn: NO_IDS,
        normalizedDependsOn: NO_IDS,
        allDown: down,
        normalizedDown: down,
        next: NO_IDS,
        allNext: NO_IDS,
        labels: record.branchLabels.length === 0 ? NO_LABELS : new Set(record.branchLabels),
        downIx: NO_IX,
        normalizedDownIx: NO_IX,
        nextIx: NO_IX,
        allNextIx: NO_IX,
      });
    }

    const labelOwners = new Map<string, MutableNode>();
    for (const node of nodes.values()) {
      for (const label of node.record.branchLabels) {
        const clash = labelOwners.get(label) ?? nodes.get(label);
        if (clash) {
          throw new StrataError(
            "BRANCH_LABEL_DUPLICATE",
            `branch label '${label}' of ${describe(node.record)} is already used by ${clash === nodes.get(label) && !labelOwners.has(label) ? "the revision id" : "revision"} ${describe(clash.record)}; choose another label`,
            { label, revisions: [clash.id, node.id] },
          );
        }
        labelOwners.set(label, node);
      }
    }

    for (const node of nodes.values()) {
      for (const d of node.down) {
        if (d === node.id) {
          throw new StrataError("REVISION_CYCLE", `revision ${describe(node.record)} names itself as its down_revision; point it at its parent`, { revisions: [node.id] });
        }
        if (!nodes.has(d)) {
          throw new StrataError(
            "REVISION_MISSING",
            `revision ${describe(node.record)} has down_revision ${d}, which no revision defines; restore that revision or fix the down_revision`,
            { revision: node.id, missing: d, file: node.record.file },
          );
        }
      }
      if (node.record.dependsOn.length === 0) continue;
      node.dependsOn = dedupe(node.record.dependsOn.map((dep) => resolveDependency(node, dep, nodes, labelOwners)));
      if (node.dependsOn.includes(node.id)) {
        throw new StrataError("REVISION_CYCLE", `revision ${describe(node.record)} depends on itself; remove it from its depends_on`, { revisions: [node.id] });
      }
      node.allDown = dedupe([...node.down, ...node.dependsOn]);
    }

    for (const node of nodes.values()) {
      for (const d of node.allDown) {
        const parent = nodes.get(d)!;
        parent.allNext = append(parent.allNext, node.id, NO_IDS);
        parent.allNextIx = append(parent.allNextIx, node.order, NO_IX);
        if (node.down.includes(d)) {
          parent.next = append(parent.next, node.id, NO_IDS);
          parent.nextIx = append(parent.nextIx, node.order, NO_IX);
        }
      }
      if (node.down.length > 0) node.downIx = node.down.map((d) => nodes.get(d)!.order);
    }

    const rank = rankTopologically(nodes);

    const graph = new RevisionGraph(
      nodes,
      labelOwners,
      [...nodes.keys(), ...labelOwners.keys()],
      [...nodes.values()].filter((n) => n.next.length === 0).map((n) => n.id),
      [...nodes.values()].filter((n) => n.allNext.length === 0).map((n) => n.id),
      [...nodes.values()].filter((n) => n.down.length === 0).map((n) => n.id),
      rank,
    );
    graph.normalizeDependencies(nodes);
    graph.spreadBranchLabels(nodes);
    return graph;
  }

  /** The node for a full id; an unknown id here is a bug in the caller. */
  node(id: string): GraphNode {
    const n = this.nodes.get(id);
    if (!n) throw new StrataError("INTERNAL", `revision graph has no revision ${id}`);
    return n;
  }

  /** Exact lookup by revision id or branch label, as Alembic's map lookup does. */
  lookup(key: string): GraphNode | undefined {
    return this.nodes.get(key) ?? this.labelOwners.get(key);
  }

  /**
   * Depth-first walk from each target in turn, sharing one seen-set (Alembic's
   * _iterate_related_revisions). With `check`, a target reached from another target is refused.
   */
  related(kind: EdgeKind, targets: readonly GraphNode[], check = false): GraphNode[] {
    // a fresh epoch marks "seen" without clearing an array per walk
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    const stamp = this.stamp;
    const list = this.list;
    const out: GraphNode[] = [];
    const targetSet = check ? new Set(targets.map((t) => t.order)) : undefined;
    const todo: number[] = [];
    for (const target of targets) {
      todo.push(target.order);
      const perTarget = check ? new Set<number>() : undefined;
      while (todo.length > 0) {
        const i = todo.pop()!;
        perTarget?.add(i);
        if (stamp[i] === epoch) continue;
        stamp[i] = epoch;
        const rev = list[i]!;
        const edges = edgesOf(rev, kind);
        for (let k = 0; k < edges.length; k++) todo.push(edges[k]!);
        out.push(rev);
      }
      if (perTarget && targetSet) {
        const overlaps = [...perTarget].filter((r) => r !== target.order && targetSet.has(r)).map((r) => list[r]!.id);
        if (overlaps.length > 0) {
          throw new StrataError(
            "TARGET_INVALID",
            `requested revision ${target.id} overlaps with requested revision(s) ${overlaps.join(", ")}: one is an ancestor of the other; name only the newer one`,
            { revision: target.id, overlaps },
          );
        }
      }
    }
    return out;
  }

  /** The targets and everything below them (depends_on included unless told otherwise). */
  ancestors(targets: readonly GraphNode[], includeDependencies = true, check = false): GraphNode[] {
    return this.related(includeDependencies ? "normalizedDown" : "down", targets, check);
  }

  /** The targets and everything above them (depends_on included unless told otherwise). */
  descendants(targets: readonly GraphNode[], includeDependencies = true, check = false): GraphNode[] {
    return this.related(includeDependencies ? "allNext" : "next", targets, check);
  }

  /** Ids of the targets' ancestors, as a set. */
  ancestorIds(targets: readonly GraphNode[], includeDependencies = true): Set<string> {
    return new Set(this.ancestors(targets, includeDependencies).map((n) => n.id));
  }

  /** The targets' ancestors (themselves included) as a membership array indexed by `order`. */
  ancestorMask(targets: readonly GraphNode[], includeDependencies = true): Uint8Array {
    // the mask doubles as the seen-set, so a long history is walked without allocating per node
    const mask = new Uint8Array(this.list.length);
    const kind: EdgeKind = includeDependencies ? "normalizedDown" : "down";
    const todo: number[] = targets.map((t) => t.order);
    while (todo.length > 0) {
      const i = todo.pop()!;
      if (mask[i] === 1) continue;
      mask[i] = 1;
      const edges = edgesOf(this.list[i]!, kind);
      for (let k = 0; k < edges.length; k++) todo.push(edges[k]!);
    }
    return mask;
  }

  // A dependency an ancestor already declares is dropped, so plans do not walk it twice.
  // Dependencies that are themselves ancestors stay, as in Alembic 1.8 (see the KeyError cases).
  private normalizeDependencies(nodes: Map<string, MutableNode>): void {
    const withDeps = [...nodes.values()].filter((n) => n.dependsOn.length > 0);
    for (const node of withDeps) {
      if (withDeps.length === 1) {
        node.normalizedDependsOn = node.dependsOn;
      } else {
        const implied = new Set<string>();
        const below = this.ancestorMask([node], false);
        for (const other of withDeps) {
          if (other !== node && below[other.order] === 1) for (const d of other.dependsOn) implied.add(d);
        }
        node.normalizedDependsOn = node.dependsOn.filter((d) => !implied.has(d));
      }
      node.normalizedDown = dedupe([...node.down, ...node.normalizedDependsOn]);
    }
    for (const node of nodes.values()) {
      node.normalizedDownIx = node.normalizedDown === node.down ? node.downIx : node.normalizedDown.map((d) => nodes.get(d)!.order);
    }
  }

  // Alembic gives a label to every descendant of the labelled revision, then walks down from the
  // last descendant it visited until a branch point or merge point, labelling on the way.
  private spreadBranchLabels(nodes: Map<string, MutableNode>): void {
    for (const labelled of nodes.values()) {
      if (labelled.record.branchLabels.length === 0) continue;
      const labels = labelled.labels;
      const reached = this.descendants([labelled], false) as MutableNode[];
      for (const n of reached) addLabels(n, labels);
      let parent: MutableNode | undefined = reached[reached.length - 1];
      while (parent && parent.allNext.length <= 1 && parent.down.length <= 1) {
        addLabels(parent, labels);
        parent = parent.down.length === 1 ? nodes.get(parent.down[0]!) : undefined;
      }
    }
  }
}

// Label sets are never changed in place, so one set can be shared by a whole branch.
function addLabels(node: MutableNode, labels: ReadonlySet<string>): void {
  if (node.labels === labels || labels.size === 0) return;
  if (node.labels === NO_LABELS) {
    node.labels = labels;
    return;
  }
  for (const l of labels) {
    if (!node.labels.has(l)) {
      node.labels = new Set([...node.labels, ...labels]);
      return;
    }
  }
}

function resolveDependency(
  node: MutableNode,
  dep: string,
  nodes: ReadonlyMap<string, MutableNode>,
  labels: ReadonlyMap<string, MutableNode>,
): string {
  const exact = nodes.get(dep) ?? labels.get(dep);
  if (exact) return exact.id;
  const candidates = [...nodes.keys()].filter((id) => id.startsWith(dep));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    throw new StrataError(
      "REVISION_MISSING",
      `revision ${describe(node.record)} depends on '${dep}', which matches several revisions (${candidates.slice(0, 3).join(", ")}${candidates.length > 3 ? ", ..." : ""}); write the full id`,
      { revision: node.id, dependsOn: dep, candidates },
    );
  }
  throw new StrataError(
    "REVISION_MISSING",
    `revision ${describe(node.record)} depends on '${dep}', which is no revision or branch label; restore it or fix depends_on`,
    { revision: node.id, missing: dep, file: node.record.file },
  );
}

// Kahn's algorithm over every edge, which also ranks the nodes parents first; what cannot be
// ordered sits on or above a cycle, and following parents inside that remainder must come back round.
function rankTopologically(nodes: ReadonlyMap<string, MutableNode>): Uint32Array {
  const list = [...nodes.values()];
  const pending = new Int32Array(list.length);
  const rank = new Uint32Array(list.length);
  const ready: number[] = [];
  for (const n of list) {
    pending[n.order] = n.allDown.length;
    if (n.allDown.length === 0) ready.push(n.order);
  }
  let done = 0;
  while (ready.length > 0) {
    const i = ready.pop()!;
    rank[i] = done;
    done++;
    for (const child of list[i]!.allNextIx) {
      pending[child] = pending[child]! - 1;
      if (pending[child] === 0) ready.push(child);
    }
  }
  if (done === list.length) return rank;
  const stuck = list.filter((n) => pending[n.order]! > 0);
  const path: string[] = [];
  const onPath = new Map<string, number>();
  let cur = stuck[0]!.id;
  while (!onPath.has(cur)) {
    onPath.set(cur, path.length);
    path.push(cur);
    cur = nodes.get(cur)!.allDown.find((p) => pending[nodes.get(p)!.order]! > 0)!;
  }
  const cycle = path.slice(onPath.get(cur)!);
  const shown = [...cycle].reverse();
  // The files too, so that the person knows which ones to open.
  const files = shown.map((id) => nodes.get(id)!.record.file).filter((f): f is string => f !== undefined);
  throw new StrataError(
    "REVISION_CYCLE",
    `revisions form a cycle through down_revision/depends_on: ${[...shown, shown[0]].join(" -> ")}; break it by fixing one of them${files.length ? ` (${files.join(", ")})` : ""}`,
    { revisions: cycle, files },
  );
}
