import type { Message, TransformFailure, TransformOptions } from "esbuild";
import { readFileSync, statSync } from "node:fs";
import Module, { SourceMap } from "node:module";
import path from "node:path";
import { compileFunction } from "node:vm";
import { StrataError } from "../errors.js";
import { compileKey, compileUnderWay, folderCompileCache, scheduleCompileCacheFlush, sourceDigest } from "./compile-cache.js";
import { COMPILE_TARGET, compilerId, esbuild, loaderFor } from "./esbuild-compiler.js";
import { compileWithSucrase, sucraseCompilerId } from "./sucrase-compiler.js";

/** The parts of node:module's Module that @types/node does not declare. */
interface CommonJsModule {
  filename: string;
  paths: string[];
  exports: unknown;
  loaded: boolean;
  require(request: string): unknown;
  _compile(code: string, filename: string): void;
}
interface CommonJsModuleClass {
  new (id: string, parent?: unknown): CommonJsModule;
  _nodeModulePaths(from: string): string[];
}

const ModuleClass = Module as unknown as CommonJsModuleClass;

let strataPaths: readonly string[] | undefined;

/**
 * Strata's own node_modules folders, searched after the revision's: a migrations folder outside
 * any npm project still finds `knex`. In the CLI bundle and under vitest `__dirname` is defined;
 * elsewhere the working folder is the best guess left.
 */
function strataNodeModulePaths(): readonly string[] {
  if (strataPaths === undefined) {
    const here = typeof __dirname === "string" ? __dirname : process.cwd();
    strataPaths = ModuleClass._nodeModulePaths(here);
  }
  return strataPaths;
}

/** What compiling a revision file gives: CommonJS code and its source map. */
export interface CompiledRevision {
  readonly code: string;
  readonly map: string;
  /** The code is the source itself (see isCommonJsAsWritten), so it keeps the source's line numbers. */
  readonly asWritten?: boolean;
  /** Made by Sucrase (see sucrase-compiler.ts): its source map, made again for an error, is Sucrase's, not esbuild's. */
  readonly bySucrase?: boolean;
}

/**
 * Compiles a revision file (TypeScript or JavaScript, ESM or CommonJS) to CommonJS: with Sucrase where
 * it can (see compileWithSucrase), else with esbuild, whose message names the file and line of a syntax
 * error. `displayName` is how the file is named in error messages, e.g. "migrations/x.ts". Without a
 * source map (how every revision is loaded) the code comes from the compile cache where it can; the
 * map is made only for an error that needs a line, by the compiler that made the code. `compiler`
 * "esbuild" skips Sucrase (its output did not parse).
 */
export async function compileRevision(
  file: string,
  source: string,
  displayName: string,
  withSourceMap = true,
  compiler: "any" | "esbuild" = "any",
): Promise<CompiledRevision> {
  if (!withSourceMap && isCommonJsAsWritten(file, source)) return { code: source, map: "", asWritten: true };
  const keys = withSourceMap ? undefined : compileKeys(file, source);
  const cache = keys === undefined ? undefined : folderCompileCache(file);
  const name = path.basename(file);
  const flying = cache === undefined ? undefined : compilesAhead.get(keys!.esbuild);
  // A batch compiling this text already: its answer, not a compile of our own.
  if (flying !== undefined) await flying;
  if (cache !== undefined) {
    const bySucrase = compiler === "any" && keys!.sucrase !== undefined ? cache.get(name, keys!.sucrase) : undefined;
    if (bySucrase !== undefined) return { code: bySucrase, map: "", bySucrase: true };
    const byEsbuild = cache.get(name, keys!.esbuild);
    if (byEsbuild !== undefined) return { code: byEsbuild, map: "" };
  }
  if (compiler === "any") {
    const fast = compileWithSucrase(file, source, withSourceMap);
    if (fast !== undefined) {
      if (cache !== undefined && keys?.sucrase !== undefined) {
        cache.set(name, keys.sucrase, fast.code);
        scheduleCompileCacheFlush();
      }
      return { code: fast.code, map: fast.map, bySucrase: true };
    }
  }
  let result;
  // The cache's scheduled write waits for this compile, so it holds the whole batch.
  const ended = cache === undefined ? undefined : compileUnderWay();
  try {
    try {
      result = await esbuild().transform(source, { ...transformOptions(file, source, true), sourcemap: withSourceMap ? "external" : false });
    } catch (e) {
      const first = (e as Partial<TransformFailure>).errors?.[0];
      if (first === undefined) throw e;
      throw syntaxError(first, displayName, file);
    }
    if (cache !== undefined) {
      cache.set(name, keys!.esbuild, result.code);
      scheduleCompileCacheFlush();
    }
  } finally {
    ended?.();
  }
  return { code: result.code, map: result.map };
}

/**
 * The compile cache keys of a text, one per compiler (the key says which compiler made an entry);
 * undefined when the cache is off or esbuild's version cannot be read.
 */
function compileKeys(file: string, source: string): CompileKeys | undefined {
  const esbuildId = compilerId();
  if (esbuildId === undefined) return undefined;
  const known = keysByFile.get(file);
  if (known !== undefined && known.source === source) return known.keys;
  const digest = sourceDigest(source);
  const sucraseId = sucraseCompilerId();
  const keys = { esbuild: compileKey(esbuildId, file, digest), sucrase: sucraseId === undefined ? undefined : compileKey(sucraseId, file, digest) };
  keysByFile.set(file, { source, keys });
  return keys;
}

interface CompileKeys {
  readonly esbuild: string;
  readonly sucrase: string | undefined;
}

/**
 * The keys last worked out per file, with the text they are for: a file is looked up by the warm-up,
 * each drift build, the plan and its load, and three hashes each time were a tenth of the plan's
 * first click (issue 19 point 7). The text held is the one the script holds until it is loaded;
 * the entry goes once the file is evaluated (its script keeps the module, not the text).
 */
const keysByFile = new Map<string, { readonly source: string; readonly keys: CompileKeys }>();

/** A revision file's text, to compile ahead of its load. */
export interface SourceToCompile {
  readonly file: string;
  readonly source: string;
}

/** Files compiled ahead in one call to esbuild: a batch is one message each way, where a compile per file is one round trip each. */
const COMPILE_AHEAD_BATCH = 500;

/**
 * Milliseconds of Sucrase's work between two turns: background work gives the event loop back that
 * often, so a request that comes meanwhile waits no longer than that, on a loaded machine too (a count
 * of files per turn took ten times as long there).
 */
export const BACKGROUND_SLICE_MS = 5;

/** A file left to esbuild by compileRevisionsAhead, with its cache and key. */
interface EsbuildMiss extends SourceToCompile {
  readonly key: string;
  readonly cache: NonNullable<ReturnType<typeof folderCompileCache>>;
}

/** What compiling ahead may use: `esbuild` false leaves what Sucrase cannot compile to the loads (a background warm-up keeps off the other core). */
export interface CompileAheadOptions {
  readonly esbuild?: boolean;
}

/**
 * Compiles revision files into the compile cache ahead of their loads (issue 19 point 7). Sucrase
 * compiles what it can in Strata's own thread, BACKGROUND_SLICE_MS of work between two calls of
 * `turn` (background work gives the event loop back and steps aside for a person's call). The rest
 * goes to esbuild in batches: one compile per file cost a 2,000-step plan seconds of round trips to
 * esbuild, where one build of many entry points is one message each way. esbuild reads each file's
 * text from here (a plugin), never from disk, so the code cached under a text's digest is that text's.
 * Files already cached, CommonJS as written, or (for esbuild) using import.meta (their own options)
 * are left to their load; a batch esbuild refuses (a syntax error in one file) is left to the loads
 * too, which name the file and line. Does nothing when the cache is off. Resolves to the number compiled.
 */
export async function compileRevisionsAhead(files: Iterable<SourceToCompile>, turn?: () => Promise<void>, options: CompileAheadOptions = {}): Promise<number> {
  if (compilerId() === undefined) return 0;
  // One write of the cache once the files are in, not one per turn (each write holds the whole folder).
  const ended = compileUnderWay();
  let bySucrase;
  try {
    bySucrase = await compileAheadWithSucrase(files, turn);
  } finally {
    ended();
  }
  return bySucrase.compiled + (options.esbuild === false ? 0 : await compileAheadWithEsbuild(bySucrase.left, turn));
}

/** Compiles with Sucrase the files not yet cached; resolves to how many, and the files left to esbuild. */
async function compileAheadWithSucrase(files: Iterable<SourceToCompile>, turn: (() => Promise<void>) | undefined): Promise<{ compiled: number; left: EsbuildMiss[] }> {
  const left: EsbuildMiss[] = [];
  const seen = new Set<string>();
  let compiled = 0;
  let sliceFrom = performance.now();
  for (const f of files) {
    if (seen.has(f.file) || isCommonJsAsWritten(f.file, f.source)) continue;
    seen.add(f.file);
    const cache = folderCompileCache(f.file);
    const keys = cache === undefined ? undefined : compileKeys(f.file, f.source);
    if (cache === undefined || keys === undefined) continue;
    const name = path.basename(f.file);
    const cached = (): boolean => (keys.sucrase !== undefined && cache.get(name, keys.sucrase) !== undefined) || cache.get(name, keys.esbuild) !== undefined;
    if (cached()) continue;
    if (keys.sucrase !== undefined) {
      if (turn !== undefined && performance.now() - sliceFrom >= BACKGROUND_SLICE_MS) {
        await turn();
        sliceFrom = performance.now();
        // Loaded meanwhile (a plan's own loads compile too).
        if (cached()) continue;
      }
      const fast = compileWithSucrase(f.file, f.source);
      if (fast !== undefined) {
        cache.set(name, keys.sucrase, fast.code);
        scheduleCompileCacheFlush();
        compiled++;
        continue;
      }
    }
    if (!f.source.includes("import.meta")) left.push({ ...f, key: keys.esbuild, cache });
  }
  return { compiled, left };
}

/** Compiles these files with esbuild, COMPILE_AHEAD_BATCH per build; resolves to how many. */
async function compileAheadWithEsbuild(misses: readonly EsbuildMiss[], turn: (() => Promise<void>) | undefined): Promise<number> {
  let compiled = 0;
  // Files another caller is compiling (the background warm-up, a drift build): waited for, not compiled twice.
  const others = new Set<Promise<void>>();
  for (let from = 0; from < misses.length; from += COMPILE_AHEAD_BATCH) {
    if (from > 0) await turn?.();
    const batch = misses.slice(from, from + COMPILE_AHEAD_BATCH);
    const todo: typeof batch = [];
    for (const m of batch) {
      const flying = compilesAhead.get(m.key);
      if (flying !== undefined) others.add(flying);
      // Another batch (or load) may have compiled it meanwhile.
      else if (m.cache.get(path.basename(m.file), m.key) === undefined) todo.push(m);
    }
    if (todo.length === 0) continue;
    const ended = compileUnderWay();
    let done = (): void => undefined;
    const flight = new Promise<void>((resolve) => (done = resolve));
    for (const m of todo) compilesAhead.set(m.key, flight);
    try {
      const codes = await buildMany(todo);
      if (codes === undefined) continue;
      todo.forEach((m, i) => m.cache.set(path.basename(m.file), m.key, codes[i]!));
      compiled += todo.length;
      scheduleCompileCacheFlush();
    } finally {
      for (const m of todo) if (compilesAhead.get(m.key) === flight) compilesAhead.delete(m.key);
      done();
      ended();
    }
  }
  await Promise.all(others);
  return compiled;
}

/** Batches under way, by compile key: resolved (never rejected) once the batch's results are in the cache or it failed. */
const compilesAhead = new Map<string, Promise<void>>();

/** One esbuild build of many files from their texts, each with the options a single compile gives it; undefined if it fails. */
async function buildMany(files: readonly SourceToCompile[]): Promise<string[] | undefined> {
  const byPath = new Map(files.map((f) => [f.file, f.source] as const));
  const outdir = path.join(path.sep, "strata-compile-ahead");
  const first = files[0];
  if (first === undefined) return [];
  const single = transformOptions(first.file, first.source, true);
  try {
    const result = await esbuild().build({
      entryPoints: files.map((f, i) => ({ in: f.file, out: String(i) })),
      outdir,
      write: false,
      bundle: false,
      ...COMPILE_TARGET,
      logLevel: "silent",
      ...(single.banner === undefined ? {} : { banner: { js: single.banner } }),
      plugins: [
        {
          name: "strata-revision-sources",
          setup(build) {
            // The namespace keeps esbuild from reading the path itself; the path names its exports' helpers as a single compile does.
            build.onResolve({ filter: /.*/ }, (a) => (byPath.has(a.path) ? { path: a.path, namespace: "strata-revision" } : { external: true }));
            build.onLoad({ filter: /.*/, namespace: "strata-revision" }, (a) => ({ contents: byPath.get(a.path)!, loader: loaderFor(a.path) }));
          },
        },
      ],
    });
    const out = new Map(result.outputFiles.map((o) => [o.path, o.text] as const));
    const codes = files.map((_, i) => out.get(path.join(outdir, `${i}.js`)));
    return codes.every((c): c is string => c !== undefined) ? codes : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `.js` or `.cjs` file with no `import` or `export` in its text is CommonJS already (knex's
 * own migrations are): it runs as Node would run it, with nothing to compile, in sloppy mode
 * unless it says "use strict". Any other file goes through the compiler.
 */
function isCommonJsAsWritten(file: string, source: string): boolean {
  const ext = path.extname(file).toLowerCase();
  return (ext === ".js" || ext === ".cjs") && !/\b(?:import|export)\b/.test(source);
}

/**
 * esbuild's options for a file. `strict`: revision files run in strict mode, as the ESM they are
 * mostly written in would (esbuild's CommonJS output does not say "use strict" for it).
 */
function transformOptions(file: string, source: string, strict: boolean): TransformOptions {
  // CommonJS has no import.meta; ESM revisions use it to find files next to themselves.
  const usesImportMeta = source.includes("import.meta");
  const banner = [strict ? '"use strict";' : "", usesImportMeta ? 'var __strataImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' : ""].join(" ").trim();
  return {
    loader: loaderFor(file),
    ...COMPILE_TARGET,
    sourcefile: file,
    sourcemap: "external",
    logLevel: "silent",
    ...(banner === "" ? {} : { banner }),
    ...(usesImportMeta
      ? {
          define: {
            "import.meta.url": "__strataImportMetaUrl",
            "import.meta.filename": "__filename",
            "import.meta.dirname": "__dirname",
          },
        }
      : {}),
  };
}

/**
 * A CommonJS module for `file` whose require() finds packages from the file's folder, then
 * Strata's, and compiles relative TypeScript modules (helpers shared by revisions) itself.
 */
function createModule(file: string): CommonJsModule {
  const mod = new ModuleClass(file);
  mod.filename = file;
  mod.paths = modulePathsFor(path.dirname(file)).slice();
  const nodeRequire = mod.require.bind(mod);
  mod.require = (request: string): unknown => {
    const helper = typeScriptHelperFile(path.dirname(file), request);
    return helper === undefined ? nodeRequire(request) : requireTypeScriptHelper(helper);
  };
  return mod;
}

const modulePaths = new Map<string, readonly string[]>();

/** The node_modules folders searched from `dir`, then Strata's: the same for every revision of a folder. */
function modulePathsFor(dir: string): readonly string[] {
  let paths = modulePaths.get(dir);
  if (paths === undefined) {
    paths = [...new Set([...ModuleClass._nodeModulePaths(dir), ...strataNodeModulePaths()])];
    modulePaths.set(dir, paths);
  }
  return paths;
}

/** The TypeScript file a relative request names, or undefined to let Node resolve it as usual. */
function typeScriptHelperFile(fromDir: string, request: string): string | undefined {
  if (!request.startsWith("./") && !request.startsWith("../")) return undefined;
  const base = path.resolve(fromDir, request);
  const isFile = (f: string): boolean => statSync(f, { throwIfNoEntry: false })?.isFile() === true;
  if (/\.[mc]?ts$/.test(base)) return isFile(base) ? base : undefined;
  if (/\.[mc]?js$/.test(base)) {
    // TypeScript's own convention: "./x.js" in the source means x.ts when no x.js exists.
    const ts = base.replace(/js$/, "ts");
    return !isFile(base) && isFile(ts) ? ts : undefined;
  }
  if (isFile(base) || isFile(`${base}.js`) || isFile(`${base}.json`)) return undefined;
  return [`${base}.ts`, `${base}.mts`, `${base}.cts`, path.join(base, "index.ts")].find(isFile);
}

const helperCache = new Map<string, { readonly mtimeMs: number; exports: unknown }>();

function requireTypeScriptHelper(file: string): unknown {
  const mtimeMs = statSync(file).mtimeMs;
  const cached = helperCache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.exports;
  const display = displayPath(file);
  let code: string;
  const helperSource = readFileSync(file, "utf8");
  try {
    code = esbuild().transformSync(helperSource, transformOptions(file, helperSource, false)).code;
  } catch (e) {
    const first = (e as Partial<TransformFailure>).errors?.[0];
    if (first === undefined) throw e;
    throw syntaxError(first, display, file);
  }
  const mod = createModule(file);
  // Registered before it runs, as Node does, so that a require cycle sees the partial exports.
  const entry = { mtimeMs, exports: mod.exports };
  helperCache.set(file, entry);
  try {
    mod._compile(code, file);
  } catch (e) {
    helperCache.delete(file);
    throw e;
  }
  mod.loaded = true;
  entry.exports = mod.exports;
  return mod.exports;
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

function syntaxError(m: Message, displayName: string, file: string): StrataError {
  const where = m.location ? `${displayName}:${m.location.line}:${m.location.column + 1}` : displayName;
  return new StrataError(
    "REVISION_FILE_INVALID",
    `${where}: ${m.text}`,
    { file, line: m.location?.line, column: m.location ? m.location.column + 1 : undefined },
  );
}

/**
 * Compiles and evaluates a revision file as a CommonJS module and returns its exports.
 * `require()` inside it resolves from the file's own folder first, then from Strata's node_modules;
 * relative TypeScript modules it imports are compiled the same way. `compiler` "esbuild" skips
 * Sucrase (tests compare the two).
 */
export async function evaluateRevision(file: string, source: string, displayName: string, compiler: "any" | "esbuild" = "any"): Promise<Record<string, unknown>> {
  // No source map on the way in (a third of the compile time); it is made only when the file throws.
  const compiled = await compileRevision(file, source, displayName, false, compiler);
  keysByFile.delete(file);
  try {
    return runModule(file, compiled.code);
  } catch (e) {
    // Node 20.19 and later answer a top-level await with a require(esm) error rather than a SyntaxError: any throw is checked.
    if (!compiled.bySucrase || parses(compiled.code, file)) {
      throw await loadError(e, compiled, file, source, displayName);
    }
  }
  // Sucrase passed through syntax that Node cannot parse (top-level await, decorators, a name declared
  // twice): none of the file ran. esbuild compiles it, or names the file and line as it always did.
  const byEsbuild = await compileRevision(file, source, displayName, false, "esbuild");
  try {
    return runModule(file, byEsbuild.code);
  } catch (e) {
    throw await loadError(e, byEsbuild, file, source, displayName);
  }
}

/** Runs compiled code as the CommonJS module `file` and returns its exports. */
function runModule(file: string, code: string): Record<string, unknown> {
  const mod = createModule(file);
  mod._compile(code, file);
  mod.loaded = true;
  const exported = mod.exports;
  return typeof exported === "object" && exported !== null ? (exported as Record<string, unknown>) : { default: exported };
}

/** Does Node parse this code as a CommonJS module's body? Compiles it without running it. */
function parses(code: string, file: string): boolean {
  try {
    compileFunction(code, ["exports", "require", "module", "__filename", "__dirname"], { filename: file });
    return true;
  } catch {
    return false;
  }
}

/** The error for a file that threw while it was loading, naming the line in the source where it threw. */
async function loadError(e: unknown, compiled: CompiledRevision, file: string, source: string, displayName: string): Promise<StrataError> {
  // V8 names no line for a syntax error in a file it compiled as written; the compiler does
  // (this throws the compiler's message when it rejects the file too).
  if (compiled.asWritten && e instanceof Error && e.name === "SyntaxError") await compileRevision(file, source, displayName, true, "esbuild");
  const at = compiled.asWritten
    ? generatedLocation(e, file)
    : originalLocation(e, file, (await compileRevision(file, source, displayName, true, compiled.bySucrase ? "any" : "esbuild")).map);
  const where = at ? `${displayName}:${at.line}:${at.column}` : displayName;
  const reason = e instanceof Error ? `${e.name === "Error" ? "" : `${e.name}: `}${e.message}` : String(e);
  return new StrataError(
    "REVISION_FILE_INVALID",
    `${where}: the file threw while loading: ${firstLine(reason)}`,
    { file, line: at?.line, column: at?.column },
    e instanceof Error ? e.stack : undefined,
  );
}

function firstLine(s: string): string {
  const nl = s.indexOf("\n");
  return nl < 0 ? s : s.slice(0, nl);
}

/** Where an error was thrown in code that kept the source's lines: its first stack frame in `file`. */
function generatedLocation(e: unknown, file: string): { line: number; column: number } | undefined {
  const stack = e instanceof Error ? e.stack : undefined;
  for (const line of stack?.split("\n") ?? []) {
    const at = line.lastIndexOf(file + ":");
    if (at < 0) continue;
    // V8's own SyntaxError (e.g. a name declared twice in a file run as written) heads its stack with "file:LINE" only.
    const m = /^(\d+)(?::(\d+))?/.exec(line.slice(at + file.length + 1));
    if (m) return { line: Number(m[1]), column: Number(m[2] ?? 1) };
  }
  return undefined;
}

/** Where in the original source an error was thrown: its first stack frame in `file`, mapped back through the source map. */
function originalLocation(e: unknown, file: string, map: string): { line: number; column: number } | undefined {
  const stack = e instanceof Error ? e.stack : undefined;
  if (!stack) return undefined;
  for (const line of stack.split("\n")) {
    const at = line.lastIndexOf(file + ":");
    if (at < 0) continue;
    const m = /^(\d+):(\d+)/.exec(line.slice(at + file.length + 1));
    if (!m) continue;
    const generatedLine = Number(m[1]);
    const generatedColumn = Number(m[2]);
    try {
      const entry = new SourceMap(JSON.parse(map)).findEntry(generatedLine - 1, generatedColumn - 1) as {
        originalLine?: number;
        originalColumn?: number;
      };
      if (typeof entry.originalLine === "number" && typeof entry.originalColumn === "number") {
        return { line: entry.originalLine + 1, column: entry.originalColumn + 1 };
      }
    } catch {
      // A map that does not parse only costs the line number.
    }
    return undefined;
  }
  return undefined;
}
