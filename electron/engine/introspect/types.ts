import type { Knex } from "knex";
import type { CheckModel, ColumnModel, DefinedObjectModel, EnumModel, ForeignKeyModel, IndexModel, PrimaryKeyModel, SchemaModel, TableModel, UniqueModel, ViewModel } from "../../../shared/schema.js";

/** What to read. */
export interface IntrospectOptions {
  /** PostgreSQL schemas to read (default: public); ignored elsewhere. */
  readonly schemas?: readonly string[];
  /** Tables left out: Strata's version and history tables, knex's own. */
  readonly exclude: readonly string[];
}

/** A schema model and how many catalog queries it took. */
export interface Introspection {
  readonly model: SchemaModel;
  readonly queries: number;
}

/** How a scratch database is made and removed on a server (PostgreSQL, MySQL); SQLite uses memory. */
export interface ScratchServer {
  create(admin: Knex, name: string): Promise<void>;
  /** Drops it even while sessions are still connected to it. */
  drop(admin: Knex, name: string): Promise<void>;
  /** Databases whose name starts with prefix. */
  list(admin: Knex, prefix: string): Promise<string[]>;
  /** The knex config of the environment, pointed at another database of the same server. */
  retarget(config: Knex.Config, database: string): Knex.Config;
}

/** The schema side of a dialect: catalog reading and the SQL knex's builder cannot write. */
export interface SchemaDialect {
  introspect(knex: Knex, opts: IntrospectOptions): Promise<Introspection>;
  /**
   * The statements that make this database's schema again without its rows, in an order that
   * runs on an empty database, said by the database itself (SQLite's sqlite_master, MySQL's SHOW
   * CREATE TABLE) where it can; absent where the introspected model is written back through the
   * diff's renderer instead (PostgreSQL). Used for a plan's scratch database (issue 14).
   */
  readSchemaDdl?(knex: Knex, opts: IntrospectOptions): Promise<string[]>;
  /** SQLite alters most things by rebuilding the table; the others alter in place. */
  readonly rebuildsTables: boolean;
  /** null where scratch databases live in memory (SQLite). */
  readonly scratch: ScratchServer | null;
  quote(identifier: string): string;
  /** Whether knex's increments() makes an unsigned column here (MySQL), so a signed identity needs another spelling. */
  readonly incrementsUnsigned: boolean;
  /**
   * A column's type, nullability and default are altered by separate statements (PostgreSQL), so a
   * change of one leaves the others alone (knex's `alter({ alterType: false, alterNullable: false })`):
   * a type rewritten in place is refused while a view reads the column. Elsewhere a column is altered
   * whole (MySQL's MODIFY) or its table rebuilt (SQLite).
   */
  readonly altersColumnPiecewise: boolean;
  /** The column type of an identity column knex's increments() cannot write (a signed one on MySQL, say). */
  identityTypeSql(c: ColumnModel): string;
  /** A column default as its DEFAULT clause takes it, where the dialect wants an expression in parentheses (SQLite); absent: as it stands. */
  defaultSql?(expression: string): string;
  /** The COLLATE clause appended to a column type. */
  collateClause(collation: string): string;
  createEnumSql(e: EnumModel): string;
  dropEnumSql(e: EnumModel): string;
  createViewSql(v: ViewModel): string;
  dropViewSql(v: ViewModel): string;
  /** A partial or expression index, which knex's builder cannot write everywhere. */
  createIndexSql(table: TableModel, index: IndexModel): string;
  dropIndexSql(table: TableModel, index: IndexModel): string;
  /** The statements that change a table's engine or collation (MySQL); absent where tables have none. */
  tableOptionsSql?(from: TableModel, to: TableModel): string[];
  /** Why this change makes the server copy the whole table (MySQL's ALTER TABLE ... ALGORITHM=COPY), or null; absent where no change does (SQLite says it its own way). */
  tableRewrite?(change: ChangePayload): string | null;
  /** Statements around making a function, so a body naming a table made later is not checked yet (PostgreSQL). */
  readonly uncheckedRoutineBodies?: { readonly off: string; readonly on: string };
}

/** knex's and Strata's own bookkeeping tables, never part of a diff. */
export const KNEX_TABLES: readonly string[] = ["knex_migrations", "knex_migrations_lock"];

/** A knex.raw wrapper that counts catalog queries (issue 3: their number must not grow with the tables). */
export class CountingReader {
  queries = 0;
  constructor(private readonly knex: Knex) {}

  async rows<T>(sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
    this.queries++;
    const r = (await this.knex.raw(sql, bindings as Knex.RawBinding[])) as unknown;
    if (Array.isArray(r)) return (Array.isArray(r[0]) ? r[0] : r) as T[];
    return (r as { rows: T[] }).rows;
  }
}

/** What a schema change carries for rendering (the diff makes them; a SchemaDialect reads them), beside what people read (SchemaChangeDto). */
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
