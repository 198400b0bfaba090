import { memo } from "react";
import type { GraphRow } from "./lane-layout.js";

/** Horizontal space per lane and the row height, shared by the SVG and the list. */
export const LANE_WIDTH = 14;
export const ROW_HEIGHT = 30;

const laneX = (lane: number): number => 8 + lane * LANE_WIDTH;
const laneColor = (lane: number): string => `var(--lane-${lane % 6})`;

/** A bent line between two lanes across half a row, straight when the lanes are the same. */
function edgePath(x1: number, y1: number, x2: number, y2: number): string {
  if (x1 === x2) return `M${x1} ${y1}V${y2}`;
  const my = (y1 + y2) / 2;
  return `M${x1} ${y1}C${x1} ${my} ${x2} ${my} ${x2} ${y2}`;
}

/** Draws one row of the lane graph: lines passing through, lines arriving at and leaving the node, the node. */
export const GraphRowSvg = memo(function GraphRowSvg({ row, width }: { readonly row: GraphRow; readonly width: number }) {
  const mid = ROW_HEIGHT / 2;
  const x = laneX(row.lane);
  return (
    <svg width={laneX(width - 1) + 10} height={ROW_HEIGHT} aria-hidden="true">
      {row.through.map((l) => (
        <path key={`t${l}`} d={edgePath(laneX(l), 0, laneX(l), ROW_HEIGHT)} stroke={laneColor(l)} strokeWidth={2} fill="none" />
      ))}
      {row.into.map((l) => (
        <path key={`i${l}`} d={edgePath(laneX(l), 0, x, mid)} stroke={laneColor(l)} strokeWidth={2} fill="none" />
      ))}
      {row.outTo.map((l) => (
        <path key={`o${l}`} d={edgePath(x, mid, laneX(l), ROW_HEIGHT)} stroke={laneColor(Math.max(l, row.lane))} strokeWidth={2} fill="none" />
      ))}
      {row.isMerge ? (
        <rect x={x - 5} y={mid - 5} width={10} height={10} transform={`rotate(45 ${x} ${mid})`} fill="var(--bg)" stroke={laneColor(row.lane)} strokeWidth={2} />
      ) : (
        <circle cx={x} cy={mid} r={row.isHead ? 5.5 : 4.5} fill={row.isHead ? laneColor(row.lane) : "var(--bg)"} stroke={laneColor(row.lane)} strokeWidth={2} />
      )}
    </svg>
  );
});
