import { diffLines, diffWordsWithSpace } from "diff";
import { Fragment } from "react";

/** One row of the side-by-side view: a line on each side (null where that side has none there). */
export interface DefinitionRow {
  readonly left: string | null;
  readonly right: string | null;
  readonly change: "same" | "changed" | "removed" | "added";
}

const lines = (text: string): string[] => text.replace(/\n$/, "").split("\n");

/**
 * Lines of two definitions paired for a side-by-side view: equal lines side by side, a run of
 * removed lines beside the run of added lines that replaced it, the rest against a gap.
 */
export function pairDefinitionLines(left: string, right: string): DefinitionRow[] {
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
  for (const part of diffLines(left, right)) {
    if (part.removed) removed.push(...lines(part.value));
    else if (part.added) added.push(...lines(part.value));
    else {
      flush();
      for (const l of lines(part.value)) rows.push({ left: l, right: l, change: "same" });
    }
  }
  flush();
  return rows;
}

/** A changed line with the words that differ from its partner marked. */
function MarkedLine({ text, other, side }: { readonly text: string; readonly other: string; readonly side: "left" | "right" }) {
  const parts = side === "left" ? diffWordsWithSpace(text, other) : diffWordsWithSpace(other, text);
  return (
    <>
      {parts.map((p, i) => {
        if (side === "left" ? p.added : p.removed) return null;
        const changed = side === "left" ? p.removed : p.added;
        return changed ? <mark key={i}>{p.value}</mark> : <Fragment key={i}>{p.value}</Fragment>;
      })}
    </>
  );
}

/**
 * Two objects' CREATE statements side by side (left: the diff's `from`, right: its `to`), each in
 * its own dialect, with the changed lines highlighted and the changed words in them marked.
 */
export function DefinitionDiff(props: {
  readonly left: string | null;
  readonly right: string | null;
  readonly leftTitle: string;
  readonly rightTitle: string;
}) {
  const rows = pairDefinitionLines(props.left ?? "", props.right ?? "");
  let leftNo = 0;
  let rightNo = 0;
  const cell = (row: DefinitionRow, side: "left" | "right") => {
    const text = row[side];
    const present = side === "left" ? props.left !== null : props.right !== null;
    const no = text === null ? "" : side === "left" ? ++leftNo : ++rightNo;
    const cls = text === null ? "gap" : row.change === "same" ? "same" : side === "left" ? "removed" : "added";
    return (
      <>
        <td className="def-no" aria-hidden="true">{no}</td>
        <td className={`def-line ${cls}`} data-change={text === null || row.change === "same" ? undefined : cls}>
          {text === null ? (present ? "" : null) : row.change === "changed" ? <MarkedLine text={text} other={(side === "left" ? row.right : row.left) ?? ""} side={side} /> : text}
        </td>
      </>
    );
  };
  return (
    <div className="def-diff panel" data-testid="definitions">
      <table>
        <thead>
          <tr>
            <th colSpan={2} scope="col">{props.leftTitle}</th>
            <th colSpan={2} scope="col">{props.rightTitle}</th>
          </tr>
        </thead>
        <tbody>
          {props.left === null || props.right === null ? (
            <tr className="def-absent">
              <td colSpan={2} className="muted">{props.left === null ? "Not on this side." : ""}</td>
              <td colSpan={2} className="muted">{props.right === null ? "Not on this side." : ""}</td>
            </tr>
          ) : null}
          {rows.map((row, i) => (
            <tr key={i} data-row-change={row.change}>
              {cell(row, "left")}
              {cell(row, "right")}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
