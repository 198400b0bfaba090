/**
 * bin/strata compiles its bundles (dist/strata.cjs, and dist/knex.cjs on a command that connects)
 * from V8's code cache in Strata's cache folder. A missing, damaged or foreign cache must never
 * change what a command does; with caching off nothing is written.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { compileCacheRoot } from "../../../electron/engine/scripts/compile-cache.js";
import { createTestDatabase, envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject } from "../../helpers/strata-cli.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const A1 = "c0de0000a1a1";
const makeTempDir = useTempDirs("strata-code-cache-");

describe.each(TEST_CLIENTS)("the CLI's code cache on %s", (client: DbClient) => {
  let db: TestDatabase;
  let dir: string;
  let cache: string;
  beforeEach(async () => {
    db = await createTestDatabase(client);
    dir = writeProject({
      environments: { dev: envEntry(db) },
      revisions: [{ revision: A1, downRevision: null, message: "one table", up: `await knex.schema.createTable("cc_t", (t) => { t.integer("id"); });`, down: `await knex.schema.dropTable("cc_t");` }],
    });
    cache = makeTempDir();
  });
  afterEach(async () => {
    await db.drop();
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => strata(["--project", dir, ...args], { env: { STRATA_CACHE_DIR: cache, ...env } });
  const cacheFiles = () => (fs.existsSync(path.join(cache, "v8")) ? fs.readdirSync(path.join(cache, "v8")).sort() : []);

  it("writes a cache per command for each bundle it loaded, and the next run of it runs from that cache", async () => {
    const first = await run(["upgrade", "heads", "--json"]);
    expect(first.code).toBe(0);
    expect(first.json.heads).toEqual([A1]);
    const files = cacheFiles();
    expect(files.map((f) => f.replace(/-.*/, ""))).toEqual(["knex.cjs", "strata.cjs"]);
    expect(files.every((f) => f.endsWith(`-${process.version}-${process.arch}-upgrade.v8`))).toBe(true);
    for (const f of files) expect(fs.statSync(path.join(cache, "v8", f)).mode & 0o777).toBe(0o600);
    const written = files.map((f) => fs.statSync(path.join(cache, "v8", f)).mtimeMs);

    // Accepted, so not written again (a rejected cache would be replaced).
    const again = await run(["--quiet", "--env", "dev", "upgrade", "heads", "--json"]);
    expect(again.code).toBe(0);
    expect(again.json.steps).toEqual([]);
    expect(cacheFiles()).toEqual(files);
    expect(files.map((f) => fs.statSync(path.join(cache, "v8", f)).mtimeMs)).toEqual(written);

    const other = await run(["current", "--json"]);
    expect(other.code).toBe(0);
    expect(other.json).toMatchObject({ environment: "dev", heads: [A1] });
    expect(cacheFiles().filter((f) => f.endsWith("-current.v8"))).toHaveLength(2);
  });

  it("a damaged cache is compiled past and replaced", async () => {
    expect((await run(["current", "--json"])).code).toBe(0);
    const files = cacheFiles();
    expect(files).toHaveLength(2);
    for (const f of files) fs.writeFileSync(path.join(cache, "v8", f), "not a code cache");
    const after = await run(["current", "--json"]);
    expect(after.code).toBe(0);
    expect(after.json.heads).toEqual([]);
    expect(cacheFiles()).toEqual(files);
    for (const f of files) expect(fs.statSync(path.join(cache, "v8", f)).size).toBeGreaterThan(1000);
  });

  it.runIf(process.getuid?.() === 0)("a cache written by another user is not used", async () => {
    expect((await run(["current", "--json"])).code).toBe(0);
    const files = cacheFiles();
    // Valid cache data, but another user's: it must be compiled past (and replaced by this user's).
    for (const f of files) fs.chownSync(path.join(cache, "v8", f), 65534, 65534);
    const after = await run(["current", "--json"]);
    expect(after.code).toBe(0);
    expect(after.json.heads).toEqual([]);
    for (const f of files) expect(fs.statSync(path.join(cache, "v8", f)).uid).toBe(0);
  });

  it("without STRATA_CACHE_DIR, it is kept where compiled revisions are (compileCacheRoot)", async () => {
    // bin/strata finds the folder on its own, before the bundle is loaded: it must agree with the engine.
    const env = { STRATA_CACHE_DIR: "", XDG_CACHE_HOME: path.join(cache, "xdg") };
    const r = await run(["current", "--json"], env);
    expect(r.code).toBe(0);
    const folder = path.join(compileCacheRoot({ ...process.env, ...env })!, "v8");
    expect(folder).toBe(path.join(cache, "xdg", "strata", "v8"));
    expect(fs.readdirSync(folder).map((f) => f.replace(/-.*/, "")).sort()).toEqual(["knex.cjs", "strata.cjs"]);
  });

  it("with STRATA_NO_COMPILE_CACHE set, nothing is cached", async () => {
    const r = await run(["upgrade", "heads", "--json"], { STRATA_NO_COMPILE_CACHE: "1" });
    expect(r.code).toBe(0);
    expect(r.json.heads).toEqual([A1]);
    expect(fs.existsSync(path.join(cache, "v8"))).toBe(false);
  });
});
