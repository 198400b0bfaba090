import { Fragment } from "react";
import { markChangedWords, pairDefinitionLines, type DefinitionRow } from "./definition-lines.js";

/** A changed line with the words that differ from its partner marked. */
function MarkedLine({ text, other, side }: { readonly text: string; readonly other: string; readonly side: "left" | "right" }) {
  const pieces = side === "left" ? markChangedWords(text, other).left : markChangedWords(other, text).right;
  return <>{pieces.map((p, i) => (p.changed ? <mark key={i}>{p.text}</mark> : <Fragment key={i}>{p.text}</Fragment>))}</>;
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
        <colgroup>
          <col className="def-no-col" />
          <col />
          <col className="def-no-col" />
          <col />
        </colgroup>
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
