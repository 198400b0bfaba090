import { memo } from "react";
import { laneColor } from "./lane-color.js";
import type { DependencyMark, GraphRow } from "./lane-layout.js";

/** Horizontal space per lane and the row height, shared by the SVG and the list. */
export const LANE_WIDTH = 14;
export const ROW_HEIGHT = 30;
/** Horizontal space per depends_on lane, right of the lanes. */
const DEPENDENCY_LANE_WIDTH = 8;

const laneX = (lane: number): number => 8 + lane * LANE_WIDTH;

/** A bent line between two lanes across half a row, straight when the lanes are the same. */
function edgePath(x1: number, y1: number, x2: number, y2: number): string {
  if (x1 === x2) return `M${x1} ${y1}V${y2}`;
  const my = (y1 + y2) / 2;
  return `M${x1} ${y1}C${x1} ${my} ${x2} ${my} ${x2} ${y2}`;
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
  const fill = applied === false ? "var(--bg)" : color;
  const nodeOpacity = applied === false ? 0.5 : 1;
  return (
    <svg width={svgWidth} height={ROW_HEIGHT} aria-hidden="true" data-lane={row.lane} data-applied={applied === null ? undefined : String(applied)}>
      {row.through.map((l) => (
        <path key={`t${l}`} d={edgePath(laneX(l), 0, laneX(l), ROW_HEIGHT)} stroke={laneColor(l)} strokeWidth={2} fill="none" />
      ))}
      {row.into.map((l) => (
        <path key={`i${l}`} d={edgePath(laneX(l), 0, x, mid)} stroke={laneColor(l)} strokeWidth={2} fill="none" />
      ))}
      {row.outTo.map((l) => (
        <path key={`o${l}`} d={edgePath(x, mid, laneX(l), ROW_HEIGHT)} stroke={laneColor(Math.max(l, row.lane))} strokeWidth={2} fill="none" />
      ))}
      {row.dependencies.map((m) => (
        <DependencyPiece key={`d${m.lane}`} m={m} nodeX={x} firstX={firstDependencyX} />
      ))}
      {flagged && <circle cx={x} cy={mid} r={8.5} fill="none" stroke="var(--danger)" strokeWidth={2} />}
      {row.isMerge ? (
        <rect x={x - 5} y={mid - 5} width={10} height={10} transform={`rotate(45 ${x} ${mid})`} fill={fill} stroke={color} strokeWidth={2} opacity={nodeOpacity} />
      ) : (
        <circle cx={x} cy={mid} r={row.isHead ? 5.5 : 4.5} fill={fill} stroke={color} strokeWidth={2} opacity={nodeOpacity} />
      )}
    </svg>
  );
});
