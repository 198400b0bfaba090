import path from "node:path";
import type { EnvironmentDto, GraphRevisionDto, ProjectSummaryDto } from "../../../shared/api.js";
import { readGitFileHistory, type GitFileCommit } from "../project/index.js";
import type { OpenProject } from "../use-cases/open-project.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The part of a summary that depends on the revision files only. */
type GraphPart = Omit<ProjectSummaryDto, "environments">;

// One per loaded project: a reload builds a new OpenProject, so a stale entry is never read
// and is collected with the project it belongs to.
const graphs = new WeakMap<OpenProject, Promise<GraphPart>>();

/** The revision graph as the GUI draws it, newest first, with parents as indexes; each file's last commit where git knows it. */
async function buildGraph(project: OpenProject): Promise<GraphPart> {
  // One git process per loaded project (issue 19): the rows' dates and authors.
  const commits: ReadonlyMap<string, GitFileCommit> = await readGitFileHistory(project.migrationsDir);
  const { map } = project;
  const order = map.records.length === 0 ? [] : map.iterateHistory();
  const indexOf = new Map<string, number>();
  order.forEach((r, i) => indexOf.set(r.revision, i));
  const effective = new Set(map.effectiveHeads);
  // path.relative resolves both paths on every call: 10,000 of them held the server's event loop
  // for ~25 ms (issue 19 point 7). Files read from the folder start with it; anything else (a
  // symlink's target, a path with '.' segments) takes the slow, exact way.
  const prefix = project.migrationsDir.endsWith(path.sep) ? project.migrationsDir : project.migrationsDir + path.sep;
  const migrationsRelative = (file: string): string => {
    const rest = file.startsWith(prefix) ? file.slice(prefix.length) : null;
    const plain = rest !== null && rest !== "" && !rest.startsWith(".") && !rest.includes(`${path.sep}.`) && !rest.includes(`${path.sep}${path.sep}`);
    const relative = plain ? rest : path.relative(project.migrationsDir, file);
    return path.sep === "/" ? relative : relative.split(path.sep).join("/");
  };
  const revisions = order.map((r): GraphRevisionDto => {
    const parents: number[] = [];
    for (const p of r.downRevisions) {
      const i = indexOf.get(p);
      // RevisionMap.build refuses dangling parents; a missing one is left out rather than sent as -1.
      if (i !== undefined) parents.push(i);
    }
    const file = project.scripts.get(r.revision)?.file;
    const commit = file === undefined ? undefined : commits.get(file);
    const dependencies: number[] = [];
    for (const d of map.dependsOn(r.revision)) {
      const i = indexOf.get(d);
      if (i !== undefined) dependencies.push(i);
    }
    // Computed here, not in the renderer: Alembic's label spreading is graph semantics (issue 20).
    const inherited = map.branchLabels(r.revision);
    const inheritsSome = inherited.length > r.branchLabels.length;
    // Assigned one by one rather than spread from ten small objects: 10,000 rows (issue 19 point 7).
    const row: Mutable<GraphRevisionDto> = { id: r.revision, message: r.message, parents };
    if (r.branchLabels.length > 0) row.branchLabels = r.branchLabels;
    if (r.dependsOn.length > 0) row.dependsOn = r.dependsOn;
    if (file) row.file = migrationsRelative(file);
    if (inheritsSome) row.inheritedLabels = inherited.filter((l) => !r.branchLabels.includes(l));
    if (effective.has(r.revision)) row.effectiveHead = true;
    if (dependencies.length > 0) row.dependencies = dependencies;
    if (commit) {
      row.gitDate = commit.date;
      row.gitAuthor = commit.author;
    }
    return row;
  });
  return {
    root: project.root,
    name: path.basename(project.root),
    configFile: project.config.configFile,
    migrations: path.relative(project.root, project.migrationsDir).split(path.sep).join("/") || ".",
    mode: project.directory.mode,
    revisions,
    heads: map.heads,
    bases: map.bases,
    branchPoints: map.branchPoints.map((j) => j.revision),
    mergePoints: map.mergePoints.map((j) => j.revision),
  };
}

/** The project summary; the graph part is built once per loaded project and reused until the files change. */
export async function projectSummary(project: OpenProject, environments: readonly EnvironmentDto[]): Promise<ProjectSummaryDto> {
  let graph = graphs.get(project);
  if (!graph) {
    graph = buildGraph(project);
    graphs.set(project, graph);
  }
  return { ...(await graph), environments };
}
