import path from "node:path";
import { pathToFileURL } from "node:url";
import { net, protocol } from "electron";

/** The scheme the app's page is served from (not file://, so that it has an origin and a CSP header). */
export const APP_SCHEME = "strata";
/** The page's origin; IPC senders are checked against it. */
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** The page's Content-Security-Policy: its own code only; it reaches the engine through the preload, not the network. */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // CodeMirror and React set inline styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join("; ");

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

/** Serves the built renderer from rendererDir under strata://app/, never a file outside it. */
export function serveRenderer(rendererDir: string): void {
  const root = path.resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== "app") return new Response("not found", { status: 404 });
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return new Response("bad path", { status: 400 });
    }
    if (rel.split("/").includes("..") || rel.includes("\0")) return new Response("not found", { status: 404 });
    let file = path.resolve(root, "." + (rel === "/" ? "/index.html" : rel));
    if (!file.startsWith(root + path.sep)) return new Response("not found", { status: 404 });
    if (path.extname(file) === "") file = path.join(root, "index.html");
    let res: Response;
    try {
      res = await net.fetch(pathToFileURL(file).toString());
    } catch {
      return new Response("not found", { status: 404 });
    }
    const headers = new Headers(res.headers);
    headers.set("content-security-policy", APP_CSP);
    headers.set("x-content-type-options", "nosniff");
    return new Response(res.body, { status: res.status, headers });
  });
}
