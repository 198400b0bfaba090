import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAppService } from "../engine/app-session/app-service.js";
import type { AppService, SchemaDiffPort } from "../engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../engine/app-session/profile-store.js";
import { createSchemaDiffPort } from "../engine/app-session/schema-diff-port.js";
import { startHttpHost } from "./http-host.js";
import type { HttpHost } from "./http-host.js";

/** Where `strata serve` keeps its profiles and recent projects: $STRATA_DATA_DIR, or ~/.strata. */
export function serveDataDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.STRATA_DATA_DIR ? path.resolve(env.STRATA_DATA_DIR) : path.join(os.homedir(), ".strata");
}

/** The built renderer: $STRATA_RENDERER_DIR, or dist/renderer beside the CLI bundle (dist/strata.cjs). */
export function rendererDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.STRATA_RENDERER_DIR) return path.resolve(env.STRATA_RENDERER_DIR);
  const here = typeof __dirname === "string" ? __dirname : process.cwd();
  const candidates = [path.join(here, "renderer"), path.join(here, "..", "..", "dist", "renderer"), path.join(here, "..", "dist", "renderer")];
  return candidates.find((c) => existsSync(path.join(c, "index.html"))) ?? candidates[0]!;
}

/** What `strata serve` runs with. */
export interface ServeOptions {
  readonly projectRoot: string | null;
  readonly port: number;
  readonly dataDir: string;
  readonly staticDir: string;
  readonly schemaDiff?: SchemaDiffPort;
  readonly token?: string;
}

/** The engine service and its HTTP host, running. */
export interface ServeSession {
  readonly service: AppService;
  readonly host: HttpHost;
  close(): Promise<void>;
}

/** Starts the engine service behind the HTTP + WebSocket host. */
export async function startServe(options: ServeOptions): Promise<ServeSession> {
  const service = createAppService({
    host: "browser",
    projectRoot: options.projectRoot,
    profiles: new ProfileStore(path.join(options.dataDir, "profiles.json"), NO_PASSWORD_STORAGE),
    recentFile: path.join(options.dataDir, "recent-projects.json"),
    schemaDiff: options.schemaDiff ?? createSchemaDiffPort(),
  });
  const host = await startHttpHost({
    handlers: service.handlers,
    events: service.events,
    port: options.port,
    staticDir: options.staticDir,
    onRequest: () => service.noteActivity(),
    ...(options.token ? { token: options.token } : {}),
  });
  // The page asks for the graph first: read the project while the person opens the URL.
  void service.warmUp();
  return {
    service,
    host,
    async close() {
      service.close();
      await host.close();
    },
  };
}

/** Opens url in the default browser; a failure is a warning (the URL is printed anyway). */
export function openInBrowser(url: string, warn: (line: string) => void): void {
  const [command, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', url]] : ["xdg-open", [url]];
  try {
    const child = spawn(command, args as string[], { stdio: "ignore", detached: true });
    child.on("error", (e) => warn(`strata: warning: could not open a browser (${command}: ${e.message}); open the URL above yourself`));
    child.unref();
  } catch (e) {
    warn(`strata: warning: could not open a browser (${e instanceof Error ? e.message : String(e)}); open the URL above yourself`);
  }
}
