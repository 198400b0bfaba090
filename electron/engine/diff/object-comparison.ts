import type { ColumnComparisonDto, ColumnModel, NotComparedDto, SchemaModel, SchemaObjectDto, SchemaObjectStatus } from "../../../shared/schema.js";
import { changeKey, describeType, qualifiedName } from "./change.js";
import type { SchemaChange } from "./change.js";
import type { SetAsideModel } from "./cross-dialect.js";

const TABLE_KINDS = new Set(["create-table", "drop-table", "add-column", "drop-column", "alter-column", "set-primary-key", "drop-primary-key", "add-unique", "drop-unique", "add-check", "drop-check", "add-foreign-key", "drop-foreign-key", "set-table-comment"]);

/** The object a change belongs to, as "kind\0table\0name". */
function ownerKey(c: SchemaChange): string {
  const d = c.dto;
  if (TABLE_KINDS.has(d.kind)) return objectKey("table", null, d.object);
  if (d.kind === "add-index" || d.kind === "drop-index") return objectKey("index", d.object, (d.target ?? "").replace(/^index /, ""));
  if (d.kind === "create-view" || d.kind === "drop-view") return objectKey("view", null, d.object);
  if (d.kind === "create-enum" || d.kind === "drop-enum" || d.kind === "alter-enum") return objectKey("enum", null, d.object);
  return objectKey(d.target ?? "object", null, d.object);
}

const objectKey = (kind: string, table: string | null, name: string): string => `${kind}\u0000${table ?? ""}\u0000${name}`;

/** One column attribute as people read it, for old -> new. */
function attributeWords(aspect: string, c: ColumnModel): string {
  switch (aspect) {
    case "type":
      return c.enumValues && c.type === "enum" ? `enum(${c.enumValues.map((v) => `'${v}'`).join(", ")})` : describeType(c);
    case "nullable":
      return c.nullable ? "null" : "not null";
    case "default":
      return c.default ?? "none";
    case "identity":
      return c.identityGeneration ? `generated ${c.identityGeneration.kind} as identity` : c.identity ? "identity" : "none";
    case "generated":
      return c.generated ? `${c.generated.expression}${c.generated.stored ? " (stored)" : " (virtual)"}` : "none";
    case "collation":
      return c.collation ?? "default";
    default:
      return c.comment ?? "none";
  }
}

function columnComparisons(changes: readonly SchemaChange[]): ColumnComparisonDto[] {
  const out: ColumnComparisonDto[] = [];
  for (const c of changes) {
    const p = c.payload;
    if (p.kind === "alter-column") {
      out.push({ name: p.to.name, status: "different", attributes: p.aspects.map((a) => ({ attribute: a, left: attributeWords(a, p.from), right: attributeWords(a, p.to) })) });
    } else if (p.kind === "add-column") {
      out.push({ name: p.column.name, status: "only-right", attributes: [] });
    } else if (p.kind === "drop-column") {
      out.push({ name: p.column.name, status: "only-left", attributes: [] });
    }
  }
  return out;
}

const KIND_ORDER = ["table", "index", "view", "enum", "enum type", "extension", "domain", "sequence", "function", "procedure", "trigger", "materialized view", "constraint", "partition"];
const rank = (kind: string): number => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);

/**
 * Every object of two schemas with its status (only left, only right, different, same, not
 * compared), the keys of the changes that belong to it and, for a table, old -> new per changed
 * column attribute (issue 19, point 1). Left is `from`, right is `to`. Pure: plain models in.
 */
export function compareObjects(
  from: SchemaModel,
  to: SchemaModel,
  changes: readonly SchemaChange[],
  notCompared: readonly NotComparedDto[],
  setAside: readonly SetAsideModel[] = [],
): SchemaObjectDto[] {
  const byOwner = new Map<string, SchemaChange[]>();
  for (const c of changes) (byOwner.get(ownerKey(c)) ?? byOwner.set(ownerKey(c), []).get(ownerKey(c))!).push(c);
  const present = new Map<string, { kind: string; table: string | null; name: string; left: boolean; right: boolean }>();
  const see = (kind: string, table: string | null, name: string, side: "left" | "right"): void => {
    const k = objectKey(kind, table, name);
    const o = present.get(k) ?? { kind, table, name, left: false, right: false };
    o[side] = true;
    present.set(k, o);
  };
  for (const [m, side] of [[from, "left"], [to, "right"]] as const) {
    for (const t of m.tables) {
      see("table", null, qualifiedName(t), side);
      for (const i of t.indexes) see("index", qualifiedName(t), i.name, side);
    }
    for (const v of m.views) see("view", null, qualifiedName(v), side);
    for (const e of m.enums) see("enum", null, qualifiedName(e), side);
    for (const o of m.objects ?? []) see(o.kind, null, qualifiedName(o), side);
  }
  const status = (left: boolean, right: boolean, changed: boolean): SchemaObjectStatus => (!right ? "only-left" : !left ? "only-right" : changed ? "different" : "same");
  const out: SchemaObjectDto[] = [];
  const tableNotes = new Map(setAside.filter((s) => s.kind === "table").map((s) => [s.name, s.reason] as const));
  const tableKeys = new Set([...present.values()].filter((o) => o.kind === "table").map((o) => `${o.name}\u0000${o.left}\u0000${o.right}`));
  for (const [k, o] of present) {
    // An index of a table on one side only is part of that table's definition, made or dropped with it.
    if (o.kind === "index" && !tableKeys.has(`${o.table}\u0000true\u0000true`)) continue;
    const own = byOwner.get(k) ?? [];
    const indexChanged = o.kind === "table" && changes.some((c) => ownerKey(c).startsWith(`index\u0000${o.name}\u0000`));
    const columns = o.kind === "table" && o.left && o.right ? columnComparisons(own) : [];
    const reason = o.kind === "table" ? tableNotes.get(o.name) : undefined;
    out.push({
      kind: o.kind,
      name: o.name,
      ...(o.table ? { table: o.table } : {}),
      status: status(o.left, o.right, own.length > 0 || indexChanged),
      changes: own.map((c) => changeKey(c.dto)),
      ...(columns.length ? { columns } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  for (const s of setAside.filter((x) => x.kind !== "table")) {
    out.push({ kind: s.kind, name: s.name, ...(s.table ? { table: s.table } : {}), status: s.presence === "both" ? "not-compared" : s.presence === "from" ? "only-left" : "only-right", changes: [], reason: s.reason });
  }
  for (const n of notCompared) {
    out.push({
      kind: n.kind,
      name: n.name,
      ...(n.table ? { table: n.table } : {}),
      status: n.presence === "both" ? "not-compared" : n.presence === "from" ? "only-left" : "only-right",
      changes: [],
      reason: n.presence === "both" ? "Strata does not model this kind of object, so it compared neither side" : "Strata does not model this kind of object: a revision must carry it by hand",
    });
  }
  // Each index right under its table, then the other kinds.
  const tableOf = (o: SchemaObjectDto): string => (o.kind === "index" ? o.table ?? "" : o.kind === "table" ? o.name : "");
  return out.sort((a, b) => {
    const ta = a.kind === "table" || a.kind === "index" ? 0 : 1;
    const tb = b.kind === "table" || b.kind === "index" ? 0 : 1;
    return ta - tb || tableOf(a).localeCompare(tableOf(b)) || rank(a.kind) - rank(b.kind) || a.name.localeCompare(b.name);
  });
}
