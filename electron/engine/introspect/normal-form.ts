/**
 * Spellings folded to one form, so a diff sees what a schema does and not how a dialect wrote it
 * back (issue 3: type aliases, default expression spelling).
 */

/** Removes parentheses that wrap the whole text: "((a > 0))" -> "a > 0". */
export function stripOuterParens(text: string): string {
  let s = text.trim();
  while (s.startsWith("(") && s.endsWith(")") && closingParen(s, 0) === s.length - 1) s = s.slice(1, -1).trim();
  return s;
}

/** Index of the parenthesis closing the one at `open`, skipping quoted text; -1 if unbalanced. */
export function closingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = s.indexOf(ch, i + 1);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i;
  }
  return -1;
}

/** Splits on commas that are not inside parentheses or quotes. */
export function splitTopLevel(s: string, sep = ","): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = s.indexOf(ch, i + 1);
      i = end < 0 ? s.length : end;
      continue;
    }
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === sep && depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last) parts.push(last);
  return parts;
}

/** Removes one level of identifier quoting: "name", `name` or [name]. */
export function unquoteIdentifier(s: string): string {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("`") && t.endsWith("`"))) return t.slice(1, -1).replace(/""/g, '"').replace(/``/g, "`");
  if (t.startsWith("[") && t.endsWith("]")) return t.slice(1, -1);
  return t;
}

const TIME_FUNCTIONS: Readonly<Record<string, string>> = {
  "now()": "current_timestamp",
  "current_timestamp()": "current_timestamp",
  current_timestamp: "current_timestamp",
  "current_timestamp(0)": "current_timestamp",
  "localtimestamp": "current_timestamp",
  "current_date": "current_date",
  "curdate()": "current_date",
  "current_date()": "current_date",
  "current_time": "current_time",
  "current_time()": "current_time",
};

/**
 * A column default in one spelling: literal casts dropped ('a'::character varying -> 'a'),
 * quoted numbers unquoted, time functions folded, booleans as true/false. null for no default.
 */
export function normalizeDefault(raw: string | null | undefined, type: string): string | null {
  if (raw === null || raw === undefined) return null;
  let s = stripOuterParens(String(raw));
  if (s === "" || /^null$/i.test(s)) return null;
  const cast = /^('(?:[^']|'')*'|-?\d+(?:\.\d+)?|NULL)::[\w\s."[\]()]+$/i.exec(s);
  if (cast) s = cast[1]!;
  if (/^null$/i.test(s)) return null;
  const fn = TIME_FUNCTIONS[s.toLowerCase()];
  if (fn) return fn;
  const quotedNumber = /^'(-?\d+(?:\.\d+)?)'$/.exec(s);
  if (quotedNumber && type !== "varchar" && type !== "text" && type !== "char") s = quotedNumber[1]!;
  if (type === "boolean") {
    if (/^(true|'t'|'true'|1|'1')$/i.test(s)) return "true";
    if (/^(false|'f'|'false'|0|'0')$/i.test(s)) return "false";
  }
  if (/^-?\d+\.\d+$/.test(s)) s = String(Number(s));
  return s;
}

/** Whether a default is a literal (a number, a string, a blob, null, true/false, a current time keyword) rather than an expression. */
export function isLiteralDefault(expr: string): boolean {
  return /^([-+]?\d+(\.\d+)?(e[-+]?\d+)?|'(?:[^']|'')*'|x'[0-9a-f]*'|null|true|false|current_timestamp|current_date|current_time)$/i.test(expr.trim());
}

/** A check or predicate text reduced for comparison: no identifier quotes, one space, lower case, no outer parentheses. */
export function expressionKey(expr: string): string {
  return stripOuterParens(expr)
    .replace(/["`]/g, "")
    .replace(/\s+/g, " ")
    .replace(/\(\s+/g, "(")
    .replace(/\s+\)/g, ")")
    .toLowerCase()
    .trim();
}

/** A view definition reduced for comparison: whitespace collapsed, no trailing semicolon. */
export function viewKey(definition: string): string {
  return definition.replace(/\s+/g, " ").replace(/;\s*$/, "").trim().toLowerCase();
}

/** Splits "numeric(10,2)" into a base name and its numeric parameters. */
export function parseTypeSpelling(native: string): { base: string; params: number[]; suffix: string } {
  const m = /^([^(]*?)\s*\(([^)]*)\)(.*)$/.exec(native.trim());
  if (!m) return { base: native.trim().toLowerCase().replace(/\s+/g, " "), params: [], suffix: "" };
  const params = m[2]!.split(",").map((p) => Number(p.trim())).filter((n) => Number.isFinite(n));
  return { base: m[1]!.trim().toLowerCase().replace(/\s+/g, " "), params, suffix: m[3]!.trim().toLowerCase() };
}
