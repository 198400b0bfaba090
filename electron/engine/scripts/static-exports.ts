/**
 * Reads the exports of a revision file from its source text without compiling or running it.
 *
 * `strata heads` on 10,000 revisions must answer in well under a second, which rules out
 * compiling every file; revision files written by Strata (or by hand, in the documented
 * shape) export their metadata as literals, which a small tokenizer can read. Anything the
 * tokenizer cannot be sure about is reported as such, and the caller compiles and evaluates
 * the file instead: this module must never guess.
 *
 * Why not a kept parser (issue 17, figures in bench/RESULTS.md): on the 10,000 files of
 * bench/heads.ts, @babel/parser, oxc-parser (native, without raw transfer on Node 20) and acorn
 * with a TypeScript plugin each took 4-8x this tokenizer's time, which would take `heads` from
 * 0.36 s to about 1 s; es-module-lexer is as fast but gives ESM names only (no values, no CommonJS).
 */

/** A value written as a literal in the source. */
export type LiteralValue =
  | string
  | number
  | boolean
  | null
  | readonly LiteralValue[]
  | { readonly [key: string]: LiteralValue };

/** One exported name found at the top level of a file. */
export interface StaticExport {
  readonly name: string;
  /** Offset of the name in the source, for error messages. */
  readonly offset: number;
  /** "literal": `value` is exactly what the export holds; "function": a function declaration; "other": anything else. */
  readonly kind: "literal" | "function" | "other";
  readonly value?: LiteralValue;
}

/** What the source text says about a file's exports. */
export interface StaticScan {
  readonly exports: ReadonlyMap<string, StaticExport>;
  /**
   * true when the text exports something whose names cannot be listed without running it
   * (`export default`, `export *`, `module.exports = ...`, destructuring), or when the text
   * does not tokenize cleanly; the file must then be evaluated.
   */
  readonly opaque: boolean;
}

const enum Tok {
  Ident,
  Punct,
  String,
  /** A complete template literal without substitutions. */
  Template,
  /** The start or middle of a template literal with substitutions. */
  TemplatePart,
  Number,
  Regex,
  End,
}

/** After these keywords a `/` starts a regular expression, not a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
]);

/** Single-character operators that combine with a following `=` into one token. */
const COMBINES_WITH_EQUALS = new Set(["=", "!", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "?"]);

/** A saved lexer position. */
interface LexerMark {
  readonly pos: number;
  readonly depth: number;
  readonly templateStack: readonly number[];
  readonly type: Tok;
  readonly start: number;
  readonly end: number;
  readonly newlineBefore: boolean;
  readonly prevType: Tok;
  readonly prevStart: number;
  readonly prevEnd: number;
}

const NO_TEMPLATES: readonly number[] = [];

/** The characters that matter while skipping a block; shared, its lastIndex is set before every use. */
const BLOCK_INTERESTING = /[{}'"`/]/g;

/**
 * A tokenizer that only tracks what the export scan needs: token kinds, nesting depth and
 * positions. Token text is sliced and decoded only when asked for, which keeps thousands of
 * files cheap to scan (most tokens sit inside function bodies nobody looks at).
 */
class Lexer {
  private pos = 0;
  /** Nesting depth of ( [ { and template substitutions. */
  depth = 0;
  /** The depth at which each open template substitution started. */
  private templateStack: number[] = [];
  private type: Tok = Tok.End;
  start = 0;
  private end = 0;
  newlineBefore = false;
  /** Set when the text does not tokenize: an unterminated string, comment or template. */
  broken = false;
  private prevType: Tok = Tok.End;
  private prevStart = 0;
  private prevEnd = 0;

  constructor(private readonly src: string) {
    if (src.startsWith("#!")) {
      const eol = src.indexOf("\n");
      this.pos = eol < 0 ? src.length : eol;
    }
  }

  /** Saves the position, for a look-ahead that may need undoing. */
  mark(): LexerMark {
    return {
      pos: this.pos, depth: this.depth, templateStack: this.templateStack.length === 0 ? NO_TEMPLATES : [...this.templateStack],
      type: this.type, start: this.start, end: this.end, newlineBefore: this.newlineBefore,
      prevType: this.prevType, prevStart: this.prevStart, prevEnd: this.prevEnd,
    };
  }

  reset(m: LexerMark): void {
    this.pos = m.pos;
    this.depth = m.depth;
    this.templateStack = [...m.templateStack];
    this.type = m.type;
    this.start = m.start;
    this.end = m.end;
    this.newlineBefore = m.newlineBefore;
    this.prevType = m.prevType;
    this.prevStart = m.prevStart;
    this.prevEnd = m.prevEnd;
  }

  /** The current token's type (a method, so that checks before `next()` do not narrow it for the compiler). */
  kind(): Tok {
    return this.type;
  }

  /** The current token's value: a string literal decoded, anything else as written. */
  get value(): string {
    switch (this.type) {
      case Tok.String:
        return this.decode(this.src.slice(this.start + 1, this.end - 1));
      case Tok.Template:
        return this.decode(this.src.slice(this.start + 1, this.end - 1).replace(/\r\n?/g, "\n"));
      case Tok.TemplatePart:
      case Tok.End:
        return "";
      default:
        return this.src.slice(this.start, this.end);
    }
  }

  private decode(raw: string): string {
    return raw.includes("\\") ? decodeEscapes(raw, this) : raw;
  }

  /** Is the current token this text (compared in place, without slicing)? */
  private textIs(text: string): boolean {
    return this.end - this.start === text.length && this.src.startsWith(text, this.start);
  }

  is(type: Tok, value?: string): boolean {
    return this.type === type && (value === undefined || this.textIs(value));
  }

  isPunct(value: string): boolean {
    return this.type === Tok.Punct && this.textIs(value);
  }

  private token(type: Tok, start: number, end: number): void {
    this.type = type;
    this.start = start;
    this.end = end;
    this.pos = end;
  }

  next(): void {
    this.prevType = this.type;
    this.prevStart = this.start;
    this.prevEnd = this.end;
    this.newlineBefore = false;
    const src = this.src;
    const len = src.length;
    let pos = this.pos;
    // Whitespace and comments.
    for (;;) {
      if (pos >= len) {
        this.token(Tok.End, len, len);
        return;
      }
      const c = src.charCodeAt(pos);
      if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) {
        this.newlineBefore = true;
        pos++;
      } else if (c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) {
        pos++;
      } else if (c === 47 /* / */ && src.charCodeAt(pos + 1) === 47) {
        const eol = src.indexOf("\n", pos);
        pos = eol < 0 ? len : eol;
      } else if (c === 47 && src.charCodeAt(pos + 1) === 42 /* * */) {
        const close = src.indexOf("*/", pos + 2);
        if (close < 0) {
          this.broken = true;
          pos = len;
        } else {
          if (src.lastIndexOf("\n", close) > pos) this.newlineBefore = true;
          pos = close + 2;
        }
      } else {
        break;
      }
    }
    const c = src.charCodeAt(pos);
    if (isIdentStart(c)) {
      let end = pos + 1;
      while (end < len && isIdentPart(src.charCodeAt(end))) end++;
      this.token(Tok.Ident, pos, end);
      return;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      this.scanString(pos, c);
      return;
    }
    if (c === 96 /* ` */) {
      this.scanTemplate(pos, pos + 1);
      return;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(src.charCodeAt(pos + 1)))) {
      let end = pos + 1;
      while (end < len) {
        const d = src.charCodeAt(end);
        if (isIdentPart(d) || d === 46) {
          end++;
        } else if ((d === 43 || d === 45) && (src.charCodeAt(end - 1) | 32) === 101 /* e */ && (src.charCodeAt(pos + 1) | 32) !== 120 /* x */) {
          end++;
        } else {
          break;
        }
      }
      this.token(Tok.Number, pos, end);
      return;
    }
    if (c === 47 && this.slashStartsRegex() && this.scanRegex(pos)) return;
    if (c === 125 /* } */ && this.templateStack.length > 0 && this.templateStack[this.templateStack.length - 1] === this.depth - 1) {
      this.templateStack.pop();
      this.depth--;
      this.scanTemplate(pos, pos + 1);
      return;
    }
    if (c === 40 || c === 91 || c === 123) this.depth++;
    else if (c === 41 || c === 93 || c === 125) this.depth--;
    const n = src.charCodeAt(pos + 1);
    if (n === 61 /* = */ && COMBINES_WITH_EQUALS.has(src[pos] as string)) {
      this.token(Tok.Punct, pos, pos + 2);
    } else if (c === 61 && n === 62 /* > */) {
      this.token(Tok.Punct, pos, pos + 2);
    } else {
      this.token(Tok.Punct, pos, pos + 1);
    }
  }

  /**
   * With the current token a `{`, jumps to its matching `}` (which becomes the current token)
   * without tokenizing what lies between: the scan never looks inside blocks, and function
   * bodies are most of a revision file. Only strings, templates, comments and regexes can hide
   * a brace, so only they are recognised.
   */
  skipBlock(): void {
    const close = this.matchingBrace(this.pos);
    if (close < 0) {
      this.broken = true;
      this.token(Tok.End, this.src.length, this.src.length);
      return;
    }
    this.depth--;
    this.prevType = Tok.Punct;
    this.token(Tok.Punct, close, close + 1);
  }

  /** The offset of the `}` that closes a block whose body starts at `from`, or -1. */
  private matchingBrace(from: number): number {
    const src = this.src;
    const interesting = BLOCK_INTERESTING;
    let pos = from;
    let braces = 1;
    for (;;) {
      interesting.lastIndex = pos;
      const m = interesting.exec(src);
      if (m === null) return -1;
      const i = m.index;
      const c = src.charCodeAt(i);
      if (c === 123) {
        braces++;
        pos = i + 1;
      } else if (c === 125) {
        if (--braces === 0) return i;
        pos = i + 1;
      } else if (c === 34 || c === 39) {
        pos = skipQuoted(src, i, c);
        if (pos < 0) return -1;
      } else if (c === 96) {
        pos = this.skipTemplate(i + 1);
        if (pos < 0) return -1;
      } else {
        const n = src.charCodeAt(i + 1);
        if (n === 47) {
          const eol = src.indexOf("\n", i);
          pos = eol < 0 ? src.length : eol;
        } else if (n === 42) {
          const end = src.indexOf("*/", i + 2);
          if (end < 0) return -1;
          pos = end + 2;
        } else {
          pos = regexAllowedAt(src, i) ? skipRegex(src, i) : i + 1;
        }
      }
    }
  }

  /** From just after a backtick, the offset after the closing one, or -1. */
  private skipTemplate(from: number): number {
    const src = this.src;
    let pos = from;
    for (;;) {
      if (pos >= src.length) return -1;
      const c = src.charCodeAt(pos);
      if (c === 96) return pos + 1;
      if (c === 92) pos += 2;
      else if (c === 36 && src.charCodeAt(pos + 1) === 123) {
        const close = this.matchingBrace(pos + 2);
        if (close < 0) return -1;
        pos = close + 1;
      } else pos++;
    }
  }

  private slashStartsRegex(): boolean {
    switch (this.prevType) {
      case Tok.End:
        return true;
      case Tok.Punct: {
        const p = this.src.charCodeAt(this.prevStart);
        return !(this.prevEnd - this.prevStart === 1 && (p === 41 /* ) */ || p === 93 /* ] */));
      }
      case Tok.Ident:
        return KEYWORDS_BEFORE_EXPRESSION.has(this.src.slice(this.prevStart, this.prevEnd));
      default:
        return false;
    }
  }

  /** Returns false (and consumes nothing) where the guess "regex" turns out wrong: regexes never span lines. */
  private scanRegex(start: number): boolean {
    const end = skipRegex(this.src, start);
    // skipRegex gives start + 1 for a `/` not closed on its line; a closed regex is at least `/x/`.
    if (end === start + 1) return false;
    this.token(Tok.Regex, start, end);
    return true;
  }


  private scanString(start: number, quote: number): void {
    const src = this.src;
    let pos = start + 1;
    for (;;) {
      if (pos >= src.length) {
        this.broken = true;
        this.token(Tok.String, start, src.length);
        return;
      }
      const c = src.charCodeAt(pos);
      if (c === quote) break;
      if (c === 92) {
        pos += 2;
        continue;
      }
      if (c === 10 || c === 13) {
        this.broken = true;
        break;
      }
      pos++;
    }
    this.token(Tok.String, start, pos + 1);
  }

  /** Scans from `from`, just after a backtick or the `}` that closes a substitution at `start`. */
  private scanTemplate(start: number, from: number): void {
    const src = this.src;
    let pos = from;
    for (;;) {
      if (pos >= src.length) {
        this.broken = true;
        this.token(Tok.TemplatePart, start, src.length);
        return;
      }
      const c = src.charCodeAt(pos);
      if (c === 96) {
        // Only a template scanned from its opening backtick to its closing one is whole.
        this.token(src.charCodeAt(start) === 96 ? Tok.Template : Tok.TemplatePart, start, pos + 1);
        return;
      }
      if (c === 92) {
        pos += 2;
        continue;
      }
      if (c === 36 /* $ */ && src.charCodeAt(pos + 1) === 123) {
        this.templateStack.push(this.depth);
        this.depth++;
        this.token(Tok.TemplatePart, start, pos + 2);
        return;
      }
      pos++;
    }
  }
}

/** From an opening quote, the offset after the closing one, or -1. */
function skipQuoted(src: string, start: number, quote: number): number {
  let pos = start + 1;
  for (;;) {
    const q = src.indexOf(quote === 34 ? '"' : "'", pos);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; k > start && src.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) {
      const nl = src.indexOf("\n", pos);
      return nl >= 0 && nl < q && src.charCodeAt(nl - 1) !== 92 ? -1 : q + 1;
    }
    pos = q + 1;
  }
}

/** Can a `/` at `at` start a regular expression? Decided by what precedes it, as the tokenizer does. */
function regexAllowedAt(src: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0) {
    const c = src.charCodeAt(k);
    if (c === 32 || c === 9 || c === 10 || c === 13) k--;
    else break;
  }
  if (k < 0) return true;
  const c = src.charCodeAt(k);
  if (c === 41 || c === 93 || c === 34 || c === 39 || c === 96) return false;
  if (isIdentPart(c)) {
    let b = k;
    while (b > 0 && isIdentPart(src.charCodeAt(b - 1))) b--;
    return KEYWORDS_BEFORE_EXPRESSION.has(src.slice(b, k + 1));
  }
  return true;
}

/** From a `/` that starts a regex, the offset after it (and its flags); a `/` not closed on its line was a division. */
function skipRegex(src: string, start: number): number {
  let pos = start + 1;
  let inClass = false;
  for (;;) {
    if (pos >= src.length) return start + 1;
    const c = src.charCodeAt(pos);
    if (c === 10 || c === 13) return start + 1;
    if (c === 92) {
      pos += 2;
      continue;
    }
    if (c === 91) inClass = true;
    else if (c === 93) inClass = false;
    else if (c === 47 && !inClass) break;
    pos++;
  }
  pos++;
  while (pos < src.length && isIdentPart(src.charCodeAt(pos))) pos++;
  return pos;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", v: "\v", "0": "\0", "'": "'", '"': '"', "`": "`", "\\": "\\",
};

/** Decodes the escapes of a string literal's body; unknown forms mark the lexer broken so the file is evaluated instead. */
function decodeEscapes(raw: string, lexer: Lexer): string {
  return raw.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_m, e: string) => {
    if (e.startsWith("u{")) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (e.startsWith("u") && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e.startsWith("x") && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e === "\n" || e === "\r" || e === "\r\n" || e === "\u2028" || e === "\u2029") return "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return simple;
    // Octal escapes and the like: legal in some places, never in Strata's files; let the compiler decide.
    if (/[0-9xu]/.test(e)) lexer.broken = true;
    return e;
  });
}

/**
 * A copy of a string that does not point into the file's text: V8 keeps a slice of 13 or more
 * characters as a view on its parent, which would keep every scanned file's whole text alive.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (" " + s).slice(1);
}

/** Returned by the literal parser when the expression is not a plain literal. */
const NOT_LITERAL = Symbol("not literal");

function parseLiteral(lx: Lexer): LiteralValue | typeof NOT_LITERAL {
  switch (lx.kind()) {
    case Tok.String:
    case Tok.Template: {
      const v = detach(lx.value);
      lx.next();
      return v;
    }
    case Tok.Number: {
      const n = Number(lx.value.replace(/_/g, ""));
      if (Number.isNaN(n)) return NOT_LITERAL;
      lx.next();
      return n;
    }
    case Tok.Ident: {
      const word = lx.value;
      if (word !== "null" && word !== "true" && word !== "false") return NOT_LITERAL;
      lx.next();
      return word === "null" ? null : word === "true";
    }
    case Tok.Punct: {
      if (lx.value === "[") {
        lx.next();
        const items: LiteralValue[] = [];
        while (!lx.isPunct("]")) {
          const item = parseLiteral(lx);
          if (item === NOT_LITERAL) return NOT_LITERAL;
          items.push(item);
          if (lx.isPunct(",")) lx.next();
          else if (!lx.isPunct("]")) return NOT_LITERAL;
        }
        lx.next();
        return items;
      }
      if (lx.value === "{") {
        lx.next();
        const obj: Record<string, LiteralValue> = {};
        while (!lx.isPunct("}")) {
          if (!(lx.kind() === Tok.Ident || lx.kind() === Tok.String)) return NOT_LITERAL;
          const key = lx.value;
          lx.next();
          if (!lx.isPunct(":")) return NOT_LITERAL;
          lx.next();
          const v = parseLiteral(lx);
          if (v === NOT_LITERAL) return NOT_LITERAL;
          obj[key] = v;
          if (lx.isPunct(",")) lx.next();
          else if (!lx.isPunct("}")) return NOT_LITERAL;
        }
        lx.next();
        return obj;
      }
      if (lx.value === "-" || lx.value === "+") {
        const sign = lx.value === "-" ? -1 : 1;
        lx.next();
        if (lx.kind() !== Tok.Number) return NOT_LITERAL;
        const n = parseLiteral(lx);
        return typeof n === "number" ? sign * n : NOT_LITERAL;
      }
      return NOT_LITERAL;
    }
    default:
      return NOT_LITERAL;
  }
}

/**
 * Parses an initializer that must be a literal and nothing more: `"x"`, `["a", "b"] as const`.
 * The current token is the first of the expression; the lexer is left after it either way.
 */
function parseLiteralInitializer(lx: Lexer): LiteralValue | typeof NOT_LITERAL {
  const value = parseLiteral(lx);
  if (value === NOT_LITERAL) return NOT_LITERAL;
  if (lx.is(Tok.Ident, "as") && !lx.newlineBefore) {
    lx.next();
    if (!lx.is(Tok.Ident, "const")) return NOT_LITERAL;
    lx.next();
  }
  // The expression ends at `;`, at the end, or where automatic semicolon insertion would end it.
  if (lx.isPunct(";") || lx.kind() === Tok.End) return value;
  if (lx.newlineBefore && (lx.kind() === Tok.Ident || lx.kind() === Tok.String || lx.kind() === Tok.Template || lx.isPunct("@"))) {
    return value;
  }
  return NOT_LITERAL;
}

/** Reads the exports of a revision file (ESM or CommonJS) from its text. */
export function scanExports(source: string): StaticScan {
  const lx = new Lexer(source);
  const exports = new Map<string, StaticExport>();
  let opaque = false;
  const cjsAssigned = new Set<string>();

  const record = (e: StaticExport, fromCjs: boolean): void => {
    const seen = exports.get(e.name);
    if (seen !== undefined || (fromCjs && cjsAssigned.has(e.name))) {
      // Assigned twice: the last one wins at run time, which only evaluation knows for sure.
      exports.set(e.name, { name: e.name, offset: seen?.offset ?? e.offset, kind: "other" });
    } else {
      exports.set(e.name, e);
    }
    if (fromCjs) cjsAssigned.add(e.name);
  };

  /** Reads the initializer after `=` and records the export. */
  const recordInitializer = (name: string, offset: number, fromCjs: boolean): void => {
    const isFunction = lx.is(Tok.Ident, "function") || lx.is(Tok.Ident, "async");
    if (fromCjs && (lx.is(Tok.Ident, "exports") || lx.is(Tok.Ident, "void"))) {
      // tsc's `exports.down = exports.up = void 0;` preamble only declares; the real assignments follow.
      const m = lx.mark();
      while (lx.is(Tok.Ident, "exports")) {
        lx.next();
        if (!lx.isPunct(".")) break;
        lx.next();
        if (lx.kind() !== Tok.Ident) break;
        lx.next();
        if (!lx.isPunct("=")) break;
        lx.next();
      }
      if (lx.is(Tok.Ident, "void")) {
        lx.next();
        if (lx.is(Tok.Number, "0")) {
          lx.next();
          return;
        }
      }
      lx.reset(m);
    }
    // No need to rewind when this is not a literal: the main loop carries on from wherever the
    // attempt stopped, and the lexer's depth stays right whatever was consumed.
    const value = parseLiteralInitializer(lx);
    if (value === NOT_LITERAL) {
      record({ name, offset, kind: isFunction ? "function" : "other" }, fromCjs);
    } else {
      record({ name, offset, kind: "literal", value }, fromCjs);
    }
  };

  lx.next();
  while (lx.kind() !== Tok.End) {
    if (lx.isPunct(".")) {
      // `obj.export`, `x.exports`: properties, not statements.
      lx.next();
      if (lx.kind() === Tok.Ident) lx.next();
      continue;
    }
    if (lx.isPunct("{")) {
      lx.skipBlock();
      lx.next();
      continue;
    }
    if (lx.depth !== 0 || lx.kind() !== Tok.Ident) {
      lx.next();
      continue;
    }
    const word = lx.value;
    if (word === "export") {
      lx.next();
      parseExportStatement();
      continue;
    }
    if (word === "exports" || word === "module") {
      lx.next();
      if (word === "module") {
        if (!lx.isPunct(".")) continue;
        lx.next();
        if (!lx.is(Tok.Ident, "exports")) continue;
        lx.next();
      }
      if (lx.isPunct("=")) {
        opaque = true;
        continue;
      }
      if (lx.isPunct("[")) {
        opaque = true;
        continue;
      }
      if (!lx.isPunct(".")) continue;
      lx.next();
      if (lx.kind() !== Tok.Ident) continue;
      const name = lx.value;
      const offset = lx.start;
      lx.next();
      if (!lx.isPunct("=")) continue;
      lx.next();
      recordInitializer(name, offset, true);
      continue;
    }
    lx.next();
  }

  function parseExportStatement(): void {
    if (lx.kind() === Tok.Ident) {
      switch (lx.value) {
        case "const":
        case "let":
        case "var": {
          const keyword = lx.value;
          lx.next();
          if (lx.kind() !== Tok.Ident) {
            opaque = true; // destructuring
            return;
          }
          const name = lx.value;
          const offset = lx.start;
          lx.next();
          if (lx.isPunct("!")) lx.next();
          if (lx.isPunct(":")) {
            const depth = lx.depth;
            lx.next();
            while (lx.kind() !== Tok.End && !(lx.depth === depth && (lx.isPunct("=") || lx.isPunct(";")))) lx.next();
          }
          if (!lx.isPunct("=")) {
            record({ name, offset, kind: "other" }, false);
            return;
          }
          lx.next();
          if (keyword === "const") {
            recordInitializer(name, offset, false);
          } else {
            // `let` and `var` may be reassigned further down; only running the file tells.
            record({ name, offset, kind: "other" }, false);
          }
          if (lx.isPunct(",") && lx.depth === 0) opaque = true; // several declarators in one statement
          return;
        }
        case "async":
        case "function": {
          if (lx.value === "async") lx.next();
          if (!lx.is(Tok.Ident, "function")) return;
          lx.next();
          if (lx.isPunct("*")) lx.next();
          if (lx.kind() === Tok.Ident) {
            record({ name: lx.value, offset: lx.start, kind: "function" }, false);
            lx.next();
          }
          return;
        }
        case "class":
        case "enum": {
          lx.next();
          if (lx.kind() === Tok.Ident) {
            record({ name: lx.value, offset: lx.start, kind: "other" }, false);
            lx.next();
          }
          return;
        }
        case "abstract":
          lx.next();
          return;
        case "default":
          opaque = true;
          lx.next();
          return;
        case "type":
        case "interface":
        case "declare":
        case "namespace":
        case "module":
        case "import":
          // Types vanish when compiled; `export import x = require()` is left to the compiler too.
          lx.next();
          return;
        default:
          opaque = true;
          return;
      }
    }
    if (lx.isPunct("{")) {
      lx.next();
      while (!lx.isPunct("}") && lx.kind() !== Tok.End) {
        if (lx.is(Tok.Ident, "type")) {
          const m = lx.mark();
          lx.next();
          if (lx.kind() === Tok.Ident && !lx.is(Tok.Ident, "as")) {
            // `type X`: a type-only export.
            lx.next();
            if (lx.is(Tok.Ident, "as")) {
              lx.next();
              lx.next();
            }
            if (lx.isPunct(",")) lx.next();
            continue;
          }
          lx.reset(m);
        }
        if (lx.kind() !== Tok.Ident && lx.kind() !== Tok.String) {
          opaque = true;
          return;
        }
        let name = lx.value;
        let offset = lx.start;
        lx.next();
        if (lx.is(Tok.Ident, "as")) {
          lx.next();
          name = lx.value;
          offset = lx.start;
          lx.next();
        }
        record({ name, offset, kind: "other" }, false);
        if (lx.isPunct(",")) lx.next();
      }
      lx.next();
      return;
    }
    // `export *`, `export =`: the names are not in this file.
    opaque = true;
  }

  if (lx.broken || lx.depth !== 0) opaque = true;
  return { exports, opaque };
}

/** 1-based line and column of an offset in a text. */
export function lineColumnAt(text: string, offset: number): { readonly line: number; readonly column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
