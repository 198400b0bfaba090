import { describe, expect, it } from "vitest";
import { RevisionMap, type RevisionRecord } from "../../../electron/engine/revisions/index.js";
import { strataErrorOf } from "../../helpers/strata-errors.js";

function rev(revision: string, down: string | string[] | null, extra: Partial<RevisionRecord> = {}): RevisionRecord {
  return {
    revision,
    downRevisions: down === null ? [] : Array.isArray(down) ? down : [down],
    branchLabels: [],
    dependsOn: [],
    message: `rev ${revision}`,
    ...extra,
  };
}

function codeOf(fn: () => unknown): string {
  return strataErrorOf(fn).code;
}

// aaaa1111 <- bbbb2222 <- cccc3333, labelled "core" at the base
const linear = () =>
  RevisionMap.build([rev("aaaa1111", null, { branchLabels: ["core"] }), rev("bbbb2222", "aaaa1111"), rev("cccc3333", "bbbb2222")]);

// root0000 with two children: left1111 and right222 (labelled "rgt")
const forked = () =>
  RevisionMap.build([rev("root0000", null), rev("left1111", "root0000"), rev("right222", "root0000", { branchLabels: ["rgt"] })]);

// base0000 <- trunk111 and base0000 <- feat2222 ("feat") <- feat3333, merged by merge444
const merged = () =>
  RevisionMap.build([
    rev("base0000", null),
    rev("trunk111", "base0000"),
    rev("feat2222", "base0000", { branchLabels: ["feat"] }),
    rev("feat3333", "feat2222"),
    rev("merge444", ["trunk111", "feat3333"]),
  ]);

describe("building a revision map", () => {
  it("links revisions and reports heads, bases, children, branch and merge points", () => {
    const m = merged();
    expect(m.heads).toEqual(["merge444"]);
    expect(m.bases).toEqual(["base0000"]);
    expect(m.children("base0000")).toEqual(["trunk111", "feat2222"]);
    expect(m.branchPoints).toEqual([{ revision: "base0000", revisions: ["trunk111", "feat2222"] }]);
    expect(m.mergePoints).toEqual([{ revision: "merge444", revisions: ["trunk111", "feat3333"] }]);
    expect(m.has("feat3333")).toBe(true);
    expect(m.has("feat")).toBe(false);
    expect(m.get("feat3333")?.downRevisions).toEqual(["feat2222"]);
    expect(m.records).toHaveLength(5);
    expect([...m.ancestorsOf(["feat3333", "trunk111"])].sort()).toEqual(["base0000", "feat2222", "feat3333", "trunk111"]);
  });

  it("refuses two records with one id, naming both files", () => {
    const e = strataErrorOf(() =>
      RevisionMap.build([rev("aaaa1111", null, { file: "one.ts" }), rev("aaaa1111", null, { file: "two.ts" })]),
    );
    expect(e.code).toBe("REVISION_DUPLICATE");
    expect(e.message).toContain("one.ts");
    expect(e.message).toContain("two.ts");
  });

  it("refuses a down_revision or depends_on naming no revision, saying who points at what", () => {
    const e = strataErrorOf(() => RevisionMap.build([rev("aaaa1111", null), rev("bbbb2222", "ffff9999", { file: "b.ts" })]));
    expect(e.code).toBe("REVISION_MISSING");
    expect(e.message).toContain("bbbb2222");
    expect(e.message).toContain("ffff9999");
    const d = strataErrorOf(() => RevisionMap.build([rev("aaaa1111", null, { dependsOn: ["nothere"] })]));
    expect(d.code).toBe("REVISION_MISSING");
    expect(d.message).toContain("aaaa1111");
    expect(d.message).toContain("nothere");
  });

  it("refuses cycles, naming the revisions in them", () => {
    const e = strataErrorOf(() =>
      RevisionMap.build([rev("aaaa1111", null), rev("bbbb2222", ["aaaa1111", "dddd4444"]), rev("cccc3333", "bbbb2222"), rev("dddd4444", "cccc3333")]),
    );
    expect(e.code).toBe("REVISION_CYCLE");
    for (const id of ["bbbb2222", "cccc3333", "dddd4444"]) expect(e.message).toContain(id);
    expect(e.message).not.toContain("aaaa1111");
    expect(codeOf(() => RevisionMap.build([rev("aaaa1111", "aaaa1111")]))).toBe("REVISION_CYCLE");
    expect(codeOf(() => RevisionMap.build([rev("aaaa1111", null, { dependsOn: ["bbbb2222"] }), rev("bbbb2222", "aaaa1111")]))).toBe(
      "REVISION_CYCLE",
    );
  });

  it("refuses a branch label used twice or equal to a revision id", () => {
    const e = strataErrorOf(() => RevisionMap.build([rev("aaaa1111", null, { branchLabels: ["x"] }), rev("bbbb2222", "aaaa1111", { branchLabels: ["x"] })]));
    expect(e.code).toBe("BRANCH_LABEL_DUPLICATE");
    expect(e.message).toContain("'x'");
    expect(codeOf(() => RevisionMap.build([rev("aaaa1111", null), rev("bbbb2222", "aaaa1111", { branchLabels: ["aaaa1111"] })]))).toBe(
      "BRANCH_LABEL_DUPLICATE",
    );
  });

  it("resolves depends_on given as a full id, a unique prefix or a branch label", () => {
    const build = (dep: string) =>
      RevisionMap.build([rev("core0001", null), rev("core9002", "core0001", { branchLabels: ["core"] }), rev("plug0001", null, { dependsOn: [dep] })]);
    expect(build("core9002").dependsOn("plug0001")).toEqual(["core9002"]);
    expect(build("core9").dependsOn("plug0001")).toEqual(["core9002"]);
    expect(build("core").dependsOn("plug0001")).toEqual(["core9002"]);
    expect(build("core9002").dependents("core9002")).toEqual(["plug0001"]);
    const e = strataErrorOf(() => build("cor"));
    expect(e.code).toBe("REVISION_MISSING");
    expect(e.message).toContain("core0001");
  });

  it("spreads branch labels up the branch and down to the nearest branch point", () => {
    const m = RevisionMap.build([rev("aaaa1111", null), rev("bbbb2222", "aaaa1111"), rev("cccc3333", "bbbb2222", { branchLabels: ["top"] })]);
    expect(m.branchLabels("aaaa1111")).toEqual(["top"]);
    expect(linear().branchLabels("cccc3333")).toEqual(["core"]);
    const f = forked();
    expect(f.branchLabels("right222")).toEqual(["rgt"]);
    expect(f.branchLabels("root0000")).toEqual([]);
    expect(f.branchLabels("left1111")).toEqual([]);
  });
});

describe("resolving targets", () => {
  it("takes full ids and unique prefixes", () => {
    const m = linear();
    expect(m.resolve("bbbb2222")).toEqual(["bbbb2222"]);
    expect(m.resolve("bbbb")).toEqual(["bbbb2222"]);
    // Alembic 1.8 matches any unique prefix of an id longer than three characters
    expect(m.resolve("bb")).toEqual(["bbbb2222"]);
    expect(m.resolve("core")).toEqual(["aaaa1111"]);
    const e = strataErrorOf(() => m.resolve("zzzz"));
    expect(e.code).toBe("TARGET_UNKNOWN");
    expect(e.message).toContain("zzzz");
    expect(codeOf(() => m.resolve(""))).toBe("TARGET_INVALID");
    expect(codeOf(() => m.children("zzzz9999"))).toBe("TARGET_UNKNOWN");
  });

  it("lists the candidates of an ambiguous prefix", () => {
    const m = RevisionMap.build([rev("abcd1111", null), rev("abcd2222", "abcd1111")]);
    const e = strataErrorOf(() => m.resolve("abcd"));
    expect(e.code).toBe("TARGET_AMBIGUOUS");
    expect(e.message).toContain("abcd1111");
    expect(e.message).toContain("abcd2222");
  });

  it("resolves head, heads and base, refusing head when there are several", () => {
    expect(linear().resolve("head")).toEqual(["cccc3333"]);
    const m = forked();
    const e = strataErrorOf(() => m.resolve("head"));
    expect(e.code).toBe("MULTIPLE_HEADS");
    expect(e.message).toContain("left1111");
    expect(e.message).toContain("right222");
    expect(m.resolve("heads")).toEqual(["left1111", "right222"]);
    expect(m.resolve("base")).toEqual([]);
  });

  it("resolves LABEL@head, LABEL@base, REV@head and LABEL@REVPREFIX", () => {
    const m = forked();
    expect(m.resolve("rgt@head")).toEqual(["right222"]);
    expect(m.resolve("rgt@base")).toEqual([]);
    expect(m.resolve("right222@head")).toEqual(["right222"]);
    expect(m.resolve("left@head")).toEqual(["left1111"]);
    expect(codeOf(() => m.resolve("root0000@head"))).toBe("MULTIPLE_HEADS");
    expect(m.resolve("rgt@righ")).toEqual(["right222"]);
    expect(codeOf(() => m.resolve("rgt@left"))).toBe("TARGET_UNKNOWN");
    expect(codeOf(() => m.resolve("nolabel@head"))).toBe("TARGET_UNKNOWN");
  });

  it("resolves relative targets against the current rows and against a revision", () => {
    const m = linear();
    expect(m.resolve("+1", ["aaaa1111"])).toEqual(["bbbb2222"]);
    expect(m.resolve("+2")).toEqual(["bbbb2222"]);
    expect(m.resolve("-1", ["cccc3333"])).toEqual(["bbbb2222"]);
    expect(m.resolve("aaaa1111+2")).toEqual(["cccc3333"]);
    expect(m.resolve("cccc3333-1")).toEqual(["bbbb2222"]);
    expect(m.resolve("core@+1", ["aaaa1111"])).toEqual(["bbbb2222"]);
    expect(m.resolve("core@-2", ["cccc3333"])).toEqual(["aaaa1111"]);
    expect(codeOf(() => m.resolve("+4"))).toBe("RELATIVE_OUT_OF_RANGE");
    expect(codeOf(() => m.resolve("-1"))).toBe("RELATIVE_OUT_OF_RANGE");
  });

  it("refuses a relative step that meets a fork", () => {
    const m = forked();
    expect(codeOf(() => m.resolve("+2"))).toBe("TARGET_AMBIGUOUS");
    expect(m.resolve("rgt@+2")).toEqual(["right222"]);
  });
});

describe("planning upgrades and downgrades", () => {
  it("inserts the first row, then updates it along a line", () => {
    const p = linear().planUpgrade([], "heads");
    expect(p.steps.map((s) => [s.revision, s.direction])).toEqual([
      ["aaaa1111", "up"],
      ["bbbb2222", "up"],
      ["cccc3333", "up"],
    ]);
    expect(p.steps.map((s) => s.ops)).toEqual([
      [{ kind: "insert", revision: "aaaa1111" }],
      [{ kind: "update", from: "aaaa1111", to: "bbbb2222" }],
      [{ kind: "update", from: "bbbb2222", to: "cccc3333" }],
    ]);
    expect(p.steps.map((s) => s.headsAfter)).toEqual([["aaaa1111"], ["bbbb2222"], ["cccc3333"]]);
    expect(p.headsAfter).toEqual(["cccc3333"]);
    expect(p.headsBefore).toEqual([]);
  });

  it("updates back down and deletes the row at base", () => {
    const p = linear().planDowngrade(["cccc3333"], "base");
    expect(p.steps.map((s) => s.revision)).toEqual(["cccc3333", "bbbb2222", "aaaa1111"]);
    expect(p.steps.every((s) => s.direction === "down")).toBe(true);
    expect(p.steps.map((s) => s.ops)).toEqual([
      [{ kind: "update", from: "cccc3333", to: "bbbb2222" }],
      [{ kind: "update", from: "bbbb2222", to: "aaaa1111" }],
      [{ kind: "delete", revision: "aaaa1111" }],
    ]);
    expect(p.headsAfter).toEqual([]);
  });

  it("moves by relative steps and refuses steps that do not exist", () => {
    const m = linear();
    expect(m.planUpgrade(["aaaa1111"], "+1").steps.map((s) => s.revision)).toEqual(["bbbb2222"]);
    expect(m.planDowngrade(["cccc3333"], "-2").headsAfter).toEqual(["aaaa1111"]);
    expect(codeOf(() => m.planUpgrade(["aaaa1111"], "+3"))).toBe("RELATIVE_OUT_OF_RANGE");
    expect(codeOf(() => m.planDowngrade(["bbbb2222"], "-3"))).toBe("RELATIVE_OUT_OF_RANGE");
    expect(codeOf(() => m.planUpgrade(["bbbb2222"], "-1"))).toBe("RELATIVE_OUT_OF_RANGE");
    expect(codeOf(() => m.planDowngrade(["bbbb2222"], "+1"))).toBe("RELATIVE_OUT_OF_RANGE");
  });

  it("refuses a downgrade target that is not below the current state", () => {
    const e = strataErrorOf(() => linear().planDowngrade(["aaaa1111"], "cccc3333"));
    expect(e.code).toBe("TARGET_INVALID");
    expect(e.message).toContain("cccc3333");
  });

  it("inserts a row for a new branch, merges with delete+update and unmerges with insert+update", () => {
    const m = merged();
    const branch = m.planUpgrade(["trunk111"], "feat3333");
    expect(branch.steps.map((s) => s.ops)).toEqual([
      [{ kind: "insert", revision: "feat2222" }],
      [{ kind: "update", from: "feat2222", to: "feat3333" }],
    ]);
    expect(branch.headsAfter).toEqual(["feat3333", "trunk111"]);

    const merge = m.planUpgrade(branch.headsAfter, "heads");
    expect(merge.steps.map((s) => s.revision)).toEqual(["merge444"]);
    expect(merge.steps[0]!.ops).toEqual([
      { kind: "delete", revision: "trunk111" },
      { kind: "update", from: "feat3333", to: "merge444" },
    ]);
    expect(merge.headsAfter).toEqual(["merge444"]);

    const unmerge = m.planDowngrade(["merge444"], "trunk111");
    expect(unmerge.steps.map((s) => s.revision)).toEqual(["merge444"]);
    expect(unmerge.steps[0]!.ops).toEqual([
      { kind: "insert", revision: "trunk111" },
      { kind: "update", from: "merge444", to: "feat3333" },
    ]);
    expect(unmerge.headsAfter).toEqual(["feat3333", "trunk111"]);
  });

  it("deletes a branch's row when its revision goes and another row still implies the parent", () => {
    const m = forked();
    const p = m.planDowngrade(["left1111", "right222"], "rgt@-1");
    expect(p.steps.map((s) => s.revision)).toEqual(["right222"]);
    expect(p.steps[0]!.ops).toEqual([{ kind: "delete", revision: "right222" }]);
    expect(p.headsAfter).toEqual(["left1111"]);
    // Alembic takes the first version row for a bare -1 when there are several
    expect(m.planDowngrade(["left1111", "right222"], "-1").steps.map((s) => s.revision)).toEqual(["left1111"]);
  });

  it("pulls a dependency along and records the dependent in its place", () => {
    const m = RevisionMap.build([rev("core0001", null), rev("core0002", "core0001"), rev("plug0001", null, { dependsOn: ["core0002"] })]);
    const p = m.planUpgrade([], "plug0001");
    expect(p.steps.map((s) => s.revision)).toEqual(["core0001", "core0002", "plug0001"]);
    expect(p.steps[2]!.ops).toEqual([{ kind: "update", from: "core0002", to: "plug0001" }]);
    expect(p.headsAfter).toEqual(["plug0001"]);
    const down = m.planDowngrade(["plug0001"], "core0001");
    expect(down.steps.map((s) => s.revision)).toEqual(["plug0001", "core0002"]);
    expect(down.headsAfter).toEqual(["core0001"]);
  });

  it("refuses head where there are several heads, and an unknown version row", () => {
    const m = forked();
    const e = strataErrorOf(() => m.planUpgrade([], "head"));
    expect(e.code).toBe("MULTIPLE_HEADS");
    expect(e.message).toContain("left1111");
    expect(codeOf(() => m.planUpgrade(["gone9999"], "heads"))).toBe("TARGET_UNKNOWN");
  });

  it("refuses what Alembic 1.8 cannot record (a merge whose depends_on is its own ancestor) before running anything", () => {
    const m = RevisionMap.build([
      rev("base0000", null),
      rev("mid11111", "base0000"),
      rev("left2222", "mid11111"),
      rev("right333", "mid11111"),
      rev("merge444", ["left2222", "right333"], { dependsOn: ["mid11111"] }),
    ]);
    expect(codeOf(() => m.planUpgrade([], "heads"))).toBe("TARGET_INVALID");
  });
});

describe("planning stamps", () => {
  it("inserts a row for a revision on a branch not in the table", () => {
    const p = forked().planStamp([], ["left1111"]);
    expect(p.ops).toEqual([{ kind: "insert", revision: "left1111" }]);
    expect(p.headsAfter).toEqual(["left1111"]);
    expect(forked().planStamp(["left1111"], ["right222"]).headsAfter).toEqual(["left1111", "right222"]);
  });

  it("clears the table for base or no target", () => {
    const m = forked();
    expect(m.planStamp(["left1111"], ["base"]).ops).toEqual([{ kind: "delete", revision: "left1111" }]);
    const all = m.planStamp(["left1111", "right222"], []);
    expect(all.ops).toEqual([
      { kind: "delete", revision: "left1111" },
      { kind: "delete", revision: "right222" },
    ]);
    expect(all.headsAfter).toEqual([]);
    expect(all.headsBefore).toEqual(["left1111", "right222"]);
  });

  it("moves a row down or up its branch", () => {
    const m = forked();
    expect(m.planStamp(["left1111"], ["root0000"]).ops).toEqual([{ kind: "update", from: "left1111", to: "root0000" }]);
    expect(m.planStamp(["root0000"], ["right222"]).ops).toEqual([{ kind: "update", from: "root0000", to: "right222" }]);
    expect(m.planStamp(["left1111", "right222"], ["root0000"])).toMatchObject({
      ops: [
        { kind: "delete", revision: "left1111" },
        { kind: "update", from: "right222", to: "root0000" },
      ],
      headsAfter: ["root0000"],
    });
  });

  it("stamps several targets and leaves a row already there alone", () => {
    const m = forked();
    expect(m.planStamp([], ["left1111", "right222"]).headsAfter).toEqual(["left1111", "right222"]);
    expect(m.planStamp([], ["heads"]).headsAfter).toEqual(["left1111", "right222"]);
    expect(m.planStamp(["left1111"], ["left1111"]).ops).toEqual([]);
    expect(codeOf(() => m.planStamp([], ["head"]))).toBe("MULTIPLE_HEADS");
  });
});

describe("history", () => {
  it("lists every revision newest first", () => {
    expect(forked().iterateHistory().map((r) => r.revision)).toEqual(["left1111", "right222", "root0000"]);
    expect(merged().iterateHistory().map((r) => r.revision)).toEqual(["merge444", "trunk111", "feat3333", "feat2222", "base0000"]);
  });

  it("takes [start]:[end] ranges with inclusive ends", () => {
    const m = linear();
    expect(m.iterateHistory("aaaa1111:bbbb2222").map((r) => r.revision)).toEqual(["bbbb2222", "aaaa1111"]);
    expect(m.iterateHistory(":bbbb").map((r) => r.revision)).toEqual(["bbbb2222", "aaaa1111"]);
    expect(m.iterateHistory("bbbb2222:").map((r) => r.revision)).toEqual(["cccc3333", "bbbb2222"]);
    expect(m.iterateHistory("current:", ["bbbb2222"]).map((r) => r.revision)).toEqual(["cccc3333", "bbbb2222"]);
    expect(forked().iterateHistory("rgt@base:rgt@head").map((r) => r.revision)).toEqual(["right222", "root0000"]);
  });

  it("refuses malformed or backwards ranges", () => {
    const m = linear();
    expect(codeOf(() => m.iterateHistory("cccc3333:aaaa1111"))).toBe("TARGET_INVALID");
    expect(codeOf(() => m.iterateHistory("bbbb2222"))).toBe("USAGE");
    expect(codeOf(() => m.iterateHistory("current:"))).toBe("USAGE");
  });
});

describe("a 10,000-revision history", () => {
  it("builds, plans base to heads and back, and lists history without overflowing the stack", () => {
    const id = (i: number) => `r${i.toString(16).padStart(11, "0")}`;
    const records: RevisionRecord[] = [rev(id(0), null, { branchLabels: ["core"] })];
    let tip = id(0);
    for (let i = 1; i < 10_000; i++) {
      if (i % 100 === 50) {
        records.push(rev(id(i), tip)); // a side branch, merged ten revisions later
      } else if (i % 100 === 60) {
        records.push(rev(id(i), [tip, id(i - 10)]));
        tip = id(i);
      } else {
        records.push(rev(id(i), tip, { dependsOn: i % 1000 === 55 ? [id(i - 5)] : [] }));
        tip = id(i);
      }
    }
    const m = RevisionMap.build(records);
    expect(m.heads).toEqual([id(9999)]);
    expect(m.bases).toEqual([id(0)]);
    expect(m.mergePoints).toHaveLength(100);

    const up = m.planUpgrade([], "heads");
    expect(up.steps).toHaveLength(10_000);
    expect(up.headsAfter).toEqual([id(9999)]);
    const pos = new Map(up.steps.map((s, k) => [s.revision, k]));
    for (const r of records) for (const parent of [...r.downRevisions, ...r.dependsOn]) expect(pos.get(parent)!).toBeLessThan(pos.get(r.revision)!);

    const down = m.planDowngrade(up.headsAfter, "base");
    expect(down.steps).toHaveLength(10_000);
    expect(down.headsAfter).toEqual([]);
    expect(m.iterateHistory()).toHaveLength(10_000);
    expect(m.resolve("core@head")).toEqual([id(9999)]);
  });
});
