/**
 * The dialect-neutral schema model and schema diff, as the engine produces them and the front
 * ends show them (issue 3). All plain and readonly; no Node, Electron or DOM.
 */

/** A referential action, spelled the SQL way. */
export type ReferentialAction = "NO ACTION" | "RESTRICT" | "CASCADE" | "SET NULL" | "SET DEFAULT";

/** One column of a table. */
export interface ColumnModel {
  readonly name: string;
  /** Canonical type name: aliases folded ("int4", "int" -> "integer"; "character varying" -> "varchar"). */
  readonly type: string;
  /** The type as the database spells it (valid SQL for that dialect), for rendering. */
  readonly nativeType: string;
  readonly length: number | null;
  readonly precision: number | null;
  readonly scale: number | null;
  /** MySQL's UNSIGNED attribute; false elsewhere. */
  readonly unsigned: boolean;
  /** Values of an inline enum (MySQL), or of the enum type the column uses (PostgreSQL). */
  readonly enumValues: readonly string[] | null;
  readonly nullable: boolean;
  /** The default as a SQL expression in a normal spelling (casts of literals dropped, `now()` -> `current_timestamp`), or null. */
  readonly default: string | null;
  /** Identity, serial, AUTO_INCREMENT or SQLite's INTEGER PRIMARY KEY. */
  readonly identity: boolean;
  /** Set only where it differs from the table's or database's default. */
  readonly collation: string | null;
  readonly comment: string | null;
  /** A true identity column (PostgreSQL's GENERATED ... AS IDENTITY, not serial), and its non-default sequence options ("start with 100"). */
  readonly identityGeneration?: { readonly kind: "always" | "by default"; readonly options: string | null } | null;
  /** A generated column: its expression as the database gives it back, and whether it is stored (PostgreSQL has only stored). */
  readonly generated?: { readonly expression: string; readonly stored: boolean } | null;
  /**
   * SQLite's AUTOINCREMENT on an INTEGER PRIMARY KEY (ids of deleted rows are never reused), set
   * on that column only; absent where the dialect has no such distinction, and then not compared.
   */
  readonly autoincrement?: boolean;
  /** MySQL's ON UPDATE clause of a timestamp or datetime ("current_timestamp(3)"), or null. */
  readonly onUpdate?: string | null;
}

/** A primary key; its name is kept for rendering but never compared (each dialect names it its own way). */
export interface PrimaryKeyModel {
  readonly name: string | null;
  readonly columns: readonly string[];
}

/** A foreign key. Compared by what it does (columns, target, actions), not by name. */
export interface ForeignKeyModel {
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly refSchema: string | null;
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

/** An index that is not a primary key or unique constraint. */
export interface IndexModel {
  readonly name: string;
  /** Column names, or expressions where `expression` is true. */
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** true when an entry is an expression rather than a column. */
  readonly expression: boolean;
  /** The predicate of a partial index, or null. */
  readonly where: string | null;
  /** The access method where it is not the default B-tree ("gin", "gist", "fulltext", ...), else null. */
  readonly method?: string | null;
  /**
   * The whole index as the dialect writes it after "on TABLE" ("using gin (doc jsonb_path_ops)",
   * "using btree (a desc nulls last) include (b) nulls not distinct"), where columns, method and
   * where cannot say it all (PostgreSQL); compared and rendered as it stands.
   */
  readonly definition?: string | null;
}

/** A unique constraint (on MySQL and SQLite: every plain unique index). */
export interface UniqueModel {
  readonly name: string | null;
  readonly columns: readonly string[];
}

/** A check constraint; `expression` is the condition as the database gives it back. */
export interface CheckModel {
  readonly name: string | null;
  readonly expression: string;
}

/** A table. `schema` is null for the default schema (public, the database, main). */
export interface TableModel {
  readonly schema: string | null;
  readonly name: string;
  readonly comment: string | null;
  readonly columns: readonly ColumnModel[];
  readonly primaryKey: PrimaryKeyModel | null;
  readonly foreignKeys: readonly ForeignKeyModel[];
  readonly indexes: readonly IndexModel[];
  readonly uniques: readonly UniqueModel[];
  readonly checks: readonly CheckModel[];
  /** A PostgreSQL partitioned table's key ("RANGE (created)"); its partitions are defined objects. */
  readonly partitionBy?: string | null;
  /**
   * Options written after the table's column list, as the dialect spells them and compared as text
   * (SQLite: "without rowid", "strict", "without rowid, strict"); null or absent for none.
   */
  readonly options?: string | null;
  /** MySQL's table engine, set only where it differs from the server's default engine. */
  readonly engine?: string | null;
  /** MySQL's table collation (it names the charset too), set only where it differs from the database's default. */
  readonly collation?: string | null;
}

/** A view and its definition (the query after AS, as the database gives it back). */
export interface ViewModel {
  readonly schema: string | null;
  readonly name: string;
  readonly definition: string;
}

/** A PostgreSQL enum type. */
export interface EnumModel {
  readonly schema: string | null;
  readonly name: string;
  readonly values: readonly string[];
}

/**
 * An object the introspection saw in the catalog but does not model (issue 16, "nothing passes in
 * silence"): a policy, a trigger, a generated column, ... named so the user knows it was not compared.
 */
export interface NotComparedModel {
  /** What it is, in the database's words: "trigger", "policy", "generated column", "partition", ... */
  readonly kind: string;
  /** Its name ("schema.name" outside the default schema). */
  readonly name: string;
  /** The table it belongs to, where it belongs to one. */
  readonly table?: string;
}

/**
 * An object compared by its definition as the database writes it back (issue 16: PostgreSQL's
 * extensions, standalone sequences, domains, functions, procedures, triggers, materialized views,
 * exclusion and deferrable constraints; MySQL's triggers, routines, events and MariaDB's sequences).
 * Made with `statements` in order; removed with `drop`.
 */
export interface DefinedObjectModel {
  /** "constraint": an exclusion constraint, or a deferrable unique or foreign key, as `alter table ... add constraint`. */
  readonly kind: "extension" | "sequence" | "domain" | "function" | "procedure" | "trigger" | "materialized view" | "constraint" | "partition" | "event";
  readonly schema: string | null;
  /** A function's or procedure's name carries its argument types: "total(integer)". */
  readonly name: string;
  /** The table a trigger is on. */
  readonly table?: string;
  readonly statements: readonly string[];
  readonly drop: string;
  /**
   * The text compared where the statements carry what is no part of the definition (a MySQL
   * event's STARTS, stamped with the time it was made when none was given); else the statements.
   */
  readonly comparedAs?: string;
}

/** A whole schema as introspected from one database. */
export interface SchemaModel {
  /** The knex client of the database it came from ("pg", "mysql2", "better-sqlite3"). */
  readonly client: string;
  readonly tables: readonly TableModel[];
  readonly views: readonly ViewModel[];
  readonly enums: readonly EnumModel[];
  /** Objects compared by definition (PostgreSQL, MySQL); absent where the dialect has none modelled. */
  readonly objects?: readonly DefinedObjectModel[];
  /** What the catalog holds that this model leaves out; absent means nothing was left out. */
  readonly notCompared?: readonly NotComparedModel[];
  /**
   * The database refuses to change a column, or make an enum anew, while a view or index depends
   * on it (PostgreSQL), so a diff drops and recreates those dependents around the change (issue 16).
   */
  readonly dependentsBlockChanges?: boolean;
}

/** A not-compared object of a diff, and which sides hold it. */
export interface NotComparedDto extends NotComparedModel {
  /** "both": on both sides, not compared; "from"/"to": only on that side, so the schemas differ. */
  readonly presence: "both" | "from" | "to";
}

/** What one change does. */
export type SchemaChangeKind =
  | "create-table"
  | "drop-table"
  | "add-column"
  | "drop-column"
  | "alter-column"
  | "set-primary-key"
  | "drop-primary-key"
  | "add-index"
  | "drop-index"
  | "add-unique"
  | "drop-unique"
  | "add-check"
  | "drop-check"
  | "add-foreign-key"
  | "drop-foreign-key"
  | "set-table-comment"
  | "set-table-options"
  | "create-enum"
  | "drop-enum"
  | "alter-enum"
  | "create-view"
  | "drop-view"
  | "create-object"
  | "drop-object";

/** One change of a diff, in the order it can run. */
export interface SchemaChangeDto {
  readonly kind: SchemaChangeKind;
  /** The table, view or enum it applies to ("schema.name" outside the default schema). */
  readonly object: string;
  /** The column, index, constraint or key it touches, in words ("column email", "index ix_a"). */
  readonly target: string | null;
  /** One line for people: "add column email varchar(200) not null". */
  readonly summary: string;
  /** Drops a table or column, narrows a type, removes enum values: data may be lost. */
  readonly destructive: boolean;
  /** A caveat: "might be a rename of ...", "rebuilds the table on SQLite", ... */
  readonly note: string | null;
  /** changeKey(): what it does to which object, stable across a diff and an autogenerate preview (issue 19). */
  readonly key?: string;
}

/** One side of a diff as the user named it. */
export interface SchemaSourceDto {
  readonly source: string;
  /** How it was read: a live environment, a scratch database built by the revisions, or a .sql file. */
  readonly kind: "environment" | "migrations" | "sql-file";
  readonly client: string;
}

/** The result of `strata diff`. */
export interface SchemaDiffDto {
  readonly from: SchemaSourceDto;
  readonly to: SchemaSourceDto;
  readonly equal: boolean;
  readonly changes: readonly SchemaChangeDto[];
  /** The SQL that turns `from` into `to`, for the dialect of `from`. */
  readonly sql?: string;
  /**
   * Objects neither side's model covers (issue 16). `equal` is false when one of them is on one
   * side only: no change here can make it, so the revision must be written by hand.
   */
  readonly notCompared?: readonly NotComparedDto[];
  /** Every object of both sides with its status (issue 19, point 1). */
  readonly objects?: readonly SchemaObjectDto[];
  /** The two sides are different database kinds: compared at the level both share, and no script is offered. */
  readonly crossDialect?: boolean;
  /** Why there is no SQL script (e.g. across dialects), where there is none. */
  readonly sqlUnavailable?: string;
}

/** Where an object stands in a compare: left is the diff's `from`, right its `to`. */
export type SchemaObjectStatus = "only-left" | "only-right" | "different" | "same" | "not-compared";

/** One column of a table on both sides, and what differs: old -> new per attribute. */
export interface ColumnComparisonDto {
  readonly name: string;
  readonly status: "only-left" | "only-right" | "different";
  /** "type", "nullable", "default", "identity", "generated", "collation", "comment": left and right as people read them. */
  readonly attributes: readonly { readonly attribute: string; readonly left: string; readonly right: string }[];
}

/** One object of a compare (a table, index, view, enum, routine, trigger, sequence, ...) and its status. */
export interface SchemaObjectDto {
  readonly kind: string;
  /** "schema.name" outside the default schema. */
  readonly name: string;
  /** The table an index or trigger is on. */
  readonly table?: string;
  readonly status: SchemaObjectStatus;
  /** The keys (changeKey) of the changes that belong to it. */
  readonly changes: readonly string[];
  /** A table on both sides: its columns that differ. */
  readonly columns?: readonly ColumnComparisonDto[];
  /** What was not compared about it, and why (across dialects, or not modelled). */
  readonly reason?: string;
}

/** Whether an environment's live schema differs from what its applied revisions build. */
export interface DriftDto {
  /** false when it could not be checked (see error); the heads are unknown, say. */
  readonly checked: boolean;
  readonly drifted: boolean;
  /** Changes that would turn what the revisions build into the live schema. */
  readonly changes: readonly SchemaChangeDto[];
  readonly error: string | null;
  /** Not-compared objects on one side only (issue 16): they count as drift too. */
  readonly notCompared?: readonly NotComparedDto[];
}
