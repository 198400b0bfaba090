import { memo } from "react";
import { laneColor } from "./lane-color.js";
import type { DependencyMark, GraphRow } from "./lane-layout.js";

/** Horizontal space per lane and the row height, shared by the lane drawing and the list. */
export const LANE_WIDTH = 14;
export const ROW_HEIGHT = 30;
/** Horizontal space per depends_on lane, right of the lanes. */
const DEPENDENCY_LANE_WIDTH = 8;
/**
 * Rows per lane drawing. The lanes of a block of rows are one SVG laid over the rows, not one
 * SVG per row (issue 19 point 7): a scroll adds a drawing every this many rows instead of
 * redrawing an SVG in every row that scrolls in.
 */
export const LANE_BLOCK_ROWS = 16;

const laneX = (lane: number): number => 8 + lane * LANE_WIDTH;
const firstDependencyX = (width: number): number => laneX(width - 1) + 14;

/** How wide the lane drawing is: the lanes, then the depends_on lanes if any. */
export function lanesWidth(width: number, dependencyLanes: number): number {
  return dependencyLanes > 0 ? firstDependencyX(width) + dependencyLanes * DEPENDENCY_LANE_WIDTH : laneX(width - 1) + 10;
}

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
 * One row's piece of the lane graph, `y` down the block: lines passing through, lines arriving at
 * and leaving the node, depends_on lines, the node. A node is filled where the selected
 * environment has it applied and hollow and faint where not (`applied` false).
 */
function RowLanes({ row, y, width, applied, flagged }: {
  readonly row: GraphRow;
  readonly y: number;
  readonly width: number;
  /** null: not known (no environment, or it cannot be reached). */
  readonly applied: boolean | null;
  /** A failed, edited, missing or half-applied state sits on this revision: ringed in red. */
  readonly flagged: boolean;
}) {
  const mid = ROW_HEIGHT / 2;
  const x = laneX(row.lane);
  const color = laneColor(row.lane);
  const fill = applied === false ? "var(--bg)" : color;
  const nodeOpacity = applied === false ? 0.5 : 1;
  return (
    <g transform={`translate(0 ${y})`} data-node={row.revision} data-lane={row.lane} data-applied={applied === null ? undefined : String(applied)} data-flagged={flagged || undefined}>
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
        <DependencyPiece key={`d${m.lane}`} m={m} nodeX={x} firstX={firstDependencyX(width)} />
      ))}
      {flagged && <circle cx={x} cy={mid} r={8.5} fill="none" stroke="var(--danger)" strokeWidth={2} data-ring />}
      {row.isMerge ? (
        <rect className="node" x={x - 5} y={mid - 5} width={10} height={10} transform={`rotate(45 ${x} ${mid})`} fill={fill} stroke={color} strokeWidth={2} opacity={nodeOpacity} />
      ) : (
        <circle className="node" cx={x} cy={mid} r={row.isHead ? 5.5 : 4.5} fill={fill} stroke={color} strokeWidth={2} opacity={nodeOpacity} />
      )}
    </g>
  );
}

/**
 * The lane graph of rows [block × LANE_BLOCK_ROWS, + LANE_BLOCK_ROWS) in one SVG, laid over the
 * rows (which leave it room) and letting clicks through to them. Nothing in it changes with
 * the scroll, so a block in view is not drawn again until the layout or the environment changes.
 */
export const GraphLaneBlock = memo(function GraphLaneBlock({
  rows,
  block,
  width,
  dependencyLanes,
  pending,
  pendingKnown,
  flagged,
}: {
  readonly rows: readonly GraphRow[];
  readonly block: number;
  readonly width: number;
  readonly dependencyLanes: number;
  /** Revisions the selected environment has not applied; ignored while `pendingKnown` is false. */
  readonly pending: ReadonlySet<string>;
  readonly pendingKnown: boolean;
  /** Revisions with a failed, edited, missing or half-applied state. */
  readonly flagged: ReadonlyMap<string, unknown>;
}) {
  const from = block * LANE_BLOCK_ROWS;
  const slice = rows.slice(from, from + LANE_BLOCK_ROWS);
  return (
    <svg
      className="graph-lanes"
      width={lanesWidth(width, dependencyLanes)}
      height={slice.length * ROW_HEIGHT}
      style={{ top: from * ROW_HEIGHT }}
      aria-hidden="true"
      data-block={block}
    >
      {slice.map((row, i) => (
        <RowLanes
          key={row.revision}
          row={row}
          y={i * ROW_HEIGHT}
          width={width}
          applied={pendingKnown ? !pending.has(row.revision) : null}
          flagged={flagged.has(row.revision)}
        />
      ))}
    </svg>
  );
});
