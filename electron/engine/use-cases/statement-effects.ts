import { splitTopLevel, unquoteIdentifier } from "../introspect/normal-form.js";

/** A schema object a statement makes or removes, by its lower-cased names (MySQL and SQLite names are case-insensitive). */
export type SchemaObjectRef =
  | { readonly kind: "table"; readonly table: string }
  | { readonly kind: "column"; readonly table: string; readonly column: string }
  | { readonly kind: "index"; readonly table: string | null; readonly index: string };

/** What a statement leaves in the schema: the object there (`present`) or gone (`absent`). */
export interface SchemaEffect {
  readonly object: SchemaObjectRef;
  readonly leaves: "present" | "absent";
}

/** How Strata reads one statement of a revision, for recovering from a run that stopped part way. */
export interface StatementReading {
  /** Effects a live schema can show; empty where none can (rows, a type change, a comment). */
  readonly effects: readonly SchemaEffect[];
  /** A read (select, show, pragma) or transaction control: no effect, nothing to undo. */
  readonly inert: boolean;
  /** `if not exists` / `if exists`: running it again does no harm, so its effect says nothing about this run. */
  readonly idempotent: boolean;
  /** The table whose rows it writes (insert, update, delete), else null. */
  readonly writesRowsOf: string | null;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[[^\]]+\]|[\w$]+)`;
/** A name, optionally schema-qualified; the capture is the whole spelling (see nameOf). */
const QNAME = String.raw`((?:${IDENT}\s*\.\s*)?${IDENT})`;
const rx = (s: string): RegExp => new RegExp(`^${s}`, "is");

const CREATE_TABLE = rx(String.raw`create\s+(?:(?:global\s+|local\s+)?(?:temporary|temp)\s+)?table\s+(if\s+not\s+exists\s+)?${QNAME}`);
const CREATE_INDEX = rx(String.raw`create\s+(?:unique\s+|fulltext\s+|spatial\s+)?index\s+(?:concurrently\s+)?(if\s+not\s+exists\s+)?${QNAME}\s+on\s+(?:only\s+)?${QNAME}`);
const DROP_TABLE = rx(String.raw`drop\s+table\s+(if\s+exists\s+)?(.*?)(?:\s+(?:cascade|restrict))?$`);
const DROP_INDEX = rx(String.raw`drop\s+index\s+(?:concurrently\s+)?(if\s+exists\s+)?${QNAME}(?:\s+on\s+${QNAME})?`);
const RENAME_TABLE = rx(String.raw`rename\s+table\s+(.*)$`);
const ALTER_TABLE = rx(String.raw`alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?${QNAME}\s+(.*)$`);
const ROW_WRITE = rx(String.raw`(?:insert\s+(?:ignore\s+)?into|replace\s+into|update|delete\s+from)\s+${QNAME}`);
const INERT = /^(select|show|describe|desc|explain|with|begin|commit|rollback|savepoint|release|start\s+transaction|set|do)\b|^pragma\b(?![^=]*=)/i;

const ADD_COLUMN = rx(String.raw`add\s+(?:column\s+)?(if\s+not\s+exists\s+)?(${IDENT})(?:\s|$)`);
const ADD_INDEX = rx(String.raw`add\s+(?:unique\s+(?:index\s+|key\s+)?|fulltext\s+(?:index\s+|key\s+)?|spatial\s+(?:index\s+|key\s+)?|index\s+|key\s+)(${IDENT})\s*\(`);
const DROP_COLUMN = rx(String.raw`drop\s+(?:column\s+)?(if\s+exists\s+)?(${IDENT})(?:\s+(?:cascade|restrict))?$`);
const DROP_INDEX_ACTION = rx(String.raw`drop\s+(?:index|key)\s+(if\s+exists\s+)?(${IDENT})$`);
const RENAME_COLUMN = rx(String.raw`rename\s+(?:column\s+)?(${IDENT})\s+to\s+(${IDENT})$`);
const RENAME_TO = rx(String.raw`rename\s+(?:to|as)\s+${QNAME}$`);
const CHANGE_COLUMN = rx(String.raw`change\s+(?:column\s+)?(${IDENT})\s+(${IDENT})\s`);
/** Words after ADD / DROP in ALTER TABLE when what follows is not a column. */
const NOT_A_COLUMN = /^(constraint|index|key|foreign|primary|check|default|unique|partition|fulltext|spatial|period|system|if)$/i;

/** Reads one statement (values inlined, on one line) for the schema effects it leaves. */
export function readStatement(sql: string): StatementReading {
  const s = sql.trim().replace(/;$/, "").trim();
  const none = { effects: [], inert: false, idempotent: false, writesRowsOf: null };
  if (INERT.test(s)) return { ...none, inert: true };
  let m = CREATE_TABLE.exec(s);
  if (m) return { ...none, idempotent: Boolean(m[1]), effects: [{ object: { kind: "table", table: nameOf(m[2]!) }, leaves: "present" }] };
  m = CREATE_INDEX.exec(s);
  if (m) return { ...none, idempotent: Boolean(m[1]), effects: [{ object: { kind: "index", table: nameOf(m[3]!), index: nameOf(m[2]!) }, leaves: "present" }] };
  m = DROP_TABLE.exec(s);
  if (m) {
    const tables = splitTopLevel(m[2]!).map((t) => nameOf(t));
    return { ...none, idempotent: Boolean(m[1]), effects: tables.map((table) => ({ object: { kind: "table", table }, leaves: "absent" as const })) };
  }
  m = DROP_INDEX.exec(s);
  if (m) return { ...none, idempotent: Boolean(m[1]), effects: [{ object: { kind: "index", table: m[3] ? nameOf(m[3]) : null, index: nameOf(m[2]!) }, leaves: "absent" }] };
  m = RENAME_TABLE.exec(s);
  if (m) {
    const effects: SchemaEffect[] = [];
    for (const pair of splitTopLevel(m[1]!)) {
      const p = new RegExp(`^\\s*${QNAME}\\s+to\\s+${QNAME}\\s*$`, "is").exec(pair);
      if (!p) return none;
      effects.push({ object: { kind: "table", table: nameOf(p[1]!) }, leaves: "absent" }, { object: { kind: "table", table: nameOf(p[2]!) }, leaves: "present" });
    }
    return { ...none, effects };
  }
  m = ALTER_TABLE.exec(s);
  if (m) return { ...none, ...readAlterActions(nameOf(m[1]!), m[2]!) };
  m = ROW_WRITE.exec(s);
  if (m) return { ...none, writesRowsOf: nameOf(m[1]!) };
  return none;
}

function readAlterActions(table: string, actions: string): { effects: SchemaEffect[]; idempotent: boolean } {
  const effects: SchemaEffect[] = [];
  let idempotent = false;
  for (const raw of splitTopLevel(actions)) {
    const a = raw.trim();
    let m = ADD_INDEX.exec(a);
    if (m) {
      effects.push({ object: { kind: "index", table, index: nameOf(m[1]!) }, leaves: "present" });
      continue;
    }
    m = ADD_COLUMN.exec(a);
    if (m && !NOT_A_COLUMN.test(unquoteIdentifier(m[2]!))) {
      idempotent ||= Boolean(m[1]);
      effects.push({ object: { kind: "column", table, column: nameOf(m[2]!) }, leaves: "present" });
      continue;
    }
    m = DROP_INDEX_ACTION.exec(a);
    if (m) {
      idempotent ||= Boolean(m[1]);
      effects.push({ object: { kind: "index", table, index: nameOf(m[2]!) }, leaves: "absent" });
      continue;
    }
    m = DROP_COLUMN.exec(a);
    if (m && !NOT_A_COLUMN.test(unquoteIdentifier(m[2]!))) {
      idempotent ||= Boolean(m[1]);
      effects.push({ object: { kind: "column", table, column: nameOf(m[2]!) }, leaves: "absent" });
      continue;
    }
    m = RENAME_TO.exec(a);
    if (m) {
      effects.push({ object: { kind: "table", table }, leaves: "absent" }, { object: { kind: "table", table: nameOf(m[1]!) }, leaves: "present" });
      continue;
    }
    m = RENAME_COLUMN.exec(a) ?? CHANGE_COLUMN.exec(a);
    if (m) {
      const from = nameOf(m[1]!);
      const to = nameOf(m[2]!);
      // MySQL's CHANGE with the same name only changes the type: nothing a schema shows by name.
      if (from !== to) effects.push({ object: { kind: "column", table, column: from }, leaves: "absent" }, { object: { kind: "column", table, column: to }, leaves: "present" });
    }
  }
  return { effects, idempotent };
}

/** The last part of a possibly qualified name, unquoted and lower-cased. */
function nameOf(spelling: string): string {
  const parts = splitTopLevel(spelling.trim(), ".");
  return unquoteIdentifier(parts[parts.length - 1]!).toLowerCase();
}

/** Whether a later effect on `later` makes the live schema say nothing about an earlier one on `earlier`. */
export function overlaps(earlier: SchemaObjectRef, later: SchemaObjectRef): boolean {
  switch (later.kind) {
    case "table":
      // A table made, dropped or renamed later decides everything in it.
      return earlier.table === later.table;
    case "column":
      return earlier.kind === "column" && earlier.table === later.table && earlier.column === later.column;
    case "index":
      return earlier.kind === "index" && earlier.index === later.index && (earlier.table === null || later.table === null || earlier.table === later.table);
    default:
      return later satisfies never;
  }
}

/** An object for a person: `column half_t.note`. */
export function describeObject(o: SchemaObjectRef): string {
  switch (o.kind) {
    case "table":
      return `table ${o.table}`;
    case "column":
      return `column ${o.table}.${o.column}`;
    case "index":
      return o.table ? `index ${o.index} on ${o.table}` : `index ${o.index}`;
    default:
      return o satisfies never;
  }
}
