/** What the graph's search box looks at in a revision. */
export interface SearchableRevision {
  readonly revision: string;
  readonly message: string;
  readonly branchLabels: readonly string[];
  /** Labels in effect through the branch: searching a label finds its whole branch. */
  readonly inheritedLabels?: readonly string[];
  /** No child: what `heads` and `LABEL@head` name. */
  readonly isHead?: boolean;
}

/** An environment the search can name: `prod` finds where prod stands. */
export interface SearchEnvironment {
  readonly name: string;
  /** Its version table's rows; null where it cannot be read. */
  readonly heads: readonly string[] | null;
}

/** A query read as a target (Alembic's words for where to go), with the revisions it names. */
export interface SearchTarget {
  /** For people: "the heads of branch billing", "where prod stands". */
  readonly description: string;
  /** Indices into the list, in list order. */
  readonly matches: readonly number[];
}

const hasLabel = (r: SearchableRevision, label: string): boolean => r.branchLabels.includes(label) || (r.inheritedLabels?.includes(label) ?? false);

/**
 * The revisions a query names as a target: `heads`, `head` (when there is one), `LABEL@head`,
 * an environment's name (where its version table stands). null when the query is no target.
 */
export function searchTarget(revisions: readonly SearchableRevision[], query: string, environments: readonly SearchEnvironment[] = []): SearchTarget | null {
  const q = query.trim();
  const pick = (keep: (r: SearchableRevision) => boolean): number[] => {
    const out: number[] = [];
    revisions.forEach((r, i) => keep(r) && out.push(i));
    return out;
  };
  if (q === "heads") return { description: "every head", matches: pick((r) => r.isHead === true) };
  if (q === "head") {
    const heads = pick((r) => r.isHead === true);
    return heads.length === 1 ? { description: "the head", matches: heads } : { description: `"head" is ambiguous: there are ${heads.length} heads`, matches: heads };
  }
  const env = environments.find((e) => e.name.toLowerCase() === q.toLowerCase());
  if (env) {
    const at = new Set(env.heads ?? []);
    return { description: env.heads === null ? `${env.name} cannot be reached` : env.heads.length === 0 ? `${env.name} is empty` : `where ${env.name} stands`, matches: pick((r) => at.has(r.revision)) };
  }
  const labelHead = /^(.+)@head$/.exec(q);
  if (labelHead) {
    const label = labelHead[1]!;
    if (revisions.some((r) => hasLabel(r, label))) return { description: `the head of branch ${label}`, matches: pick((r) => r.isHead === true && hasLabel(r, label)) };
  }
  return null;
}

/**
 * Indices of the revisions matching a query, in list order: those it names as a target first
 * (see searchTarget), then an id, a message or a branch label containing it (case-insensitive).
 * An empty query matches nothing.
 */
export function searchRevisions(revisions: readonly SearchableRevision[], query: string, environments: readonly SearchEnvironment[] = []): number[] {
  const q = query.trim().toLowerCase();
  if (q === "") return [];
  const target = searchTarget(revisions, query, environments);
  const out: number[] = target ? [...target.matches] : [];
  const named = new Set(out);
  revisions.forEach((r, i) => {
    if (named.has(i)) return;
    if (r.revision.toLowerCase().includes(q) || r.message.toLowerCase().includes(q) || r.branchLabels.some((l) => l.toLowerCase().includes(q)) || r.inheritedLabels?.some((l) => l.toLowerCase().includes(q))) out.push(i);
  });
  return out;
}
