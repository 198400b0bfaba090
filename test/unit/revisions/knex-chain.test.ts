import { describe, expect, it } from "vitest";
import { KnexChain } from "../../../electron/engine/revisions/index.js";
import { RevisionMap } from "../../../electron/engine/revisions/index.js";

const FILES = ["2023-08-16-0000-create-monitor.js", "2023-08-17-0000-add-url.js", "2023-08-18-0000-seed.js", "2023-08-19-0000-index.js"];
const IDS = FILES.map((f) => f.replace(/\.js$/, ""));
const chain = new KnexChain(IDS, new Map(IDS.map((id, i) => [id, FILES[i]!] as const)));
const stepsOf = (plan: { steps: readonly { revision: string; direction: string }[] }) => plan.steps.map((s) => `${s.direction} ${s.revision}`);

describe("KnexChain: a knex folder planned as knex runs it (issue #15)", () => {
  it("reads knex_migrations against the folder: applied, pending, gaps, unknown rows", () => {
    expect(chain.state([FILES[0]!, FILES[2]!, "20990101_gone.js"])).toEqual({
      applied: [IDS[0], IDS[2]],
      pending: [IDS[1], IDS[3]],
      gaps: [IDS[1]],
      unknown: ["20990101_gone.js"],
      heads: [IDS[2]],
    });
    expect(chain.state([])).toMatchObject({ applied: [], gaps: [], heads: [] });
  });

  it("upgrade runs every pending file up to the target in folder order, gaps first where they fall", () => {
    const applied = [IDS[0]!, IDS[2]!];
    expect(stepsOf(chain.planUpgrade(applied, "heads"))).toEqual([`up ${IDS[1]}`, `up ${IDS[3]}`]);
    expect(stepsOf(chain.planUpgrade(applied, "+1"))).toEqual([`up ${IDS[1]}`]);
    expect(stepsOf(chain.planUpgrade([], IDS[1]!))).toEqual([`up ${IDS[0]}`, `up ${IDS[1]}`]);
    // The file name, extension included, names the same file.
    expect(stepsOf(chain.planUpgrade([], FILES[0]!))).toEqual([`up ${IDS[0]}`]);
    const plan = chain.planUpgrade([], "heads");
    expect(plan.steps[0]!.ops).toEqual([{ kind: "insert", revision: IDS[0] }]);
    expect(plan.headsAfter).toEqual([IDS[3]]);
  });

  it("downgrade -1 undoes the last applied file in knex's order, as migrate.down() does", () => {
    expect(stepsOf(chain.planDowngrade([IDS[0]!, IDS[2]!], "-1"))).toEqual([`down ${IDS[2]}`]);
    expect(stepsOf(chain.planDowngrade(IDS, "base"))).toEqual([...IDS].reverse().map((id) => `down ${id}`));
    expect(stepsOf(chain.planDowngrade(IDS, IDS[1]!))).toEqual([`down ${IDS[3]}`, `down ${IDS[2]}`]);
    expect(chain.planDowngrade(IDS, "-1").headsAfter).toEqual([IDS[2]]);
  });

  it("an exact id always wins over relative syntax; relative steps and prefixes still work", () => {
    expect(chain.resolve("2023-08-16-0000-create-monitor")).toBe(IDS[0]);
    expect(chain.resolve(`${IDS[0]}+2`)).toBe(IDS[2]);
    expect(chain.resolve(`${IDS[3]}-3`)).toBe(IDS[0]);
    expect(chain.resolve("2023-08-18")).toBe(IDS[2]);
    expect(chain.resolve("base")).toBeNull();
    expect(() => chain.resolve("2023-08-1")).toThrow(/starts 4 migration file names/);
    expect(() => chain.resolve("nope")).toThrow("no migration file is named 'nope'; `strata history` lists them");
    expect(() => chain.planUpgrade(IDS.slice(0, 3), "+2")).toThrow("relative target '+2' goes past the 1 migration file pending; use a smaller step");
    expect(() => chain.planDowngrade([IDS[0]!], "-2")).toThrow("relative target '-2' goes past the 1 migration file applied; use a smaller step");
  });

  it("the revision graph of a knex folder takes ids with '-', '@', '+' and leading digits, and resolves them exactly", () => {
    const ids = ["001", "2023-08-16-0000-a", "a@b+1"];
    const map = RevisionMap.build(
      ids.map((revision, i) => ({ revision, downRevisions: i ? [ids[i - 1]!] : [], branchLabels: [], dependsOn: [], message: revision })),
      { anyIdCharacters: true },
    );
    expect(map.resolve("2023-08-16-0000-a")).toEqual(["2023-08-16-0000-a"]);
    expect(map.resolve("a@b+1")).toEqual(["a@b+1"]);
    expect(map.planUpgrade([], "001").steps.map((s) => s.revision)).toEqual(["001"]);
    expect(map.planUpgrade(["001"], "2023-08-16-0000-a").steps.map((s) => s.revision)).toEqual(["2023-08-16-0000-a"]);
    expect(() => RevisionMap.build([{ revision: "a-b", downRevisions: [], branchLabels: [], dependsOn: [], message: "" }])).toThrow(/contains '-'/);
  });
});
