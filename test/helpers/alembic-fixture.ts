import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { RevisionRecord } from "../../electron/engine/revisions/index.js";

/** A revision of a recorded graph, as Alembic's script directory declared it. */
export interface FixtureRevision {
  readonly revision: string;
  readonly downRevision: string | string[] | null;
  readonly branchLabels: string[];
  readonly dependsOn: string[];
}

/** One recorded command: what real Alembic planned and left, or that it refused. */
export interface FixtureCase {
  readonly graph: number;
  readonly start: string;
  readonly before: string[];
  readonly command: "upgrade" | "downgrade";
  readonly target: string;
  readonly ok: boolean;
  readonly steps?: { revision: string; direction: "up" | "down" }[];
  readonly after: string[];
  readonly error?: string;
}

/** test/fixtures/alembic-revision-cases.json. */
export interface AlembicFixture {
  readonly alembic: string;
  readonly graphs: { revisions: FixtureRevision[]; heads: string[] }[];
  readonly cases: FixtureCase[];
}

/** The folder of recorded fixtures, with a trailing slash. */
export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** The graphs and cases recorded from real Alembic. */
export function readAlembicFixture(): AlembicFixture {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}alembic-revision-cases.json`, "utf8")) as AlembicFixture;
}

/** A recorded graph's revisions as the engine's records, in the order the fixture lists them. */
export function fixtureRecords(revisions: readonly FixtureRevision[]): RevisionRecord[] {
  return revisions.map((r) => ({
    revision: r.revision,
    downRevisions: r.downRevision === null ? [] : Array.isArray(r.downRevision) ? r.downRevision : [r.downRevision],
    branchLabels: r.branchLabels,
    dependsOn: r.dependsOn,
    message: `rev ${r.revision}`,
    file: `${r.revision}_rev.ts`,
  }));
}
