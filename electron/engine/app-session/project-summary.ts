import path from "node:path";
import type { EnvironmentDto, GraphRevisionDto, ProjectSummaryDto } from "../../../shared/api.js";
import { readGitFileHistory, type GitFileCommit } from "../project/index.js";
import type { OpenProject } from "../use-cases/open-project.js";

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
    return {
      id: r.revision,
      message: r.message,
      parents,
      ...(r.branchLabels.length > 0 ? { branchLabels: r.branchLabels } : {}),
      ...(r.dependsOn.length > 0 ? { dependsOn: r.dependsOn } : {}),
      ...(file ? { file: path.relative(project.migrationsDir, file).split(path.sep).join("/") } : {}),
      ...(inheritsSome ? { inheritedLabels: inherited.filter((l) => !r.branchLabels.includes(l)) } : {}),
      ...(effective.has(r.revision) ? { effectiveHead: true as const } : {}),
      ...(dependencies.length > 0 ? { dependencies } : {}),
      ...(commit ? { gitDate: commit.date, gitAuthor: commit.author } : {}),
    };
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
