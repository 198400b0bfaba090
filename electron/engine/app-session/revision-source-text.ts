/**
 * Finds an exported function (`up`, `down`) in a revision file's text, for the revision detail
 * screen. Best effort: a lexical scan that skips strings and comments, no parser.
 */
export function extractExportedFunction(source: string, name: string): string | null {
  const start = new RegExp(`export\\s+(?:async\\s+)?function\\s+${name}\\s*\\(|export\\s+const\\s+${name}\\s*=`).exec(source);
  if (!start) return null;
  // The body opens at the first "{" after the parameter list's closing ")" (or after "=>").
  let i = start.index + start[0].length;
  let parens = start[0].endsWith("(") ? 1 : 0;
  for (; i < source.length; i++) {
    const c = source[i];
    if (c === "(") parens++;
    else if (c === ")") parens--;
    else if (c === "{" && parens === 0) break;
  }
  const end = matchingBrace(source, i);
  return end < 0 ? null : source.slice(start.index, end + 1);
}

/** The index of the "}" closing the "{" at `open`, or -1. */
function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    const next = s[i + 1];
    if (c === "/" && next === "/") {
      const nl = s.indexOf("\n", i);
      if (nl < 0) return -1;
      i = nl;
    } else if (c === "/" && next === "*") {
      const close = s.indexOf("*/", i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (c === '"' || c === "'" || c === "`") {
      i = skipString(s, i, c);
      if (i < 0) return -1;
    } else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function skipString(s: string, from: number, quote: string): number {
  for (let i = from + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === quote) return i;
    // Template literal substitutions may hold nested braces and strings; skip them as code.
    else if (quote === "`" && s[i] === "$" && s[i + 1] === "{") {
      const end = matchingBrace(s, i + 1);
      if (end < 0) return -1;
      i = end;
    }
  }
  return -1;
}
