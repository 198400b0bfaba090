import { describe, expect, it } from "vitest";
import { graphRevisions } from "../../../renderer/graph/graph-revisions.js";
import { searchRevisions } from "../../../renderer/graph/search-revisions.js";
import { graphSummary } from "../../helpers/graph-summary.js";
import { defaultTarget, relativeTargets } from "../../../renderer/screens/apply/target-suggestions.js";

// Issue 20: what the renderer makes of the engine's labels in effect and effective heads.
const summary = graphSummary(
  [
    { id: "cccc", message: "contract 2", parents: [1], inheritedLabels: ["contract"], dependsOn: ["eeee"] },
    { id: "bbbb", message: "contract 1", parents: [3], branchLabels: ["contract"] },
    { id: "eeee", message: "expand", parents: [3], branchLabels: ["expand"], effectiveHead: true },
    { id: "aaaa", message: "base", parents: [] },
  ],
  ["cccc", "eeee"],
);

describe("graph revisions with labels in effect", () => {
  it("keeps declared and inherited labels apart and marks effective heads", () => {
    const revs = graphRevisions(summary);
    expect(revs.map((r) => [r.revision, r.branchLabels, r.inheritedLabels, r.isHead, r.isEffectiveHead])).toEqual([
      ["cccc", [], ["contract"], true, false],
      ["bbbb", ["contract"], [], false, false],
      ["eeee", ["expand"], [], true, true],
      ["aaaa", [], [], false, false],
    ]);
  });

  it("a label search finds every revision of its branch", () => {
    expect(searchRevisions(graphRevisions(summary), "contract")).toEqual([0, 1]);
  });
});

describe("apply targets never offer a bare relative step from several heads", () => {
  it("one head (or unknown): +1 and -1", () => {
    expect(relativeTargets(["aaaa"])).toEqual(["+1", "-1"]);
    expect(relativeTargets(null)).toEqual(["+1", "-1"]);
    expect(defaultTarget("downgrade", ["aaaa"])).toBe("-1");
  });
  it("several heads: REV+1 and REV@REV-1 per head", () => {
    expect(relativeTargets(["cccc", "eeee"])).toEqual(["cccc+1", "eeee+1", "cccc@cccc-1", "eeee@eeee-1"]);
    expect(defaultTarget("downgrade", ["cccc", "eeee"])).toBe("cccc@cccc-1");
    expect(defaultTarget("upgrade", ["cccc", "eeee"])).toBe("heads");
  });
});
