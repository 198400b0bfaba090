import fs from "node:fs";
import { afterEach, beforeEach } from "vitest";
import type { AppService } from "../../electron/engine/app-session/app-service.js";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { useTestDatabase } from "./database-hooks.js";
import { createTestDatabase, envEntry, type TestDatabase } from "./databases.js";
import { browserService } from "./browser-service.js";
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

/** A project on a fresh database with the GUI's service open on it, for the test that is running. */
export interface ProjectService {
  readonly db: TestDatabase;
  /** The project folder. */
  readonly dir: string;
  readonly service: AppService;
  /** Closes the service and opens a new one on the same project, as a restarted app would. */
  reopen(): AppService;
}

/**
 * The hooks of a suite whose every test has createProjectDatabase's project and the GUI's
 * service on it (browserService): made before each test; after it, the service's runs are
 * waited for, it is closed, and the database and folders are removed.
 */
export function useProjectService(client: DbClient, revisions: readonly RevisionSpec[]): ProjectService {
  const db = useTestDatabase(client);
  let opened: { readonly dir: string; app: ReturnType<typeof browserService> } | undefined;
  beforeEach(() => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions });
    opened = { dir, app: browserService(dir) };
  });
  afterEach(async () => {
    const { dir, app } = opened ?? {};
    opened = undefined;
    await app?.service.runs.idle();
    app?.service.close();
    app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const project = (): NonNullable<typeof opened> => {
    if (!opened) throw new Error("the project and its service are made before each test: use them inside a test");
    return opened;
  };
  return {
    db,
    get dir() {
      return project().dir;
    },
    get service() {
      return project().app.service;
    },
    reopen() {
      const p = project();
      p.app.service.close();
      p.app.close();
      p.app = browserService(p.dir);
      return p.app.service;
    },
  };
}
