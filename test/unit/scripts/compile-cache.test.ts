import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  compileCacheRoot,
  compileKey,
  sourceDigest,
  flushCompileCaches,
  FolderCompileCache,
  pruneCompileCache,
  resetCompileCaches,
} from "../../../electron/engine/scripts/compile-cache.js";
import { compilerId } from "../../../electron/engine/scripts/esbuild-compiler.js";
import { sucraseCompilerId } from "../../../electron/engine/scripts/sucrase-compiler.js";
import { compileScriptsAhead, loadScriptDirectory } from "../../../electron/engine/scripts/script-directory.js";
import { strataErrorOfAsync } from "../../helpers/strata-errors.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const here = path.dirname(fileURLToPath(import.meta.url));
// Registered first so it runs last: vitest runs afterEach hooks in reverse, and resetCompileCaches
// below must flush into the cache folder before it is removed.
const tempDir = useTempDirs("strata-cc-");
const savedEnv = { dir: process.env.STRATA_CACHE_DIR, off: process.env.STRATA_NO_COMPILE_CACHE };
let cacheRoot = "";

beforeEach(() => {
  cacheRoot = tempDir("strata-cache-");
  process.env.STRATA_CACHE_DIR = cacheRoot;
  delete process.env.STRATA_NO_COMPILE_CACHE;
  resetCompileCaches();
});

afterEach(() => {
  resetCompileCaches();
});

afterAll(() => {
  if (savedEnv.dir === undefined) delete process.env.STRATA_CACHE_DIR;
  else process.env.STRATA_CACHE_DIR = savedEnv.dir;
  if (savedEnv.off === undefined) delete process.env.STRATA_NO_COMPILE_CACHE;
  else process.env.STRATA_NO_COMPILE_CACHE = savedEnv.off;
});

const id = (i: number): string => i.toString(16).padStart(12, "0");

/** A revision whose up() returns `value`, so a test can tell which code ran. */
function revisionSource(i: number, value: string, upBody = `return ${JSON.stringify(value)};`): string {
  return `import type { Knex } from "knex";

export const revision = "${id(i + 1)}";
export const downRevision: string | null = ${i === 0 ? "null" : JSON.stringify(id(i))};

export async function up(knex: Knex): Promise<string> {
  ${upBody}
}

export async function down(knex: Knex): Promise<void> {}
`;
}

/** A migrations folder of `count` revisions (0001_x.ts ...). */
function migrationsFolder(count: number): string {
  const dir = path.join(tempDir("strata-cc-project-"), "migrations");
  mkdirSync(dir);
  for (let i = 0; i < count; i++) writeFileSync(path.join(dir, fileName(i)), revisionSource(i, `v${i}`));
  return dir;
}

const fileName = (i: number): string => `${String(i).padStart(4, "0")}_rev.ts`;

/** What every revision's up() returns, loading the folder as a run would (compile, evaluate). */
async function runUps(dir: string): Promise<unknown[]> {
  const sd = await loadScriptDirectory(dir);
  const modules = await Promise.all(sd.scripts.map((s) => s.load()));
  return Promise.all(modules.map((m) => m.up(undefined as never)));
}

/** The cache files and any temporary files beside them. */
function cacheFiles(): string[] {
  const folder = path.join(cacheRoot, "compile");
  return existsSync(folder) ? readdirSync(folder).filter((n) => n !== "last-pruned").map((n) => path.join(folder, n)) : [];
}

/** The cache file's entries, checked the way Strata checks them (header, folder, body hash). */
function readEntries(file: string): Record<string, [string, string]> {
  const text = readFileSync(file, "utf8");
  const nl = text.indexOf("\n");
  const header = JSON.parse(text.slice(0, nl)) as { format: string; dir: string; sha256: string };
  const body = text.slice(nl + 1);
  expect(createHash("sha256").update(body).digest("hex")).toBe(header.sha256);
  return JSON.parse(body) as Record<string, [string, string]>;
}

/** Rewrites a cache file with new entries and a matching body hash (a valid file whose code we chose). */
function writeEntries(file: string, entries: Record<string, [string, string]>): void {
  const text = readFileSync(file, "utf8");
  const header = JSON.parse(text.slice(0, text.indexOf("\n"))) as Record<string, unknown>;
  const body = JSON.stringify(entries);
  header.sha256 = createHash("sha256").update(body).digest("hex");
  writeFileSync(file, `${JSON.stringify(header)}\n${body}`);
}

describe("compile cache", () => {
  it("stores one file per migrations folder and uses it on the next run (hit)", async () => {
    const dir = migrationsFolder(3);
    expect(await runUps(dir)).toEqual(["v0", "v1", "v2"]);
    flushCompileCaches();
    const files = cacheFiles();
    expect(files).toHaveLength(1);
    const entries = readEntries(files[0]!);
    expect(Object.keys(entries).sort()).toEqual([fileName(0), fileName(1), fileName(2)]);

    // Prove that a new process takes the cached code rather than compiling: swap one entry's code.
    const [key, code] = entries[fileName(1)]!;
    expect(code).toContain('return "v1"');
    writeEntries(files[0]!, { ...entries, [fileName(1)]: [key, code.replace('return "v1"', 'return "from the cache"')] });
    resetCompileCaches();
    expect(await runUps(dir)).toEqual(["v0", "from the cache", "v2"]);
  });

  it.skipIf(process.getuid?.() !== 0)("does not trust a cache file another user owns", async () => {
    const dir = migrationsFolder(2);
    await runUps(dir);
    flushCompileCaches();
    const file = cacheFiles()[0]!;
    const entries = readEntries(file);
    const [key, code] = entries[fileName(1)]!;
    writeEntries(file, { ...entries, [fileName(1)]: [key, code.replace('return "v1"', 'return "planted"')] });
    chownSync(file, 4242, 4242);
    resetCompileCaches();
    expect(await runUps(dir)).toEqual(["v0", "v1"]);
  });

  it("compiles a file again when its source changed (miss), and rewrites its entry", async () => {
    const dir = migrationsFolder(2);
    await runUps(dir);
    flushCompileCaches();
    const file = cacheFiles()[0]!;
    const before = readEntries(file);
    writeEntries(file, { ...before, [fileName(1)]: [before[fileName(1)]![0], before[fileName(1)]![1].replace('return "v1"', 'return "stale"')] });
    resetCompileCaches();

    writeFileSync(path.join(dir, fileName(1)), revisionSource(1, "edited"));
    expect(await runUps(dir)).toEqual(["v0", "edited"]);
    flushCompileCaches();
    const after = readEntries(file);
    expect(after[fileName(1)]![0]).not.toBe(before[fileName(1)]![0]);
    expect(after[fileName(1)]![1]).toContain('return "edited"');
    expect(after[fileName(0)]).toEqual(before[fileName(0)]);
  });

  it("drops the entries of deleted files and the caches of folders that no longer exist", async () => {
    const gone = migrationsFolder(1);
    await runUps(gone);
    flushCompileCaches();
    const goneCache = cacheFiles()[0]!;
    rmSync(path.dirname(gone), { recursive: true, force: true });

    const dir = migrationsFolder(3);
    await runUps(dir);
    flushCompileCaches();
    rmSync(path.join(dir, fileName(2)));
    writeFileSync(path.join(dir, fileName(0)), revisionSource(0, "changed"));
    resetCompileCaches();
    await runUps(dir);
    flushCompileCaches();
    // Pruning runs at most every few minutes on its own; here, now.
    pruneCompileCache(cacheRoot);

    expect(existsSync(goneCache)).toBe(false);
    const files = cacheFiles();
    expect(files).toHaveLength(1);
    expect(Object.keys(readEntries(files[0]!)).sort()).toEqual([fileName(0), fileName(1)]);
  });

  it("keeps the folder's total under its limit by deleting the least recently used caches", async () => {
    const dirs = [migrationsFolder(2), migrationsFolder(2), migrationsFolder(2)];
    const files: string[] = [];
    for (const [i, dir] of dirs.entries()) {
      resetCompileCaches();
      await runUps(dir);
      flushCompileCaches();
      const file = new FolderCompileCache(cacheRoot, dir).file;
      // Oldest first: 0, then 1, then 2.
      utimesSync(file, new Date(Date.UTC(2020, 0, 1 + i)), new Date(Date.UTC(2020, 0, 1 + i)));
      files.push(file);
    }
    const size = statSync(files[0]!).size;
    pruneCompileCache(cacheRoot, undefined, size * 2 + 1);
    expect(files.map((f) => existsSync(f))).toEqual([false, true, true]);
  });

  it.each([
    ["garbage", (text: string) => `not a cache ${text.length}`],
    ["a torn write (truncated)", (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ["a body that does not match its hash", (text: string) => text.replace('return \\"v1\\"', 'return \\"tampered\\"')],
    ["an empty file", () => ""],
    ["another format", (text: string) => text.replace("strata-compile-cache@1", "strata-compile-cache@0")],
  ])("ignores a cache file holding %s, compiles, and writes a good one", async (_what, spoil) => {
    const dir = migrationsFolder(2);
    await runUps(dir);
    flushCompileCaches();
    const file = cacheFiles()[0]!;
    const good = readFileSync(file, "utf8");
    const spoilt = spoil(good);
    expect(spoilt).not.toBe(good);
    writeFileSync(file, spoilt);
    resetCompileCaches();

    expect(await runUps(dir)).toEqual(["v0", "v1"]);
    flushCompileCaches();
    expect(Object.keys(readEntries(file)).sort()).toEqual([fileName(0), fileName(1)]);
  });

  it("works on without a cache when the cache folder cannot be used", async () => {
    const blocker = path.join(tempDir("strata-cc-file-"), "not-a-folder");
    writeFileSync(blocker, "a file where the cache folder should be");
    process.env.STRATA_CACHE_DIR = blocker;
    resetCompileCaches();
    const dir = migrationsFolder(2);
    expect(await runUps(dir)).toEqual(["v0", "v1"]);
    flushCompileCaches();
    expect(readFileSync(blocker, "utf8")).toBe("a file where the cache folder should be");
  });

  it("writes nothing when STRATA_NO_COMPILE_CACHE is set", async () => {
    process.env.STRATA_NO_COMPILE_CACHE = "1";
    resetCompileCaches();
    const dir = migrationsFolder(2);
    expect(await runUps(dir)).toEqual(["v0", "v1"]);
    flushCompileCaches();
    expect(existsSync(path.join(cacheRoot, "compile"))).toBe(false);
  });

  it("names the file and line of a revision that throws while loading, from a warm cache too", async () => {
    const dir = migrationsFolder(1);
    writeFileSync(
      path.join(dir, "0001_throws.ts"),
      revisionSource(1, "x").replace("export async function up", 'const n: number = 1;\nif (n === 1) throw new Error("boom at load");\nexport async function up'),
    );
    for (const round of ["cold", "warm"]) {
      resetCompileCaches();
      const sd = await loadScriptDirectory(dir);
      const e = await strataErrorOfAsync(sd.scripts[1]!.load());
      expect(e.code, round).toBe("REVISION_FILE_INVALID");
      expect(e.message, round).toMatch(/^migrations\/0001_throws\.ts:7:\d+: the file threw while loading: boom at load$/);
    }
    flushCompileCaches();
    expect(Object.keys(readEntries(cacheFiles()[0]!))).toContain("0001_throws.ts");
  });

  it("caches nothing for a file that does not compile, and reports it as before", async () => {
    const dir = migrationsFolder(1);
    await runUps(dir);
    writeFileSync(path.join(dir, "0001_broken.ts"), revisionSource(1, "x").replace("return", "return )"));
    resetCompileCaches();
    const e = await strataErrorOfAsync(loadScriptDirectory(dir).then((sd) => sd.scripts[1]!.load()));
    expect(e.message).toMatch(/^migrations\/0001_broken\.ts:7:\d+: /);
    flushCompileCaches();
    expect(Object.keys(readEntries(cacheFiles()[0]!))).toEqual([fileName(0)]);
  });

  it("finds its folder from the environment", () => {
    expect(compileCacheRoot({ STRATA_CACHE_DIR: "/x/y" }, "linux")).toBe(path.resolve("/x/y"));
    expect(compileCacheRoot({ XDG_CACHE_HOME: "/xdg" }, "linux")).toBe(path.join("/xdg", "strata"));
    expect(compileCacheRoot({}, "linux")).toBe(path.join(os.homedir(), ".cache", "strata"));
    expect(compileCacheRoot({ STRATA_NO_COMPILE_CACHE: "1", STRATA_CACHE_DIR: "/x" }, "linux")).toBeUndefined();
    expect(compileCacheRoot({ STRATA_NO_COMPILE_CACHE: "0", STRATA_CACHE_DIR: "/x" }, "linux")).toBe(path.resolve("/x"));
  });

  it("stays whole when ten processes write the same folder's cache at once", async () => {
    const dir = migrationsFolder(40);
    const moduleUrl = (rel: string): string => pathToFileURL(path.resolve(here, rel)).href;
    const child = path.join(tempDir("strata-cc-child-"), "writer.mts");
    // Each writer loads the folder (compiling every file, then writing the cache), then rewrites it
    // twenty more times while checking that every read sees a whole file with every entry.
    writeFileSync(
      child,
      `import { readFileSync } from "node:fs";
import { FolderCompileCache, flushCompileCaches } from ${JSON.stringify(moduleUrl("../../../electron/engine/scripts/compile-cache.ts"))};
import { loadScriptDirectory } from ${JSON.stringify(moduleUrl("../../../electron/engine/scripts/script-directory.ts"))};
const [dir, root] = process.argv.slice(2);
const sd = await loadScriptDirectory(dir);
await Promise.all(sd.scripts.map((s) => s.load()));
flushCompileCaches();
// Under tsx this script and the engine may hold two copies of the cache module: let the engine's scheduled write run.
await new Promise((resolve) => setImmediate(resolve));
const mine = new FolderCompileCache(root, dir);
const text = readFileSync(mine.file, "utf8");
const written: Record<string, [string, string]> = JSON.parse(text.slice(text.indexOf("\\n") + 1));
const names = Object.keys(written);
if (names.length !== sd.scripts.length) { console.error("first write holds " + names.length + " entries"); process.exit(3); }
for (let i = 0; i < 20; i++) {
  for (const n of names) mine.set(n, written[n][0], written[n][1]);
  mine.flush();
  const reader = new FolderCompileCache(root, dir);
  for (const n of names) if (reader.get(n, written[n][0]) === undefined) { console.error("torn or partial cache at " + n); process.exit(3); }
}
`,
    );
    const tsx = path.resolve(here, "../../../node_modules/tsx/dist/loader.mjs");
    const runs = Array.from({ length: 10 }, () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, ["--import", pathToFileURL(tsx).href, child, dir, cacheRoot], {
          env: { ...process.env, STRATA_CACHE_DIR: cacheRoot },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => p.kill("SIGKILL"), 50_000);
        p.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      }),
    );
    const results = await Promise.all(runs);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });

    const files = cacheFiles();
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(files).toHaveLength(1);
    const entries = readEntries(files[0]!);
    expect(Object.keys(entries)).toHaveLength(40);
    // And this process takes every entry as a hit.
    resetCompileCaches();
    const cache = new FolderCompileCache(cacheRoot, dir);
    for (const [name, [key]] of Object.entries(entries)) expect(cache.get(name, key)).toBeDefined();
    expect(await runUps(dir)).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`));
  }, 60_000);
});

/** Compiles the folder ahead (one batch, as a plan or the app's warm-up does), then what every up() returns. */
async function compileAheadThenRunUps(dir: string): Promise<{ compiled: number; ups: unknown[] }> {
  const sd = await loadScriptDirectory(dir);
  const compiled = await compileScriptsAhead(sd.scripts);
  const modules = await Promise.all(sd.scripts.map((s) => s.load()));
  return { compiled, ups: await Promise.all(modules.map((m) => m.up(undefined as never))) };
}

describe("compiling ahead, in batches (issue 19 point 7)", () => {
  it("caches what one compile per file caches, so the loads after it compile nothing", async () => {
    const dir = migrationsFolder(3);
    expect(await runUps(dir)).toEqual(["v0", "v1", "v2"]);
    flushCompileCaches();
    const onePerFile = readEntries(cacheFiles()[0]!);

    process.env.STRATA_CACHE_DIR = cacheRoot = tempDir("strata-cache-ahead-");
    resetCompileCaches();
    expect(await compileAheadThenRunUps(dir)).toEqual({ compiled: 3, ups: ["v0", "v1", "v2"] });
    flushCompileCaches();
    expect(readEntries(cacheFiles()[0]!)).toEqual(onePerFile);
    // Asked again with everything cached, nothing is compiled.
    resetCompileCaches();
    expect(await compileAheadThenRunUps(dir)).toEqual({ compiled: 0, ups: ["v0", "v1", "v2"] });
  });

  it("compiles an edited file again: its load runs the new text", async () => {
    const dir = migrationsFolder(2);
    await compileAheadThenRunUps(dir);
    writeFileSync(path.join(dir, fileName(1)), revisionSource(1, "edited"));
    expect(await compileAheadThenRunUps(dir)).toEqual({ compiled: 1, ups: ["v0", "edited"] });
    resetCompileCaches();
    expect(await compileAheadThenRunUps(dir)).toEqual({ compiled: 0, ups: ["v0", "edited"] });
  });

  it.each([
    ["esbuild", () => compilerId()!, /^esbuild@[^;]+/, "esbuild@0.0.1"],
    ["Sucrase", () => sucraseCompilerId()!, /^sucrase@[^;]+/, "sucrase@0.0.1"],
  ] as const)("does not use code another %s version cached", async (_compiler, currentId, version, older) => {
    const dir = migrationsFolder(2);
    await runUps(dir);
    flushCompileCaches();
    const file = cacheFiles()[0]!;
    const entries = readEntries(file);
    // The same texts, keyed as an older compiler would key them, with code that would say so if it ran.
    const other = currentId().replace(version, older);
    expect(other).not.toBe(currentId());
    const planted: Record<string, [string, string]> = {};
    for (const [name, [, code]] of Object.entries(entries)) {
      planted[name] = [compileKey(other, name, sourceDigest(readFileSync(path.join(dir, name), "utf8"))), code.replace(/return "v\d"/, 'return "older compiler"')];
    }
    writeEntries(file, planted);
    resetCompileCaches();
    expect(await compileAheadThenRunUps(dir)).toEqual({ compiled: 2, ups: ["v0", "v1"] });
    resetCompileCaches();
    writeEntries(file, planted);
    resetCompileCaches();
    expect(await runUps(dir)).toEqual(["v0", "v1"]);
  });

  it("compiles with Sucrase what it can and leaves the rest to esbuild's batches, or to the loads when esbuild is not to be used", async () => {
    const dir = migrationsFolder(2);
    // An .mts file's default import takes Node's interop, which esbuild gives and Sucrase does not.
    const mts = revisionSource(2, "x", 'return path.basename("/from/v2");').replace('import type { Knex } from "knex";', 'import type { Knex } from "knex";\nimport path from "node:path";');
    writeFileSync(path.join(dir, "0002_node.mts"), mts);
    let sd = await loadScriptDirectory(dir);
    expect(await compileScriptsAhead(sd.scripts, undefined, { esbuild: false })).toBe(2);
    expect(await compileScriptsAhead(sd.scripts)).toBe(1);
    flushCompileCaches();
    const entries = readEntries(cacheFiles()[0]!);
    const digest = (name: string): string => sourceDigest(readFileSync(path.join(dir, name), "utf8"));
    expect(entries[fileName(0)]![0]).toBe(compileKey(sucraseCompilerId()!, fileName(0), digest(fileName(0))));
    expect(entries["0002_node.mts"]![0]).toBe(compileKey(compilerId()!, "0002_node.mts", digest("0002_node.mts")));
    resetCompileCaches();
    sd = await loadScriptDirectory(dir);
    expect(await compileScriptsAhead(sd.scripts)).toBe(0);
    expect(await Promise.all(sd.scripts.map(async (s) => (await s.load()).up(undefined as never)))).toEqual(["v0", "v1", "v2"]);
  });

  it("leaves a file that does not compile to its load: the good files load, the bad one names its line", async () => {
    const dir = migrationsFolder(2);
    writeFileSync(path.join(dir, "0002_broken.ts"), revisionSource(2, "x").replace("return", "return )"));
    const sd = await loadScriptDirectory(dir);
    // Sucrase compiles the good two; esbuild's batch of the one Sucrase refused fails as a whole.
    expect(await compileScriptsAhead(sd.scripts)).toBe(2);
    expect(await Promise.all(sd.scripts.slice(0, 2).map(async (s) => (await s.load()).up(undefined as never)))).toEqual(["v0", "v1"]);
    const e = await strataErrorOfAsync(sd.scripts[2]!.load());
    expect(e.message).toMatch(/^migrations\/0002_broken\.ts:7:\d+: /);
  });
});
