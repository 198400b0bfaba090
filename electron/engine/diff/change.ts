import type { ColumnModel, SchemaChangeDto, TableModel } from "../../../shared/schema.js";

/** What a change carries for rendering (defined beside SchemaDialect, which reads it: see introspect/types.ts). */
export type { ChangePayload } from "../introspect/types.js";
import type { ChangePayload } from "../introspect/types.js";

/** One change of a diff: what people read, and what rendering needs. */
export interface SchemaChange {
  readonly dto: SchemaChangeDto;
  readonly payload: ChangePayload;
  /**
   * For a change inside a table that both sides have: that table on the `from` side and on the
   * `to` side (SQLite rebuilds a table from its `to` definition, copying the columns both share).
   */
  readonly tables: { readonly from: TableModel; readonly to: TableModel } | null;
}

/** "schema.name", or just the name in the default schema. */
export function qualifiedName(o: { readonly schema: string | null; readonly name: string }): string {
  return o.schema ? `${o.schema}.${o.name}` : o.name;
}

/** A column's type as people read it: "varchar(200)", "decimal(10,2)", "integer unsigned". */
export function describeType(c: ColumnModel): string {
  if (c.enumValues && c.type === "enum") return `enum(${c.enumValues.map((v) => `'${v}'`).join(",")})`;
  const params = c.length !== null ? [c.length] : c.precision !== null ? (c.scale !== null ? [c.precision, c.scale] : [c.precision]) : [];
  return `${c.type}${params.length ? `(${params.join(",")})` : ""}${c.unsigned ? " unsigned" : ""}`;
}

/** A column as people read it: "email varchar(200) not null default 'x'". */
export function describeColumn(c: ColumnModel): string {
  return [
    c.name,
    describeType(c),
    c.nullable ? "null" : "not null",
    c.identityGeneration ? `generated ${c.identityGeneration.kind} as identity${c.identityGeneration.options ? ` (${c.identityGeneration.options})` : ""}` : c.identity ? (c.autoincrement ? "identity autoincrement" : "identity") : null,
    c.generated ? `generated always as (${c.generated.expression})${c.generated.stored ? " stored" : " virtual"}` : null,
    c.default !== null ? `default ${c.default}` : null,
    c.onUpdate ? `on update ${c.onUpdate}` : null,
    c.collation ? `collate ${c.collation}` : null,
  ]
    .filter(Boolean)
    .join(" ");
}

/** A change's stable key across a diff and an autogenerate preview: what it does to which object. */
export function changeKey(c: { readonly kind: string; readonly object: string; readonly target: string | null }): string {
  return [c.kind, c.object, c.target ?? ""].join("|");
}
