import { describe, expect, it } from "vitest";
import type { EnvironmentStateDto } from "../../../shared/api.js";
import { graphRevisions } from "../../../renderer/graph/graph-revisions.js";
import { markerText, revisionMarkers } from "../../../renderer/graph/revision-markers.js";
import { actionsAt, environmentReach, standingOf } from "../../../renderer/graph/revision-standing.js";
import { searchRevisions, searchTarget } from "../../../renderer/graph/search-revisions.js";
import { graphSummary } from "../../helpers/graph-summary.js";

// Issue 19: what the graph makes of the engine's states and of a query. base - a - b (head), base - l1 (billing) - l2 (head).
const revisions = graphRevisions(
  graphSummary(
    [
      { id: "bbbb", message: "add email", parents: [1] },
      { id: "aaaa", message: "add users", parents: [4] },
      { id: "l2l2", message: "ledger index", parents: [3], inheritedLabels: ["billing"], dependencies: [1] },
      { id: "l1l1", message: "create ledger", parents: [4], branchLabels: ["billing"] },
      { id: "base", message: "base", parents: [] },
    ],
    ["bbbb", "l2l2"],
  ),
);

function state(name: string, over: Partial<EnvironmentStateDto>): EnvironmentStateDto {
  return {
    environment: { name, client: "pg", dialect: "PostgreSQL", displayTarget: name, protected: false, color: null, source: "config", error: null },
    heads: [],
    pending: [],
    lastRun: null,
    problems: [],
    drift: { state: "not-checked", changes: [] },
    error: null,
    ...over,
  };
}

const run = (revision: string, status: "failed" | "succeeded") => ({ id: 1, revision, direction: "up" as const, message: "", checksum: null, startedAt: "", finishedAt: null, durationMs: null, status, error: null, user: "u", host: "h", strataVersion: "0" });

const dev = state("dev", { heads: ["bbbb", "l2l2"], pending: [], problems: [{ revision: "aaaa", kind: "edited", file: "migrations/aaaa.ts" }] });
const prod = state("prod", {
  heads: ["aaaa"],
  pending: ["bbbb", "l1l1", "l2l2"],
  lastRun: run("bbbb", "failed"),
  problems: [{ revision: "aaaa", kind: "edited", file: "migrations/aaaa.ts" }, { revision: "zzzz", kind: "missing", file: null }],
  unresolved: [{ revision: "l1l1", direction: "up", state: "failed", historyId: 2, message: "", startedAt: "", user: "u", host: "h", description: "", advice: "" }],
});
const down = state("qa", { heads: null, error: { code: "CONNECTION_FAILED", message: "refused", details: {} } });

describe("search by target (issue 19)", () => {
  it("names heads, a label's head and where an environment stands", () => {
    const envs = [{ name: "dev", heads: dev.heads }, { name: "prod", heads: prod.heads }];
    expect(searchTarget(revisions, "heads", envs)).toEqual({ description: "every head", matches: [0, 2] });
    expect(searchTarget(revisions, "billing@head", envs)).toEqual({ description: "the head of branch billing", matches: [2] });
    expect(searchTarget(revisions, "prod", envs)).toEqual({ description: "where prod stands", matches: [1] });
    expect(searchTarget(revisions, "head", envs)?.description).toBe('"head" is ambiguous: there are 2 heads');
    expect(searchTarget(revisions, "nosuch@head", envs)).toBeNull();
    expect(searchTarget(revisions, "ledger", envs)).toBeNull();
  });

  it("lists what a target names first, then ids, messages and labels containing the words", () => {
    // "add" is in two messages; "billing" is a label in effect on two revisions.
    expect(searchRevisions(revisions, "add")).toEqual([0, 1]);
    expect(searchRevisions(revisions, "billing")).toEqual([2, 3]);
    expect(searchRevisions(revisions, "billing@head")).toEqual([2]);
    expect(searchRevisions(revisions, "dev", [{ name: "dev", heads: ["l2l2"] }])).toEqual([2]);
    expect(searchRevisions(revisions, "l1")).toEqual([3]);
    expect(searchRevisions(revisions, "  ")).toEqual([]);
  });
});

describe("markers from the engine's states (issue 19)", () => {
  it("marks half-applied, failed, edited and missing revisions with the environments they are true of", () => {
    const m = revisionMarkers([dev, prod, down]);
    expect(m.get("aaaa")!.map(markerText)).toEqual(["edited in dev, prod"]);
    expect(m.get("bbbb")!.map(markerText)).toEqual(["failed in prod"]);
    expect(m.get("l1l1")!.map(markerText)).toEqual(["half-applied in prod"]);
    expect(m.get("zzzz")!.map(markerText)).toEqual(["file missing in prod"]);
    expect(m.has("l2l2")).toBe(false);
  });

  it("does not mark a failed run twice where it was left half applied", () => {
    const s = state("x", { heads: [], pending: ["l1l1"], lastRun: run("l1l1", "failed"), unresolved: prod.unresolved! });
    expect(revisionMarkers([s]).get("l1l1")!.map((x) => x.kind)).toEqual(["half-applied"]);
  });
});

describe("where a revision stands and which migrations would do something (issue 19)", () => {
  const [d, p, q] = environmentReach([dev, prod, down]);
  it("says here, applied, not applied or not known", () => {
    expect(["bbbb", "aaaa", "base", "l1l1"].map((r) => standingOf(p!, r))).toEqual(["not-applied", "here", "applied", "not-applied"]);
    expect(standingOf(d!, "aaaa")).toBe("applied");
    expect(standingOf(q!, "aaaa")).toBe("unknown");
  });

  it("offers upgrade where not applied, roll back where something above is applied, nothing where it stands or is unknown", () => {
    const children = (id: string) => revisions.find((r) => r.revision === id)!.children;
    expect(actionsAt(p, "bbbb", children("bbbb"))).toEqual({ upgrade: true, downgrade: false });
    expect(actionsAt(p, "aaaa", children("aaaa"))).toEqual({ upgrade: false, downgrade: false });
    expect(actionsAt(p, "base", children("base"))).toEqual({ upgrade: false, downgrade: true });
    expect(actionsAt(d, "bbbb", children("bbbb"))).toEqual({ upgrade: false, downgrade: false });
    expect(actionsAt(q, "base", children("base"))).toEqual({ upgrade: false, downgrade: false });
    expect(actionsAt(undefined, "base", children("base"))).toEqual({ upgrade: false, downgrade: false });
  });

  it("resolves depends_on to ids for the dashed lines", () => {
    expect(revisions.find((r) => r.revision === "l2l2")!.dependencies).toEqual(["aaaa"]);
  });
});
