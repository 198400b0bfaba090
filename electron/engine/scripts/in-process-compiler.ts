import { createRequire } from "node:module";
import path from "node:path";

/** The compiler's loader for a file name's extension. */
export function loaderFor(file: string): "ts" | "js" {
  const ext = path.extname(file).toLowerCase();
  return ext === ".ts" || ext === ".mts" || ext === ".cts" ? "ts" : "js";
}

/** The transforms sucrase applies to a file: types stripped from TypeScript, ESM turned into CommonJS. */
export function sucraseTransforms(file: string): ("typescript" | "imports")[] {
  return loaderFor(file) === "ts" ? ["typescript", "imports"] : ["imports"];
}

/** Strata's own require(): in the CLI bundle and under vitest `__filename` is defined. */
export function requireFromStrata(request: string): unknown {
  return createRequire(typeof __filename === "string" ? __filename : path.join(process.cwd(), "x.js"))(request);
}

let compilerId: string | null | undefined;

/**
 * What sucrase's output depends on besides the source, part of every compile cache key: its
 * version, read from its package.json (a run whose files are all cached never loads sucrase
 * itself), and the options Strata gives it. Undefined if the version cannot be read, which
 * turns the compile cache off.
 */
export function inProcessCompilerId(): string | undefined {
  if (compilerId === undefined) {
    try {
      const version = (requireFromStrata("sucrase/package.json") as { version?: unknown }).version;
      compilerId =
        typeof version === "string"
          ? `sucrase@${version};production;ts=${sucraseTransforms("x.ts").join("+")};js=${sucraseTransforms("x.js").join("+")}`
          : null;
    } catch {
      compilerId = null;
    }
  }
  return compilerId ?? undefined;
}
