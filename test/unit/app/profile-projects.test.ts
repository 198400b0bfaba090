/**
 * Issue 14: saved connection profiles belong to the project they were made in. A profile saved
 * with project A open is not listed (nor offered as an environment) in project B unless it is
 * marked shared; profiles saved before profiles had a project are kept and listed everywhere.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAppService } from "../../../electron/engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../../electron/engine/app-session/profile-store.js";
import { writeProject } from "../../helpers/strata-cli.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-profiles-");
const projects: string[] = [];
afterEach(() => {
  for (const d of projects.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const dir = writeProject({ environments: { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } } });
  projects.push(dir);
  return dir;
}

function serviceFor(root: string, profilesFile: string) {
  return createAppService({ host: "browser", projectRoot: root, profiles: new ProfileStore(profilesFile, NO_PASSWORD_STORAGE), recentFile: null });
}

describe("profiles per project", () => {
  it("a profile saved in project A is listed in A, not in B; a shared one in both", async () => {
    const file = path.join(tempDir(), "profiles.json");
    const a = project();
    const b = project();
    const inA = serviceFor(a, file);
    const inB = serviceFor(b, file);

    const own = await inA.handlers.saveProfile({ name: "scratch", client: "better-sqlite3", filename: "scratch.sqlite3" });
    expect(own).toMatchObject({ shared: false, projectRoot: fs.realpathSync(a) });
    const everywhere = await inA.handlers.saveProfile({ name: "reporting", client: "better-sqlite3", filename: "/tmp/reporting.sqlite3", shared: true });
    expect(everywhere.shared).toBe(true);

    expect((await inA.handlers.listProfiles({})).profiles.map((p) => p.name).sort()).toEqual(["reporting", "scratch"]);
    expect((await inB.handlers.listProfiles({})).profiles.map((p) => p.name)).toEqual(["reporting"]);
    // Nor is it offered as an environment there.
    expect((await inB.handlers.projectSummary({})).environments.map((e) => e.name)).toEqual(["dev", "reporting"]);
    expect((await inA.handlers.projectSummary({})).environments.map((e) => e.name)).toEqual(["dev", "scratch", "reporting"]);

    // B may use the name A's own profile has; not a shared profile's.
    expect((await inB.handlers.saveProfile({ name: "scratch", client: "better-sqlite3", filename: "b.sqlite3" })).projectRoot).toBe(fs.realpathSync(b));
    await expect(inB.handlers.saveProfile({ name: "reporting", client: "better-sqlite3", filename: "r.sqlite3" })).rejects.toMatchObject({ code: "USAGE" });

    // Unsharing keeps it in the project it was made in.
    await inB.handlers.saveProfile({ id: everywhere.id, name: "reporting", client: "better-sqlite3", filename: "/tmp/reporting.sqlite3", shared: false });
    expect((await inB.handlers.listProfiles({})).profiles.map((p) => p.name)).toEqual(["scratch"]);
    expect((await inA.handlers.listProfiles({})).profiles.map((p) => p.name).sort()).toEqual(["reporting", "scratch"]);
    // The same project opened through a symlink is the same project.
    const link = path.join(tempDir(), "a-link");
    fs.symlinkSync(a, link);
    expect((await serviceFor(link, file).handlers.listProfiles({})).profiles.map((p) => p.name).sort()).toEqual(["reporting", "scratch"]);
  });

  it("profiles saved before profiles had a project are kept, listed in every project as shared", async () => {
    const file = path.join(tempDir(), "profiles.json");
    fs.writeFileSync(file, JSON.stringify({ version: 1, profiles: [{ id: "old-1", name: "legacy", client: "pg", host: "db.example.com", database: "app" }] }));
    const a = project();
    const b = project();
    for (const root of [a, b]) {
      const listed = (await serviceFor(root, file).handlers.listProfiles({})).profiles;
      expect(listed).toMatchObject([{ id: "old-1", name: "legacy", shared: true, projectRoot: null }]);
    }
    // Edited and unshared in A: from then on it is A's.
    await serviceFor(a, file).handlers.saveProfile({ id: "old-1", name: "legacy", client: "pg", host: "db.example.com", database: "app", shared: false });
    expect((await serviceFor(a, file).handlers.listProfiles({})).profiles.map((p) => p.name)).toEqual(["legacy"]);
    expect((await serviceFor(b, file).handlers.listProfiles({})).profiles).toEqual([]);
  });

  it("the store alone: list(root) filters, a profile saved with no project open is shared", () => {
    const store = new ProfileStore(path.join(tempDir(), "profiles.json"), NO_PASSWORD_STORAGE);
    store.save({ name: "mine", client: "better-sqlite3", filename: "x.sqlite3" }, "/work/a");
    store.save({ name: "loose", client: "better-sqlite3", filename: "y.sqlite3" }, null);
    expect(store.list("/work/a").map((p) => p.name)).toEqual(["mine", "loose"]);
    expect(store.list("/work/b").map((p) => p.name)).toEqual(["loose"]);
    expect(store.list(null).map((p) => p.name)).toEqual(["loose"]);
  });
});
