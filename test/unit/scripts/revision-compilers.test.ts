import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileRevision, evaluateRevision } from "../../../electron/engine/scripts/module-evaluator.js";
import { strataErrorOfAsync } from "../../helpers/strata-errors.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

// Issue 19 point 7: Sucrase compiles the common revision file in Strata's own thread, esbuild the rest.
// Every module style a revision is written in is loaded both ways here and must export the same
// things and behave the same.

const tempDir = useTempDirs("strata-compilers-");
const savedOff = process.env.STRATA_NO_COMPILE_CACHE;

beforeAll(() => {
  // Each compile here is a fresh one, not the other compiler's answer from the cache.
  process.env.STRATA_NO_COMPILE_CACHE = "1";
});

afterAll(() => {
  if (savedOff === undefined) delete process.env.STRATA_NO_COMPILE_CACHE;
  else process.env.STRATA_NO_COMPILE_CACHE = savedOff;
});

/** Writes `files` into a fresh migrations folder; returns its path. */
function folder(files: Record<string, string>): string {
  const dir = path.join(tempDir(), "migrations");
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** A fake knex that records what a revision asked of it. */
function recordingKnex(): { knex: unknown; calls: string[] } {
  const calls: string[] = [];
  const knex = {
    schema: {
      createTable: async (name: string, build: (t: unknown) => void) => {
        const columns: string[] = [];
        build({ increments: (c: string) => columns.push(`${c} increments`), string: (c: string, n?: number) => columns.push(`${c} string(${n ?? 255})`) });
        calls.push(`createTable ${name} (${columns.join(", ")})`);
      },
      dropTable: async (name: string) => void calls.push(`dropTable ${name}`),
    },
    raw: async (sql: string) => void calls.push(`raw ${sql}`),
  };
  return { knex, calls };
}

/** A value as data: functions by kind (AsyncFunction, Function), objects by their own keys in order. */
function asData(v: unknown): unknown {
  if (typeof v === "function") return `function ${v.constructor.name}`;
  if (Array.isArray(v)) return v.map(asData);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, asData((v as Record<string, unknown>)[k])]));
}

/** A module's exports as data: values as they are, functions by kind; plus what up() and down() did. */
async function observe(exported: Record<string, unknown>): Promise<unknown> {
  const shape = asData(exported);
  const fns = (typeof exported.up === "function" ? exported : (exported.default as Record<string, unknown> | undefined)) ?? {};
  const behaviour: Record<string, unknown> = {};
  for (const name of ["up", "down"] as const) {
    const fn = fns[name];
    if (typeof fn !== "function") continue;
    const { knex, calls } = recordingKnex();
    const returned: unknown = await (fn as (k: unknown) => unknown)(knex);
    behaviour[name] = { returned, calls };
  }
  return { shape, behaviour, esModule: (exported as { __esModule?: unknown }).__esModule === true };
}

/** Loads the file through both compilers; asserts which one the default path used. */
async function loadBothWays(file: string, source: string, expectSucrase = true): Promise<{ bySucrase: unknown; byEsbuild: unknown }> {
  const compiled = await compileRevision(file, source, path.basename(file), false);
  expect(compiled.bySucrase === true, `${path.basename(file)} compiled by Sucrase`).toBe(expectSucrase);
  const bySucrase = await observe(await evaluateRevision(file, source, path.basename(file)));
  const byEsbuild = await observe(await evaluateRevision(file, source, path.basename(file), "esbuild"));
  return { bySucrase, byEsbuild };
}

const ESM_TS = `import type { Knex } from "knex";

export const revision = "3f2a9c1b7d4e";
export const downRevision: string | string[] | null = ["ae1027a6acf0", "55af2cb1c267"];
export const branchLabels = ["billing"];
export const dependsOn: readonly string[] = ["55af2cb1c267"] as const;
export const message = "add invoices";
export const transaction = false;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("invoices", (t) => {
    t.increments("id");
    t.string("number", 20);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("invoices");
}
`;

const DEFAULT_OBJECT_TS = `import type { Knex } from "knex";

export default {
  revision: "0a0a0a0a0a0a",
  downRevision: null,
  message: "default object",
  async up(knex: Knex): Promise<void> {
    await knex.raw("create table a (id int)");
  },
  async down(knex: Knex): Promise<void> {
    await knex.raw("drop table a");
  },
};
`;

const TS_FEATURES = `import type { Knex } from "knex";
import { type Knex as K2 } from "knex";

enum Status { Draft = "draft", Sent = "sent" }
const enum Level { Low = 1, High = 2 }
interface Column { readonly name: string; readonly length?: number }
type Columns = readonly Column[];
declare const notEmitted: number;

class Table {
  declared?: string;
  count = 0;
  constructor(private readonly name: string, public readonly columns: Columns) {}
  describe(): string { return \`\${this.name}(\${this.columns.map((c) => c.name).join(",")})\`; }
}

const config = { strict: true } satisfies Record<string, boolean>;
export const revision = "1b1b1b1b1b1b";
export const downRevision = null;
export const statuses = [Status.Draft, Status.Sent];
export const levels = [Level.Low, Level.High];
export const defineSemantics = Object.keys(new Table("t", [])).sort();
export const strictMode = (function (this: unknown) { return this === undefined; })();
export const generic = <T,>(x: T): T => x;

export async function up(knex: Knex): Promise<string> {
  const t = new Table("invoices", [{ name: "id" }, { name: "total", length: 10 }]);
  await knex.raw(\`create table \${t.describe()}\`);
  return \`\${config.strict} \${generic<number>(2)} \${(knex as K2) !== undefined}\`;
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop table invoices");
}
`;

const KNEX_INTEROP_TS = `import knex from "knex";
import * as knexNamespace from "knex";
import { knex as namedKnex } from "knex";
import helperDefault from "./helper.cjs";
import * as helperNamespace from "./helper.cjs";
import plainDefault from "./plain.cjs";

export const revision = "2c2c2c2c2c2c";
export const downRevision = null;
export const defaultIsModule = knex === require("knex");
export const namespaceDefaultIsModule = (knexNamespace as unknown as { default: unknown }).default === require("knex");
export const namedIsFunction = typeof namedKnex;
export const helperDefaultValue = helperDefault;
export const helperNamespaceDefault = (helperNamespace as unknown as { default: unknown }).default;
export const plainDefaultValue = plainDefault;

export async function up(): Promise<string> {
  const path = await import("node:path");
  return typeof path.join;
}
export async function down(): Promise<void> {}
`;

const HELPER_CJS = `Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = "the helper's default";\nexports.other = 1;\n`;
const PLAIN_CJS = `module.exports = { plain: true };\n`;

const LIVE_BINDINGS_JS = `export let count = 0;
export function bump() { count += 1; return count; }
export const revision = "3d3d3d3d3d3d";
export const downRevision = null;
export async function up() { bump(); return count; }
export async function down() {}
export { bump as increment };
`;

const MJS = `import { join } from "node:path";
export const revision = "4e4e4e4e4e4e";
export const downRevision = null;
export function up(knex) { return knex.raw(join("a", "b")); }
export function down(knex) { return knex.raw("down"); }
`;

const CJS_AS_WRITTEN = `exports.revision = "5f5f5f5f5f5f";
exports.downRevision = null;
exports.up = async function (knex) { await knex.raw("up " + typeof module.exports.down); };
exports.down = async function (knex) { await knex.raw("down"); };
`;

const TS_COMMONJS = `const helper: number = 2;
module.exports = {
  revision: "6a6a6a6a6a6a",
  downRevision: null,
  strictMode: (function (this: unknown) { return this === undefined; })(),
  up: async (knex: { raw(s: string): Promise<void> }) => { await knex.raw("up " + helper); },
  down: async () => {},
};
`;

const IMPORT_META_TS = `export const revision = "7b7b7b7b7b7b";
export const downRevision = null;
export const url = import.meta.url;
export const dir = import.meta.dirname;
export const filename = import.meta.filename;
export async function up() {}
export async function down() {}
`;

describe("Sucrase and esbuild load revision files alike (issue 19 point 7)", () => {
  it.each([
    ["ESM TypeScript (export async function, export const, import type)", "a.ts", ESM_TS],
    ["export default { ... }", "b.ts", DEFAULT_OBJECT_TS],
    ["TypeScript-only syntax: enums, const enums, parameter properties, class fields, satisfies", "c.ts", TS_FEATURES],
    ["ESM JavaScript with a live binding and an export renamed", "d.js", LIVE_BINDINGS_JS],
    ["an .mjs file with named imports", "e.mjs", MJS],
    ["a .cts file", "f.cts", ESM_TS],
    ["TypeScript written as CommonJS (module.exports)", "g.ts", TS_COMMONJS],
  ])("%s", async (_what, name, source) => {
    const dir = folder({ [name]: source });
    const { bySucrase, byEsbuild } = await loadBothWays(path.join(dir, name), source);
    expect(bySucrase).toEqual(byEsbuild);
  });

  it("gives `import x from \"knex\"` and the other default and namespace imports esbuild's interop", async () => {
    const dir = folder({ "a.ts": KNEX_INTEROP_TS, "helper.cjs": HELPER_CJS, "plain.cjs": PLAIN_CJS });
    const file = path.join(dir, "a.ts");
    const { bySucrase, byEsbuild } = await loadBothWays(file, KNEX_INTEROP_TS);
    expect(bySucrase).toEqual(byEsbuild);
    expect(bySucrase).toMatchObject({
      shape: { defaultIsModule: true, namespaceDefaultIsModule: true, namedIsFunction: "function", helperDefaultValue: "the helper's default", plainDefaultValue: { plain: true } },
      behaviour: { up: { returned: "function" } },
    });
  });

  it("leaves an .mts file's default import to esbuild, which gives Node's rule (the default is module.exports)", async () => {
    const source = `import helperDefault from "./helper.cjs";\nexport const revision = "8c8c8c8c8c8c";\nexport const downRevision = null;\nexport const value = helperDefault;\nexport async function up() {}\nexport async function down() {}\n`;
    const dir = folder({ "a.mts": source, "helper.cjs": HELPER_CJS });
    const { bySucrase, byEsbuild } = await loadBothWays(path.join(dir, "a.mts"), source, false);
    expect(bySucrase).toEqual(byEsbuild);
    expect((bySucrase as { shape: { value: unknown } }).shape.value).toEqual({ default: "the helper's default", other: 1 });
  });

  it.each([
    ["namespace", "namespace Shapes { export const tables = [\"x\"]; }"],
    ["module (the older spelling)", "module Shapes { export const tables = [\"x\"]; }"],
  ])("leaves a TypeScript %s to esbuild (Sucrase would drop it)", async (_what, declaration) => {
    const source = `${declaration}\nexport const revision = "9e9e9e9e9e9e";\nexport const downRevision = null;\nexport const tables = Shapes.tables;\nexport async function up() {}\nexport async function down() {}\n`;
    const dir = folder({ "a.ts": source });
    const { bySucrase, byEsbuild } = await loadBothWays(path.join(dir, "a.ts"), source, false);
    expect(bySucrase).toEqual(byEsbuild);
    expect(bySucrase).toMatchObject({ shape: { tables: ["x"] } });
  });

  it("runs a decorated class, which Sucrase passes through and Node cannot parse, as esbuild compiles it", async () => {
    const source = `function named(value: { name: string }, context: { name?: unknown }) { return value; }\n@named\nclass Seed {}\nexport const revision = "9f9f9f9f9f9f";\nexport const downRevision = null;\nexport const seed = Seed.name;\nexport async function up() {}\nexport async function down() {}\n`;
    const dir = folder({ "a.ts": source });
    const file = path.join(dir, "a.ts");
    const bySucrase = await observe(await evaluateRevision(file, source, "a.ts"));
    expect(bySucrase).toEqual(await observe(await evaluateRevision(file, source, "a.ts", "esbuild")));
    expect(bySucrase).toMatchObject({ shape: { seed: "Seed" } });
  });

  it("leaves import.meta to esbuild: the file's own URL, folder and path", async () => {
    const dir = folder({ "a.ts": IMPORT_META_TS });
    const file = path.join(dir, "a.ts");
    const { bySucrase, byEsbuild } = await loadBothWays(file, IMPORT_META_TS, false);
    expect(bySucrase).toEqual(byEsbuild);
    expect(bySucrase).toMatchObject({ shape: { url: pathToFileURL(file).href, dir, filename: file } });
  });

  it("runs CommonJS as written uncompiled, by either path", async () => {
    const dir = folder({ "a.js": CJS_AS_WRITTEN });
    const file = path.join(dir, "a.js");
    expect(await compileRevision(file, CJS_AS_WRITTEN, "a.js", false)).toMatchObject({ code: CJS_AS_WRITTEN, asWritten: true });
    const { bySucrase, byEsbuild } = await loadBothWays(file, CJS_AS_WRITTEN, false);
    expect(bySucrase).toEqual(byEsbuild);
    expect(bySucrase).toMatchObject({ behaviour: { up: { calls: ["raw up function"] } } });
  });

  it("resolves require() from the revision's folder in Sucrase's output too", async () => {
    const source = `import { value } from "./shared";\nexport const revision = "9d9d9d9d9d9d";\nexport const downRevision = null;\nexport const shared = value;\nexport async function up() {}\nexport async function down() {}\n`;
    const dir = folder({ "a.ts": source, "shared.ts": `export const value: string = "from a TypeScript helper";\n` });
    const { bySucrase, byEsbuild } = await loadBothWays(path.join(dir, "a.ts"), source);
    expect(bySucrase).toEqual(byEsbuild);
    expect((bySucrase as { shape: { shared: unknown } }).shape.shared).toBe("from a TypeScript helper");
  });
});

describe("errors read as they did with esbuild alone", () => {
  it("names the file, line and column of a syntax error, in esbuild's words", async () => {
    const source = ESM_TS.replace('export const message = "add invoices";', 'export const message = "add invoices" +;');
    const dir = folder({ "a.ts": source });
    const file = path.join(dir, "a.ts");
    const viaDefault = await strataErrorOfAsync(evaluateRevision(file, source, "migrations/a.ts"));
    const viaEsbuild = await strataErrorOfAsync(evaluateRevision(file, source, "migrations/a.ts", "esbuild"));
    expect(viaDefault.code).toBe("REVISION_FILE_INVALID");
    expect(viaDefault.message).toMatch(/^migrations\/a\.ts:7:\d+: /);
    expect(viaDefault.message).toBe(viaEsbuild.message);
    expect(viaDefault.details).toEqual(viaEsbuild.details);
  });

  it.each([
    ["top-level await", "await Promise.resolve();"],
    ["a name declared twice", "let twice = 1;\nlet twice = 2;"],
  ])("gives esbuild's message for %s, which Sucrase passes through and Node cannot parse", async (_what, statement) => {
    const source = ESM_TS.replace('export const transaction = false;', `export const transaction = false;\n${statement}`);
    const dir = folder({ "a.ts": source });
    const file = path.join(dir, "a.ts");
    const viaDefault = await strataErrorOfAsync(evaluateRevision(file, source, "migrations/a.ts"));
    const viaEsbuild = await strataErrorOfAsync(evaluateRevision(file, source, "migrations/a.ts", "esbuild"));
    expect(viaDefault.message).toMatch(/^migrations\/a\.ts:(9|10):\d+: /);
    expect(viaDefault.message).toBe(viaEsbuild.message);
  });

  it("names the line where a file threw while loading, as esbuild's source map does", async () => {
    const source = ESM_TS.replace("export const transaction = false;", 'export const transaction = false;\nconst n: number = 1;\nif (n === 1) throw new TypeError("boom at load");');
    const dir = folder({ "a.ts": source });
    const file = path.join(dir, "a.ts");
    const viaDefault = await strataErrorOfAsync(evaluateRevision(file, source, "migrations/a.ts"));
    const viaEsbuild = await strataErrorOfAsync(evaluateRevision(file, source, "migrations/a.ts", "esbuild"));
    expect(viaDefault.message).toMatch(/^migrations\/a\.ts:10:\d+: the file threw while loading: TypeError: boom at load$/);
    expect(viaDefault.message).toBe(viaEsbuild.message);
  });

  it("reports a SyntaxError thrown by a file's own code as a throw, not as a syntax error, and runs it once", async () => {
    const source = `export const revision = "aeaeaeaeaeae";\nexport const downRevision = null;\n(globalThis as { strataLoads?: number }).strataLoads = ((globalThis as { strataLoads?: number }).strataLoads ?? 0) + 1;\nJSON.parse("{ not json");\nexport async function up() {}\nexport async function down() {}\n`;
    const dir = folder({ "a.ts": source });
    const e = await strataErrorOfAsync(evaluateRevision(path.join(dir, "a.ts"), source, "migrations/a.ts"));
    expect(e.message).toMatch(/^migrations\/a\.ts:4:\d+: the file threw while loading: SyntaxError: /);
    expect((globalThis as { strataLoads?: number }).strataLoads).toBe(1);
  });
});
