import { StrataError } from "../errors.js";
import type { GraphNode, RevisionGraph } from "./revision-graph.js";

/** Alembic's "base" marker as a walk result (distinct from "no revision"). */
export const BASE: unique symbol = Symbol("base");

/** What a target names: a revision, the base marker, or nothing (Alembic's None). */
export type Resolved = GraphNode | typeof BASE | null;

/** Alembic's relative form: optional `LABEL@`, optional symbol, then `+N` / `-N` (anchored at the start only). */
const RELATIVE = /^(?:(.+?)@)?([\p{L}\p{N}_]+)?([+-]\d+)/u;

/** A parsed relative target. */
export interface RelativeTarget {
  readonly label: string | null;
  readonly symbol: string | null;
  readonly relative: string;
  readonly steps: number;
}

/** Parses `+N`, `-N`, `REV+N`, `LABEL@+N`, ... or returns null when the target is absolute. */
export function parseRelative(target: string): RelativeTarget | null {
  const m = RELATIVE.exec(target);
  if (!m) return null;
  return { label: m[1] ?? null, symbol: m[2] ?? null, relative: m[3]!, steps: Number.parseInt(m[3]!, 10) };
}

/** True when a resolved target is a revision (not base, not nothing). */
export function isNode(r: Resolved | string | undefined): r is GraphNode {
  return typeof r === "object" && r !== null;
}

/** Asserts a resolved target is a revision (Alembic's is_revision). */
export function requireNode(r: Resolved | undefined, target: string): GraphNode {
  if (isNode(r)) return r;
  throw new StrataError(
    "RELATIVE_OUT_OF_RANGE",
    `target '${target}' walks ${r === BASE ? "down to base" : "past the end of the history"} and names no revision; use a smaller step or 'base'`,
    { target },
  );
}

function relativeOutOfRange(relative: string, steps: number): StrataError {
  return new StrataError(
    "RELATIVE_OUT_OF_RANGE",
    `relative revision ${relative} does not produce ${Math.abs(steps)} migration${Math.abs(steps) === 1 ? "" : "s"} from the current state; use a smaller step or an absolute target`,
    { relative },
  );
}

function multipleHeads(argument: string, heads: readonly string[]): StrataError {
  return new StrataError(
    "MULTIPLE_HEADS",
    `'${argument}' matches several heads (${heads.join(", ")}); name one revision, narrow it with LABEL@head, or use 'heads' for all`,
    { argument, heads: [...heads] },
  );
}

/** Turns target strings into revisions the way Alembic's RevisionMap does. */
export class TargetResolver {
  constructor(private readonly graph: RevisionGraph) {}

  /** Splits `LABEL@ID` and expands `heads`, `head` and `base` (Alembic's _resolve_revision_number). */
  resolveRevisionNumber(id: string | null): { ids: readonly string[]; label: string | null } {
    // An exact id wins over every syntax: a knex file may be named "a@b" or "001" (issue #15).
    if (id !== null && this.graph.nodes.has(id)) return { ids: [id], label: null };
    let label: string | null = null;
    let rest = id;
    if (id !== null && id.includes("@")) {
      const at = id.indexOf("@");
      label = id.slice(0, at) || null;
      rest = id.slice(at + 1);
    }
    if (rest === "heads") {
      return { ids: label ? this.filterForLineage(this.graph.heads, label) : this.graph.realHeads, label };
    }
    if (rest === "head") {
      const head = this.currentHead(label);
      return { ids: head ? [head] : [], label };
    }
    if (rest === "base" || rest === null) return { ids: [], label };
    return { ids: [rest], label };
  }

  /** The single head (of a branch when a label is given); MULTIPLE_HEADS when there are several. */
  currentHead(label: string | null): string | null {
    let heads: readonly string[] = this.graph.heads;
    if (label) heads = this.filterForLineage(heads, label);
    if (heads.length > 1) throw multipleHeads(label ? `${label}@head` : "head", heads);
    return heads[0] ?? null;
  }

  /** Every revision an identifier (or list of them) names; `-N` walks down from the heads. */
  revisions(id: string | null | readonly (string | null)[]): Resolved[] {
    if (Array.isArray(id)) return (id as readonly (string | null)[]).flatMap((one) => this.revisions(one));
    const { ids, label } = this.resolveRevisionNumber(id as string | null);
    if (ids.length === 1 && /^[+-]?\d+$/.test(ids[0]!) && !this.graph.nodes.has(ids[0]!)) {
      const steps = Number.parseInt(ids[0]!, 10);
      if (steps < 0) {
        let heads = this.revisions("heads").filter(isNode);
        if (label !== null) heads = heads.filter((h) => h.labels.has(label));
        return heads.map((h) => this.walk(h, steps));
      }
    }
    return ids.map((r) => this.revisionForIdent(r, label));
  }

  /** One revision or null for base; MULTIPLE_HEADS when the identifier names several. */
  revision(id: string | null): GraphNode | null {
    const { ids, label } = this.resolveRevisionNumber(id);
    if (ids.length > 1) throw multipleHeads(id ?? "heads", ids);
    return this.revisionForIdent(ids[0] ?? null, label);
  }

  /** A branch label, or failing that a revision standing for its branch. */
  resolveBranch(label: string): GraphNode {
    const exact = this.graph.lookup(label);
    if (exact) return exact;
    try {
      const rev = this.revisionForIdent(label);
      if (rev) return rev;
    } catch (e) {
      if (!(e instanceof StrataError) || (e.code !== "TARGET_UNKNOWN" && e.code !== "TARGET_AMBIGUOUS")) throw e;
    }
    throw new StrataError("TARGET_UNKNOWN", `no branch or revision '${label}'; run 'strata branches' to list branch labels`, { branch: label });
  }

  /** Exact id or label, else a unique prefix of at least four characters, checked against a branch. */
  revisionForIdent(resolvedId: string | null, checkBranch: string | null = null): GraphNode | null {
    const branchRev = checkBranch ? this.resolveBranch(checkBranch) : null;
    if (resolvedId === null) return null;
    let revision = this.graph.lookup(resolvedId);
    if (!revision) {
      let candidates: readonly string[] = this.graph.lookupKeys.filter((k) => k.length > 3 && k.startsWith(resolvedId));
      if (branchRev && checkBranch) candidates = this.filterForLineage(candidates, checkBranch);
      if (candidates.length === 0) {
        throw new StrataError(
          "TARGET_UNKNOWN",
          `no revision or branch '${resolvedId}'${resolvedId.length < 4 ? " (a partial id needs at least four characters)" : ""}; run 'strata history' to list revisions`,
          { target: resolvedId },
        );
      }
      if (candidates.length > 1) {
        throw new StrataError(
          "TARGET_AMBIGUOUS",
          `'${resolvedId}' is the start of several revisions (${candidates.join(", ")}); type more characters`,
          { target: resolvedId, candidates: [...candidates] },
        );
      }
      revision = this.graph.lookup(candidates[0]!)!;
    }
    if (checkBranch && branchRev && !this.sharesLineage(revision, [branchRev])) {
      throw new StrataError(
        "TARGET_INVALID",
        `revision ${revision.id} is not on branch '${checkBranch}'; pick a revision of that branch`,
        { revision: revision.id, branch: checkBranch },
      );
    }
    return revision;
  }

  /** Keeps the targets that are an ancestor or descendant of what `checkAgainst` names. */
  filterForLineage<T extends string | GraphNode>(targets: readonly T[], checkAgainst: string | null, includeDependencies = false): T[] {
    const { ids, label } = this.resolveRevisionNumber(checkAgainst);
    const shares: string[] = [];
    if (label) shares.push(label);
    shares.push(...ids);
    return targets.filter((t) => this.sharesLineage(t, shares, includeDependencies));
  }

  /** True when the target is an ancestor or descendant of (or is) one of the others. */
  sharesLineage(target: string | GraphNode, against: readonly (string | GraphNode)[], includeDependencies = false): boolean {
    if (against.length === 0) return true;
    const node = typeof target === "string" ? this.revisionForIdent(target) : target;
    if (!node) return false;
    const others = new Set(against.map((a) => (typeof a === "string" ? this.revisionForIdent(a) : a)));
    if (others.has(node)) return true;
    for (const n of this.graph.descendants([node], includeDependencies)) if (others.has(n)) return true;
    for (const n of this.graph.ancestors([node], includeDependencies)) if (others.has(n)) return true;
    return false;
  }

  /**
   * Walks N steps up (N > 0, along a branch when labelled) or down (N < 0); null when it walks past
   * the end and overwalking is not allowed, TARGET_AMBIGUOUS where the path forks.
   */
  walk(start: string | Resolved, steps: number, branchLabel: string | null = null, noOverwalk = true): Resolved {
    let initial: Resolved = typeof start === "string" ? this.revision(start) : start;
    for (let i = 0; i < Math.abs(steps); i++) {
      let children: Resolved[];
      if (steps > 0) {
        if (initial === BASE) throw new StrataError("TARGET_INVALID", "cannot walk up from base in a relative target; use +N alone");
        const up = this.revisions(initial === null ? this.graph.bases : initial.next).map((r) => requireNode(r, String(steps)));
        children = branchLabel ? this.filterForLineage(up, branchLabel) : up;
      } else if (initial === BASE) {
        children = [];
      } else {
        children = this.revisions(initial === null ? this.graph.heads : initial.down);
        if (children.length === 0) children = [BASE];
      }
      if (children.length === 0) return noOverwalk ? null : initial;
      if (children.length > 1) {
        throw new StrataError(
          "TARGET_AMBIGUOUS",
          `relative step ${steps > 0 ? "up" : "down"} from ${initial === null ? "base" : initial === BASE ? "base" : initial.id} is ambiguous: the history forks there (${children.map((c) => (isNode(c) ? c.id : "base")).join(", ")}); name a revision or use LABEL@+N`,
          { from: isNode(initial) ? initial.id : null },
        );
      }
      initial = children[0]!;
    }
    return initial;
  }

  /** Alembic's _parse_downgrade_target: the branch label in play and the revision to go down to. */
  parseDowngradeTarget(current: readonly string[], target: string | null, assertRelativeLength: boolean): { label: string | null; target: Resolved } {
    if (target === null) return { label: null, target: null };
    const rel = this.relativeUnlessId(target);
    if (rel) {
      let { label, symbol } = rel;
      if (rel.steps >= 0) {
        if (symbol === null) throw relativeOutOfRange(rel.relative, rel.steps);
        const rev = this.walk(symbol, rel.steps, label, assertRelativeLength);
        if (rev === null) throw walkedTooFar(target);
        return { label, target: rev };
      }
      const relativeToCurrent = symbol === null;
      if (symbol === null) {
        if (label) {
          let onBranch: readonly string[] = this.filterForLineage(current, label);
          if (onBranch.length === 0) {
            onBranch = this.filterForLineage([...this.allCurrent(current)].filter(isNode), label).map((n) => n.id);
          }
          if (onBranch.length !== 1) {
            throw new StrataError(
              "TARGET_AMBIGUOUS",
              `'${target}' is ambiguous: ${onBranch.length === 0 ? "no current head is" : "several current heads are"} on branch '${label}'; name a revision instead`,
              { target, heads: [...onBranch] },
            );
          }
          symbol = onBranch[0]!;
        } else {
          if (current.length === 0) throw relativeOutOfRange(rel.relative, rel.steps);
          // Alembic takes the first version row when several exist (and warns); so do we.
          symbol = current[0]!;
          label = symbol;
        }
      }
      const from = label === null ? this.revision(symbol) : this.revision(`${label}@${symbol}`);
      const rev = this.walk(from, rel.steps, null, assertRelativeLength);
      if (rev === null) {
        if (relativeToCurrent) throw relativeOutOfRange(rel.relative, rel.steps);
        throw walkedTooFar(target);
      }
      return { label, target: rev };
    }
    const at = target.lastIndexOf("@");
    const label = at >= 0 ? target.slice(0, at) || null : null;
    // Alembic resolves only the part after the last "@" here; the label just narrows which roots drop.
    return { label, target: this.revision(at >= 0 ? target.slice(at + 1) : target) };
  }

  /** Alembic's _parse_upgrade_target: the revisions an upgrade must reach. */
  parseUpgradeTarget(current: readonly (string | null)[], target: string | readonly string[], assertRelativeLength: boolean): Resolved[] {
    const rel = typeof target === "string" ? this.relativeUnlessId(target) : null;
    if (!rel) return this.revisions(target as string | readonly string[]);
    const { label, symbol } = rel;
    if (rel.steps > 0) {
      if (symbol !== null) return [this.walk(this.revision(symbol), rel.steps, label, assertRelativeLength)];
      const currentTup: readonly (string | null)[] = current.length === 0 ? [null] : current;
      let starts: readonly (string | GraphNode | null)[] = currentTup;
      if (label) {
        const currentNodes = this.revisions(currentTup).filter(isNode);
        starts = this.filterForLineage(currentNodes, label);
        if (starts.length === 0) {
          // The branch has no head in the version table: start from its tip below the current heads.
          const active = this.filterForLineage(this.graph.ancestors(currentNodes), label);
          const below = new Set(active.flatMap((n) => n.normalizedDown));
          starts = active.filter((n) => !below.has(n.id)).map((n) => n.id);
          if (starts.length === 0) starts = [null];
        }
      }
      if (starts.length > 1) {
        // Alembic refuses this ("Ambiguous upgrade from multiple current revisions"); name the plain targets (issue 20).
        const startIds = starts.map((s) => (typeof s === "string" ? s : (s?.id ?? "base")));
        throw new StrataError(
          "TARGET_AMBIGUOUS",
          `'${rel.relative}' is ambiguous from several current heads (${startIds.join(", ")}); say which with ${startIds.map((id) => `${id}${rel.relative}`).join(" or ")}, or LABEL@${rel.relative}`,
          { target, heads: startIds, absoluteTargets: startIds.map((id) => `${id}${rel.relative}`) },
        );
      }
      const rev = this.walk(starts[0] ?? null, rel.steps, label, assertRelativeLength);
      if (rev === null) throw relativeOutOfRange(rel.relative, rel.steps);
      return [rev];
    }
    if (symbol === null) throw relativeOutOfRange(String(rel.steps), rel.steps);
    const from = label === null ? this.revision(symbol) : this.revision(`${label}@${symbol}`);
    return [this.walk(from, rel.steps, null, assertRelativeLength)];
  }

  /** The relative form of a target, unless the target is exactly a revision id ("2023-08-16-0000-x" is a knex file, issue #15). */
  relativeUnlessId(target: string): RelativeTarget | null {
    return this.graph.nodes.has(target) ? null : parseRelative(target);
  }

  /** The current heads plus their ancestors, reduced to the tip of each branch. */
  allCurrent(ids: readonly string[]): Set<Resolved> {
    const top = new Set<Resolved>(this.revisions(ids));
    for (const n of this.graph.ancestors([...top].filter(isNode))) top.add(n);
    for (const rev of [...top]) {
      if (!isNode(rev)) continue;
      const above = this.graph.descendants([rev], false);
      if (above.some((d) => d !== rev && top.has(d))) top.delete(rev);
    }
    return top;
  }
}

function walkedTooFar(target: string): StrataError {
  return new StrataError("RELATIVE_OUT_OF_RANGE", `relative target '${target}' walks past the end of the history; use a smaller step`, { target });
}
