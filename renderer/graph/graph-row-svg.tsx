import { memo } from "react";
import { laneColor } from "./lane-color.js";
import type { DependencyMark, GraphRow } from "./lane-layout.js";

/** Horizontal space per lane and the row height, shared by the SVG and the list. */
export const LANE_WIDTH = 14;
export const ROW_HEIGHT = 30;
/** Horizontal space per depends_on lane, right of the lanes. */
const DEPENDENCY_LANE_WIDTH = 8;

const laneX = (lane: number): number => 8 + lane * LANE_WIDTH;

/**
 * A line between two lanes across half a row (or a whole one): a bend between two lanes, a
 * straight line where they are the same. The straight one is a 2 px rect, not a stroked path:
 * the same pixels (a butt-capped stroke of width 2 centred on x), but a rect is filled as it is,
 * where a stroke is first turned into an outline and scan-converted with antialiasing. Most of a
 * big graph's lines are straight, and the rows scrolled in are rastered on the frame's critical
 * path (issue 19 point 7, bench/graph-scroll-trace.ts).
 */
function edge(key: string, x1: number, y1: number, x2: number, y2: number, color: string) {
  if (x1 === x2) return <rect key={key} x={x1 - 1} y={y1} width={2} height={y2 - y1} fill={color} />;
  const my = (y1 + y2) / 2;
  return <path key={key} d={`M${x1} ${y1}C${x1} ${my} ${x2} ${my} ${x2} ${y2}`} stroke={color} strokeWidth={2} fill="none" />;
}

/** The dashed piece of a depends_on line in this row, with an arrowhead where it reaches what is depended on. */
function DependencyPiece({ m, nodeX, firstX }: { readonly m: DependencyMark; readonly nodeX: number; readonly firstX: number }) {
  const x = firstX + m.lane * DEPENDENCY_LANE_WIDTH;
  const mid = ROW_HEIGHT / 2;
  const d = [m.up ? `M${x} 0V${mid}` : "", m.down ? `M${x} ${mid}V${ROW_HEIGHT}` : "", m.node ? `M${nodeX + 7} ${mid}H${x}` : ""].join("");
  return (
    <g className="dependency-line" data-dependency={m.node ?? "through"}>
      <path d={d} stroke="var(--dependency)" strokeWidth={1.5} strokeDasharray="3 3" fill="none" />
      {m.node === "dependency" && <path d={`M${nodeX + 7} ${mid}l5 -3.5v7z`} fill="var(--dependency)" />}
    </g>
  );
}

/**
 * Draws one row of the lane graph: lines passing through, lines arriving at and leaving the
 * node, depends_on lines, the node. A node is filled where the selected environment has it
 * applied and hollow and faint where not (`applied` false).
 */
export const GraphRowSvg = memo(function GraphRowSvg({
  row,
  width,
  dependencyLanes,
  applied,
  flagged,
}: {
  readonly row: GraphRow;
  readonly width: number;
  readonly dependencyLanes: number;
  /** null: not known (no environment, or it cannot be reached). */
  readonly applied: boolean | null;
  /** A failed, edited, missing or half-applied state sits on this revision: ringed in red. */
  readonly flagged: boolean;
}) {
  const mid = ROW_HEIGHT / 2;
  const x = laneX(row.lane);
  const firstDependencyX = laneX(width - 1) + 14;
  const svgWidth = dependencyLanes > 0 ? firstDependencyX + dependencyLanes * DEPENDENCY_LANE_WIDTH : laneX(width - 1) + 10;
  const color = laneColor(row.lane);
  const radius = row.isHead ? 5.5 : 4.5;
  // A filled node is one shape of the stroke's outer size in the stroke's colour: the same pixels as
  // a fill and a width-2 stroke of that colour (the stroke reaches 1 px past the edge, its mitred
  // corners keep the diamond square), one shape to raster instead of two (see edge).
  const node =
    applied === false ? (
      row.isMerge ? (
        <rect data-node x={x - 5} y={mid - 5} width={10} height={10} transform={`rotate(45 ${x} ${mid})`} fill="var(--bg)" stroke={color} strokeWidth={2} opacity={0.5} />
      ) : (
        <circle data-node cx={x} cy={mid} r={radius} fill="var(--bg)" stroke={color} strokeWidth={2} opacity={0.5} />
      )
    ) : row.isMerge ? (
      <rect data-node x={x - 6} y={mid - 6} width={12} height={12} transform={`rotate(45 ${x} ${mid})`} fill={color} />
    ) : (
      <circle data-node cx={x} cy={mid} r={radius + 1} fill={color} />
    );
  return (
    <svg width={svgWidth} height={ROW_HEIGHT} aria-hidden="true" data-lane={row.lane} data-applied={applied === null ? undefined : String(applied)}>
      {row.through.map((l) => edge(`t${l}`, laneX(l), 0, laneX(l), ROW_HEIGHT, laneColor(l)))}
      {row.into.map((l) => edge(`i${l}`, laneX(l), 0, x, mid, laneColor(l)))}
      {row.outTo.map((l) => edge(`o${l}`, x, mid, laneX(l), ROW_HEIGHT, laneColor(Math.max(l, row.lane))))}
      {row.dependencies.map((m) => (
        <DependencyPiece key={`d${m.lane}`} m={m} nodeX={x} firstX={firstDependencyX} />
      ))}
      {flagged && <circle cx={x} cy={mid} r={8.5} fill="none" stroke="var(--danger)" strokeWidth={2} />}
      {node}
    </svg>
  );
});
