/**
 * Issue 5 item 8, revision files: generated migrations folders (random headers, missing or
 * duplicate `revision`, odd `downRevision` values, syntax errors, TS and JS extensions, files
 * that throw, cycles and duplicate ids across files) go through the script directory loader, the
 * revision map and each file's up/down. Each either loads or gives a one-line StrataError that
 * names the file (and the line, for a compile error).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isStrataError } from "../../electron/engine/errors.js";
import { RevisionMap } from "../../electron/engine/revisions/index.js";
import { loadScriptDirectory } from "../../electron/engine/scripts/index.js";
import { expectClearError, fuzzSettings, Tally } from "./fuzz-support.js";

const FILE = "fuzz-revisions";
const tally = new Tally();
const base = mkdtempSync(path.join(os.tmpdir(), "strata-fuzz-revisions-"));
afterAll(() => {
  tally.print(FILE);
  rmSync(base, { recursive: true, force: true });
});

/** A small id pool, so that parents, duplicates and cycles across files come up often. */
const IDS = ["a1", "b2", "c3", "d4", "e5"];
const id = fc.constantFrom(...IDS);
const literal = (v: unknown): string => (v === undefined ? "undefined" : JSON.stringify(v));

const revisionValue = fc.oneof(
  { weight: 8, arbitrary: id.map(literal) },
  { weight: 1, arbitrary: fc.constantFrom('""', '" a1 "', '"a-1"', '"a@b"', '"x:y"', "42", "null", "undefined", '["a1"]', "{}", "true", '"a1" + "x"', "`b${2}`", "String(1)") },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(literal) },
);
const downValue = fc.oneof(
  { weight: 4, arbitrary: fc.constant("null") },
  { weight: 6, arbitrary: id.map(literal) },
  { weight: 2, arbitrary: fc.uniqueArray(id, { minLength: 1, maxLength: 3 }).map(literal) },
  { weight: 1, arbitrary: fc.constantFrom('""', "[]", '["a1", ""]', "[null]", "0", "false", "{}", '"zz9"', '"a1"', "undefined", '["a1", "a1"]', '"a"') },
);
const listValue = fc.oneof(fc.constant(undefined), id.map(literal), fc.array(fc.constantFrom("a1", "lbl", "x", "", "b2@head"), { maxLength: 3 }).map(literal), fc.constantFrom("5", "null", "{}"));

/** How a file writes its functions. */
type Style = "named" | "default-object" | "commonjs" | "missing-down" | "not-functions" | "none";
const style = fc.constantFrom<Style>("named", "named", "named", "default-object", "commonjs", "missing-down", "not-functions", "none");

const headerLine = fc.oneof(
  fc.constantFrom(
    'import type { Knex } from "knex";',
    "// a comment",
    "/* block\n comment */",
    "'use strict';",
    '"use strict";',
    "#!/usr/bin/env node",
    "const helper = 1;",
    "export const unrelated = { revision: 'zz' };",
    'import path from "node:path";',
    'import { missing } from "./does-not-exist";',
    'import nope from "no-such-package-strata";',
    "declare const x: number;",
    "let revisionish = 'a1'; // revision = 'b2'",
    "const s = `export const revision = \"c3\"`;",
  ),
  fc.string({ maxLength: 30 }).map((s) => `// ${s.replace(/\n/g, " ")}`),
);
const throwLine = fc.constantFrom('throw new Error("boom at load");', 'throw "a string";', "throw null;", "throw { code: 1 };", "undefinedFunction();", "null.x;");
const syntaxBreak = fc.constantFrom("export const = ;", "function (", "}}}", "export const revision = ;", "import {", "<div>", "const 1x = 2;", "@@");

const fileSpec = fc.record(
  {
    ext: fc.constantFrom(".ts", ".ts", ".js", ".mjs", ".cjs", ".mts", ".cts"),
    name: fc.constantFrom<string>("001", "002_x", "003 space", "0004", "zz", "ä_rev", "a.b"),
    header: fc.array(headerLine, { maxLength: 3 }),
    revision: fc.option(revisionValue, { nil: undefined, freq: 6 }),
    duplicateRevision: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    downRevision: fc.option(downValue, { nil: undefined, freq: 8 }),
    branchLabels: listValue,
    dependsOn: listValue,
    message: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("5", "null")), { nil: undefined }),
    transaction: fc.option(fc.constantFrom("true", "false", '"no"', "1", "{ transaction: false }"), { nil: undefined, freq: 6 }),
    style,
    throws: fc.option(throwLine, { nil: undefined, freq: 10 }),
    syntax: fc.option(fc.tuple(syntaxBreak, fc.nat()), { nil: undefined, freq: 8 }),
    letInstead: fc.boolean(),
  },
  { requiredKeys: ["ext", "name", "header", "style", "letInstead", "branchLabels", "dependsOn", "duplicateRevision"] },
);
type FileSpec = typeof fileSpec extends fc.Arbitrary<infer T> ? T : never;

const safeHeader = fc.array(fc.constantFrom('import type { Knex } from "knex";', "// a comment", '"use strict";', "const helper = 1;", 'import path from "node:path";'), { maxLength: 2 });

/** A valid chain (or two branches and a merge), then at most two faults: the folder is mostly right, as a real one is. */
const mostlyValidFolder = fc
  .tuple(
    fc.array(fc.record({ ext: fc.constantFrom(".ts", ".js", ".mjs", ".cjs", ".mts", ".cts"), header: safeHeader, branch: fc.boolean() }), { minLength: 1, maxLength: 5 }),
    // One field of a wild file becomes the fault.
    fc.array(fc.tuple(fc.nat(), fileSpec, fc.constantFrom("revision", "downRevision", "branchLabels", "dependsOn", "message", "transaction", "style", "throws", "syntax", "duplicateRevision", "header", "ext")), { maxLength: 2 }),
  )
  .map(([chain, faults]) => {
    const files: FileSpec[] = chain.map((c, i) => ({
      ext: c.ext,
      name: `00${i}_rev`,
      header: c.header,
      revision: literal(IDS[i]),
      duplicateRevision: false,
      // A second root now and then gives two heads (a branch), which must load too.
      downRevision: i === 0 || (c.branch && i === 1) ? "null" : literal(IDS[i - 1]),
      branchLabels: undefined,
      dependsOn: undefined,
      style: "named" as Style,
      letInstead: false,
    }));
    for (const [n, wild, key] of faults) {
      const target = files[n % files.length]!;
      (target as Record<string, unknown>)[key] = (wild as Record<string, unknown>)[key];
    }
    return files;
  });

function source(f: FileSpec): { text: string; syntaxLine?: number } {
  const ts = /ts$/.test(f.ext);
  const decl = f.letInstead ? "let" : "const";
  const cjs = f.style === "commonjs";
  const lines: string[] = [...f.header.filter((h) => ts || !/declare|import type/.test(h))];
  const exp = (name: string, value: string): string => (cjs ? `exports.${name} = ${value};` : `export ${decl} ${name} = ${value};`);
  if (f.revision !== undefined) lines.push(exp("revision", f.revision));
  if (f.duplicateRevision && f.revision !== undefined) lines.push(exp("revision", '"b2"'));
  if (f.downRevision !== undefined) lines.push(exp("downRevision", f.downRevision));
  if (f.branchLabels !== undefined) lines.push(exp("branchLabels", f.branchLabels));
  if (f.dependsOn !== undefined) lines.push(exp("dependsOn", f.dependsOn));
  if (f.message !== undefined) lines.push(exp("message", literal(f.message)));
  if (f.transaction !== undefined) lines.push(f.transaction.startsWith("{") ? exp("config", f.transaction) : exp("transaction", f.transaction));
  if (f.throws !== undefined) lines.push(f.throws);
  const param = ts ? "knex: any" : "knex";
  switch (f.style) {
    case "named":
      lines.push(`export async function up(${param}) {}`, `export async function down(${param}) {}`);
      break;
    case "default-object":
      lines.push(`export default { async up(${param}) {}, async down(${param}) {} };`);
      break;
    case "commonjs":
      lines.push(`exports.up = async function (${param}) {};`, `exports.down = async function (${param}) {};`);
      break;
    case "missing-down":
      lines.push(`export async function up(${param}) {}`);
      break;
    case "not-functions":
      lines.push(cjs ? "exports.up = 1;" : "export const up = 1;", cjs ? 'exports.down = "x";' : 'export const down = "x";');
      break;
    case "none":
      break;
  }
  if (f.syntax === undefined) return { text: lines.join("\n") + "\n" };
  const at = f.syntax[1] % (lines.length + 1);
  lines.splice(at, 0, f.syntax[0]);
  return { text: lines.join("\n") + "\n", syntaxLine: at + 1 };
}

let folderCount = 0;

async function tryFolder(files: readonly FileSpec[]): Promise<void> {
  const dir = path.join(base, String(folderCount++), "migrations");
  mkdirSync(dir, { recursive: true });
  const written = new Map<string, { syntaxLine?: number }>();
  for (const f of files) {
    const name = `${f.name}${f.ext}`;
    if (written.has(name)) continue;
    const s = source(f);
    writeFileSync(path.join(dir, name), s.text);
    written.set(name, s);
  }
  tally.add("folders");
  tally.add("files", written.size);
  const input = { dir, files: [...written.keys()] };
  try {
    const directory = await loadScriptDirectory(dir);
    const map = RevisionMap.build(directory.scripts);
    expect(map.records.length).toBe(directory.scripts.length);
    for (const script of directory.scripts) {
      tally.add("modules loaded");
      try {
        const mod = await script.load();
        expect(typeof mod.up).toBe("function");
      } catch (e) {
        expectClearError(e, input);
        expect((e as Error).message).toContain(`migrations/${path.basename(script.file)}`);
      }
    }
    tally.add("folders loaded");
  } catch (e) {
    expectClearError(e, input);
    tally.add(`refused ${(e as { code?: string }).code}`);
    const message = e.message;
    if (!isStrataError(e)) return;
    // A folder-level problem (a missing folder) names no file; every revision problem names one.
    const named = [...written.keys()].filter((n) => message.includes(`migrations/${n}`) || message.includes(`${path.sep}${n}`));
    expect(named.length, `no file named in "${message}"`).toBeGreaterThan(0);
    // The graph's own checks (an id with '@') name the file by its path instead.
    if (e.code === "REVISION_FILE_INVALID" && message.startsWith("migrations/")) {
      // "migrations/x.ts:LINE:COL: ..." for every file problem; only a thrown non-Error (throw null) has no line to give.
      expect(message, message).toMatch(/^migrations\/[^:]+(:\d+:\d+)?: /);
      const compileError = !message.includes("the file threw while loading") || message.includes("SyntaxError");
      if (compileError || !/threw while loading: (null|a string|\[object Object\])$/.test(message)) {
        expect(message, message).toMatch(/^migrations\/[^:]+:\d+:\d+: /);
      }
      if (compileError && /^migrations\/[^:]+:\d+:\d+: /.test(message)) tally.add("errors with a line");
      if (message.includes("SyntaxError") || (!message.includes("threw while loading") && [...written.values()].some((w) => w.syntaxLine !== undefined))) {
        tally.add("compile errors with a line");
      }
    }
  }
}

describe("fuzzed migrations folders", () => {
  it("each folder loads (graph built, up/down loaded) or gives a one-line StrataError naming the file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 2, arbitrary: mostlyValidFolder }, { weight: 1, arbitrary: fc.array(fileSpec, { minLength: 1, maxLength: 6 }) }), async (files) => {
        await tryFolder(files);
      }),
      fuzzSettings(FILE, 0, 3000),
    );
    // The run reached both outcomes and the compile-error path.
    expect(tally.get("folders loaded")).toBeGreaterThan(20);
    expect(tally.get("refused REVISION_FILE_INVALID")).toBeGreaterThan(50);
  });
});
