import { describe, expect, it } from "vitest";
import type { ColumnModel, SchemaModel, TableModel } from "../../../shared/schema.js";
import { diffSchemas } from "../../../electron/engine/diff/index.js";
import { applyChanges } from "../../../electron/engine/diff/apply-changes.js";
import { changeKey } from "../../../electron/engine/diff/change.js";

// Issue 19 point 2: the schema a selection of a diff's changes leads to, so up() and down() of a
// partial autogenerate agree. Diffing against it must give back exactly the chosen changes.

const INT: ColumnModel = { name: "id", type: "integer", nativeType: "integer", length: null, precision: null, scale: null, unsigned: false, enumValues: null, nullable: false, default: null, identity: true, collation: null, comment: null };
const text = (name: string): ColumnModel => ({ ...INT, name, type: "text", nativeType: "text", nullable: true, identity: false });
const EMPTY: Omit<TableModel, "name"> = { schema: null, comment: null, columns: [INT], primaryKey: { name: null, columns: ["id"] }, foreignKeys: [], indexes: [], uniques: [], checks: [] };

const before: SchemaModel = {
  client: "better-sqlite3",
  tables: [{ ...EMPTY, name: "accounts" }, { ...EMPTY, name: "invoices" }],
  views: [{ schema: null, name: "v_old", definition: "select 1" }],
  enums: [],
};
const after: SchemaModel = {
  client: "better-sqlite3",
  tables: [
    { ...EMPTY, name: "accounts", columns: [INT, text("email"), text("note")], indexes: [{ name: "ix_email", columns: ["email"], unique: false, expression: false, where: null }], comment: "people" },
    { ...EMPTY, name: "notes", columns: [INT, text("body")] },
  ],
  views: [],
  enums: [],
};

const keys = (from: SchemaModel, to: SchemaModel): string[] => diffSchemas(from, to).map((c) => changeKey(c.dto)).sort();

describe("applyChanges", () => {
  const all = diffSchemas(before, after);

  it("with every change of a diff gives the diff's other side", () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(diffSchemas(applyChanges(before, all), after)).toEqual([]);
  });

  it("with any one change leaves a schema whose diff from the start is that change alone", () => {
    for (const c of all) {
      expect(keys(before, applyChanges(before, [c])), c.dto.summary).toEqual([changeKey(c.dto)]);
    }
  });

  it("with a selection leaves the others as the remaining difference", () => {
    const chosen = all.filter((c) => c.dto.kind === "add-column" || c.dto.kind === "drop-table");
    const middle = applyChanges(before, chosen);
    expect(keys(before, middle)).toEqual(chosen.map((c) => changeKey(c.dto)).sort());
    expect(keys(middle, after)).toEqual(all.filter((c) => !chosen.includes(c)).map((c) => changeKey(c.dto)).sort());
  });

  it("keeps a column where the wanted table has it", () => {
    const note = all.find((c) => changeKey(c.dto) === "add-column|accounts|column note")!;
    const email = all.find((c) => changeKey(c.dto) === "add-column|accounts|column email")!;
    const t = applyChanges(before, [note, email]).tables.find((x) => x.name === "accounts")!;
    expect(t.columns.map((c) => c.name)).toEqual(["id", "email", "note"]);
  });
});
