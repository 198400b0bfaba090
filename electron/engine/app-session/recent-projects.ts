import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RecentProjectDto } from "../../../shared/api.js";

/** How many recent projects are remembered. */
const KEPT = 10;

/** Projects opened before, in one JSON file of the app's data folder. */
export class RecentProjects {
  constructor(private readonly file: string | null) {}

  /** Most recent first; entries whose folder is gone are left out. */
  list(): RecentProjectDto[] {
    if (this.file === null || !existsSync(this.file)) return [];
    try {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as { projects?: RecentProjectDto[] };
      return (parsed.projects ?? []).filter((p) => typeof p.root === "string" && existsSync(p.root));
    } catch {
      // A damaged list is not worth an error: it is only a convenience.
      return [];
    }
  }

  /** Puts a project on top of the list. */
  add(root: string): void {
    if (this.file === null) return;
    const entry: RecentProjectDto = { root, name: path.basename(root), openedAt: new Date().toISOString() };
    const projects = [entry, ...this.list().filter((p) => p.root !== root)].slice(0, KEPT);
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ projects }, null, 2) + "\n", "utf8");
    renameSync(tmp, this.file);
  }
}
