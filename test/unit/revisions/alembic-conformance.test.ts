import { afterAll, describe, expect, it } from "vitest";
import { StrataError } from "../../../electron/engine/errors.js";
import { RevisionMap, type Plan, type RevisionRecord, type VersionOp } from "../../../electron/engine/revisions/index.js";
import { fixtureRecords, readAlembicFixture, type FixtureCase, type FixtureRevision } from "../../helpers/alembic-fixture.js";

const fixture = readAlembicFixture();
const records = (g: { revisions: FixtureRevision[] }): RevisionRecord[] => fixtureRecords(g.revisions);

/** The version table as rows in insertion order, changed op by op like the runner will. */
function apply(rows: string[], ops: readonly VersionOp[]): void {
  for (const op of ops) {
    switch (op.kind) {
      case "insert":
        expect(rows).not.toContain(op.revision);
        rows.push(op.revision);
        break;
      case "delete": {
        const i = rows.indexOf(op.revision);
        expect(i).toBeGreaterThanOrEqual(0);
        rows.splice(i, 1);
        break;
      }
      case "update": {
        const i = rows.indexOf(op.from);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(rows).not.toContain(op.to);
        rows[i] = op.to;
        break;
      }
    }
  }
}

function applyPlan(rows: string[], plan: Plan): void {
  for (const step of plan.steps) {
    apply(rows, step.ops);
    expect([...rows].sort()).toEqual(step.headsAfter);
  }
}

/** Rows of the version table after `upgrade START` from an empty table, in row order. */
function startRows(map: RevisionMap, start: string): string[] {
  const rows: string[] = [];
  for (const step of map.planUpgrade([], start).steps) apply(rows, step.ops);
  return rows;
}

/*
 * Alembic breaks ties between independent branches by the order it loaded the revision files,
 * and 1.8 took that order from os.listdir: unsorted, whatever the filesystem gives. The recordings
 * were made on a filesystem that lists the newest file first (tmpfs does), so Alembic's load order
 * there is close to the fixture's listing reversed. With that order every recorded run must give
 * the same steps and the same heads; independent branches may still interleave differently.
 */
const alembicOrderMaps = fixture.graphs.map((g) => RevisionMap.build(records(g).reverse()));
const fileNameMaps = fixture.graphs.map((g) => RevisionMap.build(records(g).sort((a, b) => (a.revision < b.revision ? -1 : 1))));

/**
 * `downgrade -N` from several rows walks from the first version row (Alembic warns and does so),
 * and which row is first follows the order the revisions were loaded in; with another load order
 * only these cases may legitimately end elsewhere.
 */
function dependsOnLoadOrder(c: FixtureCase): boolean {
  return c.command === "downgrade" && /^-\d+$/.test(c.target) && c.before.length > 1;
}

interface Tally {
  exact: number;
  ok: number;
}

function checkCase(map: RevisionMap, c: FixtureCase, tally: Tally, strictHeads: boolean): void {
  const rows: string[] = [];
  applyPlan(rows, map.planUpgrade([], c.start));
  expect([...rows].sort()).toEqual(c.before);

  const plan = () => (c.command === "upgrade" ? map.planUpgrade(rows, c.target) : map.planDowngrade(rows, c.target));
  if (!c.ok) {
    expect(plan).toThrow(StrataError);
    return;
  }
  tally.ok++;
  const p = plan();
  const got = p.steps.map((s) => s.revision);
  const want = c.steps!.map((s) => s.revision);
  expect(p.steps.every((s) => s.direction === (c.command === "upgrade" ? "up" : "down"))).toBe(true);
  if (strictHeads) expect([...got].sort()).toEqual([...want].sort());
  if (JSON.stringify(got) === JSON.stringify(want)) {
    tally.exact++;
  } else {
    // Only independent branches may be interleaved differently: parents first going up, children first going down.
    const pos = new Map(got.map((id, k) => [id, k]));
    for (const id of got) {
      const rec = map.get(id)!;
      for (const parent of [...rec.downRevisions, ...map.dependsOn(id)]) {
        const pp = pos.get(parent);
        if (pp === undefined) continue;
        if (c.command === "upgrade") expect(pp).toBeLessThan(pos.get(id)!);
        else expect(pp).toBeGreaterThan(pos.get(id)!);
      }
    }
  }
  if (strictHeads) expect(p.headsAfter).toEqual(c.after);
  applyPlan(rows, p);
  expect([...rows].sort()).toEqual(p.headsAfter);
}

const inferred: Tally = { exact: 0, ok: 0 };
const fileName: Tally = { exact: 0, ok: 0 };

describe(`Alembic ${fixture.alembic} conformance (${fixture.cases.length} recorded cases)`, () => {
  afterAll(() => {
    console.log(
      `alembic conformance: exact step order in ${inferred.exact}/${inferred.ok} successful cases with Alembic's load order, ` +
        `${fileName.exact}/${fileName.ok} with file-name order`,
    );
  });

  describe("with the load order Alembic had when it was recorded", () => {
    fixture.cases.forEach((c, i) => {
      it(`case ${i}: graph ${c.graph}, from '${c.start}' ${c.command} ${c.target} ${c.ok ? "runs" : "is refused"}`, () => {
        checkCase(alembicOrderMaps[c.graph]!, c, inferred, true);
      });
    });
  });

  describe("with file-name load order (what Strata's loader gives)", () => {
    fixture.cases.forEach((c, i) => {
      it(`case ${i}: graph ${c.graph}, from '${c.start}' ${c.command} ${c.target} ${c.ok ? "runs" : "is refused"}`, () => {
        checkCase(fileNameMaps[c.graph]!, c, fileName, !dependsOnLoadOrder(c));
      });
    });
  });
});
