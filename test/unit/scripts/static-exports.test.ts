import { describe, expect, it } from "vitest";
import { lineColumnAt, scanExports } from "../../../electron/engine/scripts/static-exports.js";

function literals(source: string): Record<string, unknown> {
  const scan = scanExports(source);
  const out: Record<string, unknown> = {};
  for (const e of scan.exports.values()) out[e.name] = e.kind === "literal" ? e.value : `<${e.kind}>`;
  return out;
}

describe("scanExports", () => {
  it("reads the literal exports of a revision file in DESIGN.md's format", () => {
    const src = `import type { Knex } from "knex";

export const revision = "3f2a9c1b7d4e";
export const downRevision: string | string[] | null = "ae1027a6acf0"; // array = merge
export const branchLabels = ["billing"];   // optional
export const dependsOn = ["55af2cb1c267"]; // optional
export const message = "add invoices";
export const transaction = true;

export async function up(knex: Knex): Promise<void> { await knex.schema.createTable("x", (t) => { t.increments(); }); }
export async function down(knex: Knex): Promise<void> { /* } */ }
`;
    const scan = scanExports(src);
    expect(scan.opaque).toBe(false);
    expect(literals(src)).toEqual({
      revision: "3f2a9c1b7d4e",
      downRevision: "ae1027a6acf0",
      branchLabels: ["billing"],
      dependsOn: ["55af2cb1c267"],
      message: "add invoices",
      transaction: true,
      up: "<function>",
      down: "<function>",
    });
  });

  it("accepts single quotes, template literals without substitutions, as const, null, arrays and comments", () => {
    const src = [
      "/* export const revision = 'not this' */",
      "// export const revision = 'nor this'",
      "export const revision = 'a1' as const;",
      "export const downRevision: readonly string[] = [ 'b1', `c1`, /* merge */ ] as const",
      "export const message = `multi\nline`",
      "export const dependsOn: string | null = null",
      "export const branchLabels = \"one\";",
      "export const transaction: boolean = false;",
    ].join("\n");
    expect(literals(src)).toEqual({
      revision: "a1",
      downRevision: ["b1", "c1"],
      message: "multi\nline",
      dependsOn: null,
      branchLabels: "one",
      transaction: false,
    });
  });

  it("decodes escapes the way JavaScript does", () => {
    expect(literals(String.raw`export const message = "tab\there \"quoted\" \u00e9\x41 \u{1F600} back\\slash";`).message).toBe(
      'tab\there "quoted" éA 😀 back\\slash',
    );
  });

  it("marks a computed value, or a let/var that may be reassigned, as not a literal", () => {
    const src = [
      'export let checksum = "a";',
      'export var other = "b";',
      'export const revision = ["a", "b"].join("");',
      "export const downRevision = `x${1}`;",
      'export const message = "a" + "b";',
      'export const dependsOn = "x"\n  .trim();',
      "export const branchLabels = SOME_CONSTANT;",
    ].join("\n");
    expect(literals(src)).toEqual({
      checksum: "<other>",
      other: "<other>",
      revision: "<other>",
      downRevision: "<other>",
      message: "<other>",
      dependsOn: "<other>",
      branchLabels: "<other>",
    });
  });

  it("ignores export-like text inside strings, templates, regexes and nested blocks", () => {
    const src = [
      'const s = "export const revision = \'x\'";',
      "const t = `${'}'} export const revision = 'y' ${`${'{'}`}`;",
      "const r = /export const revision = '[}]'/g;",
      "function f() { if (a) { return `}`; } }",
      "export const revision = 'real';",
      "export function up() { const x = a / b / c; return x; }",
      "exports.down = async function (knex) { return /'/.test(knex); };",
    ].join("\n");
    const scan = scanExports(src);
    expect(scan.opaque).toBe(false);
    expect(literals(src)).toEqual({ revision: "real", up: "<function>", down: "<function>" });
  });

  it("reads CommonJS exports, including tsc's `void 0` preamble and knex's config", () => {
    const src = [
      '"use strict";',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      "exports.down = exports.up = exports.revision = void 0;",
      'exports.revision = "abc";',
      "module.exports.config = { transaction: false };",
      "exports.up = function (knex) { return knex.schema.createTable('a', function (t) { t.increments(); }); };",
      "exports.down = (knex) => knex.schema.dropTable('a');",
    ].join("\n");
    expect(literals(src)).toEqual({ revision: "abc", config: { transaction: false }, up: "<function>", down: "<other>" });
    // A metadata export in the preamble chain must still read as a literal afterwards.
    expect(literals('exports.message = exports.revision = void 0;\nexports.revision = "r";\nexports.message = "m";')).toEqual({
      revision: "r",
      message: "m",
    });
    expect(scanExports(src).opaque).toBe(false);
  });

  it("calls a file opaque when its exports cannot be listed from the text", () => {
    expect(scanExports("module.exports = { up, down };").opaque).toBe(true);
    expect(scanExports("export default { up, down };").opaque).toBe(true);
    expect(scanExports("export * from './other';").opaque).toBe(true);
    expect(scanExports("export const { revision } = meta;").opaque).toBe(true);
    expect(scanExports("export const revision = 'a'; const x = 'unterminated").opaque).toBe(true);
    expect(scanExports("export function up() { ").opaque).toBe(true);
  });

  it("lists names from export lists and ignores type-only exports", () => {
    const src = "async function up() {}\nasync function down() {}\nexport { up, down as down };\nexport type { Knex } from 'knex';\nexport interface X { a: string }";
    expect(literals(src)).toEqual({ up: "<other>", down: "<other>" });
    expect(scanExports(src).opaque).toBe(false);
  });

  it("records where each export is declared", () => {
    const src = "// header\n\nexport const revision = 'a';\n  export const message = 'm';";
    const scan = scanExports(src);
    expect(lineColumnAt(src, scan.exports.get("revision")!.offset)).toEqual({ line: 3, column: 14 });
    expect(lineColumnAt(src, scan.exports.get("message")!.offset)).toEqual({ line: 4, column: 16 });
  });
});
