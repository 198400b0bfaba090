import { StrataError } from "../errors.js";
import type { GraphNode, RevisionGraph } from "./revision-graph.js";
import type { TargetResolver } from "./target-resolver.js";
import type { Direction, VersionOp } from "./types.js";

/** A stamp movement as Alembic's StampStep describes it: rows from, row to, and whether a branch appears or goes. */
export interface StampMove {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly isUpgrade: boolean;
  readonly branchMove: boolean;
}

/**
 * The version table's rows as Alembic's HeadMaintainer moves them. Each record* call applies one
 * step and returns the row changes; a change Alembic would fail on (a row it expects is absent,
 * or it inserts a row already there) is refused before anything runs.
 */
export class VersionTable {
  private readonly rows: Set<string>;
  private readonly ancestorCache = new Map<string, Uint8Array>();

  constructor(
    private readonly graph: RevisionGraph,
    private readonly resolver: TargetResolver,
    heads: readonly string[],
  ) {
    this.rows = new Set(heads);
  }

  /** The rows now, sorted. */
  sortedHeads(): string[] {
    return [...this.rows].sort();
  }

  /** Records running one revision up or down. */
  recordRevision(node: GraphNode, direction: Direction): VersionOp[] {
    const ops: VersionOp[] = [];
    const down = node.normalizedDown;
    const context = `${direction === "up" ? "upgrade" : "downgrade"} of ${node.id}`;
    if (direction === "down" && this.rows.has(node.id) && (down.length === 0 || this.unmergeTargets(node).length === 0)) {
      this.delete(node.id, ops, context);
    } else if (direction === "up" && (down.length === 0 || !down.some((d) => this.rows.has(d)))) {
      this.insert(node.id, ops, context);
    } else if (direction === "up" && down.length > 1 && down.filter((d) => this.rows.has(d)).length > 1) {
      const others = [...this.rows].filter((h) => !down.includes(h));
      let from = [...down];
      if (others.length > 0) {
        const below = this.ancestorsOfRows(others);
        from = from.filter((d) => below[this.graph.node(d).order] !== 1);
      }
      if (from.length === 0) this.fail(context, `none of ${down.join(", ")} stays a head`);
      for (const d of from.slice(0, -1)) this.delete(d, ops, context);
      this.update(from[from.length - 1]!, node.id, ops, context);
    } else if (direction === "down" && this.rows.has(node.id) && down.length > 1) {
      const to = this.unmergeTargets(node);
      for (const t of to.slice(0, -1)) this.insert(t, ops, context);
      this.update(node.id, to[to.length - 1]!, ops, context);
    } else {
      let parent: string;
      if (down.length === 1) {
        parent = down[0]!;
      } else {
        const present = down.filter((d) => this.rows.has(d));
        if (present.length !== 1) this.fail(context, `the row to move is ambiguous among ${down.join(", ") || "no parents"}`);
        parent = present[0]!;
      }
      if (direction === "up") this.update(parent, node.id, ops, context);
      else this.update(node.id, parent, ops, context);
    }
    return ops;
  }

  /** Records one stamp movement. */
  recordStamp(move: StampMove): VersionOp[] {
    const ops: VersionOp[] = [];
    const context = `stamp ${move.from.join(",") || "base"} -> ${move.to.join(",") || "base"}`;
    if (!move.isUpgrade && move.branchMove) {
      if (move.from.length !== 1) this.fail(context, "a branch removal needs exactly one row");
      this.delete(move.from[0]!, ops, context);
    } else if (
      move.isUpgrade &&
      (move.branchMove || move.from.some((f) => !this.rows.has(f))) &&
      move.to.some((t) => !this.rows.has(t))
    ) {
      if (move.to.length !== 1) this.fail(context, "a new branch needs exactly one row");
      this.insert(move.to[0]!, ops, context);
    } else if (move.from.length > 1) {
      for (const f of move.from.slice(0, -1)) this.delete(f, ops, context);
      this.update(move.from[move.from.length - 1]!, move.to[0]!, ops, context);
    } else if (move.to.length > 1) {
      for (const t of move.to.slice(0, -1)) this.insert(t, ops, context);
      this.update(move.from[0]!, move.to[move.to.length - 1]!, ops, context);
    } else {
      if (move.from.length !== 1 || move.to.length !== 1) this.fail(context, "the row to move is ambiguous");
      this.update(move.from[0]!, move.to[0]!, ops, context);
    }
    return ops;
  }

  // Which parents become rows when a revision is taken off: those not already implied by another row.
  private unmergeTargets(node: GraphNode): string[] {
    const down = node.normalizedDown;
    const others = [...this.rows].filter((h) => h !== node.id);
    if (others.length > 0) {
      const below = this.ancestorsOfRows(others);
      return down.filter((d) => below[this.graph.node(d).order] !== 1);
    }
    // Alembic 1.8 restores every parent when no other row remains, even one below another
    // (later releases drop those; the recorded 1.8.1 runs keep them).
    return [...down];
  }

  // Rows change one at a time while a long branch is walked, so the other rows' ancestry repeats.
  private ancestorsOfRows(rows: readonly string[]): Uint8Array {
    const key = [...rows].sort().join(" ");
    let hit = this.ancestorCache.get(key);
    if (!hit) {
      const nodes = this.resolver.revisions(rows).filter((r): r is GraphNode => typeof r === "object" && r !== null);
      hit = this.graph.ancestorMask(nodes);
      if (this.ancestorCache.size > 16) this.ancestorCache.clear();
      this.ancestorCache.set(key, hit);
    }
    return hit;
  }

  private insert(v: string, ops: VersionOp[], context: string): void {
    if (this.rows.has(v)) this.fail(context, `row ${v} is already in the version table`);
    this.rows.add(v);
    ops.push({ kind: "insert", revision: v });
  }

  private delete(v: string, ops: VersionOp[], context: string): void {
    if (!this.rows.has(v)) this.fail(context, `row ${v} is not in the version table`);
    this.rows.delete(v);
    ops.push({ kind: "delete", revision: v });
  }

  private update(from: string, to: string, ops: VersionOp[], context: string): void {
    if (this.rows.has(to)) this.fail(context, `row ${to} is already in the version table`);
    if (!this.rows.has(from)) this.fail(context, `row ${from} is not in the version table`);
    this.rows.delete(from);
    this.rows.add(to);
    ops.push({ kind: "update", from, to });
  }

  private fail(context: string, why: string): never {
    throw new StrataError(
      "TARGET_INVALID",
      `cannot record the ${context} in the version table: ${why} (Alembic 1.8 fails at the same step); nothing was run — check that revision's down_revision/depends_on`,
      { context },
    );
  }
}
