import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isStrataError } from "../../../electron/engine/errors.js";
import { loadConfig } from "../../../electron/engine/project/config-file.js";
import { resolveEnvironment } from "../../../electron/engine/project/environment.js";
import { initProject } from "../../../electron/engine/project/init-project.js";
import { DEFAULT_FILE_TEMPLATE } from "../../../electron/engine/scripts/file-template.js";
import { loadScriptDirectory } from "../../../electron/engine/scripts/script-directory.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-init-");

describe("initProject", () => {
  it("scaffolds a config with a SQLite dev environment and an empty migrations folder", async () => {
    const root = path.join(tempDir(), "new-app");
    const result = await initProject(root);
    expect(result).toEqual({
      root,
      created: [root, path.join(root, "strata.config.json"), path.join(root, "migrations")],
    });
    expect(statSync(path.join(root, "migrations")).isDirectory()).toBe(true);
    const config = loadConfig(root);
    expect(config).toMatchObject({ migrations: "migrations", fileTemplate: DEFAULT_FILE_TEMPLATE, versionTable: "strata_version" });
    expect(resolveEnvironment(config)).toMatchObject({
      name: "dev",
      client: "better-sqlite3",
      knexConfig: { connection: { filename: path.join(root, "dev.sqlite3") }, useNullAsDefault: true },
    });
    expect(await loadScriptDirectory(config.migrationsDir)).toMatchObject({ mode: "strata", scripts: [] });
    // No database file is made until something connects.
    expect(existsSync(path.join(root, "dev.sqlite3"))).toBe(false);
  });

  it("refuses a folder that already has a config, changing nothing", async () => {
    const root = tempDir();
    await initProject(root);
    const before = readFileSync(path.join(root, "strata.config.json"), "utf8");
    const err = await initProject(root).catch((e: unknown) => e);
    expect(isStrataError(err) && err.code).toBe("FILE_EXISTS");
    expect((err as Error).message).toContain(path.join(root, "strata.config.json"));
    expect(readFileSync(path.join(root, "strata.config.json"), "utf8")).toBe(before);
  });

  it("keeps an existing migrations folder", async () => {
    const root = tempDir();
    const first = await initProject(root);
    rmSync(path.join(root, "strata.config.json"));
    const second = await initProject(root);
    expect(first.created).toContain(path.join(root, "migrations"));
    expect(second.created).toEqual([path.join(root, "strata.config.json")]);
  });
});
