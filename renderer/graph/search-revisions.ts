/** What the graph's search box looks at in a revision. */
export interface SearchableRevision {
  readonly revision: string;
  readonly message: string;
  readonly branchLabels: readonly string[];
  /** Labels in effect through the branch: searching a label finds its whole branch. */
  readonly inheritedLabels?: readonly string[];
}

/**
 * Indices of the revisions matching a query, in list order: an id containing it, a message
 * or a branch label containing it (case-insensitive). An empty query matches nothing.
 */
export function searchRevisions(revisions: readonly SearchableRevision[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (q === "") return [];
  const out: number[] = [];
  revisions.forEach((r, i) => {
    if (r.revision.toLowerCase().includes(q) || r.message.toLowerCase().includes(q) || r.branchLabels.some((l) => l.toLowerCase().includes(q)) || r.inheritedLabels?.some((l) => l.toLowerCase().includes(q))) out.push(i);
  });
  return out;
}
