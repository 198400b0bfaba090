import type { ColumnModel, DefinedObjectModel, EnumModel, ForeignKeyModel, NotComparedDto, NotComparedModel, SchemaChangeKind, SchemaModel, TableModel, ViewModel } from "../../../shared/schema.js";
import { expressionKey, viewKey } from "../introspect/normal-form.js";
import { describeColumn, describeType, qualifiedName } from "./change.js";
import type { ChangePayload, SchemaChange } from "./change.js";

/** The order changes run in: each phase only needs what earlier phases left (issue 3, point 2). */
export const PHASES: readonly SchemaChangeKind[] = [
  "drop-view",
  "drop-foreign-key",
  "drop-index",
  "drop-unique",
  "drop-check",
  "drop-primary-key",
  "drop-table",
  "create-enum",
  "alter-enum",
  "create-table",
  "set-table-options",
  "add-column",
  "alter-column",
  "drop-column",
  "set-primary-key",
  "add-unique",
  "add-index",
  "add-check",
  "add-foreign-key",
  "set-table-comment",
  "set-table-options",
  "drop-enum",
  "create-view",
];

const tableKey = (t: { readonly schema: string | null; readonly name: string }): string => `${t.schema ?? ""}.${t.name}`;
const fkKey = (f: ForeignKeyModel): string =>
  `${f.columns.join(",")}>${f.refSchema ?? ""}.${f.refTable}(${f.refColumns.join(",")}) ${f.onDelete}/${f.onUpdate}`;

/**
 * Compares two schema models and returns the changes that turn `from` into `to`, in an order
 * that can run. Pure: no connection. Keys, indexes and constraints are matched by what they do,
 * not by name, since each dialect names them its own way; renames are never guessed.
 */
export function diffSchemas(from: SchemaModel, to: SchemaModel): SchemaChange[] {
  const out: SchemaChange[] = [];
  const fromTables = new Map(from.tables.map((t) => [tableKey(t), t] as const));
  const toTables = new Map(to.tables.map((t) => [tableKey(t), t] as const));

  const dropped = from.tables.filter((t) => !toTables.has(tableKey(t)));
  const created = to.tables.filter((t) => !fromTables.has(tableKey(t)));
  for (const t of orderByReferences(dropped, true)) {
    out.push(change("drop-table", t, null, `drop table ${qualifiedName(t)} (${t.columns.length} columns)`, { kind: "drop-table", table: t }, null, {
      destructive: true,
      note: renameNote(t.name, created.map((c) => c.name), "table"),
    }));
  }
  const createdKeys = new Set<string>();
  for (const t of orderByReferences(created, false)) {
    createdKeys.add(tableKey(t));
    // A key to a table created later (a cycle) is added once both exist.
    const deferred = t.foreignKeys.filter((f) => {
      const target = tableKey({ schema: f.refSchema, name: f.refTable });
      return target !== tableKey(t) && toTables.has(target) && !fromTables.has(target) && !createdKeys.has(target);
    });
    out.push(change("create-table", t, null, `create table ${qualifiedName(t)} (${t.columns.length} columns)`, { kind: "create-table", table: t, deferredForeignKeys: deferred }, null, {
      note: renameNote(t.name, dropped.map((d) => d.name), "table"),
    }));
    for (const f of deferred) {
      out.push(change("add-foreign-key", t, `foreign key (${f.columns.join(", ")})`, `add foreign key (${f.columns.join(", ")}) -> ${f.refTable}`, { kind: "add-foreign-key", table: t, foreignKey: f }, null));
    }
  }
  for (const [key, ft] of fromTables) {
    const tt = toTables.get(key);
    // The very same table object has nothing to compare: applyChanges keeps every table a change does not touch (the create screen diffs once per change).
    if (tt && tt !== ft) diffTable(ft, tt, out);
  }
  diffEnums(from, to, out);
  diffViews(from.views, to.views, out);
  diffObjects(from.objects ?? [], to.objects ?? [], out);
  if (from.dependentsBlockChanges) addDependents(from, to, out);
  remakeViewTriggers(from, to, out);
  return sortByPhase(out);
}

/**
 * Dropping a view drops its triggers (PostgreSQL and SQLite alike), so a view the diff makes anew
 * gets back each trigger on it that the diff itself leaves alone, after the view is made.
 */
function remakeViewTriggers(from: SchemaModel, to: SchemaModel, out: SchemaChange[]): void {
  const toViews = new Set(to.views.map(qualifiedName));
  const remade = new Set(out.filter((c) => c.payload.kind === "drop-view" && toViews.has(c.dto.object)).map((c) => c.dto.object));
  if (remade.size === 0) return;
  const touched = new Set(out.flatMap((c) => (c.payload.kind === "drop-object" || c.payload.kind === "create-object" ? [objectKey(c.payload.object)] : [])));
  const toObjects = new Map((to.objects ?? []).map((o) => [objectKey(o), o] as const));
  for (const o of from.objects ?? []) {
    const after = toObjects.get(objectKey(o));
    if (o.kind !== "trigger" || !o.table || !remade.has(o.table) || touched.has(objectKey(o)) || !after) continue;
    out.push(change("create-object", after, after.kind, `recreate trigger ${qualifiedName(after)} on ${o.table} (dropped with its view)`, { kind: "create-object", object: after }, null, {
      note: `dropping view ${o.table} drops its triggers: made again after the view, in this revision`,
    }));
  }
}

const mentions = (text: string, name: string): boolean => new RegExp(`(^|[^\\w$])"?${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?($|[^\\w$])`, "i").test(text);

/**
 * PostgreSQL refuses some changes while something depends on what they change (issue 16, point 3):
 * a column's type under a view, a column a view reads, an enum made anew under a partial or
 * expression index or a view. Those dependents, unchanged by the diff itself, are dropped first and
 * recreated after in the same revision (drop phases run before, create phases after); each says why.
 */
function addDependents(from: SchemaModel, to: SchemaModel, out: SchemaChange[]): void {
  const touched: { table: TableModel; column: string; why: string; enum: boolean }[] = [];
  for (const c of out) {
    const p = c.payload;
    if (p.kind === "alter-column" && p.aspects.includes("type")) touched.push({ table: p.table, column: p.to.name, why: "type changes", enum: false });
    else if (p.kind === "drop-column") touched.push({ table: p.table, column: p.column.name, why: "column is dropped", enum: false });
    else if (p.kind === "alter-enum" && !enumOnlyAdds(p.from.values, p.to.values)) {
      for (const u of p.users) touched.push({ table: u.table, column: u.column.name, why: `enum ${qualifiedName(p.to)} is made anew`, enum: true });
    }
  }
  if (touched.length === 0) return;
  const viewChanged = new Set(out.filter((c) => c.payload.kind === "drop-view" || c.payload.kind === "create-view").map((c) => c.dto.object));
  const toViews = new Map(to.views.map((v) => [tableKey(v), v] as const));
  const stable = from.views.filter((v) => toViews.has(tableKey(v)) && !viewChanged.has(qualifiedName(v)));
  // Views on the touched tables, then the views on those, and so on: dropped deepest first.
  const reasons = new Map<string, string>();
  const order: ViewModel[] = [];
  for (const t of touched) {
    for (const v of stable) {
      if (reasons.has(tableKey(v)) || !mentions(v.definition, t.table.name) || !mentions(v.definition, t.column)) continue;
      reasons.set(tableKey(v), `reads ${qualifiedName(t.table)}.${t.column}, whose ${t.why}`);
      order.push(v);
    }
  }
  for (let i = 0; i < order.length; i++) {
    for (const v of stable) {
      if (reasons.has(tableKey(v)) || !mentions(v.definition, order[i]!.name)) continue;
      reasons.set(tableKey(v), `reads view ${qualifiedName(order[i]!)}, which is dropped and recreated`);
      order.push(v);
    }
  }
  for (const v of [...order].reverse()) {
    const why = `${reasons.get(tableKey(v))}: PostgreSQL refuses the change while the view stands, so it is dropped first and recreated after, in this revision`;
    out.push(change("drop-view", v, null, `drop view ${qualifiedName(v)} (a dependent, recreated after)`, { kind: "drop-view", view: v }, null, { note: why }));
  }
  for (const v of order) {
    const after = toViews.get(tableKey(v))!;
    out.push(change("create-view", after, null, `recreate view ${qualifiedName(after)} (a dependent)`, { kind: "create-view", view: after }, null, { note: `${reasons.get(tableKey(v))}: recreated after the change` }));
  }
  // Materialized views too (compared by definition): unchanged ones that read a touched column or a recreated view.
  const objectChanged = new Set(out.filter((c) => c.payload.kind === "drop-object" || c.payload.kind === "create-object").map((c) => `${c.dto.object}\u0000${c.dto.target}`));
  const toObjects = new Map((to.objects ?? []).map((o) => [objectKey(o), o] as const));
  for (const m of from.objects ?? []) {
    if (m.kind !== "materialized view" || objectChanged.has(`${qualifiedName(m)}\u0000${m.kind}`) || !toObjects.has(objectKey(m))) continue;
    const text = m.statements.join(" ");
    const hit = touched.find((t) => mentions(text, t.table.name) && mentions(text, t.column));
    const viaView = order.find((v) => mentions(text, v.name));
    if (!hit && !viaView) continue;
    const why = hit ? `reads ${qualifiedName(hit.table)}.${hit.column}, whose ${hit.why}` : `reads view ${qualifiedName(viaView!)}, which is dropped and recreated`;
    out.push(change("drop-object", m, m.kind, `drop materialized view ${qualifiedName(m)} (a dependent, recreated after)`, { kind: "drop-object", object: m, remade: false }, null, {
      note: `${why}: PostgreSQL refuses the change while it stands, so it is dropped first and recreated after, in this revision (its rows are computed again)`,
    }));
    out.push(change("create-object", m, m.kind, `recreate materialized view ${qualifiedName(m)} (a dependent)`, { kind: "create-object", object: toObjects.get(objectKey(m))! }, null, { note: `${why}: recreated after the change` }));
  }
  // An enum made anew: a predicate or expression comparing the column with a literal of the old type no longer resolves.
  const indexChanged = new Set(out.filter((c) => c.payload.kind === "drop-index" || c.payload.kind === "add-index").map((c) => `${c.dto.object}\u0000${c.dto.target}`));
  for (const t of touched.filter((x) => x.enum)) {
    const before = from.tables.find((x) => tableKey(x) === tableKey(t.table));
    if (!before) continue;
    for (const i of before.indexes) {
      const text = [i.where ?? "", i.definition ?? "", i.expression ? i.columns.join(" ") : ""].join(" ");
      if (!(i.where || i.expression || i.definition) || !mentions(text, t.column) || indexChanged.has(`${qualifiedName(t.table)}\u0000index ${i.name}`)) continue;
      const after = t.table.indexes.find((x) => x.name === i.name) ?? i;
      const why = `uses ${t.table.name}.${t.column}, whose ${t.why}: dropped first and recreated after, in this revision`;
      out.push(change("drop-index", t.table, `index ${i.name}`, `drop index ${i.name} (a dependent, recreated after)`, { kind: "drop-index", table: before, index: i }, { from: before, to: t.table }, { note: why }));
      out.push(change("add-index", t.table, `index ${i.name}`, `recreate index ${i.name} (a dependent)`, { kind: "add-index", table: t.table, index: after }, { from: before, to: t.table }, { note: why }));
    }
  }
}

/** Whether an enum's new values only add to the old ones in place (ALTER TYPE ... ADD VALUE), leaving the type as it is. */
export function enumOnlyAdds(from: readonly string[], to: readonly string[]): boolean {
  const kept = to.filter((x) => from.includes(x));
  return from.every((v, i) => kept[i] === v) && from.every((v) => to.includes(v));
}

function diffTable(ft: TableModel, tt: TableModel, out: SchemaChange[]): void {
  const pair = { from: ft, to: tt };
  const fromCols = new Map(ft.columns.map((c) => [c.name, c] as const));
  const toCols = new Map(tt.columns.map((c) => [c.name, c] as const));
  const addedNames = tt.columns.filter((c) => !fromCols.has(c.name)).map((c) => c.name);
  const droppedNames = ft.columns.filter((c) => !toCols.has(c.name)).map((c) => c.name);
  for (const c of tt.columns) {
    const before = fromCols.get(c.name);
    if (!before) {
      out.push(change("add-column", tt, `column ${c.name}`, `add column ${describeColumn(c)}`, { kind: "add-column", table: tt, column: c }, pair, {
        note: renameNote(c.name, droppedNames, "column"),
      }));
      continue;
    }
    const aspects = columnDifferences(before, c);
    if (aspects.length) {
      const narrowed = isNarrowing(before, c);
      out.push(change("alter-column", tt, `column ${c.name}`, `alter column ${c.name}: ${aspects.map((a) => describeAspect(a, before, c)).join(", ")}`, { kind: "alter-column", table: tt, from: before, to: c, aspects }, pair, {
        destructive: narrowed,
        note: narrowed ? "narrows the type: values that do not fit fail or are cut" : null,
      }));
    }
  }
  for (const c of ft.columns) {
    if (toCols.has(c.name)) continue;
    out.push(change("drop-column", tt, `column ${c.name}`, `drop column ${describeColumn(c)}`, { kind: "drop-column", table: ft, column: c }, pair, {
      destructive: true,
      note: renameNote(c.name, addedNames, "column"),
    }));
  }
  const fromPk = ft.primaryKey?.columns.join(",") ?? "";
  const toPk = tt.primaryKey?.columns.join(",") ?? "";
  if (fromPk !== toPk) {
    if (ft.primaryKey) out.push(change("drop-primary-key", tt, "primary key", `drop primary key (${ft.primaryKey.columns.join(", ")})`, { kind: "drop-primary-key", table: ft, primaryKey: ft.primaryKey }, pair));
    if (tt.primaryKey) out.push(change("set-primary-key", tt, "primary key", `set primary key (${tt.primaryKey.columns.join(", ")})`, { kind: "set-primary-key", table: tt, primaryKey: tt.primaryKey }, pair));
  }
  matchBy(ft.foreignKeys, tt.foreignKeys, fkKey, (f, added) =>
    out.push(change(added ? "add-foreign-key" : "drop-foreign-key", tt, `foreign key ${f.name ?? `(${f.columns.join(", ")})`}`,
      `${added ? "add" : "drop"} foreign key (${f.columns.join(", ")}) -> ${f.refSchema ? `${f.refSchema}.` : ""}${f.refTable} (${f.refColumns.join(", ")}) on delete ${f.onDelete.toLowerCase()} on update ${f.onUpdate.toLowerCase()}`,
      { kind: added ? "add-foreign-key" : "drop-foreign-key", table: added ? tt : ft, foreignKey: f }, pair)),
  );
  const indexKey = (i: TableModel["indexes"][number]): string =>
    i.definition ? `${i.unique ? "u" : ""} ${expressionKey(i.definition)}` : `${i.unique ? "u" : ""}${i.method ? ` using ${i.method}` : ""}(${i.columns.map((c) => (i.expression ? expressionKey(c) : c)).join(",")})${i.where ? ` where ${expressionKey(i.where)}` : ""}`;
  matchBy(ft.indexes, tt.indexes, indexKey, (i, added) =>
    out.push(change(added ? "add-index" : "drop-index", tt, `index ${i.name}`,
      `${added ? "add" : "drop"} ${i.unique ? "unique " : ""}index ${i.name}${i.definition ? ` ${i.definition}` : `${i.method ? ` using ${i.method}` : ""} (${i.columns.join(", ")})${i.where ? ` where ${i.where}` : ""}`}`,
      { kind: added ? "add-index" : "drop-index", table: added ? tt : ft, index: i }, pair)),
  );
  matchBy(ft.uniques, tt.uniques, (u) => u.columns.join(","), (u, added) =>
    out.push(change(added ? "add-unique" : "drop-unique", tt, `unique ${u.name ?? `(${u.columns.join(", ")})`}`,
      `${added ? "add" : "drop"} unique (${u.columns.join(", ")})`, { kind: added ? "add-unique" : "drop-unique", table: added ? tt : ft, unique: u }, pair)),
  );
  matchBy(ft.checks, tt.checks, (c) => expressionKey(c.expression), (c, added) =>
    out.push(change(added ? "add-check" : "drop-check", tt, `check ${c.name ?? ""}`.trim(),
      `${added ? "add" : "drop"} check ${c.name ? `${c.name} ` : ""}(${c.expression})`, { kind: added ? "add-check" : "drop-check", table: added ? tt : ft, check: c }, pair)),
  );
  // Table options: MySQL's engine and collation, SQLite's STRICT / WITHOUT ROWID (as SQLite spells them).
  const optionsOf = (t: TableModel) => ({ engine: t.engine ?? null, collation: t.collation ?? null, "table options": t.options ?? null });
  const [fromOptions, toOptions] = [optionsOf(ft), optionsOf(tt)];
  const differing = (Object.keys(fromOptions) as (keyof typeof fromOptions)[]).filter((k) => fromOptions[k] !== toOptions[k]);
  if (differing.length) {
    const said = differing.map((k) => `${k} ${fromOptions[k] ?? (k === "table options" ? "none" : "default")} -> ${toOptions[k] ?? (k === "table options" ? "none" : "default")}`).join(", ");
    out.push(change("set-table-options", tt, "table options", said, { kind: "set-table-options", table: tt, from: ft }, pair));
  }
  if ((ft.comment ?? "") !== (tt.comment ?? "")) {
    out.push(change("set-table-comment", tt, "comment", tt.comment ? `set comment '${tt.comment}'` : "remove comment", { kind: "set-table-comment", table: tt, comment: tt.comment }, pair));
  }
}

/** Which aspects of a column differ: type, nullable, default, identity, collation, comment. */
export function columnDifferences(a: ColumnModel, b: ColumnModel): string[] {
  const out: string[] = [];
  const enumsA = a.enumValues?.join("\u0000") ?? "";
  const enumsB = b.enumValues?.join("\u0000") ?? "";
  if (a.type !== b.type || a.length !== b.length || a.precision !== b.precision || a.scale !== b.scale || a.unsigned !== b.unsigned || enumsA !== enumsB) out.push("type");
  if (a.nullable !== b.nullable) out.push("nullable");
  if (a.default !== b.default) out.push("default");
  const generation = (c: ColumnModel): string => (c.identityGeneration ? `${c.identityGeneration.kind} ${c.identityGeneration.options ?? ""}` : "");
  // Compared only where both sides say (SQLite): other dialects have no AUTOINCREMENT distinction.
  const autoincrementDiffers = (a.autoincrement ?? b.autoincrement) !== (b.autoincrement ?? a.autoincrement);
  if (a.identity !== b.identity || generation(a) !== generation(b) || autoincrementDiffers) out.push("identity");
  const generated = (c: ColumnModel): string => (c.generated ? `${c.generated.stored ? "stored" : "virtual"} ${expressionKey(c.generated.expression)}` : "");
  if (generated(a) !== generated(b)) out.push("generated");
  if ((a.onUpdate ?? "") !== (b.onUpdate ?? "")) out.push("on update");
  if ((a.collation ?? "") !== (b.collation ?? "")) out.push("collation");
  if ((a.comment ?? "") !== (b.comment ?? "")) out.push("comment");
  return out;
}

function describeAspect(aspect: string, a: ColumnModel, b: ColumnModel): string {
  switch (aspect) {
    case "type":
      return `type ${describeType(a)} -> ${describeType(b)}`;
    case "nullable":
      return b.nullable ? "drop not null" : "set not null";
    case "default":
      return b.default === null ? `drop default (was ${a.default})` : `default ${a.default ?? "none"} -> ${b.default}`;
    case "identity":
      if (b.identityGeneration) return `identity generated ${b.identityGeneration.kind}${b.identityGeneration.options ? ` (${b.identityGeneration.options})` : ""}`;
      if (a.identity && b.identity) return b.autoincrement ? "make autoincrement" : "drop autoincrement (ids of deleted rows may be reused)";
      return b.identity ? "make identity" : "drop identity";
    case "generated":
      return b.generated ? `generated always as (${b.generated.expression})${b.generated.stored ? " stored" : ""}` : "no longer generated";
    case "collation":
      return `collation ${a.collation ?? "default"} -> ${b.collation ?? "default"}`;
    case "on update":
      return b.onUpdate ? `on update ${b.onUpdate}` : "drop on update";
    default:
      return b.comment ? `comment '${b.comment}'` : "remove comment";
  }
}

const FAMILY: Readonly<Record<string, number>> = { smallint: 1, integer: 2, int: 2, mediumint: 2, bigint: 3 };

/** Whether a type change may lose data: shorter, less precise, fewer enum values, or another type. */
function isNarrowing(a: ColumnModel, b: ColumnModel): boolean {
  if (a.type !== b.type) {
    const fa = FAMILY[a.type];
    const fb = FAMILY[b.type];
    if (fa !== undefined && fb !== undefined) return fb < fa;
    if (b.type === "text" && (a.type === "varchar" || a.type === "char")) return false;
    return true;
  }
  if (a.length !== null && (b.length === null ? false : b.length < a.length)) return true;
  if (a.precision !== null && b.precision !== null && b.precision < a.precision) return true;
  if ((a.scale ?? 0) > (b.scale ?? 0)) return true;
  if (a.enumValues && b.enumValues && a.enumValues.some((v) => !b.enumValues!.includes(v))) return true;
  return false;
}

function diffEnums(from: SchemaModel, to: SchemaModel, out: SchemaChange[]): void {
  const fromEnums = new Map(from.enums.map((e) => [tableKey(e), e] as const));
  const toEnums = new Map(to.enums.map((e) => [tableKey(e), e] as const));
  for (const e of to.enums) {
    const before = fromEnums.get(tableKey(e));
    if (!before) {
      out.push(change("create-enum", e, null, `create enum ${qualifiedName(e)} (${e.values.join(", ")})`, { kind: "create-enum", enum: e }, null));
    } else if (before.values.join("\u0000") !== e.values.join("\u0000")) {
      const removed = before.values.filter((v) => !e.values.includes(v));
      out.push(change("alter-enum", e, null, `enum ${qualifiedName(e)}: (${before.values.join(", ")}) -> (${e.values.join(", ")})`, { kind: "alter-enum", from: before, to: e, users: enumUsers(to, e) }, null, {
        destructive: removed.length > 0,
        note: removed.length ? `removes ${removed.join(", ")}: rows holding them make it fail` : null,
      }));
    }
  }
  for (const e of from.enums) {
    if (!toEnums.has(tableKey(e))) out.push(change("drop-enum", e, null, `drop enum ${qualifiedName(e)}`, { kind: "drop-enum", enum: e }, null, { destructive: true }));
  }
}

function enumUsers(model: SchemaModel, e: EnumModel): { table: TableModel; column: ColumnModel }[] {
  const names = new Set([e.name, qualifiedName(e), `"${e.name}"`]);
  return model.tables.flatMap((table) => table.columns.filter((c) => names.has(c.type)).map((column) => ({ table, column })));
}

function diffViews(from: readonly ViewModel[], to: readonly ViewModel[], out: SchemaChange[]): void {
  const fromViews = new Map(from.map((v) => [tableKey(v), v] as const));
  const toViews = new Map(to.map((v) => [tableKey(v), v] as const));
  for (const v of from) {
    const after = toViews.get(tableKey(v));
    if (!after || viewKey(after.definition) !== viewKey(v.definition)) {
      out.push(change("drop-view", v, null, after ? `drop view ${qualifiedName(v)} (its definition changes)` : `drop view ${qualifiedName(v)}`, { kind: "drop-view", view: v }, null));
    }
  }
  for (const v of to) {
    const before = fromViews.get(tableKey(v));
    if (!before || viewKey(before.definition) !== viewKey(v.definition)) {
      out.push(change("create-view", v, null, `${before ? "recreate" : "create"} view ${qualifiedName(v)}`, { kind: "create-view", view: v }, null));
    }
  }
}

/** Pairs items of both sides by key (duplicates pair off one by one) and reports the leftovers. */
function matchBy<T>(from: readonly T[], to: readonly T[], key: (x: T) => string, report: (x: T, added: boolean) => void): void {
  const pool = new Map<string, number>();
  for (const x of from) pool.set(key(x), (pool.get(key(x)) ?? 0) + 1);
  const unmatchedTo: T[] = [];
  for (const x of to) {
    const n = pool.get(key(x)) ?? 0;
    if (n > 0) pool.set(key(x), n - 1);
    else unmatchedTo.push(x);
  }
  const left = new Map(pool);
  for (const x of from) {
    const n = left.get(key(x)) ?? 0;
    if (n > 0) {
      left.set(key(x), n - 1);
      report(x, false);
    }
  }
  for (const x of unmatchedTo) report(x, true);
}

/**
 * Tables in an order where each comes after the tables it references (creating) or before them
 * (dropping). References outside the set, and cycles, do not constrain the order.
 */
function orderByReferences(tables: readonly TableModel[], referencingFirst: boolean): TableModel[] {
  const byKey = new Map(tables.map((t) => [tableKey(t), t] as const));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: TableModel[] = [];
  const visit = (t: TableModel): void => {
    const k = tableKey(t);
    if (done.has(k) || visiting.has(k)) return;
    visiting.add(k);
    for (const f of t.foreignKeys) {
      const dep = byKey.get(tableKey({ schema: f.refSchema, name: f.refTable }));
      if (dep && dep !== t) visit(dep);
    }
    visiting.delete(k);
    done.add(k);
    ordered.push(t);
  };
  for (const t of [...tables].sort((a, b) => tableKey(a).localeCompare(tableKey(b)))) visit(t);
  return referencingFirst ? ordered.reverse() : ordered;
}

/** Objects made before the tables that may use them, in this order (an extension's types first). */
const EARLY_OBJECTS: readonly DefinedObjectModel["kind"][] = ["extension", "domain", "sequence", "function", "procedure"];
/** Objects made after everything they read or fire on; dropped before it. */
const LATE_OBJECTS: readonly DefinedObjectModel["kind"][] = ["partition", "constraint", "materialized view", "trigger", "event"];

function sortByPhase(changes: SchemaChange[]): SchemaChange[] {
  const rank = new Map(PHASES.map((k, i) => [k, i] as const));
  const rankOf = (c: SchemaChange): number => {
    const p = c.payload;
    if (p.kind === "create-object") {
      const late = LATE_OBJECTS.indexOf(p.object.kind);
      return late >= 0 ? rank.get("create-view")! + 0.5 + late * 0.01 : rank.get("create-table")! - 0.5 + EARLY_OBJECTS.indexOf(p.object.kind) * 0.01;
    }
    if (p.kind === "drop-object") {
      const late = LATE_OBJECTS.indexOf(p.object.kind);
      // Dropped in the reverse of the order they are made: triggers and materialized views first, extensions last;
      // one made anew goes just before it is made again.
      if (p.remade && late < 0) return rank.get("create-table")! - 0.5 + EARLY_OBJECTS.indexOf(p.object.kind) * 0.01 - 0.005;
      return late >= 0 ? -1 + (LATE_OBJECTS.length - late) * 0.01 : rank.get("drop-enum")! - 0.5 + (EARLY_OBJECTS.length - EARLY_OBJECTS.indexOf(p.object.kind)) * 0.01;
    }
    return rank.get(c.dto.kind)!;
  };
  // Stable: within a phase, tables keep their reference order and columns their table order.
  return changes.map((c, i) => ({ c, i, r: rankOf(c) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.c);
}

const objectKey = (o: DefinedObjectModel): string => `${o.kind}\u0000${o.schema ?? ""}\u0000${o.table ?? ""}\u0000${o.name}`;
const objectText = (o: DefinedObjectModel): string =>
  o.comparedAs !== undefined ? o.comparedAs.replace(/\s+/g, " ").trim() : o.statements.map((s) => s.replace(/\s+/g, " ").trim()).join(";");

/** Objects compared by their definition: made, dropped, or dropped and made anew when it changes. */
function diffObjects(from: readonly DefinedObjectModel[], to: readonly DefinedObjectModel[], out: SchemaChange[]): void {
  const fromBy = new Map(from.map((o) => [objectKey(o), o] as const));
  const toBy = new Map(to.map((o) => [objectKey(o), o] as const));
  const label = (o: DefinedObjectModel): string => `${o.kind} ${qualifiedName(o)}${o.table ? ` on ${o.table}` : ""}`;
  // pg_get_functiondef writes CREATE OR REPLACE: a changed function is replaced where it stands, keeping what depends on it.
  // MySQL's SHOW CREATE FUNCTION does not, so there a changed one is dropped and made anew.
  const replaces = (o: DefinedObjectModel): boolean => (o.kind === "function" || o.kind === "procedure") && /^\s*create\s+or\s+replace\b/i.test(o.statements[0] ?? "");
  // Dropped in the reverse of the order they are made in (a sub-partition before its partition).
  for (const o of [...from].reverse()) {
    const after = toBy.get(objectKey(o));
    if (after && (objectText(after) === objectText(o) || replaces(o))) continue;
    out.push(change("drop-object", o, o.kind, `drop ${label(o)}${after ? " (its definition changes)" : ""}`, { kind: "drop-object", object: o, remade: Boolean(after) }, null, {
      note: after ? "its definition changes: dropped and made anew" : null,
    }));
  }
  for (const o of to) {
    const before = fromBy.get(objectKey(o));
    if (before && objectText(before) === objectText(o)) continue;
    out.push(change("create-object", o, o.kind, `${before ? (replaces(o) ? "replace" : "recreate") : "create"} ${label(o)}`, { kind: "create-object", object: o }, null, {
      note: before && replaces(o) ? "its definition changes: replaced in place (create or replace)" : null,
    }));
  }
}

function renameNote(name: string, candidates: readonly string[], what: string): string | null {
  return candidates.length ? `might be a rename (${what}${candidates.length > 1 ? "s" : ""} ${candidates.join(", ")} ${candidates.length > 1 ? "are" : "is"} on the other side); renames are not guessed` : null;
}

function change(
  kind: SchemaChangeKind,
  object: { readonly schema: string | null; readonly name: string },
  target: string | null,
  summary: string,
  payload: ChangePayload,
  tables: SchemaChange["tables"],
  extra: { destructive?: boolean; note?: string | null } = {},
): SchemaChange {
  return {
    dto: { kind, object: qualifiedName(object), target, summary, destructive: extra.destructive ?? false, note: extra.note ?? null },
    payload,
    tables,
  };
}

const notComparedKey = (o: NotComparedModel): string => `${o.kind}\u0000${o.table ?? ""}\u0000${o.name}`;

/**
 * The objects neither model covers, on either side, with where each is (issue 16). Only their
 * presence is compared: one on one side only is a difference no change above can make.
 */
export function compareNotCompared(from: SchemaModel, to: SchemaModel): NotComparedDto[] {
  const toKeys = new Set((to.notCompared ?? []).map(notComparedKey));
  const fromKeys = new Set((from.notCompared ?? []).map(notComparedKey));
  const out: NotComparedDto[] = [];
  for (const o of from.notCompared ?? []) out.push({ ...o, presence: toKeys.has(notComparedKey(o)) ? "both" : "from" });
  for (const o of to.notCompared ?? []) if (!fromKeys.has(notComparedKey(o))) out.push({ ...o, presence: "to" });
  // No ALTER changes a table's partitioning: where a table on both sides has another key, it is named, to be rebuilt by hand.
  const toTables = new Map(to.tables.map((t) => [tableKey(t), t] as const));
  for (const ft of from.tables) {
    const tt = toTables.get(tableKey(ft));
    if (!tt || (ft.partitionBy ?? "") === (tt.partitionBy ?? "")) continue;
    if (ft.partitionBy) out.push({ kind: "partitioning", name: ft.partitionBy, table: qualifiedName(ft), presence: "from" });
    if (tt.partitionBy) out.push({ kind: "partitioning", name: tt.partitionBy, table: qualifiedName(tt), presence: "to" });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || (a.table ?? "").localeCompare(b.table ?? "") || a.name.localeCompare(b.name));
}

/** "trigger audit on orders", as the CLI, the GUI and a revision's header name one. */
export function describeNotCompared(o: NotComparedModel): string {
  return `${o.kind} ${o.name}${o.table ? ` on ${o.table}` : ""}`;
}
