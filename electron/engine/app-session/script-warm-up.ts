import type { RevisionScript } from "../scripts/index.js";
import { BACKGROUND_SLICE_MS, compileScriptsAhead } from "../scripts/index.js";
import type { OpenProject } from "../use-cases/open-project.js";


/**
 * Compiles and loads (evaluates) every revision file of the project in the background, newest first,
 * so that a big plan's first click finds them ready (issue 19 point 7: a 2,000-step plan at 5,000
 * revisions spent seconds compiling and evaluating its files on its first click). Gentle on purpose:
 * Sucrase only (esbuild's batches took both cores while the person scrolled the graph: bench/ui.ts
 * 5000, p95 frame 23.4 ms against 14.3-15.2 ms), in Strata's own thread, BACKGROUND_SLICE_MS of work between
 * calls of `turn` (which gives the event loop back and waits while a person's call is answered),
 * so one thread's worth of a small machine's two cores, never both. A rest as long as the work before each turn was tried and dropped: under load
 * it stretched the warm-up from about 3 s to 4-16 s, and a plan clicked meanwhile waited longer. A file
 * that does not compile or throws while loading is left to the call that needs it, which reports it.
 * Drift's scratch builds load the same files from the oldest up; nothing is loaded twice.
 */
export async function warmUpScripts(project: OpenProject, turn: () => Promise<void>): Promise<void> {
  const order = newestFirst(project);
  await compileScriptsAhead(order, turn, { esbuild: false });
  let sliceFrom = -Infinity;
  for (const script of order) {
    if (performance.now() - sliceFrom >= BACKGROUND_SLICE_MS) {
      await turn();
      sliceFrom = performance.now();
    }
    await script.load().catch(() => undefined);
  }
}

/**
 * The project's revision files from its heads down, each after its children (breadth first): a plan
 * from an environment that is behind runs the newest revisions, while a drift build starts from base.
 */
export function newestFirst(project: Pick<OpenProject, "map" | "scripts">): RevisionScript[] {
  const seen = new Set<string>();
  const order: RevisionScript[] = [];
  const queue = [...project.map.heads];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    if (seen.has(id)) continue;
    seen.add(id);
    const script = project.scripts.get(id);
    if (script !== undefined) order.push(script);
    for (const parent of project.map.get(id)?.downRevisions ?? []) if (!seen.has(parent)) queue.push(parent);
  }
  // Not reachable from a head (none in a graph that loaded): last.
  for (const script of project.scripts.values()) if (!seen.has(script.revision)) order.push(script);
  return order;
}
