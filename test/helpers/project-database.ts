import fs from "node:fs";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createTestDatabase, envEntry, type TestDatabase } from "./databases.js";
import { writeProject, type RevisionSpec } from "./strata-cli.js";

/** A fresh database on `client`, and a project folder holding `revisions` whose one environment, dev, points at it. */
export async function createProjectDatabase(client: DbClient, revisions: readonly RevisionSpec[]): Promise<{ db: TestDatabase; dir: string }> {
  const db = await createTestDatabase(client);
  return { db, dir: writeProject({ environments: { dev: envEntry(db) }, revisions }) };
}

/** Drops the database and removes the project folder made by createProjectDatabase. */
export async function removeProjectDatabase(db: TestDatabase, dir: string): Promise<void> {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
