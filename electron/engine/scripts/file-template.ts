import { StrataError } from "../errors.js";

/** The file name template of a new project (DESIGN.md), in Alembic's `file_template` syntax. */
export const DEFAULT_FILE_TEMPLATE = "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s";

/** Alembic's default `truncate_slug_length`. */
export const SLUG_LENGTH = 40;

/** The values a file template is rendered with. */
export interface FileTemplateFields {
  readonly rev: string;
  /** Already made with {@link slugify}. */
  readonly slug: string;
  /** Rendered in local time, as Alembic does without a `timezone` setting. */
  readonly date: Date;
}

const TOKENS = ["rev", "slug", "year", "month", "day", "hour", "minute", "second", "epoch"] as const;

/**
 * A revision message as a file-name slug, the way Alembic makes one: the runs of word
 * characters, joined by "_" and lowercased; past 40 characters it is cut at the last "_"
 * inside the limit and ends with "_".
 */
export function slugify(message: string, maxLength: number = SLUG_LENGTH): string {
  const slug = (message.match(/[\p{L}\p{N}\p{Mn}\p{Mc}\p{Pc}]+/gu) ?? []).join("_").toLowerCase();
  if (slug.length <= maxLength) return slug;
  const cut = slug.slice(0, maxLength);
  const lastUnderscore = cut.lastIndexOf("_");
  return (lastUnderscore < 0 ? cut : cut.slice(0, lastUnderscore)) + "_";
}

/**
 * Renders a file name (without extension) from Alembic's `file_template` tokens: `%(rev)s`,
 * `%(slug)s`, `%(year)d`, `%(month).2d`, `%(day).2d`, `%(hour).2d`, `%(minute).2d`,
 * `%(second).2d`, `%(epoch)s`; `%%` is a literal percent sign. Python's `%` flags, width and
 * precision apply as in Python.
 */
export function renderFileName(template: string, fields: FileTemplateFields): string {
  const d = fields.date;
  const values: Readonly<Record<(typeof TOKENS)[number], string | number>> = {
    rev: fields.rev,
    slug: fields.slug,
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    epoch: Math.floor(d.getTime() / 1000),
  };
  let out = "";
  let i = 0;
  while (i < template.length) {
    const pct = template.indexOf("%", i);
    if (pct < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, pct);
    if (template[pct + 1] === "%") {
      out += "%";
      i = pct + 2;
      continue;
    }
    const m = /^%\(([^)]*)\)([-+ 0#]*)(\d*)(?:\.(\d+))?([sdi])/.exec(template.slice(pct));
    if (!m) {
      throw new StrataError(
        "CONFIG_INVALID",
        `fileTemplate ${JSON.stringify(template)}: "${template.slice(pct, pct + 12)}" is not a %(name)s or %(name)d token; write a literal % as %%`,
        { template },
      );
    }
    const [whole, key = "", flags = "", width = "", precision, conversion] = m;
    if (!(TOKENS as readonly string[]).includes(key)) {
      throw new StrataError(
        "CONFIG_INVALID",
        `fileTemplate ${JSON.stringify(template)}: unknown token %(${key}); use ${TOKENS.join(", ")}`,
        { template, token: key },
      );
    }
    const value = values[key as (typeof TOKENS)[number]];
    out += formatPercent(value, flags, width === "" ? 0 : Number(width), precision === undefined ? undefined : Number(precision), conversion === "s" ? "s" : "d", template, key);
    i = pct + whole.length;
  }
  if (/[\\/]/.test(out)) {
    throw new StrataError(
      "CONFIG_INVALID",
      `fileTemplate ${JSON.stringify(template)} renders ${JSON.stringify(out)}, which contains a folder separator; Strata reads only the migrations folder itself`,
      { template },
    );
  }
  return out;
}

/** One `%` conversion with Python's semantics for the cases file templates use. */
function formatPercent(
  value: string | number,
  flags: string,
  width: number,
  precision: number | undefined,
  conversion: "s" | "d",
  template: string,
  key: string,
): string {
  let body: string;
  if (conversion === "s") {
    body = String(value);
    if (precision !== undefined) body = body.slice(0, precision);
  } else {
    if (typeof value !== "number") {
      throw new StrataError("CONFIG_INVALID", `fileTemplate ${JSON.stringify(template)}: %(${key}) is text; write %(${key})s`, { template, token: key });
    }
    let digits = String(Math.abs(Math.trunc(value)));
    if (precision !== undefined && digits.length < precision) digits = digits.padStart(precision, "0");
    const sign = value < 0 ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
    if (flags.includes("0") && !flags.includes("-") && sign.length + digits.length < width) {
      digits = digits.padStart(width - sign.length, "0");
    }
    body = sign + digits;
  }
  if (body.length >= width) return body;
  return flags.includes("-") ? body.padEnd(width, " ") : body.padStart(width, " ");
}
