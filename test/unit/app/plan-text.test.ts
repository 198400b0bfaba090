import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findDestructiveStatements } from "../../../electron/engine/lint/destructive-sql.js";
import { extractExportedFunction } from "../../../electron/engine/app-session/revision-source-text.js";
import { DEFAULT_WINDOW_STATE, loadWindowState, saveWindowState } from "../../../electron/main/window-state.js";

describe("destructive statements of a rendered plan", () => {
  const script = [
    "-- Strata downgrade to base for SQLite, rendered offline",
    "",
    "-- Running downgrade b2: add due date",
    "PRAGMA foreign_keys = OFF;",
    "BEGIN;",
    'CREATE TABLE `_knex_temp_alter1` (`id` integer);',
    'INSERT INTO "_knex_temp_alter1" SELECT "id" FROM "invoices";',
    'DROP TABLE "invoices";',
    'ALTER TABLE "_knex_temp_alter1" RENAME TO "invoices";',
    "delete from `strata_version` where `version_num` = 'b2';",
    "COMMIT;",
    "",
    "-- Running downgrade b1: create invoices",
    "BEGIN;",
    "drop table `invoices`;",
    "alter table `orders` drop column `status`;",
    "alter table `orders` drop constraint `orders_fk`;",
    "truncate table `audit`;",
    "COMMIT;",
    "",
  ].join("\n");

  it("names drops and truncations per revision, not Strata's bookkeeping; a SQLite rebuild that leaves columns out is a drop", () => {
    const found = findDestructiveStatements(script, ["strata_version", "strata_history"]);
    expect(found.map((f) => [f.revision, f.statement])).toEqual([
      // knex copies an explicit column list only when it drops a column (invoices is not in the script, so which one is not known).
      ["b2", 'INSERT INTO "_knex_temp_alter1" SELECT "id" FROM "invoices"'],
      ["b1", "drop table `invoices`"],
      ["b1", "alter table `orders` drop column `status`"],
      ["b1", "truncate table `audit`"],
    ]);
    expect(found[0]!.reason).toMatch(/copying only columns id/);
    expect(found[1]!.reason).toMatch(/data|rows/);
  });
});

describe("up and down as written in a revision file", () => {
  it("finds each function with nested braces, strings and comments", () => {
    const source = `import type { Knex } from "knex";
export const revision = "a1";
export async function up(knex: Knex): Promise<void> {
  // a "}" in a comment
  await knex.schema.createTable("t", (t) => { t.string("a}"); });
  const s = \`\${"}"} }\`;
}

export async function down(knex: Knex) {
  /* } */ await knex.schema.dropTable("t");
}
`;
    const up = extractExportedFunction(source, "up")!;
    expect(up.startsWith("export async function up(")).toBe(true);
    expect(up.endsWith("}")).toBe(true);
    expect(up).toContain('t.string("a}")');
    expect(up).not.toContain("down");
    expect(extractExportedFunction(source, "down")).toContain('dropTable("t")');
    expect(extractExportedFunction(source, "sideways")).toBeNull();
  });
});

describe("window state", () => {
  it("remembers the window and falls back to the default when the file is damaged", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "strata-window-"));
    const file = path.join(dir, "nested", "window-state.json");
    try {
      expect(loadWindowState(file)).toEqual(DEFAULT_WINDOW_STATE);
      saveWindowState(file, { x: 10, y: 20, width: 1000, height: 700, maximized: true });
      expect(loadWindowState(file)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
      writeFileSync(file, "{ not json");
      expect(loadWindowState(file)).toEqual(DEFAULT_WINDOW_STATE);
      writeFileSync(file, JSON.stringify({ width: 5, height: -1 }));
      expect(loadWindowState(file)).toMatchObject({ width: DEFAULT_WINDOW_STATE.width, height: DEFAULT_WINDOW_STATE.height });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
