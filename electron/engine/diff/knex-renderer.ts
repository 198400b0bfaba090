import type { ColumnModel, DefinedObjectModel, ForeignKeyModel, SchemaModel, IndexModel, SchemaChangeKind, TableModel, UniqueModel } from "../../../shared/schema.js";
import { assertNever } from "../errors.js";
import { isLiteralDefault } from "../introspect/normal-form.js";
import type { SchemaDialect } from "../introspect/types.js";
import type { SchemaChange } from "./change.js";
import { PHASES, enumOnlyAdds } from "./schema-differ.js";

const q = (s: string): string => JSON.stringify(s);
/** knex reads "?" in raw SQL as a binding; "\\?" keeps it literal. */
const rawSql = (sql: string): string => `knex.raw(${q(sql.replace(/\?/g, "\\?"))})`;

/** On SQLite these can only happen by rebuilding the table (SQLite's ALTER TABLE does little else). */
const REBUILD_KINDS: ReadonlySet<SchemaChangeKind> = new Set([
  "alter-column",
  "drop-column",
  "set-primary-key",
  "drop-primary-key",
  "add-unique",
  "drop-unique",
  "add-check",
  "drop-check",
  "add-foreign-key",
  "drop-foreign-key",
  "set-table-options",
]);

const DESTRUCTIVE_MARK = "// DESTRUCTIVE: read this before applying:";

/**
 * Renders changes as the body of a revision's up() (or down(), given the reverse diff): knex
 * schema-builder calls, and knex.raw with a comment where the builder cannot say it.
 */
export function renderKnexBody(changes: readonly SchemaChange[], sd: SchemaDialect, from?: SchemaModel): string {
  const rebuilds = sd.rebuildsTables ? tablesToRebuild(changes) : new Map<string, SchemaChange[]>();
  const blocks: string[] = [];
  const deferredDrops: string[] = [];
  let rebuildsDone = rebuilds.size === 0;
  const emitRebuilds = (): void => {
    if (rebuildsDone) return;
    rebuildsDone = true;
    const referencing = childActions(changes, from?.tables ?? []);
    const triggers = standingTriggers(changes, from);
    for (const group of rebuilds.values()) blocks.push(renderRebuild(group, sd, referencing, triggers));
    blocks.push(...deferredDrops);
    deferredDrops.length = 0;
  };
  for (const c of changes) {
    const tableName = tableOf(c);
    if (tableName && rebuilds.has(tableName) && c.dto.kind !== "create-table" && c.dto.kind !== "drop-table") continue;
    // A trigger, function or the like is made after the tables it names are rebuilt: dropping the old table drops its triggers.
    if (!rebuildsDone && (PHASE_AFTER_CREATE.has(c.dto.kind) || c.payload.kind === "create-object")) emitRebuilds();
    const block = renderChange(c, sd);
    // A rebuilt SQLite table is copied before the tables it stops referencing go: dropping them first would fire its ON DELETE actions.
    if (!rebuildsDone && c.dto.kind === "drop-table") deferredDrops.push(block);
    else blocks.push(block);
  }
  emitRebuilds();
  return blocks.join("\n\n");
}

/** The phases that come after tables are created (see PHASES). */
const PHASE_AFTER_CREATE: ReadonlySet<SchemaChangeKind> = new Set(PHASES.slice(PHASES.indexOf("create-table") + 1));

/** For each table, the child keys that act when its rows go ("CASCADE of orders.customer_id"). */
function childActions(changes: readonly SchemaChange[], fromTables: readonly TableModel[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // The schema as it stands when the rebuild runs: the "from" side, as far as the caller gave it.
  const tables = new Map<string, TableModel>();
  for (const t of fromTables) tables.set(t.name, t);
  for (const c of changes) if (c.tables) tables.set(c.tables.from.name, c.tables.from);
  for (const c of changes) if (c.payload.kind === "drop-table") tables.set(c.payload.table.name, c.payload.table);
  for (const t of tables.values()) {
    for (const f of t.foreignKeys) {
      if (f.onDelete === "NO ACTION" || f.onDelete === "RESTRICT") continue;
      (out.get(f.refTable) ?? out.set(f.refTable, []).get(f.refTable)!).push(`${f.onDelete} of ${t.name}.${f.columns.join(",")}`);
    }
  }
  return out;
}

/**
 * The triggers on each table that the diff leaves as they are: dropping a table drops its
 * triggers, so a rebuild makes them again (one the diff drops or remakes is left to the diff).
 */
function standingTriggers(changes: readonly SchemaChange[], from: SchemaModel | undefined): Map<string, DefinedObjectModel[]> {
  const touched = new Set(changes.flatMap((c) => (c.payload.kind === "drop-object" || c.payload.kind === "create-object" ? [c.payload.object] : [])).filter((o) => o.kind === "trigger").map((o) => o.name));
  const out = new Map<string, DefinedObjectModel[]>();
  for (const o of from?.objects ?? []) {
    if (o.kind !== "trigger" || !o.table || touched.has(o.name)) continue;
    (out.get(o.table) ?? out.set(o.table, []).get(o.table)!).push(o);
  }
  return out;
}

function tableOf(c: SchemaChange): string | null {
  return c.tables ? c.tables.to.name : null;
}

function tablesToRebuild(changes: readonly SchemaChange[]): Map<string, SchemaChange[]> {
  const need = new Set<string>();
  for (const c of changes) {
    if (!c.tables) continue;
    const p = c.payload;
    // SQLite's ADD COLUMN takes neither a stored generated column nor a default that is an expression.
    const addNeedsRebuild =
      p.kind === "add-column" &&
      (!p.column.nullable || p.column.identity || isKeyColumn(p.table, p.column.name) || Boolean(p.column.generated?.stored) || (p.column.default !== null && !isLiteralDefault(p.column.default)));
    if (REBUILD_KINDS.has(c.dto.kind) || addNeedsRebuild) need.add(c.tables.to.name);
  }
  const groups = new Map<string, SchemaChange[]>();
  for (const c of changes) {
    const t = tableOf(c);
    if (t && need.has(t)) (groups.get(t) ?? groups.set(t, []).get(t)!).push(c);
  }
  return groups;
}

function isKeyColumn(t: TableModel, column: string): boolean {
  return Boolean(t.primaryKey?.columns.includes(column)) || t.foreignKeys.some((f) => f.columns.includes(column)) || t.uniques.some((u) => u.columns.includes(column));
}

function schemaBuilder(t: { readonly schema: string | null }): string {
  return t.schema ? `knex.schema.withSchema(${q(t.schema)})` : "knex.schema";
}

function destructiveLines(c: SchemaChange): string[] {
  if (!c.dto.destructive) return [];
  return [`${DESTRUCTIVE_MARK} ${c.dto.summary}${c.dto.note ? ` (${c.dto.note})` : ""}`];
}

function noteLines(c: SchemaChange): string[] {
  return c.dto.note && !c.dto.destructive ? [`// Note: ${c.dto.note}`] : [];
}

function alterTable(t: TableModel, lines: readonly string[]): string {
  return [`await ${schemaBuilder(t)}.alterTable(${q(t.name)}, (t) => {`, ...lines.map((l) => `  ${l}`), `});`].join("\n");
}

function renderChange(c: SchemaChange, sd: SchemaDialect): string {
  // Only a table both sides have holds rows to copy.
  const rewrite = c.tables ? sd.tableRewrite?.(c.payload) : null;
  const head = [...destructiveLines(c), ...noteLines(c), ...(rewrite ? [`// Rewrites the table: ${rewrite}; every row is copied while writes wait`] : [])];
  const p = c.payload;
  const body = ((): string => {
    switch (p.kind) {
      case "create-table":
        return renderCreateTable(p.table, p.table.name, sd, p.deferredForeignKeys, true);
      case "drop-table":
        return `await ${schemaBuilder(p.table)}.dropTable(${q(p.table.name)});`;
      case "add-column":
        return alterTable(p.table, [...columnNotes(p.column), `${columnCall(p.column, p.table, sd, false)};`]);
      case "drop-column":
        return alterTable(p.table, [`t.dropColumn(${q(p.column.name)});`]);
      case "alter-column":
        return renderAlterColumn(p.table, p.from, p.to, p.aspects, sd);
      case "set-primary-key":
        return alterTable(p.table, [primaryCall(p.table, p.primaryKey.columns, p.primaryKey.name)]);
      case "drop-primary-key":
        return alterTable(p.table, [`t.dropPrimary(${p.primaryKey.name && p.primaryKey.name !== "PRIMARY" ? q(p.primaryKey.name) : ""});`]);
      case "add-index":
        return renderIndex(p.table, p.index, sd);
      case "drop-index":
        if (rawIndex(p.index)) return `// knex's builder cannot name an expression or partial index's columns: raw SQL\nawait ${rawSql(sd.dropIndexSql(p.table, p.index))};`;
        return alterTable(p.table, [`t.dropIndex(${JSON.stringify(p.index.columns)}, ${q(p.index.name)});`]);
      case "add-unique":
        return alterTable(p.table, [uniqueCall(p.table, p.unique)]);
      case "drop-unique":
        return alterTable(p.table, [`t.dropUnique(${JSON.stringify(p.unique.columns)}${p.unique.name ? `, ${q(p.unique.name)}` : ""});`]);
      case "add-check":
        return alterTable(p.table, [`t.check(${q(p.check.expression)}, [], ${p.check.name ? q(p.check.name) : "undefined"});`]);
      case "drop-check":
        return p.check.name
          ? alterTable(p.table, [`t.dropChecks([${q(p.check.name)}]);`])
          : `// This check has no name, so it cannot be dropped by name; rewrite the table to remove: ${p.check.expression}`;
      case "add-foreign-key":
        return alterTable(p.table, [foreignCall(p.foreignKey)]);
      case "drop-foreign-key":
        return alterTable(p.table, [`t.dropForeign(${JSON.stringify(p.foreignKey.columns)}${p.foreignKey.name ? `, ${q(p.foreignKey.name)}` : ""});`]);
      case "set-table-comment":
        return alterTable(p.table, [`t.comment(${q(p.comment ?? "")});`]);
      case "set-table-options":
        if (sd.tableOptionsSql) {
          return [`// knex's builder sets a table's engine and collation only when it creates the table: raw SQL`, ...sd.tableOptionsSql(p.from, p.table).map((st) => `await ${rawSql(st)};`)].join("\n");
        }
        return `// knex's builder cannot change table options: raw SQL\nawait ${rawSql(`alter table ${sd.quote(p.table.name)} ${p.table.options ?? ""}`)};`;
      case "create-enum":
        return `// knex's builder creates an enum type only along with a column: raw SQL\nawait ${rawSql(sd.createEnumSql(p.enum))};`;
      case "drop-enum":
        return `// knex's builder cannot drop an enum type: raw SQL\nawait ${rawSql(sd.dropEnumSql(p.enum))};`;
      case "alter-enum":
        return renderAlterEnum(p.from, p.to, p.users, sd);
      case "create-view":
        return `// knex's builder has no views: raw SQL\nawait ${rawSql(sd.createViewSql(p.view))};`;
      case "drop-view":
        return `// knex's builder has no views: raw SQL\nawait ${rawSql(sd.dropViewSql(p.view))};`;
      case "create-object": {
        const made = [`// knex's builder has no ${p.object.kind}s: raw SQL, as the database wrote it back`, ...p.object.statements.map((st) => `await ${rawSql(st)};`)];
        const unchecked = sd.uncheckedRoutineBodies;
        if ((p.object.kind !== "function" && p.object.kind !== "procedure") || !unchecked) return made.join("\n");
        // Functions are made before the tables (a default or check may call one), so a SQL body naming a table is not checked yet, as pg_dump does.
        return [made[0], `await ${rawSql(unchecked.off)};`, ...made.slice(1), `await ${rawSql(unchecked.on)};`].join("\n");
      }
      case "drop-object":
        return `// knex's builder has no ${p.object.kind}s: raw SQL\nawait ${rawSql(p.object.drop)};`;
      default:
        return assertNever(p);
    }
  })();
  return [...head, body].join("\n");
}

/** Whether knex's builder cannot write this index (an expression, a predicate, a method, or a whole PostgreSQL definition). */
function rawIndex(i: IndexModel): boolean {
  return Boolean(i.expression || i.where || i.method || i.definition);
}

/** Whether knex's increments()/bigIncrements() write exactly this column and its primary key. */
function incrementsFits(c: ColumnModel, t: TableModel, sd: SchemaDialect): boolean {
  const pk = t.primaryKey?.columns ?? [];
  // increments() writes serial: an identity column (GENERATED ... AS IDENTITY) is not one.
  // increments() writes AUTOINCREMENT on SQLite: a plain INTEGER PRIMARY KEY (autoincrement false) is not one (issue 16).
  return c.identity && !c.identityGeneration && !c.generated && c.autoincrement !== false && pk.length === 1 && pk[0] === c.name && (c.type === "integer" || c.type === "bigint") && c.unsigned === sd.incrementsUnsigned && c.default === null && !c.collation;
}

/** One column as a knex builder call: the closest builder method that writes exactly this type, else specificType. */
export function columnCall(c: ColumnModel, t: TableModel, sd: SchemaDialect, inCreate: boolean): string {
  if (incrementsFits(c, t, sd)) {
    return `t.${c.type === "bigint" ? "bigIncrements" : "increments"}(${q(c.name)})${c.comment ? `.comment(${q(c.comment)})` : ""}`;
  }
  let call: string;
  let signedness = "";
  const collate = c.collation ? ` ${sd.collateClause(c.collation)}` : "";
  if (c.generated) {
    // knex's builder has no generated columns: the clause rides on the type (issue 16).
    call = `t.specificType(${q(c.name)}, ${q(`${c.nativeType}${collate} generated always as (${c.generated.expression})${c.generated.stored ? " stored" : ""}`)})`;
  } else if (c.identityGeneration) {
    const g = c.identityGeneration;
    call = `t.specificType(${q(c.name)}, ${q(`${c.nativeType} generated ${g.kind} as identity${g.options ? ` (${g.options})` : ""}`)})`;
  } else if (c.collation || c.onUpdate) {
    // knex's builder has no ON UPDATE clause (MySQL): it rides on the type, which MySQL takes before NOT NULL and DEFAULT too.
    call = `t.specificType(${q(c.name)}, ${q(`${c.nativeType}${collate}${c.onUpdate ? ` on update ${c.onUpdate}` : ""}`)})`;
  }
  else if (c.identity) call = `t.specificType(${q(c.name)}, ${q(sd.identityTypeSql(c))})`;
  else if (c.type === "integer" && c.precision === null) {
    call = `t.integer(${q(c.name)})`;
    signedness = c.unsigned ? ".unsigned()" : "";
  } else if (c.type === "bigint" && c.precision === null) {
    call = `t.bigInteger(${q(c.name)})`;
    signedness = c.unsigned ? ".unsigned()" : "";
  } else if (c.type === "varchar" && c.length !== null) call = `t.string(${q(c.name)}, ${c.length})`;
  else if (c.type === "text") call = `t.text(${q(c.name)})`;
  else if (c.type === "boolean") call = `t.boolean(${q(c.name)})`;
  else if (c.type === "enum" && c.enumValues) call = `t.enu(${q(c.name)}, ${JSON.stringify(c.enumValues)})`;
  else call = `t.specificType(${q(c.name)}, ${q(c.nativeType)})`;
  const parts = [call, signedness];
  if (!c.nullable) parts.push(".notNullable()");
  // MariaDB refuses NULL after a generated column's expression; nullable is what it is anyway.
  else if (!inCreate && !c.generated) parts.push(".nullable()");
  if (c.default !== null) parts.push(`.defaultTo(${rawSql(sd.defaultSql ? sd.defaultSql(c.default) : c.default)})`);
  if (c.comment) parts.push(`.comment(${q(c.comment)})`);
  return parts.join("");
}

/** Why a column is not written with the builder method its type suggests (issue 16). */
function columnNotes(c: ColumnModel): string[] {
  if (c.generated) return ["// knex's builder has no generated columns: the clause is written with the type"];
  if (c.identity && c.autoincrement === false) return ["// an INTEGER PRIMARY KEY without AUTOINCREMENT (ids of deleted rows may be reused): increments() would add it"];
  return [];
}

function primaryCall(t: TableModel, columns: readonly string[], name: string | null): string {
  const named = name && name !== "PRIMARY" && name !== `${t.name}_pkey`;
  // The name as a plain string: knex 3.3's SQLite CREATE TABLE reads no options object (it wrote `constraint "pk" as "constraintName"`).
  return `t.primary(${JSON.stringify(columns)}${named ? `, ${q(name)}` : ""});`;
}

function uniqueCall(t: TableModel, u: UniqueModel): string {
  return `t.unique(${JSON.stringify(u.columns)}${u.name ? `, { indexName: ${q(u.name)} }` : ""});`;
}

function foreignCall(f: ForeignKeyModel): string {
  const target = f.refSchema ? `${f.refSchema}.${f.refTable}` : f.refTable;
  return `t.foreign(${JSON.stringify(f.columns)}${f.name ? `, ${q(f.name)}` : ""}).references(${JSON.stringify(f.refColumns)}).inTable(${q(target)}).onDelete(${q(f.onDelete)}).onUpdate(${q(f.onUpdate)});`;
}

function renderIndex(t: TableModel, i: IndexModel, sd: SchemaDialect): string {
  if (rawIndex(i)) {
    const what = i.where ? "a partial" : i.expression ? "an expression" : i.method ? `a ${i.method}` : "this (order, collation, include, operator class)";
    return `// knex's builder cannot write ${what} index on every dialect: raw SQL\nawait ${rawSql(sd.createIndexSql(t, i))};`;
  }
  if (i.unique) return alterTable(t, [`t.unique(${JSON.stringify(i.columns)}, { indexName: ${q(i.name)}, useConstraint: false });`]);
  return alterTable(t, [`t.index(${JSON.stringify(i.columns)}, ${q(i.name)});`]);
}

/** A whole table: columns, primary key, uniques, checks, foreign keys, then its other indexes. */
function renderCreateTable(t: TableModel, name: string, sd: SchemaDialect, deferred: readonly ForeignKeyModel[], withIndexes: boolean): string {
  const lines: string[] = [];
  for (const c of t.columns) lines.push(...columnNotes(c), `${columnCall(c, t, sd, true)};`);
  const pkByIncrements = t.columns.some((c) => incrementsFits(c, t, sd));
  if (t.primaryKey && !pkByIncrements) lines.push(primaryCall(t, t.primaryKey.columns, t.primaryKey.name));
  if (withIndexes) for (const u of t.uniques) lines.push(uniqueCall(t, u));
  for (const ch of t.checks) lines.push(`t.check(${q(ch.expression)}, [], ${ch.name ? q(ch.name) : "undefined"});`);
  for (const f of t.foreignKeys) if (!deferred.includes(f)) lines.push(foreignCall(f));
  const raw: string[] = [];
  if (withIndexes) {
    // Indexes are made in the order the catalog lists them (MySQL shows keys in the order they were made),
    // so once one needs raw SQL after the table, those after it follow it there.
    let afterRaw = false;
    for (const i of t.indexes) {
      afterRaw ||= rawIndex(i);
      if (afterRaw) raw.push(renderIndex(t, i, sd));
      else if (i.unique) lines.push(`t.unique(${JSON.stringify(i.columns)}, { indexName: ${q(i.name)}, useConstraint: false });`);
      else lines.push(`t.index(${JSON.stringify(i.columns)}, ${q(i.name)});`);
    }
  }
  if (t.comment) lines.push(`t.comment(${q(t.comment)});`);
  if (t.engine) lines.push(`t.engine(${q(t.engine)});`);
  if (t.collation) lines.push(`t.collate(${q(t.collation)});`);
  const suffix = t.partitionBy ? { what: "PARTITION BY", sql: `partition by ${t.partitionBy}` } : t.options ? { what: `table options (${t.options})`, sql: t.options } : null;
  if (suffix) {
    // knex's builder writes the table but not what follows its column list: its statements are taken and the clause added to the first.
    const made = [
      `// knex's builder cannot write ${suffix.what}: its CREATE TABLE is taken with toSQL() and the clause added`,
      `for (const [i, s] of ${schemaBuilder(t)}.createTable(${q(name)}, (t) => {`,
      ...lines.map((l) => `  ${l}`),
      `}).toSQL().entries()) await knex.raw(i === 0 ? \`\${s.sql} ${suffix.sql.replace(/[`\\$]/g, "\\$&")}\` : s.sql, s.bindings);`,
    ].join("\n");
    return [made, ...raw].join("\n");
  }
  const create = [`await ${schemaBuilder(t)}.createTable(${q(name)}, (t) => {`, ...lines.map((l) => `  ${l}`), `});`].join("\n");
  return [create, ...raw].join("\n");
}

function renderAlterColumn(t: TableModel, from: ColumnModel, to: ColumnModel, aspects: readonly string[], sd: SchemaDialect): string {
  const notes: string[] = [];
  if (aspects.includes("identity") || from.identity || to.identity) {
    notes.push("// knex's builder cannot change an identity / auto-increment column in place; check this step by hand");
  }
  if (aspects.includes("generated")) {
    notes.push("// knex's builder cannot make a column generated or plain in place (PostgreSQL: drop and add it; \"alter column ... drop expression\" makes it plain); check this step by hand");
  }
  let call = columnCall({ ...to, identity: false, identityGeneration: null, generated: null }, t, sd, false);
  // knex drops a comment it is not given again on MySQL, and leaves it on PostgreSQL: say it either way.
  if (!to.comment) call += `.comment("")`;
  // Only what changed: knex otherwise rewrites the type (`type ... using`) and the nullability on every alter.
  const untouched: string[] = [];
  if (sd.altersColumnPiecewise) {
    if (!aspects.includes("nullable")) untouched.push("alterNullable: false");
    if (!aspects.includes("type") && !aspects.includes("collation")) untouched.push("alterType: false");
  }
  return [...notes, alterTable(t, [`${call}.alter(${untouched.length ? `{ ${untouched.join(", ")} }` : ""});`])].join("\n");
}

function renderAlterEnum(from: { readonly schema: string | null; readonly name: string; readonly values: readonly string[] }, to: typeof from, users: readonly { table: TableModel; column: ColumnModel }[], sd: SchemaDialect): string {
  const name = to.schema ? `${sd.quote(to.schema)}.${sd.quote(to.name)}` : sd.quote(to.name);
  const lit = (v: string): string => `'${v.replace(/'/g, "''")}'`;
  const onlyAdded = enumOnlyAdds(from.values, to.values);
  const lines = ["// knex's builder cannot change an enum type: raw SQL"];
  if (onlyAdded) {
    to.values.forEach((v, i) => {
      if (from.values.includes(v)) return;
      const next = to.values.slice(i + 1).find((x) => from.values.includes(x));
      lines.push(`await ${rawSql(`alter type ${name} add value ${lit(v)}${next ? ` before ${lit(next)}` : ""}`)};`);
    });
    return lines.join("\n");
  }
  // Values removed or reordered: PostgreSQL cannot drop an enum value, so the type is made anew and the columns cast to it.
  const old = sd.quote(`${to.name}_strata_old`);
  lines.push(`await ${rawSql(`alter type ${name} rename to ${old}`)};`);
  lines.push(`await ${rawSql(`create type ${name} as enum (${to.values.map(lit).join(", ")})`)};`);
  for (const u of users) {
    const table = u.table.schema ? `${sd.quote(u.table.schema)}.${sd.quote(u.table.name)}` : sd.quote(u.table.name);
    const col = sd.quote(u.column.name);
    if (u.column.default !== null) lines.push(`await ${rawSql(`alter table ${table} alter column ${col} drop default`)};`);
    lines.push(`await ${rawSql(`alter table ${table} alter column ${col} type ${name} using ${col}::text::${name}`)};`);
    if (u.column.default !== null) lines.push(`await ${rawSql(`alter table ${table} alter column ${col} set default ${u.column.default}`)};`);
  }
  lines.push(`await ${rawSql(`drop type ${to.schema ? `${sd.quote(to.schema)}.` : ""}${old}`)};`);
  return lines.join("\n");
}

/**
 * SQLite alters a table by making it anew: create the new shape under a temporary name, copy the
 * rows of the columns both shapes share, drop the old table, rename, then recreate its indexes.
 */
function renderRebuild(group: readonly SchemaChange[], sd: SchemaDialect, referencing: ReadonlyMap<string, readonly string[]>, triggers: ReadonlyMap<string, readonly DefinedObjectModel[]>): string {
  const { from, to } = group[0]!.tables!;
  const children = referencing.get(to.name) ?? [];
  const temp = `_strata_new_${to.name}`;
  // A generated column computes its own values: it takes no copy.
  const shared = to.columns.filter((c) => !c.generated && from.columns.some((f) => f.name === c.name)).map((c) => sd.quote(c.name));
  const lines: string[] = [];
  for (const c of group) lines.push(...destructiveLines(c));
  lines.push(`// SQLite cannot ${group.map((c) => c.dto.summary).join("; ")} in place: ${to.name} is rebuilt (new table, copy rows, drop, rename)`);
  if (children.length) {
    // SQLite ignores the foreign_keys pragma inside a transaction, and dropping a parent runs its children's ON DELETE actions.
    lines.push(`${DESTRUCTIVE_MARK} dropping the old ${to.name} runs ON DELETE ${children.join(", ")} when foreign keys are enforced; empty or back up those tables first, or run this with foreign keys off`);
  }
  const added = to.columns.filter((c) => !from.columns.some((f) => f.name === c.name) && !c.nullable && c.default === null && !c.identity);
  if (added.length) lines.push(`// ${added.map((c) => c.name).join(", ")}: not null without a default; the copy fails on a table with rows unless you give them values`);
  lines.push(renderCreateTable(to, temp, sd, [], false));
  if (shared.length) lines.push(`await ${rawSql(`insert into ${sd.quote(temp)} (${shared.join(", ")}) select ${shared.join(", ")} from ${sd.quote(to.name)}`)};`);
  lines.push(`await knex.schema.dropTable(${q(to.name)});`);
  // Legacy mode renames without re-checking views that name the table while it is briefly missing.
  lines.push(`await ${rawSql("pragma legacy_alter_table = on")};`);
  lines.push(`await knex.schema.renameTable(${q(temp)}, ${q(to.name)});`);
  lines.push(`await ${rawSql("pragma legacy_alter_table = off")};`);
  const indexLines = [...to.uniques.map((u) => uniqueCall(to, u))];
  const raw: string[] = [];
  for (const i of to.indexes) {
    if (rawIndex(i)) raw.push(`await ${rawSql(sd.createIndexSql(to, i))};`);
    else if (i.unique) indexLines.push(`t.unique(${JSON.stringify(i.columns)}, { indexName: ${q(i.name)}, useConstraint: false });`);
    else indexLines.push(`t.index(${JSON.stringify(i.columns)}, ${q(i.name)});`);
  }
  if (indexLines.length) lines.push(alterTable(to, indexLines));
  lines.push(...raw);
  const remade = triggers.get(to.name) ?? [];
  if (remade.length) lines.push(`// dropping the old ${to.name} dropped its triggers (${remade.map((o) => o.name).join(", ")}): made again as the database wrote them`);
  for (const o of remade) lines.push(...o.statements.map((st) => `await ${rawSql(st)};`));
  return lines.join("\n");
}
