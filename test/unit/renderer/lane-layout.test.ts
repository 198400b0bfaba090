import { describe, expect, it } from "vitest";
import { layoutGraph, layoutLanes, orderNewestFirst, type LayoutInput } from "../../../renderer/graph/lane-layout.js";

/** "b:a" is revision b with parent a; "m:a,b" a merge; "a:" a base. */
function graph(...specs: string[]): LayoutInput[] {
  return specs.map((s) => {
    const [revision, parents] = s.split(":") as [string, string];
    return { revision, downRevisions: parents ? parents.split(",") : [] };
  });
}

/** One line per row, e.g. "m lane0 into[] through[] out[0,1]", so a failure reads like the picture. */
function picture(specs: LayoutInput[]): string[] {
  const { layout } = layoutGraph(specs);
  return layout.rows.map((r) => `${r.revision} lane${r.lane} into[${r.into}] through[${r.through}] out[${r.outTo}]`);
}

describe("orderNewestFirst", () => {
  it("puts every child above its parents whatever order the files came in", () => {
    const order = orderNewestFirst(graph("a:", "c:b", "b:a")).map((r) => r.revision);
    expect(order).toEqual(["c", "b", "a"]);
  });

  it("keeps a side branch together below the merge, like git --topo-order", () => {
    // a - b - c - m (main: b, c), side: s1, s2 from a, merged at m
    const order = orderNewestFirst(graph("a:", "b:a", "s1:a", "c:b", "s2:s1", "m:c,s2")).map((r) => r.revision);
    expect(order).toEqual(["m", "c", "b", "s2", "s1", "a"]);
  });

  it("lists two heads in file order", () => {
    const order = orderNewestFirst(graph("a:", "x:a", "y:a")).map((r) => r.revision);
    expect(order).toEqual(["x", "y", "a"]);
  });
});

describe("layoutLanes", () => {
  it("draws a linear history on one lane", () => {
    expect(picture(graph("a:", "b:a", "c:b"))).toEqual([
      "c lane0 into[] through[] out[0]",
      "b lane0 into[0] through[] out[0]",
      "a lane0 into[0] through[] out[]",
    ]);
    const { layout } = layoutGraph(graph("a:", "b:a", "c:b"));
    expect(layout.maxWidth).toBe(1);
    expect(layout.rows.map((r) => [r.isHead, r.isBase])).toEqual([[true, false], [false, false], [false, true]]);
  });

  it("opens a second lane for a merge's second parent and folds it back into the parent's lane", () => {
    expect(picture(graph("a:", "b:a", "s1:a", "c:b", "s2:s1", "m:c,s2"))).toEqual([
      "m lane0 into[] through[] out[0,1]",
      "c lane0 into[0] through[1] out[0]",
      "b lane0 into[0] through[1] out[0]",
      "s2 lane1 into[1] through[0] out[1]",
      "s1 lane1 into[1] through[0] out[0]",
      "a lane0 into[0] through[] out[]",
    ]);
    const { layout } = layoutGraph(graph("a:", "b:a", "s1:a", "c:b", "s2:s1", "m:c,s2"));
    expect(layout.rows[0]!.isMerge).toBe(true);
    expect(layout.rows[5]!.isBranchPoint).toBe(true);
    expect(layout.maxWidth).toBe(2);
  });

  it("gives two unmerged heads their own lanes that join at the branch point", () => {
    expect(picture(graph("a:", "x:a", "y:a"))).toEqual([
      "x lane0 into[] through[] out[0]",
      "y lane1 into[] through[0] out[0]",
      "a lane0 into[0] through[] out[]",
    ]);
  });

  it("reuses a freed lane instead of growing wider", () => {
    // two branches in sequence: after the first merges back, the second uses lane 1 again
    const g = graph("a:", "b:a", "s:a", "m1:b,s", "c:m1", "t:m1", "m2:c,t");
    const { layout } = layoutGraph(g);
    expect(layout.maxWidth).toBe(2);
    expect(layout.rows.map((r) => r.revision)).toEqual(["m2", "c", "t", "m1", "b", "s", "a"]);
    expect(layout.rows.find((r) => r.revision === "t")!.lane).toBe(1);
    expect(layout.rows.find((r) => r.revision === "s")!.lane).toBe(1);
  });

  it("draws a merge whose parents are already waiting on lanes into those lanes", () => {
    // h1 and h2 both sit on b; merge m of b and c: b is waited for in lane 0 already
    const { layout } = layoutGraph(graph("a:", "b:a", "c:a", "h:b", "m:b,c"));
    const m = layout.rows.find((r) => r.revision === "m")!;
    const h = layout.rows.find((r) => r.revision === "h")!;
    expect(h.lane).toBe(0);
    expect(m.lane).toBe(1);
    expect(m.outTo).toContain(0);
    expect(layout.rows.find((r) => r.revision === "b")!.into).toEqual([0]);
  });

  it("handles two independent bases (a second root) without crossing lanes", () => {
    const { layout } = layoutGraph(graph("a:", "b:a", "x:", "y:x"));
    expect(layout.rows.map((r) => `${r.revision}@${r.lane}`)).toEqual(["b@0", "a@0", "y@0", "x@0"]);
  });

  it("ignores a parent outside the list (a filtered view) instead of drawing a dangling lane", () => {
    const { layout } = layoutGraph(graph("c:b", "d:c"));
    expect(layout.rows.map((r) => r.outTo.length)).toEqual([1, 0]);
    expect(layout.maxWidth).toBe(1);
  });

  it("lays out 10,000 revisions with branches quickly and keeps the width small", () => {
    const specs: LayoutInput[] = [];
    let tip = "r0";
    specs.push({ revision: tip, downRevisions: [] });
    for (let i = 1; specs.length < 10_000; i++) {
      const fork = tip;
      const main = `m${i}`;
      specs.push({ revision: main, downRevisions: [tip] });
      const side = `s${i}`;
      specs.push({ revision: side, downRevisions: [fork] });
      tip = `j${i}`;
      specs.push({ revision: tip, downRevisions: [main, side] });
    }
    const started = performance.now();
    const { layout } = layoutGraph(specs);
    expect(performance.now() - started).toBeLessThan(500);
    expect(layout.rows).toHaveLength(specs.length);
    expect(layout.maxWidth).toBe(2);
    expect(layoutLanes([]).rows).toEqual([]);
  });
});
