import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, type ReactNode } from "react";

/** A row's height before it is measured (a step row of one line, as .steps li draws it). */
const ESTIMATED_ROW = 26;
/** The gap between rows in .steps (styles.css). */
const ROW_GAP = 2;

/**
 * An ordered list of steps that draws only the rows in view (issue 19: a 2,000-step plan drew
 * 2,000 rows before its SQL appeared), as the graph and the parent picker do with
 * @tanstack/react-virtual. The list is an `<ol>` of `<li>` whatever its length: the rows out of
 * view are padding above and below, so a short plan's rows are all there, and each row says its
 * place among all of them for a screen reader.
 */
export function VirtualStepList<T>(props: {
  readonly items: readonly T[];
  readonly itemKey: (item: T) => string;
  readonly rowClass?: (item: T) => string | undefined;
  readonly renderRow: (item: T) => ReactNode;
  readonly testId?: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: props.items.length, getScrollElement: () => scrollRef.current, estimateSize: () => ESTIMATED_ROW, gap: ROW_GAP, overscan: 10 });
  const rows = virtualizer.getVirtualItems();
  const before = rows[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (rows.length > 0 ? rows[rows.length - 1]!.end : 0);
  return (
    // The box that scrolls is not the list: padding on a capped box would make it as tall as every row.
    <div className="step-list" ref={scrollRef}>
      <ol className="steps" data-testid={props.testId} style={{ paddingTop: before, paddingBottom: after }}>
        {rows.map((row) => {
          const item = props.items[row.index]!;
          return (
            <li key={props.itemKey(item)} ref={virtualizer.measureElement} data-index={row.index} aria-posinset={row.index + 1} aria-setsize={props.items.length} className={props.rowClass?.(item)}>
              {props.renderRow(item)}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
