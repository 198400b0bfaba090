import type { SchemaModel } from "../../../shared/schema.js";
import { dialectFor } from "../dialect/index.js";
import type { DbClient } from "../dialect/index.js";
import { isStrataError } from "../errors.js";
import { closingParen, splitTopLevel } from "../introspect/normal-form.js";
import { qualifiedName } from "./change.js";
import { renderKnexBody } from "./knex-renderer.js";
import { diffSchemas } from "./schema-differ.js";
import { renderBodySql } from "./sql-renderer.js";

/** The key an object's definition is found by: its kind, the table it is on (indexes), its name. */
export function definitionKey(kind: string, table: string | null | undefined, name: string): string {
  return `${kind === "enum type" ? "enum" : kind}\u0000${kind === "index" ? table ?? "" : ""}\u0000${name}`;
}

/** A CREATE TABLE with one column or constraint a line, so two of them compare line by line. */
export function formatStatement(sql: string): string {
  const open = sql.indexOf("(");
  if (!/^create\s+(?:temporary\s+)?table\b/i.test(sql) || open < 0) return sql;
  const close = closingParen(sql, open);
  if (close < 0) return sql;
  const parts = splitTopLevel(sql.slice(open + 1, close));
  return `${sql.slice(0, open).trimEnd()} (\n${parts.map((p) => `  ${p}`).join(",\n")}\n)${sql.slice(close + 1)}`;
}

/**
 * The statements that make each object of a model, in its own dialect (issue 19: both
 * definitions side by side): a table with its keys and indexes, each index alone, a view, an
 * enum type, a routine or trigger as the database wrote it back. Rendered through the diff's
 * own renderer against an empty schema, with no connection; keyed by definitionKey.
 */
export async function renderObjectDefinitions(model: SchemaModel): Promise<Map<string, string>> {
  const client = model.client as DbClient;
  const sd = dialectFor(client).schema;
  const out = new Map<string, string>();
  const empty: SchemaModel = { client: model.client, tables: [], views: [], enums: [] };
  const add = (key: string, statements: readonly string[]): void => {
    const text = statements.map(formatStatement).join("\n");
    out.set(key, out.has(key) ? `${out.get(key)}\n${text}` : text);
  };
  for (const change of diffSchemas(empty, model)) {
    const p = change.payload;
    if (p.kind === "create-object") {
      add(definitionKey(p.object.kind, null, qualifiedName(p.object)), p.object.statements);
      continue;
    }
    let statements: string[];
    try {
      statements = await renderBodySql(client, renderKnexBody([change], sd));
    } catch (e) {
      if (!isStrataError(e)) throw e;
      statements = [`-- ${e.message}`];
    }
    switch (p.kind) {
      case "create-table":
      case "add-foreign-key":
        add(definitionKey("table", null, qualifiedName(p.table)), statements);
        for (const i of p.kind === "create-table" ? p.table.indexes : []) {
          const own = statements.filter((s) => /\bindex\b/i.test(s) && s.includes(sd.quote(i.name)));
          if (own.length) add(definitionKey("index", qualifiedName(p.table), i.name), own);
        }
        break;
      case "create-view":
        add(definitionKey("view", null, qualifiedName(p.view)), statements);
        break;
      case "create-enum":
        add(definitionKey("enum", null, qualifiedName(p.enum)), statements);
        break;
      default:
        // Against an empty schema a model only makes things; anything else has no object to show.
        break;
    }
  }
  return out;
}
