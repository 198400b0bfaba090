import { diffArrays } from "diff";

/** One row of the side-by-side view: a line on each side (null where that side has none there). */
export interface DefinitionRow {
  readonly left: string | null;
  readonly right: string | null;
  readonly change: "same" | "changed" | "removed" | "added";
}

const lines = (text: string): string[] => text.replace(/\n$/, "").split("\n");

/**
 * What two lines are compared by: without identifier quotes ("name", `name`), a trailing comma
 * (the line before an added column gains one) or case, so two dialects' spellings of one column
 * line up and only what differs is highlighted.
 */
export function lineKey(line: string): string {
  return line.replace(/["`]/g, "").replace(/,\s*$/, "").trim().toLowerCase();
}

/**
 * Lines of two definitions paired for a side-by-side view: equal lines side by side, a run of
 * removed lines beside the run of added lines that replaced it, the rest against a gap. Each
 * side keeps its own spelling of a line the two share.
 */
export function pairDefinitionLines(left: string, right: string): DefinitionRow[] {
  const leftLines = left === "" ? [] : lines(left);
  const rightLines = right === "" ? [] : lines(right);
  let li = 0;
  let ri = 0;
  const rows: DefinitionRow[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = (): void => {
    for (let i = 0; i < Math.max(removed.length, added.length); i++) {
      const l = removed[i] ?? null;
      const r = added[i] ?? null;
      rows.push({ left: l, right: r, change: l !== null && r !== null ? "changed" : l !== null ? "removed" : "added" });
    }
    removed = [];
    added = [];
  };
  const parts = diffArrays(leftLines, rightLines, { comparator: (a, b) => lineKey(a) === lineKey(b) });
  for (const part of parts) {
    const n = part.count ?? part.value.length;
    if (part.removed) removed.push(...leftLines.slice(li, (li += n)));
    else if (part.added) added.push(...rightLines.slice(ri, (ri += n)));
    else {
      flush();
      for (let i = 0; i < n; i++) rows.push({ left: leftLines[li + i]!, right: rightLines[ri + i]!, change: "same" });
      li += n;
      ri += n;
    }
  }
  flush();
  return rows;
}

/** A piece of a line, and whether it differs from the line it is paired with. */
export interface LinePiece {
  readonly text: string;
  readonly changed: boolean;
}

const tokens = (line: string): string[] => line.split(/(\s+|[(),;])/).filter((t) => t !== "");
const tokenKey = (t: string): string => t.replace(/["`]/g, "").toLowerCase();

/**
 * Two paired lines cut into words, each marked where it differs from the other side; identifier
 * quotes and case are not differences (two dialects spell `name` and "name").
 */
export function markChangedWords(left: string, right: string): { readonly left: readonly LinePiece[]; readonly right: readonly LinePiece[] } {
  const l = tokens(left);
  const r = tokens(right);
  const out: { left: LinePiece[]; right: LinePiece[] } = { left: [], right: [] };
  let li = 0;
  let ri = 0;
  for (const part of diffArrays(l, r, { comparator: (a, b) => tokenKey(a) === tokenKey(b) })) {
    const n = part.count ?? part.value.length;
    if (part.removed) out.left.push(...l.slice(li, (li += n)).map((text) => ({ text, changed: text.trim() !== "" })));
    else if (part.added) out.right.push(...r.slice(ri, (ri += n)).map((text) => ({ text, changed: text.trim() !== "" })));
    else {
      out.left.push(...l.slice(li, (li += n)).map((text) => ({ text, changed: false })));
      out.right.push(...r.slice(ri, (ri += n)).map((text) => ({ text, changed: false })));
    }
  }
  return out;
}
