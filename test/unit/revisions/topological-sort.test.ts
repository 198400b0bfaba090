// topologicalSort was rewritten for issue 19 point 7 (a pending head's ancestry is explored only as
// deep as needed instead of in full at every merge). Graph lanes, plans and history all read its
// order, so the new one must return exactly what the old one did: the old one is kept here, as it
// was, and both run on generated graphs of several shapes.
import { describe, expect, it } from "vitest";
import { StrataError } from "../../../electron/engine/errors.js";
import { RevisionGraph, type GraphNode } from "../../../electron/engine/revisions/revision-graph.js";
import { RevisionMap } from "../../../electron/engine/revisions/revision-map.js";
import { topologicalSort } from "../../../electron/engine/revisions/topological-sort.js";
import type { RevisionRecord } from "../../../electron/engine/revisions/types.js";

// The implementation before issue 19 point 7, unchanged: a full ancestor mask per pending head.
function topologicalSortByMasks(graph: RevisionGraph, revisions: ReadonlySet<GraphNode>, heads: readonly GraphNode[]): string[] {
  const list = graph.list;
  const todo = new Uint8Array(list.length);
  let pending = 0;
  for (const r of revisions) {
    if (todo[r.order] === 0) pending++;
    todo[r.order] = 1;
  }
  const ancestorsOf = (i: number): Uint8Array => graph.ancestorMask([list[i]!]);
  const current = [...new Set(heads.filter((h) => todo[h.order] === 1).map((h) => h.order))].sort((a, b) => a - b);
  const ancestorsByIdx = current.map(ancestorsOf);
  const output: string[] = [];
  let idx = 0;
  while (current.length > 0) {
    const candidate = current[idx]!;
    const blockedBy = ancestorsByIdx.findIndex((anc, i) => i !== idx && anc[candidate] === 1);
    if (blockedBy >= 0) {
      idx = blockedBy;
      continue;
    }
    const node = list[candidate]!;
    if (todo[candidate] === 1) {
      todo[candidate] = 0;
      pending--;
      output.push(node.id);
    }
    const toAdd = node.normalizedDownIx.filter((r) => todo[r] === 1 && !current.includes(r));
    if (toAdd.length === 0) {
      current.splice(idx, 1);
      ancestorsByIdx.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else if (node.normalizedDependsOn.length === 0 && node.down.length === 1) {
      current[idx] = toAdd[0]!;
      ancestorsByIdx[idx]![candidate] = 0;
    } else {
      current[idx] = toAdd[0]!;
      ancestorsByIdx[idx] = ancestorsOf(toAdd[0]!);
      for (const extra of toAdd.slice(1)) {
        current.push(extra);
        ancestorsByIdx.push(ancestorsOf(extra));
      }
    }
  }
  if (pending > 0) {
    const left = list.filter((n) => todo[n.order] === 1).map((n) => n.id);
    throw new StrataError("TARGET_INVALID", `cannot order revisions ${left.join(", ")} below the requested heads; check their down_revision and depends_on`, {
      revisions: left,
    });
  }
  return output;
}

// A small deterministic generator (mulberry32) so that a failure names a seed that reproduces it.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Shape {
  readonly size: number;
  /** Chance that a revision starts a new base. */
  readonly newBase: number;
  /** Chance that a revision forks from an older revision instead of extending a tip. */
  readonly fork: number;
  /** Chance that a revision merges two or three tips. */
  readonly merge: number;
  readonly dependsOn: number;
  readonly label: number;
  /** Records given out of order (file names carry no meaning). */
  readonly shuffled: boolean;
}

function generate(seed: number, shape: Shape): RevisionRecord[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ids: string[] = [];
  const tips = new Set<string>();
  const records: RevisionRecord[] = [];
  for (let i = 0; i < shape.size; i++) {
    const id = `r${seed.toString(36)}x${i.toString(36).padStart(3, "0")}`;
    let down: string[] = [];
    const r = rnd();
    if (ids.length === 0 || r < shape.newBase) down = [];
    else if (r < shape.newBase + shape.merge && tips.size >= 2) {
      const many = [...tips];
      const a = pick(many);
      const b = pick(many.filter((t) => t !== a));
      down = [a, b];
      if (many.length > 2 && rnd() < 0.3) down.push(pick(many.filter((t) => t !== a && t !== b)));
    } else if (r < shape.newBase + shape.merge + shape.fork) down = [pick(ids)];
    else down = [pick([...tips])];
    const dependsOn = ids.length > 0 && rnd() < shape.dependsOn ? [pick(ids.filter((x) => !down.includes(x)).concat(ids[0]!))] : [];
    const branchLabels = rnd() < shape.label ? [`lbl${records.filter((x) => x.branchLabels.length > 0).length}s${seed}`] : [];
    for (const d of down) tips.delete(d);
    tips.add(id);
    ids.push(id);
    records.push({ revision: id, downRevisions: down, branchLabels, dependsOn: dependsOn.filter((d) => d !== id), message: `m ${i}` });
  }
  if (shape.shuffled) {
    for (let i = records.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [records[i], records[j]] = [records[j]!, records[i]!];
    }
  }
  return records;
}

const SHAPES: Record<string, Shape> = {
  "one chain": { size: 60, newBase: 0, fork: 0, merge: 0, dependsOn: 0, label: 0, shuffled: false },
  "branches and merges": { size: 150, newBase: 0, fork: 0.15, merge: 0.12, dependsOn: 0, label: 0, shuffled: false },
  "several heads and bases": { size: 120, newBase: 0.05, fork: 0.25, merge: 0.04, dependsOn: 0, label: 0.05, shuffled: false },
  "depends_on across branches": { size: 120, newBase: 0.03, fork: 0.2, merge: 0.08, dependsOn: 0.12, label: 0.05, shuffled: false },
  "everything, records out of order": { size: 150, newBase: 0.04, fork: 0.2, merge: 0.1, dependsOn: 0.08, label: 0.08, shuffled: true },
};

function outcome(run: () => string[]): string[] | { error: string } {
  try {
    return run();
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

describe("topologicalSort keeps the order of the full-mask implementation", () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`on ${name}`, () => {
      let compared = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const records = generate(seed, shape);
        const graph = RevisionGraph.build(records);
        const list = graph.list;
        const rnd = random(seed * 7919);
        const cases: { revisions: Set<GraphNode>; heads: GraphNode[] }[] = [];
        // the whole graph from every head: what the graph screen and `strata history` list
        const allHeads = graph.realHeads.map((h) => graph.node(h));
        cases.push({ revisions: new Set(list), heads: allHeads });
        cases.push({ revisions: new Set(list), heads: graph.heads.map((h) => graph.node(h)) });
        for (let k = 0; k < 25; k++) {
          // an upgrade's shape: what some targets need that some current rows do not have
          const targets = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => list[Math.floor(rnd() * list.length)]!);
          const lowers = Array.from({ length: Math.floor(rnd() * 3) }, () => list[Math.floor(rnd() * list.length)]!);
          const below = new Set(graph.ancestors(lowers));
          const revisions = new Set(graph.ancestors(targets).filter((n) => !below.has(n)));
          cases.push({ revisions, heads: targets });
          // and revisions the heads do not reach, which both must refuse alike
          if (k % 5 === 0) cases.push({ revisions: new Set([...revisions, list[Math.floor(rnd() * list.length)]!]), heads: targets });
        }
        for (const c of cases) {
          expect(outcome(() => topologicalSort(graph, c.revisions, c.heads)), `seed ${seed}`).toEqual(outcome(() => topologicalSortByMasks(graph, c.revisions, c.heads)));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(300);
    });
  }

  it("on a generated project's shape at 2,000 revisions (a branch of 5 every 50, merged back)", () => {
    const records: RevisionRecord[] = [];
    let tip: string | null = null;
    const id = (i: number): string => i.toString(16).padStart(12, "0");
    for (let i = 0; records.length < 2000; i++) {
      const fork: string | null = tip;
      const main = id(records.length + 1);
      records.push({ revision: main, downRevisions: tip ? [tip] : [], branchLabels: [], dependsOn: [], message: "" });
      tip = main;
      if (fork && i % 50 === 0) {
        let side = fork;
        for (let k = 0; k < 5; k++) {
          const s = id(records.length + 1);
          records.push({ revision: s, downRevisions: [side], branchLabels: [], dependsOn: [], message: "" });
          side = s;
        }
        const merge = id(records.length + 1);
        records.push({ revision: merge, downRevisions: [tip, side], branchLabels: [], dependsOn: [], message: "" });
        tip = merge;
      }
    }
    const graph = RevisionGraph.build(records);
    const heads = graph.realHeads.map((h) => graph.node(h));
    const order = topologicalSort(graph, new Set(graph.list), heads);
    expect(order).toHaveLength(2000);
    expect(order).toEqual(topologicalSortByMasks(graph, new Set(graph.list), heads));
    // and what the history screen shows is that order
    expect(RevisionMap.build(records).iterateHistory().map((r) => r.revision)).toEqual(order);
  });
});
