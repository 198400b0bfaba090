import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { createTestDatabase, envEntry, TEST_CLIENTS, versionHeads } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { revisionSource, strata } from "../../helpers/strata-cli.js";

/*
 * What real Alembic 1.8.1 printed for four graphs of the conformance file, recorded by
 * test/fixtures/alembic-output/record.py (Debian's python3-alembic), against what strata prints
 * for the same graphs. Alembic orders independent branches by os.listdir and prints label sets
 * in hash order, so lists Alembic takes from a set are compared sorted, and entries as a set.
 */
const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures");
const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, "alembic-revision-cases.json"), "utf8")) as {
  graphs: { revisions: { revision: string; downRevision: string | string[] | null; branchLabels: string[]; dependsOn: string[] }[] }[];
};

interface Recorded {
  readonly args: string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
interface Recording {
  readonly alembic: string;
  readonly graph: number;
  readonly createDate: string;
  readonly outputs: Recorded[];
}

const recordings: Recording[] = fs
  .readdirSync(path.join(FIXTURES, "alembic-output"))
  .filter((f) => /^graph-\d+\.json$/.test(f))
  .map((f) => JSON.parse(fs.readFileSync(path.join(FIXTURES, "alembic-output", f), "utf8")) as Recording);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The graph as a strata project: one file per revision, the message and Create Date Alembic's files had. */
function writeGraph(rec: Recording, environments: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-alembic-out-"));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "migrations"));
  fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ migrations: "migrations", environments }, null, 2));
  for (const r of cases.graphs[rec.graph]!.revisions) {
    const source = revisionSource({ revision: r.revision, downRevision: r.downRevision, branchLabels: r.branchLabels, dependsOn: r.dependsOn, message: `rev ${r.revision}` });
    fs.writeFileSync(path.join(dir, "migrations", `${r.revision}_rev.ts`), `// Create Date: ${rec.createDate}\n${source}`);
  }
  return dir;
}

function recorded(rec: Recording, ...args: string[]): Recorded {
  const r = rec.outputs.find((o) => JSON.stringify(o.args) === JSON.stringify(args));
  if (!r) throw new Error(`graph ${rec.graph}: nothing recorded for alembic ${args.join(" ")}`);
  return r;
}

const sortList = (list: string): string => list.split(", ").sort().join(", ");

/** One line with the lists Alembic prints from a set sorted, and the file path reduced to the revision. */
function normalizeLine(line: string): string {
  return line
    .replace(/^(Branches into|Branch names): (.*)$/, (_m, k: string, v: string) => `${k}: ${sortList(v)}`)
    .replace(/^Path: .*\/([0-9a-f]+)_rev\.(py|ts)$/, "Path: $1")
    .replace(/ \(([^()]+)\)( \((?:head|effective head)\)|,|$)/, (m, labels: string, rest: string) => (labels.includes(" -> ") ? m : ` (${sortList(labels)})${rest}`));
}

function lines(text: string): string[] {
  return text.replace(/\n$/, "").split("\n").map(normalizeLine);
}

/** Verbose output as a sorted list of entries (each a block that starts with "Rev: "). */
function entries(text: string): string[] {
  return text
    .split(/\n(?=Rev: )/)
    .map((e) => lines(e.replace(/\n+$/, "")).join("\n"))
    .filter((e) => e.startsWith("Rev: "))
    .sort();
}

describe.each(recordings.map((r) => [r.graph, r] as const))("strata prints what Alembic %s printed for graph %i", (_g, rec) => {
  const dir = writeGraph(rec, { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } });

  it.each([["heads"], ["heads", "--resolve-dependencies"], ["history"]])("%s %s", async (...args: string[]) => {
    const want = recorded(rec, ...args);
    const got = await strata(["--project", dir, ...args]);
    expect(got.code).toBe(0);
    expect(lines(got.stdout).sort()).toEqual(lines(want.stdout).sort());
  });

  it.each([["heads", "--verbose"], ["history", "--verbose"]])("%s %s", async (...args: string[]) => {
    const want = recorded(rec, ...args);
    const got = await strata(["--project", dir, ...args]);
    expect(got.code).toBe(0);
    expect(entries(got.stdout)).toEqual(entries(want.stdout));
    // The blank line after each entry, as Alembic prints it.
    expect(got.stdout.endsWith("\n\n")).toBe(true);
  });

  it("show REV", async () => {
    for (const want of rec.outputs.filter((o) => o.args[0] === "show")) {
      const got = await strata(["--project", dir, "show", want.args[1]!]);
      expect(lines(got.stdout)).toEqual(lines(want.stdout));
    }
  });

  it("history keeps each revision newest first (children above parents)", async () => {
    const got = await strata(["--project", dir, "history", "--json"]);
    const pos = new Map<string, number>(got.json.revisions.map((r: { revision: string }, i: number) => [r.revision, i]));
    for (const r of got.json.revisions as { revision: string; downRevisions: string[] }[]) {
      for (const p of r.downRevisions) expect(pos.get(p)!).toBeGreaterThan(pos.get(r.revision)!);
    }
  });
});

it("show -v gives the file's modification time as the Create Date where the file has none", async () => {
  const rec = recordings.find((r) => r.graph === 7)!;
  const dir = writeGraph(rec, { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } });
  const file = path.join(dir, "migrations", "d5d83e036333_rev.ts");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^\/\/ Create Date: .*\n/, ""));
  // Half a second is exact in the float seconds utimes takes; most fractions are not.
  fs.utimesSync(file, new Date(2025, 0, 2, 3, 4, 5, 500), new Date(2025, 0, 2, 3, 4, 5, 500));
  const got = await strata(["--project", dir, "show", "d5d83e036333"]);
  expect(got.stdout).toContain("\n    Create Date: 2025-01-02 03:04:05.500000\n");
});

describe.each(TEST_CLIENTS)("current and an ambiguous downgrade -1 as Alembic says them, on %s", (client: DbClient) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(client);
  });
  afterEach(async () => {
    await db.drop();
  });

  // Graph 7: three heads, one an effective head (another revision depends on it).
  const rec = recordings.find((r) => r.graph === 7)!;

  it("current lists the rows and the tips they applied; current -v as Alembic's entries", async () => {
    const dir = writeGraph(rec, { dev: envEntry(db) });
    expect((await strata(["--project", dir, "upgrade", "heads"])).code).toBe(0);
    const got = await strata(["--project", dir, "current"]);
    expect(lines(got.stdout).sort()).toEqual(lines(recorded(rec, "current").stdout).sort());
    const verbose = await strata(["--project", dir, "current", "--verbose"]);
    expect(verbose.stdout.split("\n")[0]).toMatch(/^Current revision\(s\) for dev /);
    expect(entries(verbose.stdout)).toEqual(entries(recorded(rec, "current", "--verbose").stdout));
  });

  it("downgrade -1 from several heads runs Alembic's plan, warns naming the head and the plain targets; --strict refuses", async () => {
    const dir = writeGraph(rec, { dev: envEntry(db) });
    expect((await strata(["--project", dir, "upgrade", "heads"])).code).toBe(0);
    const before = await versionHeads(db);
    expect(before).toEqual(["01068f332483", "d5d83e036333"]);
    // Alembic warned, then walked down from its first row (01068f332483 there too).
    expect(recorded(rec, "downgrade", "-1").stderr).toContain("downgrade -1 from multiple heads is ambiguous");

    const strict = await strata(["--project", dir, "downgrade", "-1", "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.reason).toBe(
      "strata: '-1' from several current heads (01068f332483, d5d83e036333) is ambiguous and strict targets refuse it; say which with 01068f332483@01068f332483-1 or d5d83e036333@d5d83e036333-1; nothing was changed",
    );
    expect(await versionHeads(db)).toEqual(before);

    const plan = await strata(["--project", dir, "downgrade", "-1", "--plan", "--json"]);
    expect(plan.code).toBe(0);
    expect(plan.json.warnings).toEqual([
      expect.objectContaining({ code: "RELATIVE_FROM_SEVERAL_HEADS", walkedFrom: "01068f332483", absoluteTargets: ["01068f332483@01068f332483-1", "d5d83e036333@d5d83e036333-1"] }),
    ]);

    // The plain target it names plans the same steps, with nothing to warn about.
    const plain = await strata(["--project", dir, "downgrade", "01068f332483@01068f332483-1", "--plan", "--json"]);
    expect(plain.json.steps).toEqual(plan.json.steps);
    expect(plain.json.warnings).toBeUndefined();

    const run = await strata(["--project", dir, "downgrade", "-1", "--json"]);
    expect(run.code).toBe(0);
    const warning = run.stderr.split("\n").find((l) => l.startsWith("warning: "));
    expect(warning).toMatch(/^warning: '-1' from 2 current heads \(01068f332483, d5d83e036333\) is ambiguous, and Alembic will disallow it: it walks down from 01068f332483, the first version-table row/);
    expect(warning).toContain("say which with 01068f332483@01068f332483-1 or d5d83e036333@d5d83e036333-1");
    expect(run.json.steps.map((s: { revision: string }) => s.revision)).toEqual(["01068f332483"]);
    expect(run.json.warnings[0].walkedFrom).toBe("01068f332483");
    // What Alembic's `current` showed after its run, less the order it printed in.
    const after = await strata(["--project", dir, "current"]);
    expect(lines(after.stdout).sort()).toEqual(lines(rec.outputs.filter((o) => o.args[0] === "current").at(-1)!.stdout).sort());
  });

  it('"strictTargets": true in strata.config.json refuses it too', async () => {
    const dir = writeGraph(rec, { dev: envEntry(db) });
    const config = JSON.parse(fs.readFileSync(path.join(dir, "strata.config.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ ...config, strictTargets: true }));
    expect((await strata(["--project", dir, "upgrade", "heads"])).code).toBe(0);
    const refused = await strata(["--project", dir, "downgrade", "-1"]);
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(/strict targets refuse it; say which with 01068f332483@01068f332483-1 or d5d83e036333@d5d83e036333-1; nothing was changed$/);
    expect(await versionHeads(db)).toEqual(["01068f332483", "d5d83e036333"]);
    fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify({ ...config, strictTargets: "yes" }));
    const bad = await strata(["--project", dir, "heads"]);
    expect(bad.code).toBe(2);
    expect(bad.reason).toBe("strata: strata.config.json: strictTargets: expected a boolean, got \"yes\"");
  });
});
