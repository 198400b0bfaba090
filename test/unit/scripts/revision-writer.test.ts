import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isStrataError } from "../../../electron/engine/errors.js";
import { DEFAULT_FILE_TEMPLATE, renderFileName, slugify } from "../../../electron/engine/scripts/file-template.js";
import { newRevisionId, writeRevisionFile } from "../../../electron/engine/scripts/revision-writer.js";
import { loadScriptDirectory } from "../../../electron/engine/scripts/script-directory.js";
import { scanExports } from "../../../electron/engine/scripts/static-exports.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-writer-");

describe("renderFileName and slugify match Alembic's _rev_path", () => {
  // Expected values were produced by Alembic 1.x's algorithm (`"_".join(re.findall(r"\w+", message)).lower()`,
  // cut at 40 then at the last "_", and Python's % formatting) for the same local dates.
  const cases: Array<[string, string, string, Date, string]> = [
    [DEFAULT_FILE_TEMPLATE, "3f2a9c1b7d4e", "Add invoices!", new Date(2024, 2, 7, 9, 5, 2), "2024_03_07_0905-3f2a9c1b7d4e_add_invoices"],
    [
      DEFAULT_FILE_TEMPLATE,
      "ae1027a6acf0",
      "add a column to the invoices table, then backfill it from orders",
      new Date(2025, 11, 31, 23, 59, 59),
      "2025_12_31_2359-ae1027a6acf0_add_a_column_to_the_invoices_table_then_",
    ],
    ["%(rev)s_%(slug)s", "abc", "Ünïcode café — résumé", new Date(2024, 0, 1), "abc_ünïcode_café_résumé"],
    [
      "%(year)d%(month).2d%(day).2d%(hour).2d%(minute).2d%(second).2d_%(slug)s",
      "abc",
      "averyveryveryverylongsinglewordthatexceedsfortycharacters",
      new Date(2024, 6, 4, 1, 2, 3),
      "20240704010203_averyveryveryverylongsinglewordthatexcee_",
    ],
    ["%(rev)s-%%-%(slug)s", "abc", "  multiple   spaces__and_underscores  ", new Date(2024, 6, 4), "abc-%-multiple_spaces__and_underscores"],
  ];
  for (const [template, rev, message, date, expected] of cases) {
    it(`${template} / ${JSON.stringify(message)}`, () => {
      expect(renderFileName(template, { rev, slug: slugify(message), date })).toBe(expected);
    });
  }

  it("renders the epoch as Alembic does (seconds, whatever the time zone)", () => {
    const date = new Date(Date.UTC(2024, 1, 29, 12, 0, 0));
    expect(renderFileName("%(epoch)s_%(rev)s", { rev: "abc", slug: "", date })).toBe("1709208000_abc");
    expect(renderFileName("%(epoch)d", { rev: "abc", slug: "", date })).toBe("1709208000");
  });

  it("applies Python's width, flags and precision", () => {
    const date = new Date(2024, 0, 5, 7, 8, 9);
    expect(renderFileName("%(day)5.2d|%(day)-4d|%(day)05d|%(month)+d|%(rev).3s", { rev: "abcdef", slug: "", date })).toBe(
      "   05|5   |00005|+1|abc",
    );
  });

  it("rejects an unknown token and a template that makes folders", () => {
    const fields = { rev: "a", slug: "b", date: new Date() };
    expect(() => renderFileName("%(revision)s", fields)).toThrow(/unknown token %\(revision\); use rev, slug, year/);
    expect(() => renderFileName("%(rev)x", fields)).toThrow(/not a %\(name\)s or %\(name\)d token/);
    expect(() => renderFileName("%(year)d/%(rev)s", fields)).toThrow(/contains a folder separator/);
  });
});

describe("newRevisionId", () => {
  it("makes 12 lowercase hex characters, different each time", () => {
    const ids = new Set(Array.from({ length: 200 }, () => newRevisionId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("writeRevisionFile", () => {
  it("writes DESIGN.md's format and names the file from the template", async () => {
    const dir = path.join(tempDir(), "migrations");
    const file = await writeRevisionFile({
      dir,
      revision: "3f2a9c1b7d4e",
      downRevisions: ["ae1027a6acf0"],
      branchLabels: ["billing"],
      dependsOn: ["55af2cb1c267"],
      message: "add invoices",
      now: new Date(2024, 2, 7, 9, 5),
      upBody: 'await knex.schema.createTable("invoices", (t) => {\n  t.increments("id");\n});',
    });
    expect(file).toBe(path.join(dir, "2024_03_07_0905-3f2a9c1b7d4e_add_invoices.ts"));
    expect(readFileSync(file, "utf8")).toBe(`import type { Knex } from "knex";

export const revision = "3f2a9c1b7d4e";
export const downRevision: string | string[] | null = "ae1027a6acf0";
export const branchLabels = ["billing"];
export const dependsOn = ["55af2cb1c267"];
export const message = "add invoices";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("invoices", (t) => {
    t.increments("id");
  });
}

export async function down(knex: Knex): Promise<void> {
  // Undo what up() did.
}
`);
  });

  it("writes null for a base and an array for a merge, and round-trips through the fast path", async () => {
    const dir = tempDir();
    const base = await writeRevisionFile({ dir, revision: "aaaaaaaaaaaa", downRevisions: [], message: "base", now: new Date(2024, 0, 1) });
    const side = await writeRevisionFile({ dir, revision: "bbbbbbbbbbbb", downRevisions: ["aaaaaaaaaaaa"], message: 'quote " and \\ and\nnewline', now: new Date(2024, 0, 2) });
    const other = await writeRevisionFile({ dir, revision: "cccccccccccc", downRevisions: ["aaaaaaaaaaaa"], message: "other", transaction: false, now: new Date(2024, 0, 3) });
    const merge = await writeRevisionFile({
      dir,
      revision: "dddddddddddd",
      downRevisions: ["bbbbbbbbbbbb", "cccccccccccc"],
      message: "merge heads",
      branchLabels: ["x"],
      dependsOn: ["aaaaaaaaaaaa"],
      now: new Date(2024, 0, 4),
    });
    expect(readFileSync(base, "utf8")).toContain("export const downRevision: string | string[] | null = null;");
    expect(readFileSync(merge, "utf8")).toContain('export const downRevision: string | string[] | null = ["bbbbbbbbbbbb", "cccccccccccc"];');
    // Every metadata export is a literal: the folder loads without compiling anything.
    for (const f of [base, side, other, merge]) {
      const scan = scanExports(readFileSync(f, "utf8"));
      expect(scan.opaque).toBe(false);
      expect([...scan.exports.values()].filter((e) => e.kind === "other")).toEqual([]);
    }
    const sd = await loadScriptDirectory(dir);
    expect(sd.scripts.map(({ revision, downRevisions, branchLabels, dependsOn, message, transaction }) => ({ revision, downRevisions, branchLabels, dependsOn, message, transaction }))).toEqual([
      { revision: "aaaaaaaaaaaa", downRevisions: [], branchLabels: [], dependsOn: [], message: "base", transaction: true },
      { revision: "bbbbbbbbbbbb", downRevisions: ["aaaaaaaaaaaa"], branchLabels: [], dependsOn: [], message: 'quote " and \\ and\nnewline', transaction: true },
      { revision: "cccccccccccc", downRevisions: ["aaaaaaaaaaaa"], branchLabels: [], dependsOn: [], message: "other", transaction: false },
      { revision: "dddddddddddd", downRevisions: ["bbbbbbbbbbbb", "cccccccccccc"], branchLabels: ["x"], dependsOn: ["aaaaaaaaaaaa"], message: "merge heads", transaction: true },
    ]);
    // And the compiled module runs.
    const mod = await sd.scripts[3]!.load();
    await expect(mod.up(undefined as never)).resolves.toBeUndefined();
  });

  it("refuses to overwrite an existing file", async () => {
    const dir = tempDir();
    const opts = { dir, fileTemplate: "%(rev)s", revision: "eeeeeeeeeeee", downRevisions: [], message: "m" } as const;
    writeFileSync(path.join(dir, "eeeeeeeeeeee.ts"), "// mine\n");
    const err = await writeRevisionFile(opts).catch((e: unknown) => e);
    expect(isStrataError(err) && err.code).toBe("FILE_EXISTS");
    expect((err as Error).message).toContain(path.join(dir, "eeeeeeeeeeee.ts"));
    expect(readFileSync(path.join(dir, "eeeeeeeeeeee.ts"), "utf8")).toBe("// mine\n");
  });
});

describe("knex migrations written by Strata (issue #15 point 4)", () => {
  it("reads the module style of the folder's newest file", async () => {
    const { knexModuleStyle } = await import("../../../electron/engine/scripts/revision-writer.js");
    expect(knexModuleStyle("a.js", "exports.up = async (knex) => {};\nexports.down = async () => {};")).toEqual({ extension: ".js", syntax: "commonjs" });
    expect(knexModuleStyle("a.js", "export async function up(knex) {}\nexport async function down(knex) {}")).toEqual({ extension: ".js", syntax: "esm" });
    expect(knexModuleStyle("a.ts", "export async function up() {}")).toEqual({ extension: ".ts", syntax: "typescript" });
    expect(knexModuleStyle("a.mjs", "")).toEqual({ extension: ".mjs", syntax: "esm" });
    expect(knexModuleStyle("a.cjs", "")).toEqual({ extension: ".cjs", syntax: "commonjs" });
  });

  it("writes YYYYMMDDHHMMSS_slug files with up/down only, each style loading as a knex migration", async () => {
    const { writeKnexMigrationFile } = await import("../../../electron/engine/scripts/revision-writer.js");
    const styles = [
      { extension: ".js", syntax: "commonjs" },
      { extension: ".mjs", syntax: "esm" },
      { extension: ".ts", syntax: "typescript" },
    ] as const;
    for (const style of styles) {
      const dir = tempDir();
      const file = await writeKnexMigrationFile({ dir, message: "Add users!", style, now: new Date(2024, 6, 4, 1, 2, 3), upBody: "await knex.schema.createTable(\"users\", (t) => t.increments());", downBody: "await knex.schema.dropTable(\"users\");" });
      expect(path.basename(file)).toBe(`20240704010203_add_users${style.extension}`);
      const text = readFileSync(file, "utf8");
      expect(text).not.toMatch(/revision|downRevision/);
      if (style.syntax === "typescript") expect(text).toContain(`import type { Knex } from "knex";`);
      if (style.syntax === "commonjs") expect(text).toMatch(/^exports\.up = async function up\(knex\)/m);
      // knex loads .mjs files only where its loadExtensions names them, as a project writing them does.
      const loaded = await loadScriptDirectory(dir, style.extension === ".mjs" ? { knexLoadExtensions: [".mjs"] } : {});
      expect(loaded.mode).toBe("knex");
      expect(loaded.scripts.map((s) => s.revision)).toEqual(["20240704010203_add_users"]);
      const mod = await loaded.scripts[0]!.load();
      expect(typeof mod.up).toBe("function");
    }
  });
});
