import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScriptDirectory } from "../../../electron/engine/scripts/script-directory.js";
import { strataErrorOfAsync } from "../../helpers/strata-errors.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-scripts-");

/** A project folder in the temp dir with a migrations/ folder holding `files`. */
function migrations(files: Record<string, string>): string {
  const dir = path.join(tempDir(), "migrations");
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function revisionFile(rev: string, down: string, extra = ""): string {
  return `import type { Knex } from "knex";
export const revision = "${rev}";
export const downRevision: string | string[] | null = ${down};
export const message = "message of ${rev}";
${extra}
export async function up(knex: Knex): Promise<void> {}
export async function down(knex: Knex): Promise<void> {}
`;
}

describe("loadScriptDirectory: strata folders", () => {
  it("reads every extension and ignores .d.ts, dotfiles, other files and subfolders", async () => {
    const dir = migrations({
      "a.ts": revisionFile("aaa", "null"),
      "b.mts": revisionFile("bbb", '"aaa"'),
      "c.cts": revisionFile("ccc", '"bbb"'),
      "d.js": 'export const revision = "ddd";\nexport const downRevision = "ccc";\nexport async function up(knex) {}\nexport async function down(knex) {}\n',
      "e.mjs": 'export const revision = "eee";\nexport const downRevision = "ddd";\nexport function up(knex) {}\nexport function down(knex) {}\n',
      "f.cjs": 'exports.revision = "fff";\nexports.downRevision = "eee";\nexports.up = async function (knex) {};\nexports.down = async function (knex) {};\n',
      "types.d.ts": "export declare const revision: string;",
      ".hidden.ts": revisionFile("hidden", "null"),
      "README.md": "# not a revision",
      "notes.json": "{}",
      "sub/g.ts": revisionFile("ggg", '"fff"'),
    });
    const sd = await loadScriptDirectory(dir);
    expect(sd.mode).toBe("strata");
    expect(sd.dir).toBe(dir);
    expect(sd.scripts.map((s) => [path.basename(s.file), s.revision, s.downRevisions])).toEqual([
      ["a.ts", "aaa", []],
      ["b.mts", "bbb", ["aaa"]],
      ["c.cts", "ccc", ["bbb"]],
      ["d.js", "ddd", ["ccc"]],
      ["e.mjs", "eee", ["ddd"]],
      ["f.cjs", "fff", ["eee"]],
    ]);
    for (const s of sd.scripts) {
      const mod = await s.load();
      expect(typeof mod.up).toBe("function");
      expect(typeof mod.down).toBe("function");
    }
  });

  it("gives the sha256 of the file's bytes as checksum and the full metadata", async () => {
    const text = revisionFile("m1", '["a1", "b1"]', 'export const branchLabels = "billing";\nexport const dependsOn = ["x9"];\nexport const transaction = false;');
    const dir = migrations({ "m.ts": revisionFile("a1", "null") + "", "n.ts": revisionFile("b1", "null"), "merge.ts": text });
    const sd = await loadScriptDirectory(dir);
    const merge = sd.scripts.find((s) => s.revision === "m1")!;
    expect(merge).toMatchObject({
      revision: "m1",
      downRevisions: ["a1", "b1"],
      branchLabels: ["billing"],
      dependsOn: ["x9"],
      message: "message of m1",
      transaction: false,
      file: path.join(dir, "merge.ts"),
    });
    expect(merge.checksum).toBe(createHash("sha256").update(readFileSync(path.join(dir, "merge.ts"))).digest("hex"));
    expect(sd.scripts.find((s) => s.revision === "a1")!.transaction).toBe(true);
  });

  it("reads literal metadata without running the file (the fast path)", async () => {
    const dir = migrations({
      "x.ts": revisionFile("fast1", "null", 'throw new Error("this file was run");'),
    });
    const sd = await loadScriptDirectory(dir);
    expect(sd.scripts[0]!.revision).toBe("fast1");
    // Running it is load()'s job, and the error names the file and the line of the throw.
    const err = await strataErrorOfAsync(sd.scripts[0]!.load());
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toBe("migrations/x.ts:5:7: the file threw while loading: this file was run");
  });

  it("evaluates a file whose metadata is computed (the fallback)", async () => {
    const dir = migrations({
      "computed.ts": `import type { Knex } from "knex";
const prefix: string = "ab";
export const revision = prefix + "c" + String(1 + 1);
export const downRevision = null;
export const branchLabels = ["x", "y"].map((s) => s.toUpperCase());
export const message = \`made at \${"runtime"}\`;
export async function up(knex: Knex) {}
export async function down(knex: Knex) {}
`,
      "cjs.cjs": 'const id = ["d", "e"].join("");\nmodule.exports = { revision: id, downRevision: "abc2", up: async () => {}, down: async () => {} };\n',
    });
    const sd = await loadScriptDirectory(dir);
    expect(sd.scripts.map((s) => [s.revision, s.downRevisions, s.branchLabels, s.message])).toEqual([
      ["de", ["abc2"], [], ""],
      ["abc2", [], ["X", "Y"], "made at runtime"],
    ]);
  });

  it("compiles ESM, top-level `import type` and require() of knex from Strata's node_modules", async () => {
    const dir = migrations({
      "esm.mjs": `import { knex } from "knex";
export const revision = "esm1";
export const downRevision = null;
export async function up(k) { return typeof knex; }
export async function down(k) { return "down"; }
`,
      "ts.ts": `import type { Knex } from "knex";
import knexLib = require("knex");
export const revision = "ts1";
export const downRevision = "esm1";
export async function up(knex: Knex): Promise<void> { (globalThis as Record<string, unknown>).strataUpRan = typeof knexLib; }
export async function down(knex: Knex): Promise<void> {}
`,
    });
    const sd = await loadScriptDirectory(dir);
    const esm = await sd.scripts[0]!.load();
    expect(await esm.up(undefined as never)).toBe("function");
    const ts = await sd.scripts[1]!.load();
    await ts.up(undefined as never);
    expect((globalThis as Record<string, unknown>).strataUpRan).toBe("function");
    // load() caches: the same module comes back.
    expect(await sd.scripts[0]!.load()).toBe(esm);
  });

  it("resolves require() from the revision's own folder first", async () => {
    const dir = migrations({
      "local.cjs": 'const k = require("knex");\nexports.revision = "loc1";\nexports.downRevision = null;\nexports.up = async () => k.marker;\nexports.down = async () => {};\n',
    });
    const fake = path.join(path.dirname(dir), "node_modules", "knex");
    mkdirSync(fake, { recursive: true });
    writeFileSync(path.join(fake, "index.js"), 'exports.marker = "local knex";');
    const sd = await loadScriptDirectory(dir);
    expect(await (await sd.scripts[0]!.load()).up(undefined as never)).toBe("local knex");
  });
});

describe("loadScriptDirectory: plain knex folders", () => {
  it("reads a knex folder as one chain in knex's file order", async () => {
    const knexFile = (body = "") => `exports.up = function (knex) { return knex.schema; };\nexports.down = function (knex) { return knex.schema; };\n${body}`;
    const dir = migrations({
      "20240102_add_b.js": knexFile(),
      "20240101_create_a.js": knexFile(),
      "20240103_Upper.ts": "export async function up() {}\nexport async function down() {}\nexport const config = { transaction: false };\n",
      "20240103_lower.ts": "import type { Knex } from 'knex';\nexport async function up(knex: Knex) {}\nexport async function down(knex: Knex) {}\n",
    });
    const sd = await loadScriptDirectory(dir);
    expect(sd.mode).toBe("knex");
    expect(sd.scripts.map((s) => [s.revision, s.downRevisions, s.message, s.transaction])).toEqual([
      ["20240101_create_a", [], "20240101_create_a.js", true],
      ["20240102_add_b", ["20240101_create_a"], "20240102_add_b.js", true],
      // Code-unit order, as knex sorts: "U" before "l".
      ["20240103_Upper", ["20240102_add_b"], "20240103_Upper.ts", false],
      ["20240103_lower", ["20240103_Upper"], "20240103_lower.ts", true],
    ]);
    expect(sd.scripts.every((s) => s.branchLabels.length === 0 && s.dependsOn.length === 0)).toBe(true);
    expect(typeof (await sd.scripts[0]!.load()).up).toBe("function");
  });

  it("takes any file name as the id and only the extensions knex loads (its default, or the knexfile's loadExtensions)", async () => {
    const cjs = "exports.up = function (knex) { return knex.schema; };\nexports.down = function (knex) { return knex.schema; };\n";
    const esm = "export async function up(knex) {}\nexport async function down(knex) {}\n";
    const dir = migrations({
      "2023-08-16-0000-create-monitor.js": cjs,
      "2023.08.17 add url.cjs": cjs,
      "20230818_esm.mjs": esm,
      "20230819_typed.ts": esm,
      // Not a migration to knex by default either: knex's default loadExtensions has no .mjs or .mts.
      "20230820_later.mts": esm,
    });
    const byDefault = await loadScriptDirectory(dir);
    expect(byDefault.mode).toBe("knex");
    expect(byDefault.scripts.map((s) => [s.revision, s.knexName])).toEqual([
      ["2023-08-16-0000-create-monitor", "2023-08-16-0000-create-monitor.js"],
      ["2023.08.17 add url", "2023.08.17 add url.cjs"],
      ["20230819_typed", "20230819_typed.ts"],
    ]);
    const configured = await loadScriptDirectory(dir, { knexLoadExtensions: [".mjs", ".mts", ".js"] });
    expect(configured.scripts.map((s) => s.knexName)).toEqual(["2023-08-16-0000-create-monitor.js", "20230818_esm.mjs", "20230820_later.mts"]);
    expect(configured.scripts.map((s) => s.downRevisions)).toEqual([[], ["2023-08-16-0000-create-monitor"], ["20230818_esm"]]);
  });

  it("evaluates a knex file that exports through module.exports", async () => {
    const dir = migrations({
      "001_a.js": "module.exports = { up: async () => {}, down: async () => {}, config: { transaction: false } };\n",
    });
    const sd = await loadScriptDirectory(dir);
    expect(sd.mode).toBe("knex");
    expect(sd.scripts[0]).toMatchObject({ revision: "001_a", transaction: false });
  });

  it("runs a CommonJS file as Node would: not made strict, `this` at the top is module.exports", async () => {
    // up() answers whether the file's code runs in strict mode, and whether `this` was module.exports.
    const probe = "const topThis = this === module.exports;\nexports.up = async () => [(function () { return this === undefined; })(), topThis];\nexports.down = async () => {};\n";
    const dir = migrations({
      "001_a.js": probe,
      "002_b.cjs": probe,
      "003_c.js": "export async function up() { return [(function () { return this === undefined; })(), false]; }\nexport async function down() {}\n",
    });
    const sd = await loadScriptDirectory(dir);
    const answers = await Promise.all(sd.scripts.map(async (s) => (await s.load()).up({} as never)));
    expect(answers).toEqual([
      [false, true],
      [false, true],
      // ESM is strict, as it is under Node.
      [true, false],
    ]);
  });

  it("names the line of a syntax error in a CommonJS file run as written", async () => {
    const dir = migrations({
      "001_a.js": "exports.up = async function (knex) {\n  await knex.schema.createTable(\"a\", (t) => { t.increments( });\n};\nexports.down = async () => {};\n",
    });
    const sd = await loadScriptDirectory(dir);
    const err = await strataErrorOfAsync(sd.scripts[0]!.load());
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toMatch(/^migrations\/001_a\.js:2:\d+: /);
  });

  it("opens an empty folder as an empty strata folder", async () => {
    const sd = await loadScriptDirectory(migrations({}));
    expect(sd).toMatchObject({ mode: "strata", scripts: [] });
  });
});

describe("loadScriptDirectory: errors name the file and the line", () => {
  it("a syntax error, with esbuild's line and column", async () => {
    const dir = migrations({
      "ok.ts": revisionFile("ok1", "null"),
      "broken.ts": 'export const revision = "b1";\nexport const downRevision = "ok1";\nexport async function up() {\n  const x = ;\n}\nexport async function down() {}\n',
    });
    const sd = await loadScriptDirectory(dir);
    const err = await strataErrorOfAsync(sd.scripts.find((s) => s.revision === "b1")!.load());
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toMatch(/^migrations\/broken\.ts:4:13: Unexpected ";"$/);
  });

  it("a syntax error that keeps the metadata from being read fails the folder load", async () => {
    const dir = migrations({
      "bad.ts": 'export const revision = "b1";\nexport const downRevision = null;\nexport async function up() {\n  if (x {\n}\nexport async function down() {}\n',
    });
    const err = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toMatch(/^migrations\/bad\.ts:4:9: Expected "\)" but found "\{"$/);
  });

  it("a file that throws while evaluating (when its metadata needs evaluating)", async () => {
    const dir = migrations({
      "throws.ts": 'const id = "t" + "1";\nexport const revision = id;\nexport const downRevision = null;\n\nfunction boom(): never {\n  throw new TypeError("cannot compute");\n}\nboom();\nexport async function up() {}\nexport async function down() {}\n',
    });
    const err = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toBe("migrations/throws.ts:6:9: the file threw while loading: TypeError: cannot compute");
  });

  it("a file with up/down but no revision among files that have one", async () => {
    const dir = migrations({
      "a.ts": revisionFile("a1", "null"),
      "b.ts": "import type { Knex } from 'knex';\n\nexport async function up(knex: Knex) {}\nexport async function down(knex: Knex) {}\n",
    });
    const err = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toMatch(/^migrations\/b\.ts:3:23: exports up\/down but no `revision`, while 1 other file\(s\) in migrations\/ do;/);
  });

  it("a revision whose text declares no down function", async () => {
    const dir = migrations({
      "nodown.ts": '\nexport const revision = "nd1";\nexport const downRevision = null;\nexport async function up() {}\n',
    });
    const err = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toBe("migrations/nodown.ts:2:14: the revision has no `down` function; add `export async function down(knex: Knex)` to it");
  });

  it("a revision whose down is not a function, caught by load()", async () => {
    const dir = migrations({
      "notfn.ts": 'export const revision = "nf1";\nexport const downRevision = null;\nexport async function up() {}\nexport const down = 42;\n',
    });
    const sd = await loadScriptDirectory(dir);
    const err = await strataErrorOfAsync(sd.scripts[0]!.load());
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toBe("migrations/notfn.ts:4:14: `down` must be a function, not 42");
  });

  it("a downRevision of the wrong type, literal or computed", async () => {
    const literal = migrations({ "w.ts": revisionFile("w1", "42") });
    const err = await strataErrorOfAsync(loadScriptDirectory(literal));
    expect(err.code).toBe("REVISION_FILE_INVALID");
    expect(err.message).toBe("migrations/w.ts:3:14: downRevision must be a revision id, an array of ids (a merge) or null, not 42");

    const computed = migrations({ "c.ts": revisionFile("c1", '{ id: "x" } as unknown as string') });
    const err2 = await strataErrorOfAsync(loadScriptDirectory(computed));
    expect(err2.message).toBe('migrations/c.ts:3:14: downRevision must be a revision id, an array of ids (a merge) or null, not {"id":"x"}');
  });

  it("a revision without downRevision", async () => {
    const dir = migrations({ "nd.ts": 'export const revision = "r1";\nexport async function up() {}\nexport async function down() {}\n' });
    const err = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(err.message).toBe(
      "migrations/nd.ts:1:14: revision r1 has no `downRevision` export; write `export const downRevision = null` for a first revision",
    );
  });

  it("a file that is neither a revision nor a knex migration", async () => {
    const dir = migrations({ "a.ts": revisionFile("a1", "null"), "helpers.ts": "export const helper = 1;\n" });
    const err = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(err.message).toBe("migrations/helpers.ts:1:1: exports neither `revision` nor up/down functions; only revision files belong in migrations/");
  });

  it("two files with the same revision id", async () => {
    const dir = migrations({ "a.ts": revisionFile("same", "null"), "b.ts": revisionFile("same", "null") });
    const err = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(err.code).toBe("REVISION_DUPLICATE");
    expect(err.message).toBe("migrations/a.ts and migrations/b.ts both define revision same; give one of them a new id");
  });

  it("a missing migrations folder", async () => {
    const dir = migrations({});
    const err = await strataErrorOfAsync(loadScriptDirectory(path.join(dir, "nope")));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toBe(`migrations folder ${path.join(dir, "nope")} does not exist; create it or fix "migrations" in strata.config.json`);
  });
});

describe("loadScriptDirectory: ESM conveniences", () => {
  it("gives an ESM revision import.meta.url, filename and dirname", async () => {
    const dir = migrations({
      "meta.mjs": 'export const revision = "meta1";\nexport const downRevision = null;\nexport async function up() { return [import.meta.url, import.meta.filename, import.meta.dirname]; }\nexport async function down() {}\n',
    });
    const sd = await loadScriptDirectory(dir);
    const mod = await sd.scripts[0]!.load();
    const file = path.join(dir, "meta.mjs");
    expect(await mod.up(undefined as never)).toEqual([`file://${file}`, file, dir]);
  });
});

describe("loadScriptDirectory: exports the text does not show", () => {
  it("runs a file before calling it invalid", async () => {
    const dir = migrations({
      "a.ts": revisionFile("a1", "null"),
      "b.cjs": 'Object.assign(exports, { revision: "b1", downRevision: "a1", up: async () => {}, down: async () => {} });\n',
    });
    const sd = await loadScriptDirectory(dir);
    expect(sd.scripts.map((s) => [s.revision, s.downRevisions])).toEqual([
      ["a1", []],
      ["b1", ["a1"]],
    ]);
  });
});

describe("loadScriptDirectory: shared TypeScript helpers", () => {
  it("compiles a relative TypeScript module a revision imports", async () => {
    const dir = migrations({
      "uses-helper.ts": `import type { Knex } from "knex";
import { tableName } from "../lib/names";
import { suffix } from "../lib/suffix.js";
export const revision = "h1";
export const downRevision = null;
export async function up(knex: Knex): Promise<string> { return tableName("users") + suffix; }
export async function down(knex: Knex): Promise<void> {}
`,
    });
    const lib = path.join(path.dirname(dir), "lib");
    mkdirSync(lib);
    writeFileSync(path.join(lib, "names.ts"), 'export function tableName(base: string): string { return `app_${base}`; }\n');
    writeFileSync(path.join(lib, "suffix.ts"), 'export const suffix: string = "!";\n');
    const sd = await loadScriptDirectory(dir);
    expect(await (await sd.scripts[0]!.load()).up(undefined as never)).toBe("app_users!");
  });
});
