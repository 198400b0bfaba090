import type { RevisionMap } from "../engine/revisions/index.js";

/**
 * The lines Alembic 1.8 prints for revisions (script/base.py `Script._head_only` and
 * `log_entry`), so `heads`, `history`, `current` and `show` read as an Alembic user expects
 * (issue 20). Compared with recorded Alembic output in test/integration/cli/alembic-output.test.ts.
 */

/** What a line shows about one revision, beyond what the graph knows. */
export interface RevisionText {
  readonly revision: string;
  readonly downRevisions: readonly string[];
  /** depends_on as written in the file. */
  readonly dependsOn: readonly string[];
  readonly message: string;
}

/** The parts of Alembic's one-line form a command asks for. */
export interface HeadOnlyOptions {
  readonly includeBranches?: boolean;
  readonly includeDoc?: boolean;
  readonly includeParents?: boolean;
  readonly treeIndicators?: boolean;
}

function down(r: RevisionText): string {
  return r.downRevisions.length === 0 ? "<base>" : r.downRevisions.join(", ");
}

/** First paragraph of the message: Alembic's `doc`. */
function doc(message: string): string {
  return message.trim().split(/\n\n/)[0] ?? "";
}

/**
 * One line: `PARENTS (DEPENDS) -> REV (labels) (head) (branchpoint), message`. `(head)` is a head
 * nothing depends on; `(effective head)` a head another revision depends on.
 */
export function headOnlyLine(map: RevisionMap, r: RevisionText, opts: HeadOnlyOptions): string {
  let text = r.revision;
  if (opts.includeParents) {
    text = r.dependsOn.length ? `${down(r)} (${r.dependsOn.join(", ")}) -> ${text}` : `${down(r)} -> ${text}`;
  }
  const labels = map.branchLabels(r.revision);
  if (opts.includeBranches && labels.length) text += ` (${labels.join(", ")})`;
  const isHead = map.children(r.revision).length === 0;
  const realHead = map.isRealHead(r.revision);
  if (realHead) text += " (head)";
  else if (isHead) text += " (effective head)";
  if (opts.treeIndicators ?? true) {
    if (map.children(r.revision).length > 1) text += " (branchpoint)";
    if (r.downRevisions.length > 1) text += " (mergepoint)";
  }
  if (opts.includeDoc) text += `, ${doc(r.message)}`;
  return text;
}

/**
 * Alembic's verbose entry: Rev, Merges / Parent, Also depends on, Branches into, Branch names,
 * Path, then the docstring Alembic's template writes (message, Revision ID, Revises, Create
 * Date), indented; a blank line ends it.
 */
export function logEntryLines(map: RevisionMap, r: RevisionText, path: string | null, createDate: string | null): string[] {
  const children = map.children(r.revision);
  const isMerge = r.downRevisions.length > 1;
  const labels = map.branchLabels(r.revision);
  const lines = [
    `Rev: ${r.revision}${children.length === 0 ? " (head)" : ""}${children.length > 1 ? " (branchpoint)" : ""}${isMerge ? " (mergepoint)" : ""}`,
    `${isMerge ? "Merges" : "Parent"}: ${down(r)}`,
  ];
  if (r.dependsOn.length) lines.push(`Also depends on: ${r.dependsOn.join(", ")}`);
  if (children.length > 1) lines.push(`Branches into: ${children.join(", ")}`);
  if (labels.length) lines.push(`Branch names: ${labels.join(", ")}`);
  lines.push(`Path: ${path ?? "(no file)"}`, "");
  const docstring = [r.message.trim(), "", `Revision ID: ${r.revision}`, `Revises: ${r.downRevisions.join(", ")}`];
  if (createDate) docstring.push(`Create Date: ${createDate}`);
  for (const para of docstring.join("\n").split("\n")) lines.push(`    ${para}`);
  lines.push("");
  return lines;
}
