import type { DestructiveStatementDto } from "../../../shared/api.js";

const RULES: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /^\s*drop\s+table\b/i, reason: "drops a table and its data" },
  { pattern: /^\s*drop\s+(schema|database)\b/i, reason: "drops a schema and everything in it" },
  { pattern: /^\s*truncate\b/i, reason: "empties a table" },
  { pattern: /^\s*delete\s+from\b/i, reason: "deletes rows" },
  { pattern: /^\s*alter\s+table\b[\s\S]*\bdrop\s+(column\s+)?(?!constraint|index|foreign|primary|check|default|not\s+null)["`\w]/i, reason: "drops a column and its data" },
  { pattern: /^\s*alter\s+table\b[\s\S]*\b(alter|modify)\s+(column\s+)?["`\w]+[\s\S]*\b(type\b|varchar\s*\(|char\s*\(|int\b|smallint\b)/i, reason: "changes a column's type; values may be cut or refused" },
];

/**
 * The statements of a rendered plan (runner/render-sql.ts's script, with its
 * "-- Running upgrade REV: ..." headers) that lose data or structure. Statements on Strata's own
 * tables, and SQLite's table rebuild (copy to a temporary table, drop, rename), are not counted;
 * so a column dropped through such a rebuild is not detected here (the copy's column list would
 * have to be compared with the table's).
 */
export function findDestructiveStatements(script: string, bookkeepingTables: readonly string[]): DestructiveStatementDto[] {
  const out: DestructiveStatementDto[] = [];
  let revision = "";
  const rebuilt = new Set<string>();
  const lower = bookkeepingTables.map((t) => t.toLowerCase());
  for (const statement of splitStatements(script)) {
    const header = /^-- Running (?:upgrade|downgrade) (\S+?):/m.exec(statement);
    if (header && header[1] !== revision) {
      revision = header[1]!;
      rebuilt.clear();
    }
    const sql = statement.replace(/^--.*$/gm, "").trim();
    if (!sql || !revision) continue;
    if (lower.some((t) => sql.toLowerCase().includes(t))) continue;
    if (/_knex_temp_alter/i.test(sql)) {
      const copied = /\bfrom\s+[`"]?(\w+)[`"]?/i.exec(sql);
      if (copied) rebuilt.add(copied[1]!.toLowerCase());
      continue;
    }
    const dropped = /^\s*drop\s+table\s+(?:if\s+exists\s+)?[`"]?(\w+)[`"]?/i.exec(sql);
    // Only the drop right after the copy belongs to the rebuild; a later drop of the same table is real.
    if (dropped && rebuilt.delete(dropped[1]!.toLowerCase())) continue;
    for (const rule of RULES) {
      if (rule.pattern.test(sql)) {
        out.push({ revision, statement: sql, reason: rule.reason });
        break;
      }
    }
  }
  return out;
}

/** Splits a script at the ";" that end its lines (the renderer terminates each statement so). */
function splitStatements(script: string): string[] {
  return script.split(/;\s*\n/);
}
