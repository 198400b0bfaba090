import type { ProjectSummaryDto } from "../../shared/api.js";

/** A revision with its links resolved to ids, as the graph screens show it. */
export interface GraphRevision {
  readonly revision: string;
  readonly message: string;
  readonly downRevisions: readonly string[];
  readonly children: readonly string[];
  /** Its own branch labels, as declared. */
  readonly branchLabels: readonly string[];
  /** Labels it inherits along its branch (Alembic's labels in effect, less its own; issue 20). */
  readonly inheritedLabels: readonly string[];
  readonly dependsOn: readonly string[];
  /** depends_on resolved to full ids (what the dashed lines join). */
  readonly dependencies: readonly string[];
  /** The last git commit of its file (author date, ISO; author name); null where git does not know it. */
  readonly committed: { readonly date: string; readonly author: string } | null;
  /** Relative to the project root. */
  readonly file: string | null;
  readonly isHead: boolean;
  /** A head another revision depends on: `heads` does not upgrade to it on its own. */
  readonly isEffectiveHead: boolean;
  readonly isMergePoint: boolean;
}

const NONE: readonly string[] = [];
const built = new WeakMap<ProjectSummaryDto, readonly GraphRevision[]>();

/**
 * The summary's compact revisions (parents as indexes) with parents, children and flags as ids,
 * in the summary's order. Built once per summary: every screen of the same load shares it.
 */
export function graphRevisions(summary: ProjectSummaryDto): readonly GraphRevision[] {
  const cached = built.get(summary);
  if (cached) return cached;
  const revs = summary.revisions;
  const children: (string[] | undefined)[] = new Array(revs.length);
  revs.forEach((r) => {
    for (const p of r.parents) (children[p] ??= []).push(r.id);
  });
  const folder = summary.migrations === "." ? "" : `${summary.migrations}/`;
  const out = revs.map(
    (r, i): GraphRevision => ({
      revision: r.id,
      message: r.message,
      downRevisions: r.parents.length === 0 ? NONE : r.parents.map((p) => revs[p]!.id),
      children: children[i] ?? NONE,
      branchLabels: r.branchLabels ?? NONE,
      inheritedLabels: r.inheritedLabels ?? NONE,
      dependsOn: r.dependsOn ?? NONE,
      dependencies: r.dependencies ? r.dependencies.map((d) => revs[d]!.id) : NONE,
      committed: r.gitDate !== undefined ? { date: r.gitDate, author: r.gitAuthor ?? "" } : null,
      file: r.file === undefined ? null : folder + r.file,
      isHead: children[i] === undefined,
      isEffectiveHead: r.effectiveHead === true,
      isMergePoint: r.parents.length > 1,
    }),
  );
  built.set(summary, out);
  return out;
}
