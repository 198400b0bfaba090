import { existsSync, readFileSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import path from "node:path";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/** The page's Content-Security-Policy: its own scripts only, and its own server for API and events. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // CodeMirror and React set inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The file a URL path names inside root, or null when it would leave root or names nothing there. */
export function resolveStaticFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  if (decoded.split("/").some((seg) => seg === "..")) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, "." + (decoded.endsWith("/") ? decoded + "index.html" : decoded));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

/** Sends a file of the built renderer; unknown paths without an extension get index.html (client routes). */
export function serveStatic(root: string, urlPath: string, port: number, res: ServerResponse): void {
  const headers = {
    "content-security-policy": contentSecurityPolicy(port),
    "x-content-type-options": "nosniff",
    // The page's URL carries the token; it must not leak through Referer.
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  };
  const file = resolveStaticFile(root, urlPath);
  if (file === null) {
    res.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  let target = file;
  if (!isFile(target)) {
    const index = path.join(path.resolve(root), "index.html");
    if (path.extname(urlPath) === "" && isFile(index)) target = index;
    else if (urlPath === "/" || urlPath === "/index.html") {
      res.writeHead(503, { ...headers, "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>Strata</title><p>The Strata UI is not built. Run <code>npm run build</code> and start <code>strata serve</code> again.</p>\n");
      return;
    } else {
      res.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
  }
  const type = CONTENT_TYPES[path.extname(target).toLowerCase()] ?? "application/octet-stream";
  const cache = path.basename(target) === "index.html" ? "no-store" : "no-cache";
  let bytes: Buffer;
  try {
    bytes = fileBytes(target);
  } catch {
    // Removed or unreadable since it was looked up (a rebuild while serving).
    res.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  res.writeHead(200, { ...headers, "content-type": type, "cache-control": cache, "content-length": bytes.length });
  res.end(bytes);
}

/** The built renderer's files by path, with the stat they were read at. */
const files = new Map<string, { readonly mtimeMs: number; readonly size: number; readonly bytes: Buffer }>();

/**
 * A file's bytes, kept in memory while it is unchanged (the renderer is about 1 MB). Sent in one
 * write, a file needs no turn of the thread pool or the event loop: streamed, the page's scripts
 * waited behind the engine's work, the project's first read among it (issue 19, bench/ui.ts).
 */
function fileBytes(file: string): Buffer {
  const { mtimeMs, size } = statSync(file);
  const known = files.get(file);
  if (known && known.mtimeMs === mtimeMs && known.size === size) return known.bytes;
  const bytes = readFileSync(file);
  files.set(file, { mtimeMs, size, bytes });
  return bytes;
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}
