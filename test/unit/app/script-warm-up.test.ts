import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newestFirst, warmUpScripts } from "../../../electron/engine/app-session/script-warm-up.js";
import { compileScriptsAhead } from "../../../electron/engine/scripts/index.js";
import { ForegroundGate } from "../../../electron/engine/use-cases/foreground-gate.js";
import { openProject } from "../../../electron/engine/use-cases/open-project.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

// Issue 19 point 7: the app compiles and loads every revision file in the background, newest first,
// stepping aside for a person's calls, so that a big plan's first click finds them ready.

const tempDir = useTempDirs("strata-warm-up-");
const savedCache = process.env.STRATA_CACHE_DIR;
const loads = (globalThis as { strataWarmUpLoads?: string[] });

beforeAll(() => {
  process.env.STRATA_CACHE_DIR = tempDir("strata-warm-up-cache-");
});

afterAll(() => {
  if (savedCache === undefined) delete process.env.STRATA_CACHE_DIR;
  else process.env.STRATA_CACHE_DIR = savedCache;
});

const id = (i: number): string => i.toString(16).padStart(12, "0");

/** A project of `count` revisions in a line, with one side branch merged back; each file notes its load. */
function project(count: number, throwsAt?: number): string {
  const root = tempDir();
  writeFileSync(path.join(root, "strata.config.json"), JSON.stringify({ migrations: "migrations", environments: { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } } }));
  mkdirSync(path.join(root, "migrations"));
  const write = (i: number, down: string | string[] | null): void => {
    const body = i === throwsAt ? 'throw new Error("broken at load");' : "";
    writeFileSync(
      path.join(root, "migrations", `${String(i).padStart(4, "0")}_r.ts`),
      `import type { Knex } from "knex";\nexport const revision = "${id(i)}";\nexport const downRevision: string | string[] | null = ${JSON.stringify(down)};\n((globalThis as { strataWarmUpLoads?: string[] }).strataWarmUpLoads ??= []).push(revision);\n${body}\nexport async function up(knex: Knex): Promise<void> {}\nexport async function down(knex: Knex): Promise<void> {}\n`,
    );
  };
  write(1, null);
  for (let i = 2; i <= count; i++) write(i, id(i - 1));
  return root;
}

describe("warming up a project's revision files", () => {
  it("orders them from the heads down, each after its children", async () => {
    const root = project(4);
    // A side branch from 2, merged back with 4.
    writeFileSync(path.join(root, "migrations", "0005_r.ts"), `export const revision = "${id(5)}";\nexport const downRevision = "${id(2)}";\nexport async function up() {}\nexport async function down() {}\n`);
    writeFileSync(path.join(root, "migrations", "0006_r.ts"), `export const revision = "${id(6)}";\nexport const downRevision = ["${id(4)}", "${id(5)}"];\nexport async function up() {}\nexport async function down() {}\n`);
    const p = await openProject({ cwd: root });
    expect(newestFirst(p).map((s) => s.revision)).toEqual([id(6), id(4), id(5), id(3), id(2), id(1)]);
  });

  it("loads every file, newest first, and a plan then has nothing left to compile", async () => {
    loads.strataWarmUpLoads = [];
    const p = await openProject({ cwd: project(50) });
    await warmUpScripts(p, () => new Promise((resolve) => setImmediate(resolve)));
    expect(loads.strataWarmUpLoads).toEqual(Array.from({ length: 50 }, (_, i) => id(50 - i)));
    expect(await compileScriptsAhead(p.scripts.values())).toBe(0);
    // A load after it is the module loaded then, not a second evaluation.
    await p.scripts.get(id(7))!.load();
    expect(loads.strataWarmUpLoads).toHaveLength(50);
  });

  it("waits while a person's call is answered", async () => {
    loads.strataWarmUpLoads = [];
    const p = await openProject({ cwd: project(30) });
    const gate = new ForegroundGate();
    let release = (): void => undefined;
    const call = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    const warming = warmUpScripts(p, () => gate.turn());
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(loads.strataWarmUpLoads).toEqual([]);
    release();
    await call;
    await warming;
    expect(loads.strataWarmUpLoads).toHaveLength(30);
  });

  it("starts only once no call has been in flight for a while (the gate's quietFor)", async () => {
    const gate = new ForegroundGate();
    let release = (): void => undefined;
    const call = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    let quiet = false;
    const waiting = gate.quietFor(50).then(() => (quiet = true));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(quiet).toBe(false);
    release();
    await call;
    const ended = performance.now();
    await waiting;
    expect(performance.now() - ended).toBeGreaterThanOrEqual(45);
  });

  it("pauses while a page is active, between its calls too (the gate's idleTurn)", async () => {
    loads.strataWarmUpLoads = [];
    const p = await openProject({ cwd: project(30) });
    const gate = new ForegroundGate();
    // A page asked for a static file a moment ago, with no call in flight: turn() would go on, idleTurn waits.
    gate.noteActivity();
    const warming = warmUpScripts(p, () => gate.idleTurn(60));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(loads.strataWarmUpLoads).toEqual([]);
    // Another request before the quiet is up puts the start off again.
    gate.noteActivity();
    const seen = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(loads.strataWarmUpLoads).toEqual([]);
    await warming;
    expect(performance.now() - seen).toBeGreaterThanOrEqual(55);
    expect(loads.strataWarmUpLoads).toHaveLength(30);
  });

  it("an idle turn after a quiet spell goes on at once", async () => {
    const gate = new ForegroundGate();
    await gate.run(() => Promise.resolve());
    await new Promise((resolve) => setTimeout(resolve, 70));
    const t0 = performance.now();
    await gate.idleTurn(50);
    expect(performance.now() - t0).toBeLessThan(40);
  });

  it("goes on past a file that throws while loading; the load that needs it reports it", async () => {
    loads.strataWarmUpLoads = [];
    const p = await openProject({ cwd: project(5, 3) });
    await warmUpScripts(p, () => Promise.resolve());
    expect([...loads.strataWarmUpLoads!].sort()).toEqual([id(1), id(2), id(3), id(4), id(5)]);
    await expect(p.scripts.get(id(3))!.load()).rejects.toThrow(/0003_r\.ts:5:\d+: the file threw while loading: broken at load/);
  });
});
