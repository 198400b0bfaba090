import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDemoProject } from "../../electron/engine/demo/demo-project.js";
import { startServe, type ServeSession } from "../../electron/server/serve-app.js";

/** The demo project served in-process, and the temp folder it lives in. */
export interface ServedDemo {
  /** Holds renderer/ (the static files), project/ (the demo project) and data/ (the data folder). */
  readonly dir: string;
  readonly session: ServeSession;
}

/** Serves the demo project through startServe on a free port, with renderer/ holding `rendererFiles` (relative path -> text). */
export async function serveDemoProject(prefix: string, rendererFiles: Record<string, string>): Promise<ServedDemo> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    const staticDir = path.join(dir, "renderer");
    for (const [name, text] of Object.entries(rendererFiles)) {
      await mkdir(path.dirname(path.join(staticDir, name)), { recursive: true });
      await writeFile(path.join(staticDir, name), text);
    }
    await createDemoProject(path.join(dir, "project"));
    const session = await startServe({ projectRoot: path.join(dir, "project"), port: 0, dataDir: path.join(dir, "data"), staticDir });
    return { dir, session };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Closes the session and removes its folder; safe when serveDemoProject never returned. */
export async function closeDemoProject(demo: ServedDemo | undefined): Promise<void> {
  if (!demo) return;
  await demo.session.close();
  await rm(demo.dir, { recursive: true, force: true });
}
