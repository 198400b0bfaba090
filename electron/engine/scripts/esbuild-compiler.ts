import { createRequire } from "node:module";
import path from "node:path";

/** The compiler's loader for a file name's extension. */
export function loaderFor(file: string): "ts" | "js" {
  const ext = path.extname(file).toLowerCase();
  return ext === ".ts" || ext === ".mts" || ext === ".cts" ? "ts" : "js";
}

/** Strata's own require(): in the CLI bundle and under vitest `__filename` is defined. */
export function requireFromStrata(request: string): unknown {
  return createRequire(typeof __filename === "string" ? __filename : path.join(process.cwd(), "x.js"))(request);
}

let compiler: typeof import("esbuild") | undefined;

/**
 * esbuild, Strata's one compiler of revision files, loaded on first use: most commands read
 * revision files without compiling them (static-exports.ts), a run whose files are all in the
 * compile cache compiles none, and loading the compiler costs a tenth of a second at start-up.
 */
export function esbuild(): typeof import("esbuild") {
  compiler ??= requireFromStrata("esbuild") as typeof import("esbuild");
  return compiler;
}

/** The options every revision file is compiled with, part of the compile cache's key (see compilerId). */
export const COMPILE_TARGET = { format: "cjs", target: "node20", platform: "node" } as const;

let id: string | null | undefined;

/**
 * What the compiled code depends on besides the source, part of every compile cache key:
 * esbuild's version, read from its package.json (a run whose files are all cached never loads
 * esbuild itself), and the options Strata gives it. Undefined if the version cannot be read,
 * which turns the compile cache off.
 */
export function compilerId(): string | undefined {
  if (id === undefined) {
    try {
      const version = (requireFromStrata("esbuild/package.json") as { version?: unknown }).version;
      id = typeof version === "string" ? `esbuild@${version};${Object.values(COMPILE_TARGET).join(";")};strict` : null;
    } catch {
      id = null;
    }
  }
  return id ?? undefined;
}
