import type {
  CheckModel,
  ColumnModel,
  DefinedObjectModel,
  EnumModel,
  ForeignKeyModel,
  IndexModel,
  PrimaryKeyModel,
  SchemaChangeDto,
  TableModel,
  UniqueModel,
  ViewModel,
} from "../../../shared/schema.js";

/** What a change carries for rendering, beside what people read (SchemaChangeDto). */
export type ChangePayload =
  | { readonly kind: "create-table"; readonly table: TableModel; readonly deferredForeignKeys: readonly ForeignKeyModel[] }
  | { readonly kind: "drop-table"; readonly table: TableModel }
  | { readonly kind: "add-column"; readonly table: TableModel; readonly column: ColumnModel }
  | { readonly kind: "drop-column"; readonly table: TableModel; readonly column: ColumnModel }
  | { readonly kind: "alter-column"; readonly table: TableModel; readonly from: ColumnModel; readonly to: ColumnModel; readonly aspects: readonly string[] }
  | { readonly kind: "set-primary-key"; readonly table: TableModel; readonly primaryKey: PrimaryKeyModel }
  | { readonly kind: "drop-primary-key"; readonly table: TableModel; readonly primaryKey: PrimaryKeyModel }
  | { readonly kind: "add-index" | "drop-index"; readonly table: TableModel; readonly index: IndexModel }
  | { readonly kind: "add-unique" | "drop-unique"; readonly table: TableModel; readonly unique: UniqueModel }
  | { readonly kind: "add-check" | "drop-check"; readonly table: TableModel; readonly check: CheckModel }
  | { readonly kind: "add-foreign-key" | "drop-foreign-key"; readonly table: TableModel; readonly foreignKey: ForeignKeyModel }
  | { readonly kind: "set-table-comment"; readonly table: TableModel; readonly comment: string | null }
  /** A table's options both sides have: MySQL's engine and collation, SQLite's STRICT / WITHOUT ROWID; `from` is the table as it stands. */
  | { readonly kind: "set-table-options"; readonly table: TableModel; readonly from: TableModel }
  | { readonly kind: "create-enum" | "drop-enum"; readonly enum: EnumModel }
  | { readonly kind: "alter-enum"; readonly from: EnumModel; readonly to: EnumModel; readonly users: readonly { readonly table: TableModel; readonly column: ColumnModel }[] }
  | { readonly kind: "create-view" | "drop-view"; readonly view: ViewModel }
  | { readonly kind: "create-object"; readonly object: DefinedObjectModel }
  /** remade: dropped only to be made again with a new definition, right before that. */
  | { readonly kind: "drop-object"; readonly object: DefinedObjectModel; readonly remade: boolean };

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
