import { describe, expect, it } from "vitest";
import { laneColor } from "../../../renderer/graph/lane-color.js";
import { layoutGraph, layoutLanes, orderNewestFirst, type GraphLayout, type LayoutInput } from "../../../renderer/graph/lane-layout.js";
import { readAlembicFixture } from "../../helpers/alembic-fixture.js";

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

  it("handles two independent bases (a second root) beside the trunk, lane 0 being the trunk's alone", () => {
    const { layout } = layoutGraph(graph("a:", "b:a", "x:", "y:x"));
    expect(layout.rows.map((r) => `${r.revision}@${r.lane}`)).toEqual(["b@0", "a@0", "y@1", "x@1"]);
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

/**
 * What a person reads as "the trunk stays put": lane 0 holds exactly one first-parent line, from
 * a head down to a base; every revision continues the lane of its first-parent child listed first
 * (the trunk child on the trunk), so no line changes lane part way; no line passes through a node.
 */
function expectStableLanes(input: readonly LayoutInput[], layout: GraphLayout): void {
  const byId = new Map(input.map((r) => [r.revision, r] as const));
  const rows = layout.rows;
  const trunk = rows.filter((r) => r.isTrunk);
  expect(trunk.length).toBeGreaterThan(0);
  expect(trunk[0]!.isHead).toBe(true);
  expect(trunk.at(-1)!.isBase).toBe(true);
  for (let k = 1; k < trunk.length; k++) expect(byId.get(trunk[k - 1]!.revision)!.downRevisions[0]).toBe(trunk[k]!.revision);
  for (const r of rows) {
    expect(r.lane === 0, `${r.revision} on lane ${r.lane}`).toBe(r.isTrunk);
    expect(r.through, `a line passes through ${r.revision}`).not.toContain(r.lane);
    const firstChild = rows.find((c) => byId.get(c.revision)!.downRevisions[0] === r.revision && (!r.isTrunk || c.isTrunk));
    if (firstChild) expect(r.lane, `${r.revision} leaves the lane of ${firstChild.revision}`).toBe(firstChild.lane);
  }
}

describe("the trunk and the branches keep their lanes (issue 19)", () => {
  it("keeps the trunk on lane 0 when a short branch head is listed above it", () => {
    // Before issue 19 the branch head f2 took lane 0 and the trunk moved from lane 1 to lane 0 at b.
    const g = graph("a:", "b:a", "f1:b", "f2:f1", "c:b", "d:c", "e:d");
    expect(picture(g)).toEqual([
      "f2 lane1 into[] through[] out[1]",
      "f1 lane1 into[1] through[] out[1]",
      "e lane0 into[] through[1] out[0]",
      "d lane0 into[0] through[1] out[0]",
      "c lane0 into[0] through[1] out[0]",
      "b lane0 into[0,1] through[] out[0]",
      "a lane0 into[0] through[] out[]",
    ]);
    expectStableLanes(g, layoutGraph(g).layout);
  });

  it("keeps a branch on its lane when a merge's second line already waits for its fork", () => {
    // m merges t and x; x's branch (x, w) starts at v, which w continues: v keeps w's lane, not the merge line's.
    const g = graph("a:", "v:a", "w:v", "x:w", "t:a", "m:t,v", "h:m", "y:x");
    const { layout } = layoutGraph(g);
    expectStableLanes(g, layout);
    const lane = (id: string): number => layout.rows[layout.indexOf.get(id)!]!.lane;
    expect(lane("v")).toBe(lane("w"));
    expect(lane("w")).toBe(lane("y"));
  });

  it("holds on a long trunk with a branch every few revisions, some merged back and some left open", () => {
    const g: LayoutInput[] = [{ revision: "t0", downRevisions: [] }];
    for (let i = 1; i <= 300; i++) {
      const prev = g.find((r) => r.revision === `t${i - 1}`)!.revision;
      if (i % 7 === 0) {
        // a two-revision branch from t(i-1), merged into the trunk at t(i) when i is a multiple of 14
        g.push({ revision: `b${i}a`, downRevisions: [prev] }, { revision: `b${i}b`, downRevisions: [`b${i}a`] });
        g.push({ revision: `t${i}`, downRevisions: i % 14 === 0 ? [prev, `b${i}b`] : [prev] });
      } else {
        g.push({ revision: `t${i}`, downRevisions: [prev] });
      }
    }
    const { layout } = layoutGraph(g);
    expectStableLanes(g, layout);
    expect(layout.rows.filter((r) => r.isTrunk).map((r) => r.revision)).toEqual(Array.from({ length: 301 }, (_, k) => `t${300 - k}`));
  });

  it("holds on every graph recorded from real Alembic", () => {
    for (const { revisions } of readAlembicFixture().graphs) {
      const g = revisions.map((r) => ({ revision: r.revision, downRevisions: r.downRevision === null ? [] : ([] as string[]).concat(r.downRevision) }));
      expectStableLanes(g, layoutGraph(g).layout);
    }
  });

  it("gives lane 0 a colour no other lane takes", () => {
    for (let l = 1; l < 40; l++) expect(laneColor(l)).not.toBe(laneColor(0));
  });
});

describe("depends_on lines", () => {
  it("draws each depends_on as a line of its own right of the lanes, from the dependent to its dependency", () => {
    // c1 (contract) depends on e1 (expand), c2 on e2: both lines span rows of other revisions.
    const g: LayoutInput[] = [
      { revision: "base", downRevisions: [] },
      { revision: "e1", downRevisions: ["base"] },
      { revision: "e2", downRevisions: ["e1"] },
      { revision: "c1", downRevisions: ["base"], dependencies: ["e1"] },
      { revision: "c2", downRevisions: ["c1"], dependencies: ["e2"] },
    ];
    const { layout } = layoutGraph(g);
    const at = (id: string) => layout.rows[layout.indexOf.get(id)!]!.dependencies.map((m) => `${m.lane}:${m.node ?? "-"}:${m.up ? "u" : ""}${m.down ? "d" : ""}`);
    expect(layout.rows.map((r) => r.revision)).toEqual(["e2", "e1", "c2", "c1", "base"]);
    expect(layout.dependencyLanes).toBe(2);
    expect(at("e2")).toEqual(["0:dependency:d"]);
    expect(at("e1")).toEqual(["0:-:ud", "1:dependency:d"]);
    expect(at("c2")).toEqual(["0:dependent:u", "1:-:ud"]);
    expect(at("c1")).toEqual(["1:dependent:u"]);
    expect(at("base")).toEqual([]);
  });

  it("reuses a dependency lane once its line has ended and ignores a dependency outside the list", () => {
    const g: LayoutInput[] = [
      { revision: "a", downRevisions: [] },
      { revision: "b", downRevisions: ["a"], dependencies: ["a"] },
      { revision: "c", downRevisions: ["b"] },
      { revision: "d", downRevisions: ["c"], dependencies: ["c", "gone"] },
    ];
    const { layout } = layoutGraph(g);
    expect(layout.dependencyLanes).toBe(1);
    expect(layout.rows.map((r) => r.dependencies.length)).toEqual([1, 1, 1, 1]);
  });
});

describe("layoutGraph", () => {
  it("does not take a second parent for the first where the first written is not in the list", () => {
    // b's first parent is gone: b does not continue a's line, so a is not on the trunk with it.
    expect(picture(graph("a:", "b:gone,a", "c:"))).toEqual(["b lane0 into[] through[] out[1]", "a lane1 into[1] through[] out[]", "c lane1 into[] through[] out[]"]);
  });
});
