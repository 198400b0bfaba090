import { hash } from "node:crypto";
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { StrataError } from "../errors.js";
import { compileRevisionsAhead, evaluateRevision, type CompileAheadOptions, type SourceToCompile } from "./module-evaluator.js";
import { lineColumnAt, scanExports, type StaticExport } from "./static-exports.js";
import type { RevisionModule, RevisionScript, ScriptDirectory } from "./types.js";

/** File extensions read as revision files. */
export const REVISION_FILE_EXTENSIONS: readonly string[] = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/** The exports that carry a revision's metadata; each must be a literal for the fast path to apply. */
const METADATA_EXPORTS = ["revision", "downRevision", "branchLabels", "dependsOn", "message", "transaction", "config"] as const;

/** Options of {@link loadScriptDirectory}. */
export interface LoadScriptDirectoryOptions {
  /** Error messages name files relative to this folder (default: the migrations folder's parent, giving "migrations/x.ts"). */
  readonly displayRoot?: string;
  /**
   * The extensions knex loads from a plain knex folder (a knexfile's `migrations.loadExtensions`);
   * default knex's own list. Other files there are not migrations to knex, so not to Strata either.
   */
  readonly knexLoadExtensions?: readonly string[];
}

/**
 * knex's DEFAULT_LOAD_EXTENSIONS (knex/lib/migrations/common/MigrationsLoader.js) that Strata can
 * load: knex skips a `.mjs` or `.mts` file unless the knexfile lists it, so a knex folder does too.
 */
export const KNEX_DEFAULT_LOAD_EXTENSIONS: readonly string[] = [".js", ".cjs", ".ts"];

/**
 * One file as read, before the folder's mode is known. Kept small on purpose: with 10,000
 * files, everything held here is copied by each garbage collection until the load ends, so the
 * text is not kept (error paths read the file again).
 */
interface FileFacts {
  readonly file: string;
  readonly name: string;
  /** How error messages name the file, e.g. "migrations/x.ts". */
  readonly display: string;
  readonly checksum: string;
  /** What the scan of the text found: offsets for error messages, literal values. */
  readonly scanned: ReadonlyMap<string, StaticExport>;
  readonly opaque: boolean;
  /** Exported names (of the scan, or of the evaluated module). */
  declared: { has(name: string): boolean };
  /** What is known of the exports' values. */
  values: { get(name: string): unknown };
  /** Set once the file has been evaluated (the fallback): its exports, reused by load(). */
  evaluated?: Record<string, unknown>;
  /** The text as read and checksummed, kept until the file is evaluated: a run reads each file once (issue 15). */
  source?: string;
}

/** How many files are read between two turns of the event loop: about 10 ms of reading and scanning. */
const YIELD_EVERY_FILES = 200;

/** Is this directory entry a revision file by its name? */
export function isRevisionFileName(name: string): boolean {
  if (name.startsWith(".")) return false;
  const ext = path.extname(name).toLowerCase();
  if (!REVISION_FILE_EXTENSIONS.includes(ext)) return false;
  return !/\.d\.[mc]?ts$/i.test(name);
}

/**
 * Reads a migrations folder: every revision file's metadata and checksum, without compiling
 * the files whose metadata is written as literals. Files are ordered by name.
 */
export async function loadScriptDirectory(dir: string, options: LoadScriptDirectoryOptions = {}): Promise<ScriptDirectory> {
  const absDir = path.resolve(dir);
  const displayRoot = options.displayRoot ?? path.dirname(absDir);
  const names = listRevisionFiles(absDir);

  const folder = relativeDisplay(displayRoot, absDir);
  const displayPrefix = folder === absDir ? `${absDir}${path.sep}` : `${folder}/`;
  const reader = new FileReader();
  const facts: FileFacts[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    // The reads are synchronous (see FileReader): a long folder gives the event loop back now and
    // then, so that `strata serve` answers meanwhile (the page and its scripts while it warms up on
    // 10,000 files, issue 19: the first graph waited for the whole read before its first byte).
    if (i > 0 && i % YIELD_EVERY_FILES === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    facts[i] = readFacts(reader, absDir, names[i]!, displayPrefix + names[i]!);
  }

  // Fallback: evaluate where the text alone cannot be trusted, and where it would make the file
  // look invalid (a computed export the tokenizer did not see must not turn into an error).
  const toEvaluate = facts.filter((f) => {
    const staticEnough = !f.opaque && METADATA_EXPORTS.every((n) => f.scanned.get(n)?.kind !== "other");
    const looksInvalid = !f.declared.has("revision") && !(f.declared.has("up") && f.declared.has("down"));
    return !staticEnough || looksInvalid;
  });
  if (toEvaluate.length > 0) await Promise.all(toEvaluate.map(evaluateInto));

  const strataCount = facts.reduce((n, f) => (f.declared.has("revision") ? n + 1 : n), 0);
  const mode: ScriptDirectory["mode"] = strataCount > 0 || facts.length === 0 ? "strata" : "knex";
  const files = mode === "knex" ? knexMigrationFiles(facts, options.knexLoadExtensions ?? KNEX_DEFAULT_LOAD_EXTENSIONS) : facts;
  for (const f of files) {
    if (problemWith(f, mode) === undefined) continue;
    // Before calling a file wrong, run it: the exports may be made in ways the text does not show.
    await evaluateInto(f);
    checkDeclaresRevision(f, mode, strataCount, folder);
  }

  const scripts = mode === "strata" ? files.map(strataScript) : knexScripts(files);
  checkUniqueIds(scripts, displayRoot);
  return { dir: absDir, mode, scripts };
}

function listRevisionFiles(absDir: string): string[] {
  let entries;
  try {
    entries = readdirSync(absDir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new StrataError(
        "CONFIG_INVALID",
        `migrations folder ${absDir} does not exist; create it or fix "migrations" in strata.config.json`,
        { dir: absDir },
      );
    }
    throw e;
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!isRevisionFileName(entry.name)) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && statSync(path.join(absDir, entry.name), { throwIfNoEntry: false })?.isFile())) {
      names.push(entry.name);
    }
  }
  // Plain code-unit order, the order knex sorts its migration files in: its default
  // (sortDirsSeparately false) is lodash sortBy over the file names of every folder, which for one
  // folder is the same order as `files.sort()` (sortDirsSeparately true); both compare code units.
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The files of a knex folder knex itself would run: their extension is one it loads (case-sensitive, as knex's check is). */
function knexMigrationFiles(facts: readonly FileFacts[], loadExtensions: readonly string[]): FileFacts[] {
  return facts.filter((f) => loadExtensions.includes(path.extname(f.name)));
}

function relativeDisplay(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

/**
 * Reads whole files into one reused buffer: for thousands of small files, synchronous reads
 * without readFileSync's extra fstat beat both readFileSync and the thread pool.
 */
class FileReader {
  private buffer = Buffer.allocUnsafe(1 << 16);

  /** The file's bytes, valid until the next read. */
  read(file: string): Buffer {
    const fd = openSync(file, "r");
    try {
      let length = readSync(fd, this.buffer, 0, this.buffer.length, 0);
      if (length === this.buffer.length) {
        this.buffer = Buffer.allocUnsafe(Math.max(fstatSync(fd).size + 1, this.buffer.length * 2));
        length = 0;
        for (let n; (n = readSync(fd, this.buffer, length, this.buffer.length - length, length)) > 0; ) {
          length += n;
          if (length === this.buffer.length) {
            const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
            this.buffer.copy(bigger);
            this.buffer = bigger;
          }
        }
      }
      return this.buffer.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  }
}

/** The checksum Strata records for a file: sha256 of its bytes, hex. */
export function fileChecksum(bytes: Uint8Array): string {
  return hash("sha256", bytes, "hex");
}

function decodeSource(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function readFacts(reader: FileReader, absDir: string, name: string, display: string): FileFacts {
  // absDir is resolved and a directory entry has no separator: no need for path.join's normalising.
  const file = absDir.endsWith(path.sep) ? absDir + name : absDir + path.sep + name;
  const bytes = reader.read(file);
  const checksum = fileChecksum(bytes);
  const source = decodeSource(bytes);
  const scan = scanExports(source);
  const scanned = scan.exports;
  return {
    file,
    name,
    display,
    checksum,
    source,
    scanned,
    opaque: scan.opaque,
    declared: scanned,
    values: { get: (n: string) => { const e = scanned.get(n); return e?.kind === "literal" ? e.value : undefined; } },
  };
}

/** The file's text, read again (a retry after a failed load), refusing if it changed since its checksum was taken. */
function rereadSource(file: string, display: string, checksum: string): string {
  const bytes = readFileSync(file);
  if (fileChecksum(bytes) !== checksum) {
    throw new StrataError("REVISION_FILE_INVALID", `${display}: the file changed while Strata was reading it; reload the migrations and try again`, { file });
  }
  return decodeSource(bytes);
}

/** The text read with the checksum, once: a retry after a failed load reads the file again. */
function takeSource(f: { source?: string | undefined }, file: string, display: string, checksum: string): string {
  const text = f.source ?? rereadSource(file, display, checksum);
  f.source = undefined;
  return text;
}

async function evaluateInto(f: FileFacts): Promise<void> {
  if (f.evaluated) return;
  const exported = functionsFromDefault(await evaluateRevision(f.file, takeSource(f, f.file, f.display, f.checksum), f.display));
  f.evaluated = exported;
  const values = new Map(Object.entries(exported).filter(([, v]) => v !== undefined));
  f.declared = values;
  f.values = values;
}

/** `export default { up, down }` (or `module.exports.default`) holds the functions when the module itself does not. */
function functionsFromDefault(exported: Record<string, unknown>): Record<string, unknown> {
  const dflt = exported.default;
  if (typeof exported.up !== "function" && typeof dflt === "object" && dflt !== null && typeof (dflt as Record<string, unknown>).up === "function") {
    return { ...(dflt as Record<string, unknown>), ...Object.fromEntries(Object.entries(exported).filter(([k]) => k !== "default")) };
  }
  return exported;
}

/** "migrations/x.ts:LINE:COL" for the declaration of an export (or 1:1), reading the file again. */
function locate(file: string, display: string, exportName: string | undefined): string {
  let text: string;
  try {
    text = decodeSource(readFileSync(file));
  } catch {
    return `${display}:1:1`;
  }
  const offset = exportName === undefined ? undefined : scanExports(text).exports.get(exportName)?.offset;
  if (offset === undefined) return `${display}:1:1`;
  const { line, column } = lineColumnAt(text, offset);
  return `${display}:${line}:${column}`;
}

function invalidAt(file: string, display: string, exportName: string | undefined, message: string): StrataError {
  return new StrataError("REVISION_FILE_INVALID", `${locate(file, display, exportName)}: ${message}`, { file });
}

function invalid(f: FileFacts, exportName: string | undefined, message: string): StrataError {
  return invalidAt(f.file, f.display, exportName, message);
}

/** What keeps a file from being a revision of the folder's mode, if anything (cheap; no message). */
function problemWith(f: FileFacts, mode: ScriptDirectory["mode"]): "no-revision" | "no-functions" | undefined {
  if (mode === "strata" && !f.declared.has("revision")) return "no-revision";
  if (!f.declared.has("up") || !f.declared.has("down")) return "no-functions";
  return undefined;
}

function checkDeclaresRevision(f: FileFacts, mode: ScriptDirectory["mode"], strataCount: number, folder: string): void {
  const hasUp = f.declared.has("up");
  const hasDown = f.declared.has("down");
  if (mode === "strata") {
    if (!f.declared.has("revision")) {
      if (hasUp || hasDown) {
        throw invalid(
          f,
          hasUp ? "up" : "down",
          `exports up/down but no \`revision\`, while ${strataCount} other file(s) in ${folder}/ do; add \`export const revision = "..."\` and \`downRevision\` to it`,
        );
      }
      throw invalid(f, undefined, `exports neither \`revision\` nor up/down functions; only revision files belong in ${folder}/`);
    }
    if (!hasUp || !hasDown) {
      const missing = hasUp ? "down" : "up";
      throw invalid(f, "revision", `the revision has no \`${missing}\` function; add \`export async function ${missing}(knex: Knex)\` to it`);
    }
  } else if (!hasUp || !hasDown) {
    throw invalid(
      f,
      hasUp ? "up" : hasDown ? "down" : undefined,
      hasUp || hasDown
        ? `knex migration without a \`${hasUp ? "down" : "up"}\` function; export one from it`
        : `exports neither \`revision\` nor up/down functions; only revision files belong in ${folder}/`,
    );
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A string or a list of strings, as `branchLabels` and `dependsOn` may be written. */
function stringList(f: FileFacts, name: string, what: string): readonly string[] {
  const v = f.values.get(name);
  if (v === undefined || v === null) return [];
  if (typeof v === "string" && v !== "") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string" && x !== "")) return v as string[];
  throw invalid(f, name, `${name} must be ${what}, not ${describe(v)}`);
}

function transactionOf(f: FileFacts): boolean {
  const t = f.values.get("transaction");
  if (t !== undefined && typeof t !== "boolean") throw invalid(f, "transaction", `transaction must be true or false, not ${describe(t)}`);
  const config = f.values.get("config");
  let fromConfig: unknown;
  if (config !== undefined && config !== null) {
    if (typeof config !== "object") throw invalid(f, "config", `config must be an object such as { transaction: false }, not ${describe(config)}`);
    fromConfig = (config as Record<string, unknown>).transaction;
    if (fromConfig !== undefined && typeof fromConfig !== "boolean") {
      throw invalid(f, "config", `config.transaction must be true or false, not ${describe(fromConfig)}`);
    }
  }
  return (t as boolean | undefined) ?? (fromConfig as boolean | undefined) ?? true;
}

function strataScript(f: FileFacts): RevisionScript {
  const revision = f.values.get("revision");
  if (typeof revision !== "string" || revision.trim() === "") {
    throw invalid(f, "revision", `revision must be a non-empty string, not ${describe(revision)}`);
  }
  if (revision.trim() !== revision) throw invalid(f, "revision", `revision ${JSON.stringify(revision)} has spaces around it; remove them`);
  if (!f.declared.has("downRevision")) {
    throw invalid(f, "revision", `revision ${revision} has no \`downRevision\` export; write \`export const downRevision = null\` for a first revision`);
  }
  const down = f.values.get("downRevision");
  let downRevisions: readonly string[];
  if (down === null) downRevisions = [];
  else if (typeof down === "string" && down !== "") downRevisions = [down];
  else if (Array.isArray(down) && down.every((x) => typeof x === "string" && x !== "")) downRevisions = down as string[];
  else {
    throw invalid(f, "downRevision", `downRevision must be a revision id, an array of ids (a merge) or null, not ${describe(down)}`);
  }
  const message = f.values.get("message");
  if (message !== undefined && message !== null && typeof message !== "string") {
    throw invalid(f, "message", `message must be a string, not ${describe(message)}`);
  }
  return makeScript(f, {
    revision,
    downRevisions,
    branchLabels: stringList(f, "branchLabels", "a label or an array of labels"),
    dependsOn: stringList(f, "dependsOn", "a revision id or label, or an array of them"),
    message: typeof message === "string" ? message : "",
    transaction: transactionOf(f),
  });
}

/** A plain knex folder: one chain in file-name order, ids from the file names. */
function knexScripts(facts: readonly FileFacts[]): RevisionScript[] {
  let previous: string | undefined;
  return facts.map((f): RevisionScript => {
    const revision = f.name.slice(0, f.name.length - path.extname(f.name).length);
    const script = makeScript(f, {
      revision,
      downRevisions: previous === undefined ? [] : [previous],
      branchLabels: [],
      dependsOn: [],
      message: f.name,
      transaction: transactionOf(f),
    });
    previous = revision;
    return { ...script, knexName: f.name };
  });
}

interface ScriptMetadata {
  readonly revision: string;
  readonly downRevisions: readonly string[];
  readonly branchLabels: readonly string[];
  readonly dependsOn: readonly string[];
  readonly message: string;
  readonly transaction: boolean;
}

function makeScript(f: FileFacts, meta: ScriptMetadata): RevisionScript {
  // The closure keeps only what load() needs, not the facts (see FileFacts).
  const { file, display, checksum } = f;
  let evaluated = f.evaluated;
  // The text whose checksum is recorded is the text that runs, read once.
  const kept: { source?: string | undefined } = { source: evaluated ? undefined : f.source };
  let loading: Promise<RevisionModule> | undefined;
  const load = (): Promise<RevisionModule> => {
    if (loading) return loading;
    const started = (async (): Promise<RevisionModule> => {
      evaluated ??= functionsFromDefault(await evaluateRevision(file, takeSource(kept, file, display, checksum), display));
      const exported = evaluated;
      for (const name of ["up", "down"] as const) {
        const fn = exported[name];
        if (typeof fn !== "function") {
          throw invalidAt(
            file,
            display,
            fn === undefined ? "revision" : name,
            fn === undefined
              ? `revision ${meta.revision} has no \`${name}\` function; add \`export async function ${name}(knex: Knex)\` to it`
              : `\`${name}\` must be a function, not ${describe(fn)}`,
          );
        }
      }
      const up = exported.up as RevisionModule["up"];
      const down = exported.down as RevisionModule["down"];
      return { up: (knex) => up.call(exported, knex), down: (knex) => down.call(exported, knex) };
    })();
    loading = started;
    // A failed load is not cached: the file may be fixed and loaded again.
    started.catch(() => {
      if (loading === started) loading = undefined;
    });
    return started;
  };
  const script: RevisionScript = {
    revision: meta.revision,
    downRevisions: meta.downRevisions,
    branchLabels: meta.branchLabels,
    dependsOn: meta.dependsOn,
    message: meta.message,
    file,
    checksum,
    transaction: meta.transaction,
    load,
  };
  // The text still to load (undefined once loaded), for compileScriptsAhead.
  pendingSources.set(script, () => (evaluated || loading ? undefined : kept.source));
  return script;
}

/** Per script of a loaded folder: the text it will compile on load, while it is not loaded yet. */
const pendingSources = new WeakMap<RevisionScript, () => string | undefined>();

/**
 * Compiles these scripts' files into the compile cache ahead of their loads (see
 * compileRevisionsAhead): a plan or a scratch build then loads each from the cache. Scripts
 * already loaded, or whose text is not held, are skipped; errors are left to the loads.
 */
export async function compileScriptsAhead(scripts: Iterable<RevisionScript | undefined>, turn?: () => Promise<void>, options?: CompileAheadOptions): Promise<number> {
  const files: SourceToCompile[] = [];
  for (const s of scripts) {
    const source = s === undefined ? undefined : pendingSources.get(s)?.();
    if (s !== undefined && source !== undefined) files.push({ file: s.file, source });
  }
  return files.length === 0 ? 0 : compileRevisionsAhead(files, turn, options);
}

function checkUniqueIds(scripts: readonly RevisionScript[], displayRoot: string): void {
  const seen = new Map<string, RevisionScript>();
  for (const s of scripts) {
    const other = seen.get(s.revision);
    if (other) {
      throw new StrataError(
        "REVISION_DUPLICATE",
        `${relativeDisplay(displayRoot, other.file)} and ${relativeDisplay(displayRoot, s.file)} both define revision ${s.revision}; give one of them a new id`,
        { revision: s.revision, files: [other.file, s.file] },
      );
    }
    seen.set(s.revision, s);
  }
}
