import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { StrataError } from "../errors.js";
import { DEFAULT_FILE_TEMPLATE, renderFileName, slugify } from "./file-template.js";

/** A new random revision id: 12 lowercase hex characters, like Alembic's. */
export function newRevisionId(): string {
  return randomBytes(6).toString("hex");
}

/** What {@link writeRevisionFile} writes. */
export interface WriteRevisionOptions {
  /** The migrations folder (made if missing). */
  readonly dir: string;
  /** Alembic `file_template` syntax; default {@link DEFAULT_FILE_TEMPLATE}. */
  readonly fileTemplate?: string;
  readonly revision: string;
  /** Empty: a base; one: a child; two or more: a merge. */
  readonly downRevisions: readonly string[];
  readonly branchLabels?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly message: string;
  /** The creation time the file name is rendered with (default: now). */
  readonly now?: Date;
  /** Code for the body of up(); a placeholder comment when absent. */
  readonly upBody?: string;
  readonly downBody?: string;
  readonly extension?: "ts";
  /** false writes `export const transaction = false` (the revision runs outside a transaction). */
  readonly transaction?: boolean;
}

/** The text of a revision file in DESIGN.md's format. */
export function renderRevisionSource(opts: Omit<WriteRevisionOptions, "dir" | "fileTemplate" | "now" | "extension">): string {
  const down =
    opts.downRevisions.length === 0
      ? "null"
      : opts.downRevisions.length === 1
        ? JSON.stringify(opts.downRevisions[0])
        : `[${opts.downRevisions.map((r) => JSON.stringify(r)).join(", ")}]`;
  const lines = [
    `import type { Knex } from "knex";`,
    ``,
    `export const revision = ${JSON.stringify(opts.revision)};`,
    `export const downRevision: string | string[] | null = ${down};`,
  ];
  if (opts.branchLabels && opts.branchLabels.length > 0) lines.push(`export const branchLabels = ${stringArray(opts.branchLabels)};`);
  if (opts.dependsOn && opts.dependsOn.length > 0) lines.push(`export const dependsOn = ${stringArray(opts.dependsOn)};`);
  lines.push(`export const message = ${JSON.stringify(opts.message)};`);
  if (opts.transaction === false) lines.push(`export const transaction = false;`);
  lines.push(
    ``,
    `export async function up(knex: Knex): Promise<void> {`,
    body(opts.upBody, "// Write the schema change here, e.g. await knex.schema.createTable(...)."),
    `}`,
    ``,
    `export async function down(knex: Knex): Promise<void> {`,
    body(opts.downBody, "// Undo what up() did."),
    `}`,
    ``,
  );
  return lines.join("\n");
}

function stringArray(items: readonly string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(", ")}]`;
}

function body(code: string | undefined, placeholder: string): string {
  const text = code === undefined || code.trim() === "" ? placeholder : code.replace(/\s+$/, "");
  return text
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : `  ${line}`))
    .join("\n");
}

/** Writes a new revision file into `dir` and returns its absolute path; never overwrites (FILE_EXISTS). */
export async function writeRevisionFile(opts: WriteRevisionOptions): Promise<string> {
  const name = renderFileName(opts.fileTemplate ?? DEFAULT_FILE_TEMPLATE, {
    rev: opts.revision,
    slug: slugify(opts.message),
    date: opts.now ?? new Date(),
  });
  const dir = path.resolve(opts.dir);
  const file = path.join(dir, `${name}.${opts.extension ?? "ts"}`);
  await mkdir(dir, { recursive: true });
  await writeNew(file, renderRevisionSource(opts));
  return file;
}

/** How a knex folder's files are written, as read from its newest file (issue #15 point 4). */
export interface KnexModuleStyle {
  /** With the dot, e.g. ".js"; the folder's newest file's. */
  readonly extension: string;
  /** "commonjs": `exports.up = ...`; "esm": `export async function up`; "typescript": ESM with `Knex` types. */
  readonly syntax: "commonjs" | "esm" | "typescript";
}

/** knex's own default for a folder with no file yet: `knex migrate:make` writes CommonJS `.js`. */
export const DEFAULT_KNEX_STYLE: KnexModuleStyle = { extension: ".js", syntax: "commonjs" };

/**
 * The module style of a knex migration file from its name and text: `.ts`-like files are
 * TypeScript, `.mjs` ESM, `.cjs` CommonJS; a `.js` file is ESM when it has a top-level `export`.
 */
export function knexModuleStyle(file: string, source: string): KnexModuleStyle {
  const extension = path.extname(file).toLowerCase();
  if (extension === ".ts" || extension === ".mts" || extension === ".cts") return { extension, syntax: "typescript" };
  if (extension === ".mjs") return { extension, syntax: "esm" };
  if (extension === ".cjs") return { extension, syntax: "commonjs" };
  return { extension, syntax: /^\s*export\s/m.test(source) && !/\b(module\.)?exports\.\w+\s*=/.test(source) ? "esm" : "commonjs" };
}

/** The text of a knex migration: `up` and `down` only, in the given style; no Strata export (knex loads it as it is). */
export function renderKnexMigrationSource(style: KnexModuleStyle, upBody?: string, downBody?: string): string {
  const up = body(upBody, "// Write the schema change here, e.g. await knex.schema.createTable(...).");
  const down = body(downBody, "// Undo what up() did.");
  switch (style.syntax) {
    case "commonjs":
      return [
        `exports.up = async function up(knex) {`,
        up,
        `};`,
        ``,
        `exports.down = async function down(knex) {`,
        down,
        `};`,
        ``,
      ].join("\n");
    case "esm":
      return [
        `export async function up(knex) {`,
        up,
        `}`,
        ``,
        `export async function down(knex) {`,
        down,
        `}`,
        ``,
      ].join("\n");
    case "typescript":
      return [
        `import type { Knex } from "knex";`,
        ``,
        `export async function up(knex: Knex): Promise<void> {`,
        up,
        `}`,
        ``,
        `export async function down(knex: Knex): Promise<void> {`,
        down,
        `}`,
        ``,
      ].join("\n");
    default:
      return style.syntax satisfies never;
  }
}

/** knex's migration file name, `YYYYMMDDHHMMSS_slug` (local time, as `knex migrate:make` does). */
export function knexMigrationName(message: string, now: Date): string {
  return renderFileName("%(year)d%(month).2d%(day).2d%(hour).2d%(minute).2d%(second).2d_%(slug)s", { rev: "", slug: slugify(message), date: now });
}

/** What {@link writeKnexMigrationFile} writes. */
export interface WriteKnexMigrationOptions {
  readonly dir: string;
  readonly message: string;
  readonly style: KnexModuleStyle;
  readonly now?: Date;
  readonly upBody?: string;
  readonly downBody?: string;
}

/** Writes a new knex migration into `dir`; returns its absolute path (FILE_EXISTS rather than overwrite). */
export async function writeKnexMigrationFile(opts: WriteKnexMigrationOptions): Promise<string> {
  const dir = path.resolve(opts.dir);
  const file = path.join(dir, `${knexMigrationName(opts.message, opts.now ?? new Date())}${opts.style.extension}`);
  await mkdir(dir, { recursive: true });
  await writeNew(file, renderKnexMigrationSource(opts.style, opts.upBody, opts.downBody));
  return file;
}

async function writeNew(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text, { encoding: "utf8", flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      throw new StrataError("FILE_EXISTS", `${file} already exists; not overwriting it (pick another message or remove the file)`, { file });
    }
    throw e;
  }
}
