import type { SchemaModel, TableModel } from "../../../shared/schema.js";
import { assertNever } from "../errors.js";
import type { SchemaChange } from "./change.js";

type Named = { readonly schema: string | null; readonly name: string };

const sameName = (a: Named, b: Named): boolean => a.schema === b.schema && a.name === b.name;

/** The same item: the very object the diff read, or one that reads the same (a model read again). */
const same = <T>(a: T, b: T): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

const without = <T>(items: readonly T[], item: T): T[] => items.filter((i) => !same(i, item));

/**
 * The schema `from` becomes when only `changes` (some of a diff from `from`) are made: the middle
 * ground an autogenerate preview writes for the changes a person ticked (issue 19 point 2).
 * Diffing `from` against it, and it against `from`, gives up() and down() that agree with each
 * other on every dialect (SQLite rebuilds a table from its new definition, so filtering the
 * rendered changes instead would rebuild it with the unticked ones too). Pure.
 */
export function applyChanges(from: SchemaModel, changes: readonly SchemaChange[]): SchemaModel {
  let tables = [...from.tables];
  let views = [...from.views];
  let enums = [...from.enums];
  let objects = [...(from.objects ?? [])];
  const editTable = (t: Named, edit: (t: TableModel) => TableModel): void => {
    tables = tables.map((x) => (sameName(x, t) ? edit(x) : x));
  };
  for (const c of changes) {
    const p = c.payload;
    switch (p.kind) {
      case "create-table": {
        // A key to a table made later in the diff is its own change (add-foreign-key): ticked apart.
        const deferred = p.deferredForeignKeys;
        tables = [...tables.filter((x) => !sameName(x, p.table)), { ...p.table, foreignKeys: p.table.foreignKeys.filter((f) => !deferred.includes(f)) }];
        break;
      }
      case "drop-table":
        tables = tables.filter((x) => !sameName(x, p.table));
        break;
      case "add-column":
        editTable(p.table, (t) => {
          // Where the wanted table has it, after the columns before it that are already there.
          const order = p.table.columns.map((col) => col.name);
          const at = order.indexOf(p.column.name);
          const before = t.columns.filter((col) => order.indexOf(col.name) !== -1 && order.indexOf(col.name) < at).length;
          const columns = [...t.columns.filter((col) => col.name !== p.column.name)];
          columns.splice(Math.min(before, columns.length), 0, p.column);
          return { ...t, columns };
        });
        break;
      case "drop-column":
        editTable(p.table, (t) => ({ ...t, columns: t.columns.filter((col) => col.name !== p.column.name) }));
        break;
      case "alter-column":
        editTable(p.table, (t) => ({ ...t, columns: t.columns.map((col) => (col.name === p.from.name ? p.to : col)) }));
        break;
      case "set-primary-key":
        editTable(p.table, (t) => ({ ...t, primaryKey: p.primaryKey }));
        break;
      case "drop-primary-key":
        editTable(p.table, (t) => ({ ...t, primaryKey: null }));
        break;
      case "add-index":
        editTable(p.table, (t) => ({ ...t, indexes: [...t.indexes.filter((i) => i.name !== p.index.name), p.index] }));
        break;
      case "drop-index":
        editTable(p.table, (t) => ({ ...t, indexes: t.indexes.filter((i) => i.name !== p.index.name) }));
        break;
      case "add-unique":
        editTable(p.table, (t) => ({ ...t, uniques: [...without(t.uniques, p.unique), p.unique] }));
        break;
      case "drop-unique":
        editTable(p.table, (t) => ({ ...t, uniques: without(t.uniques, p.unique) }));
        break;
      case "add-check":
        editTable(p.table, (t) => ({ ...t, checks: [...without(t.checks, p.check), p.check] }));
        break;
      case "drop-check":
        editTable(p.table, (t) => ({ ...t, checks: without(t.checks, p.check) }));
        break;
      case "add-foreign-key":
        editTable(p.table, (t) => ({ ...t, foreignKeys: [...without(t.foreignKeys, p.foreignKey), p.foreignKey] }));
        break;
      case "drop-foreign-key":
        editTable(p.table, (t) => ({ ...t, foreignKeys: without(t.foreignKeys, p.foreignKey) }));
        break;
      case "set-table-comment":
        editTable(p.table, (t) => ({ ...t, comment: p.comment }));
        break;
      case "set-table-options":
        editTable(p.table, (t) => ({ ...t, engine: p.table.engine ?? null, collation: p.table.collation ?? null, options: p.table.options ?? null }));
        break;
      case "create-enum":
        enums = [...enums.filter((e) => !sameName(e, p.enum)), p.enum];
        break;
      case "drop-enum":
        enums = enums.filter((e) => !sameName(e, p.enum));
        break;
      case "alter-enum":
        enums = enums.map((e) => (sameName(e, p.from) ? p.to : e));
        // A column of the enum carries its values (PostgreSQL): they follow the enum, or the next diff sees a type change.
        for (const u of p.users) {
          editTable(u.table, (t) => ({ ...t, columns: t.columns.map((col) => (col.name === u.column.name ? { ...col, enumValues: p.to.values } : col)) }));
        }
        break;
      case "create-view":
        views = [...views.filter((v) => !sameName(v, p.view)), p.view];
        break;
      case "drop-view":
        views = views.filter((v) => !sameName(v, p.view));
        break;
      case "create-object":
        objects = [...objects.filter((o) => !(o.kind === p.object.kind && sameName(o, p.object))), p.object];
        break;
      case "drop-object":
        objects = objects.filter((o) => !(o.kind === p.object.kind && sameName(o, p.object)));
        break;
      default:
        assertNever(p);
    }
  }
  return { ...from, tables, views, enums, ...(from.objects !== undefined || objects.length ? { objects } : {}) };
}
