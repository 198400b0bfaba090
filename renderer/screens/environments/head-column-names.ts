import type { ProjectSummaryDto } from "../../../shared/api.js";
import { shortRevision } from "../../components/revision-id.js";

/**
 * A title for each graph head's column on the environments screen: its branch label (its own, else
 * the one it inherits along its branch), else its message; the id only where it has neither.
 */
export function headColumnNames(summary: ProjectSummaryDto, heads: readonly string[]): ReadonlyMap<string, string> {
  const wanted = new Set(heads);
  const names = new Map<string, string>();
  for (const r of summary.revisions) {
    if (!wanted.has(r.id)) continue;
    const label = r.branchLabels?.[0] ?? r.inheritedLabels?.[0];
    names.set(r.id, label ? `${label}@head` : r.message.trim() || shortRevision(r.id));
    if (names.size === wanted.size) break;
  }
  return names;
}
