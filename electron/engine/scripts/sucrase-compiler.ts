import path from "node:path";
import type { Options } from "sucrase";
import { loaderFor, requireFromStrata } from "./esbuild-compiler.js";

/**
 * Sucrase, the compiler of the common revision file (issue 19 point 7): it runs in Strata's own
 * thread, a few hundredths of a millisecond per file, where esbuild costs a round trip to its own
 * process (a 2,000-step plan's first click spent seconds there). esbuild stays the compiler of what
 * Sucrase leaves alone or cannot be trusted with (see compileWithSucrase) and of every syntax error's
 * message. Loaded on first use, like esbuild; if it cannot be loaded, esbuild compiles everything.
 */
type SucraseModule = typeof import("sucrase");

let sucraseModule: SucraseModule | null | undefined;

function sucrase(): SucraseModule | undefined {
  if (sucraseModule === undefined) {
    try {
      sucraseModule = requireFromStrata("sucrase") as SucraseModule;
    } catch {
      sucraseModule = null;
    }
  }
  return sucraseModule ?? undefined;
}

/**
 * The options besides the transforms (which follow the extension, itself part of the cache key).
 * `disableESTransforms`: Node 20 runs modern syntax as written, as esbuild's node20 target leaves it;
 * class fields then keep their define semantics, as esbuild gives them. `preserveDynamicImport`:
 * `import()` stays an import, as esbuild leaves it, so a revision can still load an ES-only package.
 */
const SUCRASE_OPTIONS = { disableESTransforms: true, preserveDynamicImport: true } as const;

let id: string | null | undefined;

/**
 * Sucrase's part of a compile cache key: its version (from its package.json) and the options Strata
 * gives it; undefined where Sucrase cannot be found, which leaves every file to esbuild.
 */
export function sucraseCompilerId(): string | undefined {
  if (id === undefined) {
    try {
      const version = (requireFromStrata("sucrase/package.json") as { version?: unknown }).version;
      id = typeof version === "string" ? `sucrase@${version};imports;${Object.keys(SUCRASE_OPTIONS).sort().join(";")};strict` : null;
    } catch {
      id = null;
    }
  }
  return id ?? undefined;
}

/** What Sucrase made of a file: CommonJS code on the source's own lines, and its source map when asked for. */
export interface SucraseOutput {
  readonly code: string;
  readonly map: string;
}

/** Names of Sucrase's helpers for a default or namespace import of a CommonJS module. */
const INTEROP_HELPERS = /\b_interopRequire(?:Default|Wildcard)\b/;

/** A TypeScript namespace (or the older `module X {}`) declared with a body: Sucrase 3.35 drops it without a word. */
const NAMESPACE_DECLARATION = /(?:^|[;{}])\s*(?:export\s+)?(?:declare\s+)?(?:namespace|module)\s+[\w$.]+\s*\{/m;

/**
 * Compiles a revision file to CommonJS with Sucrase; or undefined where esbuild must compile it instead:
 * - the file uses `import.meta` (esbuild rewrites it to the file's own URL and paths);
 * - a TypeScript file declares a namespace, which Sucrase would leave out of its output;
 * - Sucrase's parser refuses it (esbuild then compiles it, or names the file and line);
 * - an `.mjs` or `.mts` file imports a default or a namespace: esbuild gives those Node's own rule
 *   (the default is `module.exports`, even of a module marked `__esModule`), Sucrase Babel's.
 * What Sucrase passes through and Node cannot parse (top-level await, decorators) is found when the
 * module is evaluated, before any of it runs (see evaluateRevision). The code keeps the source's line
 * numbers and runs in strict mode, as esbuild's output does.
 */
export function compileWithSucrase(file: string, source: string, withSourceMap = false): SucraseOutput | undefined {
  if (source.includes("import.meta")) return undefined;
  const ts = loaderFor(file) === "ts";
  if (ts && NAMESPACE_DECLARATION.test(source)) return undefined;
  const compiler = sucrase();
  if (compiler === undefined) return undefined;
  const options: Options = {
    transforms: ts ? ["typescript", "imports"] : ["imports"],
    ...SUCRASE_OPTIONS,
    filePath: file,
    ...(withSourceMap ? { sourceMapOptions: { compiledFilename: path.basename(file) } } : {}),
  };
  let result;
  try {
    result = compiler.transform(source, options);
  } catch {
    return undefined;
  }
  const ext = path.extname(file).toLowerCase();
  if ((ext === ".mjs" || ext === ".mts") && INTEROP_HELPERS.test(result.code)) return undefined;
  // The imports transform opens every file with it (a hashbang line first would come before it).
  if (!result.code.startsWith('"use strict";')) return undefined;
  return { code: result.code, map: result.sourceMap ? JSON.stringify(result.sourceMap) : "" };
}
