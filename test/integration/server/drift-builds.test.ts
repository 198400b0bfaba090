/**
 * Issue 19 point 7, through the service the app calls: drift's scratch builds are shared by the
 * environments on the same heads, remembered across visits of the environments screen, built
 * again once a file the build ran changes, and stopped once nobody waits for them. Every
 * revision's up() appends its id to a log file, so the revisions a scratch build ran are counted
 * from outside, whatever the dialect.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiCall, ApiRequest, ApiResponses } from "../../../shared/api.js";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import type { AppService } from "../../../electron/engine/app-session/app-service.js";
import { callService, diffService } from "../../helpers/browser-service.js";
import { useTestDatabase } from "../../helpers/database-hooks.js";
import { createSchemaDiffPort } from "../../../electron/engine/app-session/schema-diff-port.js";
import { MigrationsSchemaCache } from "../../../electron/engine/use-cases/migrations-schema-cache.js";
import { ScratchBuildStopped } from "../../../electron/engine/use-cases/schema-diff.js";
import { openProject, selectEnvironment } from "../../../electron/engine/use-cases/open-project.js";
import { envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import { strata, writeProject, writeRevision } from "../../helpers/strata-cli.js";
import type { RevisionSpec } from "../../helpers/strata-cli.js";

const REVISIONS = 40;
const id = (i: number): string => `r${String(i).padStart(3, "0")}`;

/** A chain of revisions, each making a table and logging that it ran (live and scratch runs alike). */
function revisions(log: string): RevisionSpec[] {
  return Array.from({ length: REVISIONS }, (_, i) => ({
    revision: id(i),
    downRevision: i === 0 ? null : id(i - 1),
    up: `require("node:fs").appendFileSync(${JSON.stringify(log)}, "${id(i)}\\n"); await knex.schema.createTable("t${i}", (t) => { t.integer("id").primary(); });`,
    down: `await knex.schema.dropTable("t${i}");`,
    message: "rev",
  }));
}

describe.each(TEST_CLIENTS)("drift's scratch builds on %s", (client: DbClient) => {
  const dev = useTestDatabase(client);
  const stage = useTestDatabase(client);
  let dir: string;
  let log: string;
  let built: MigrationsSchemaCache;
  let service: AppService;

  beforeEach(async () => {
    dir = writeProject({ environments: { dev: envEntry(dev), stage: envEntry(stage) } });
    log = path.join(dir, "ran.log");
    for (const r of revisions(log)) writeRevision(dir, r);
    for (const env of ["dev", "stage"]) {
      const r = await strata(["--env", env, "upgrade", "heads"], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
    fs.rmSync(log);
    built = new MigrationsSchemaCache();
    service = diffService(dir, createSchemaDiffPort(built));
  });
  afterEach(() => {
    service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = <K extends ApiCall>(name: K, payload: ApiRequest<K>): Promise<ApiResponses[K]> => callService(service, name, payload);
  const drifts = async (environments?: string[]): Promise<Record<string, string>> =>
    Object.fromEntries((await call("environmentStatus", { drift: true, ...(environments ? { environments } : {}) })).environments.map((e) => [e.environment.name, e.drift.state]));
  const ranInScratch = (): number => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0);

  it("two environments on the same heads share one build, asked together or again; drift is still seen", async () => {
    const [devOnly, stageOnly] = await Promise.all([drifts(["dev"]), drifts(["stage"])]);
    expect(devOnly).toEqual({ dev: "none" });
    expect(stageOnly).toEqual({ stage: "none" });
    expect(built.builds).toBe(1);
    expect(ranInScratch()).toBe(REVISIONS);
    expect(await drifts()).toEqual({ dev: "none", stage: "none" });
    expect(built.builds).toBe(1);

    await dev.knex.schema.createTable("made_by_hand", (t) => t.integer("id"));
    const status = await call("environmentStatus", { drift: true });
    const devDrift = status.environments.find((e) => e.environment.name === "dev")!.drift;
    expect(devDrift.state).toBe("drifted");
    expect(devDrift.changes.map((c) => c.table)).toEqual(["made_by_hand"]);
    expect(status.environments.find((e) => e.environment.name === "stage")!.drift.state).toBe("none");
    expect(built.builds).toBe(1);
    expect(ranInScratch()).toBe(REVISIONS);
  });

  it("a file the build ran changed on disk: built again, once", async () => {
    await drifts();
    const file = path.join(dir, "migrations", `${id(5)}_rev.ts`);
    fs.appendFileSync(file, "// reviewed\n");
    // The watcher reloads the project; the changed checksum makes a new build whatever its timing.
    const after = await drifts();
    expect(after).toEqual({ dev: "none", stage: "none" });
    expect(built.builds).toBe(2);
    expect(ranInScratch()).toBe(2 * REVISIONS);
  });

  it("a check nobody waits for any more stops and is not remembered; asked again, the build goes on for the new ask", async () => {
    const project = await openProject({ project: dir, cwd: dir });
    const env = selectEnvironment(project, "dev");
    const stop = new AbortController();
    // With no grace, for a count that cannot be outrun; the service's cache gives one (below).
    const alone = new MigrationsSchemaCache(0);
    const read = alone.read(project, { host: env }, project.map.heads, stop.signal);
    const stopped = read.then(
      () => "finished",
      (e: unknown) => (e instanceof ScratchBuildStopped ? "stopped" : String(e)),
    );
    while (ranInScratch() === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    expect(await stopped).toBe("stopped");
    // It gives up at its next turn; no revision runs after that.
    await new Promise((r) => setTimeout(r, 500));
    const ran = ranInScratch();
    expect(ran).toBeLessThan(REVISIONS);
    await new Promise((r) => setTimeout(r, 300));
    expect(ranInScratch()).toBe(ran);

    // The screen asks again while its first ask is building: the first answer gives up on drift, the build goes on for the second.
    const first = call("environmentStatus", { drift: true });
    while (ranInScratch() === ran) await new Promise((r) => setTimeout(r, 5));
    const second = await drifts();
    expect((await first).environments.map((e) => e.drift)).toEqual([
      { state: "unavailable", changes: [], note: "drift check stopped: the environments were asked for again; reload to check" },
      { state: "unavailable", changes: [], note: "drift check stopped: the environments were asked for again; reload to check" },
    ]);
    expect(second).toEqual({ dev: "none", stage: "none" });
    // One build for both asks, run to the end once.
    expect(built.builds).toBe(1);
    expect(ranInScratch()).toBe(ran + REVISIONS);
  });

  it("the page left the environments screen: its checks stop and their build pauses at once; asked again within the grace, it goes on", async () => {
    const first = call("environmentStatus", { drift: true });
    while (ranInScratch() === 0) await new Promise((r) => setTimeout(r, 5));
    expect(await call("stopDriftChecks", {})).toEqual({ stopped: 1 });
    const note = "drift check stopped: the environments screen was left; open it again to check";
    expect((await first).environments.map((e) => e.drift)).toEqual([
      { state: "unavailable", changes: [], note },
      { state: "unavailable", changes: [], note },
    ]);
    // The turn under way ends (up to 8 revisions, slow DDL on MariaDB); no revision runs after it while nobody asks (300 ms without one).
    let ran = ranInScratch();
    for (let still = 0; still < 300; still += 20) {
      await new Promise((r) => setTimeout(r, 20));
      if (ranInScratch() !== ran) [ran, still] = [ranInScratch(), 0];
    }
    expect(ran).toBeLessThan(REVISIONS);
    // Nothing left to stop.
    expect(await call("stopDriftChecks", {})).toEqual({ stopped: 0 });

    // Back on the screen within the grace: the paused build goes on from where it stood.
    expect(await drifts()).toEqual({ dev: "none", stage: "none" });
    expect(built.builds).toBe(1);
    expect(ranInScratch()).toBe(REVISIONS);
  });
});
