import { StrataError } from "../errors.js";
import type { GraphNode, RevisionGraph } from "./revision-graph.js";
import { BASE, isNode, requireNode, type TargetResolver } from "./target-resolver.js";

/** Options of Alembic's iterate_revisions that callers vary. */
export interface CollectOptions {
  readonly inclusive: boolean;
  readonly implicitBase: boolean;
  readonly assertRelativeLength: boolean;
}

/** The revisions a walk covers and the heads its ordering starts from. */
export interface Collected {
  readonly revisions: Set<GraphNode>;
  readonly heads: readonly GraphNode[];
}

/** Raised where the lower end of a range is not below the upper end; planners reword it. */
export class RangeNotAncestor extends StrataError {
  constructor(lower: string, upper: string) {
    super("TARGET_INVALID", `${lower} is not below ${upper}`, { lower, upper });
  }
}

function label(x: string | readonly string[] | null): string {
  if (x === null) return "base";
  return typeof x === "string" ? x : x.length === 0 ? "base" : x.join(",");
}

/** Picks revisions for upgrades and history ranges, and for downgrades, as Alembic's RevisionMap does. */
export class RevisionCollector {
  constructor(
    private readonly graph: RevisionGraph,
    private readonly resolver: TargetResolver,
  ) {}

  /** Alembic's _collect_upgrade_revisions: what `upper` needs that `lower` does not have. */
  collectUpgrade(upper: string | readonly string[], lower: string | readonly string[] | null, opts: CollectOptions): Collected {
    const lowerTuple: readonly (string | null)[] = lower === null ? [] : typeof lower === "string" ? [lower] : lower;
    let targets: GraphNode[] = this.resolver
      .parseUpgradeTarget(lowerTuple, upper, opts.assertRelativeLength)
      .map((r) => requireNode(r, label(upper)));

    if (typeof lower === "string" && lower.includes("@")) {
      let branch = lower.slice(0, lower.indexOf("@"));
      const branchRev = this.resolver.revision(branch);
      if (branchRev !== null && branchRev.id === branch) {
        // a revision id used as the label: Alembic takes that revision's one branch label
        const labels = [...branchRev.labels];
        if (labels.length !== 1) {
          throw new StrataError("TARGET_AMBIGUOUS", `revision ${branch} used as a branch carries ${labels.length} branch labels; use a label instead`, { revision: branch });
        }
        branch = labels[0]!;
      }
      targets = [...new Set(targets.filter((t) => t.labels.has(branch)))];
    }

    const required = new Set(this.graph.ancestors(targets, true, true));
    for (const t of targets) required.add(t);

    let current = this.resolver.revisions(lower);
    let lowerNow: string | readonly string[] | null = lower;
    if (!opts.implicitBase && current.some((r) => r !== null && !(isNode(r) && required.has(r)))) {
      throw new RangeNotAncestor(label(lower), label(upper));
    }
    if (current.length > 0 && current[0] === null) {
      const upperTuple = typeof upper === "string" ? [upper] : upper;
      const rev = this.resolver.parseDowngradeTarget(upperTuple, typeof lower === "string" ? lower : null, opts.assertRelativeLength).target;
      if (rev === null) throw new StrataError("RELATIVE_OUT_OF_RANGE", `'${label(lower)}' walks past the end of the history; use a smaller step`, { target: label(lower) });
      if (rev === BASE) {
        current = [];
        lowerNow = null;
      } else {
        current = [rev];
        lowerNow = rev.id;
      }
    }
    const currentNodes = current.map((r) => requireNode(r, label(lowerNow)));
    const have = new Set(this.graph.ancestors(currentNodes, true, true));
    for (const c of currentNodes) have.add(c);

    const needs = new Set([...required].filter((r) => !have.has(r)));
    if (opts.inclusive) {
      for (const r of this.resolver.revisions(lowerNow)) needs.add(requireNode(r, label(lowerNow)));
    }
    if (currentNodes.length > 0 && !opts.implicitBase) {
      const above = new Set(this.graph.descendants(currentNodes, false, true));
      for (const n of [...needs]) if (!above.has(n)) needs.delete(n);
    }
    return { revisions: needs, heads: targets };
  }

  /** Alembic's _collect_downgrade_revisions: what must go, from the `upper` heads down to `lower`. */
  collectDowngrade(upper: readonly string[], lower: string | null, opts: CollectOptions): Collected {
    const parsed = this.resolver.parseDowngradeTarget(upper, lower, opts.assertRelativeLength);
    const branchLabel = parsed.label;
    const target = parsed.target === BASE ? null : parsed.target;

    let roots: GraphNode[];
    if (target === null) {
      roots = [...this.graph.nodes.values()].filter((n) => n.down.length === 0);
    } else if (opts.inclusive) {
      roots = [target];
    } else {
      roots = this.resolver.revisions(target.next).map((r) => requireNode(r, label(lower)));
    }

    if (branchLabel && roots.length > 1) {
      const onBranch = this.graph.ancestorIds([this.resolver.resolveBranch(branchLabel)], false);
      roots = this.resolver
        .revisions(roots.map((r) => r.id).filter((id) => onBranch.has(id)))
        .map((r) => requireNode(r, label(lower)));
      if (roots.length === 0) {
        throw new StrataError("TARGET_INVALID", `'${label(lower)}' is not a valid downgrade target from the current heads (${label(upper)}); pick a revision below them`, {
          target: lower,
          heads: [...upper],
        });
      }
    }

    const heads = this.resolver.revisions(upper).map((r) => requireNode(r, label(upper)));
    const active = new Set(this.graph.ancestors(heads, true));
    const drop = new Set(this.graph.descendants(roots, true).filter((n) => active.has(n)));
    if (opts.implicitBase) {
      const keep = new Set(this.graph.ancestors(roots));
      for (const n of active) if (!keep.has(n)) drop.add(n);
    }
    if (target !== null && drop.size === 0 && !heads.includes(target)) {
      throw new RangeNotAncestor(label(lower), label(upper));
    }
    return { revisions: drop, heads };
  }
}
