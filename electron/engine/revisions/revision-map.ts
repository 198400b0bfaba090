import { StrataError } from "../errors.js";
import { RangeNotAncestor, RevisionCollector } from "./revision-collector.js";
import { RevisionGraph, type GraphNode, type GraphOptions } from "./revision-graph.js";
import { stampMoves } from "./stamp-planner.js";
import { isNode, parseRelative, TargetResolver, type Resolved } from "./target-resolver.js";
import { topologicalSort } from "./topological-sort.js";
import type { AmbiguousRelativeStep, Direction, Plan, RevisionRecord, StampPlan, Step, VersionOp } from "./types.js";
import { VersionTable } from "./version-table.js";

/** A revision with more than one child (branch point) or parent (merge point). */
export interface JunctionInfo {
  readonly revision: string;
  /** Children for a branch point, parents for a merge point. */
  readonly revisions: readonly string[];
}

/**
 * The revision DAG of a project with Alembic 1.8's semantics: target resolution, upgrade,
 * downgrade and stamp plans (data only, nothing executed) and history ranges.
 */
export class RevisionMap {
  private readonly resolver: TargetResolver;
  private readonly collector: RevisionCollector;

  private constructor(
    private readonly graph: RevisionGraph,
    /** Every record, in the order given (which is also the order ties are broken in). */
    readonly records: readonly RevisionRecord[],
  ) {
    this.resolver = new TargetResolver(graph);
    this.collector = new RevisionCollector(graph, this.resolver);
  }

  /** Validates and links the records; StrataError on duplicate ids or labels, dangling references or cycles. */
  static build(records: readonly RevisionRecord[], options: GraphOptions = {}): RevisionMap {
    return new RevisionMap(RevisionGraph.build(records, options), [...records]);
  }

  /** Revisions no down_revision points at (Alembic's `heads`), in record order. */
  get heads(): readonly string[] {
    return this.graph.heads;
  }

  /** Revisions nothing points at, depends_on included: what the target `heads` upgrades to. */
  get realHeads(): readonly string[] {
    return this.graph.realHeads;
  }

  /**
   * Heads (no down_revision names them) that another revision depends on: Alembic's
   * "(effective head)", which the target `heads` does not name. In record order.
   */
  get effectiveHeads(): readonly string[] {
    return this.graph.heads.filter((id) => this.graph.node(id).allNext.length > 0);
  }

  /** True for a head nothing names, depends_on included (Alembic's `_is_real_head`). */
  isRealHead(id: string): boolean {
    return this.known(id).allNext.length === 0;
  }

  /**
   * What Alembic's `current` lists for these version-table rows: the rows plus, of everything
   * they have applied, each branch's tip (a dependency's branch shows too). In record order.
   */
  currentTips(rows: readonly string[]): readonly string[] {
    const tips = this.resolver.allCurrent(this.checkCurrent(rows));
    return this.graph.list.filter((n) => tips.has(n)).map((n) => n.id);
  }

  /** Revisions with no down_revision, in record order. */
  get bases(): readonly string[] {
    return this.graph.bases;
  }

  /** Revisions two or more revisions name as down_revision, with those children. */
  get branchPoints(): readonly JunctionInfo[] {
    return [...this.graph.nodes.values()].filter((n) => n.next.length > 1).map((n) => ({ revision: n.id, revisions: n.next }));
  }

  /** Revisions with two or more down_revisions, with those parents. */
  get mergePoints(): readonly JunctionInfo[] {
    return [...this.graph.nodes.values()].filter((n) => n.down.length > 1).map((n) => ({ revision: n.id, revisions: n.down }));
  }

  /** The record with exactly this id. */
  get(id: string): RevisionRecord | undefined {
    return this.graph.nodes.get(id)?.record;
  }

  /** True when a revision has exactly this id. */
  has(id: string): boolean {
    return this.graph.nodes.has(id);
  }

  /** Revisions whose down_revision names this one. */
  children(id: string): readonly string[] {
    return this.known(id).next;
  }

  /** Revisions that name this one in depends_on. */
  dependents(id: string): readonly string[] {
    const node = this.known(id);
    return node.allNext.filter((c) => !node.next.includes(c));
  }

  /**
   * The given revisions and everything below them through down_revision and depends_on: what a
   * version table holding these rows has applied. Unknown ids are TARGET_UNKNOWN.
   */
  ancestorsOf(ids: readonly string[]): readonly string[] {
    return this.graph.ancestors(this.checkCurrent(ids).map((id) => this.graph.node(id))).map((n) => n.id);
  }

  /** depends_on of a revision resolved to full ids. */
  dependsOn(id: string): readonly string[] {
    return this.known(id).dependsOn;
  }

  /** Branch labels that apply to a revision: its own and those Alembic spreads along its branch (sorted). */
  branchLabels(id: string): readonly string[] {
    return [...this.known(id).labels].sort();
  }

  /**
   * Full ids a target names. `current` (the version table's rows) is used by relative targets:
   * `+N` / `LABEL@+N` walk up from it, `-N` / `LABEL@-N` walk down from it. `base` names [].
   */
  resolve(target: string, current: readonly string[] = []): readonly string[] {
    checkTarget(target);
    const cur = this.checkCurrent(current);
    const rel = this.resolver.relativeUnlessId(target);
    if (rel) {
      const resolved: Resolved[] = rel.steps > 0 ? this.resolver.parseUpgradeTarget(cur, target, true) : [this.resolver.parseDowngradeTarget(cur, target, true).target];
      if (resolved.some((r) => r === null)) {
        throw new StrataError("RELATIVE_OUT_OF_RANGE", `relative target '${target}' walks past the end of the history; use a smaller step`, { target });
      }
      return resolved.filter((r): r is GraphNode => isNode(r)).map((n) => n.id);
    }
    if (target === "head" || target.endsWith("@head")) {
      const r = this.resolver.revision(target);
      return r ? [r.id] : [];
    }
    return this.resolver
      .revisions(target)
      .filter((r): r is GraphNode => isNode(r))
      .map((n) => n.id);
  }

  /** What `upgrade TARGET` would run from these version-table rows; throws where Alembic refuses. */
  planUpgrade(current: readonly string[], target: string): Plan {
    checkTarget(target);
    const cur = this.checkCurrent(current);
    const collected = this.reword(target, "upgrade", cur, () =>
      this.collector.collectUpgrade(target, cur, { inclusive: false, implicitBase: true, assertRelativeLength: true }),
    );
    const order = topologicalSort(this.graph, collected.revisions, collected.heads).reverse();
    return this.plan("upgrade", target, cur, order, "up");
  }

  /** What `downgrade TARGET` would run from these version-table rows; throws where Alembic refuses. */
  planDowngrade(current: readonly string[], target: string): Plan {
    checkTarget(target);
    const cur = this.checkCurrent(current);
    const collected = this.reword(target, "downgrade", cur, () =>
      this.collector.collectDowngrade(cur, target, { inclusive: false, implicitBase: false, assertRelativeLength: true }),
    );
    const order = topologicalSort(this.graph, collected.revisions, collected.heads);
    const plan = this.plan("downgrade", target, cur, order, "down");
    const ambiguous = ambiguousRelativeStep(target, cur);
    return ambiguous ? { ...plan, warnings: [ambiguous] } : plan;
  }

  /**
   * The version-table changes of running one revision in one direction from these rows, as a
   * run records them (for `strata resolve --applied` after a run that stopped part way).
   */
  planStep(current: readonly string[], revision: string, direction: Direction): Step {
    const cur = this.checkCurrent(current);
    const table = new VersionTable(this.graph, this.resolver, cur);
    const ops = table.recordRevision(this.known(revision), direction);
    return { revision, direction, ops, headsAfter: table.sortedHeads() };
  }

  /** What `stamp TARGET...` would do to the version table (no revision runs); [] or ["base"] clears it. */
  planStamp(current: readonly string[], targets: readonly string[]): StampPlan {
    targets.forEach(checkTarget);
    const cur = this.checkCurrent(current);
    const moves = this.reword(targets.join(" ") || "base", "stamp", cur, () => stampMoves(this.graph, this.resolver, cur, targets));
    const table = new VersionTable(this.graph, this.resolver, cur);
    const ops: VersionOp[] = moves.flatMap((m) => table.recordStamp(m));
    return { headsBefore: [...cur], ops, headsAfter: table.sortedHeads() };
  }

  /**
   * Revisions newest first, as `alembic history -r RANGE` lists them. RANGE is `[start]:[end]`
   * with any target form on either side (start defaults to base, end to heads); `current` on a
   * side needs the version table's rows.
   */
  iterateHistory(range?: string, current?: readonly string[]): readonly RevisionRecord[] {
    let lower: string | readonly string[] = "base";
    let upper: string | readonly string[] = "heads";
    if (range !== undefined) {
      const parts = range.trim().split(":");
      if (parts.length !== 2) {
        throw new StrataError("USAGE", `history range '${range}' must be [start]:[end], [start]: or :[end]`, { range });
      }
      const side = (s: string, fallback: string): string | readonly string[] => {
        if (s !== "current") return s || fallback;
        if (current === undefined) throw new StrataError("USAGE", "history range 'current' needs an environment to read the version table from; pass --env", { range });
        const cur = this.checkCurrent(current);
        return cur.length > 0 ? cur : fallback;
      };
      lower = side(parts[0]!, "base");
      upper = side(parts[1]!, "heads");
    }
    const rangeText = range ?? "base:heads";
    let collected;
    try {
      collected = this.collector.collectUpgrade(upper, lower, { inclusive: true, implicitBase: false, assertRelativeLength: false });
    } catch (e) {
      if (e instanceof RangeNotAncestor) {
        throw new StrataError(
          "TARGET_INVALID",
          `history range '${rangeText}' does not run from an ancestor to a descendant along one branch; swap or change its ends`,
          { range: rangeText },
        );
      }
      if (e instanceof StrataError && e.code === "MULTIPLE_HEADS") {
        throw new StrataError("MULTIPLE_HEADS", `history range '${rangeText}': ${e.message}`, e.details as Record<string, unknown>);
      }
      throw e;
    }
    return topologicalSort(this.graph, collected.revisions, collected.heads).map((id) => this.graph.node(id).record);
  }

  private plan(command: "upgrade" | "downgrade", target: string, current: readonly string[], order: readonly string[], direction: Direction): Plan {
    const table = new VersionTable(this.graph, this.resolver, current);
    const steps: Step[] = order.map((id) => {
      const node: GraphNode = this.graph.node(id);
      const ops = table.recordRevision(node, direction);
      return { revision: id, direction, ops, headsAfter: table.sortedHeads() };
    });
    return { command, target, headsBefore: [...current], steps, headsAfter: table.sortedHeads() };
  }

  private known(id: string): GraphNode {
    const node = this.graph.nodes.get(id);
    if (!node) throw new StrataError("TARGET_UNKNOWN", `no revision ${id}; run 'strata history' to list revisions`, { revision: id });
    return node;
  }

  private checkCurrent(current: readonly string[]): readonly string[] {
    const unknown = current.filter((id) => !this.graph.nodes.has(id));
    if (unknown.length > 0) {
      throw new StrataError(
        "TARGET_UNKNOWN",
        `the version table names revision${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}, which no revision file defines; restore the file(s) or stamp the environment`,
        { revisions: unknown },
      );
    }
    return [...new Set(current)];
  }

  // Errors raised deep in resolution name the internal argument; say it in the user's words.
  private reword<T>(target: string, command: "upgrade" | "downgrade" | "stamp", current: readonly string[], run: () => T): T {
    try {
      return run();
    } catch (e) {
      const heads = current.length > 0 ? current.join(", ") : "none";
      if (e instanceof RangeNotAncestor) {
        throw new StrataError(
          "TARGET_INVALID",
          command === "downgrade"
            ? `'${target}' is not a valid downgrade target from the current heads (${heads}): it is not below them; pick a revision they contain, or 'base'`
            : `'${target}' is not a valid ${command} target from the current heads (${heads}); pick a revision above them`,
          { target, command, heads: [...current] },
        );
      }
      if (e instanceof StrataError && e.code === "MULTIPLE_HEADS") {
        const found = (e.details["heads"] as readonly string[] | undefined) ?? [];
        throw new StrataError(
          "MULTIPLE_HEADS",
          `${command} '${target}': several heads match (${found.join(", ")}); name one revision, narrow it with LABEL@head, or use 'heads' for all`,
          { ...e.details, target, command },
        );
      }
      throw e;
    }
  }
}

/**
 * `downgrade -N` from several version-table rows: Alembic 1.8 walks from the first row and warns
 * "downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future
 * release". Which row is first is up to the database there (no ORDER BY), so Alembic can answer
 * differently from run to run; Strata's rows come sorted, so it is the lowest id.
 */
function ambiguousRelativeStep(target: string, current: readonly string[]): AmbiguousRelativeStep | null {
  const rel = parseRelative(target);
  if (!rel || rel.steps >= 0 || rel.symbol !== null || rel.label !== null || current.length < 2) return null;
  const n = Math.abs(rel.steps);
  const walkedFrom = current[0]!;
  // REV@REV-N, not REV-N: Alembic narrows the walk to the head's own branch (branch_label = symbol),
  // and REV-N alone would also roll back the other branches above that revision (graph 0 of the fixture).
  const absoluteTargets = current.map((h) => `${h}@${h}-${n}`);
  const others = absoluteTargets.length > 2 ? `${absoluteTargets.slice(0, -1).join(", ")} or ${absoluteTargets.at(-1)}` : absoluteTargets.join(" or ");
  return {
    code: "RELATIVE_FROM_SEVERAL_HEADS",
    message:
      `'${target}' from ${current.length} current heads (${current.join(", ")}) is ambiguous, and Alembic will disallow it: ` +
      `it walks down from ${walkedFrom}, the first version-table row (Alembic takes whichever row the database returns first; Strata reads them sorted by id); ` +
      `say which with ${others} (the head's own branch only)`,
    target,
    heads: [...current],
    walkedFrom,
    absoluteTargets,
  };
}

// Alembic trips an assertion on an empty identifier; say what is wrong instead.
function checkTarget(target: string): void {
  if (target.trim() === "") {
    throw new StrataError("TARGET_INVALID", "the target is empty; give a revision, 'heads', 'head', 'base' or a relative step like +1", { target });
  }
}
