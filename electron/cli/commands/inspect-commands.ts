import type { Command } from "commander";
import type { EnvironmentStatusDto, RevisionDto, StatusDto } from "../../../shared/dto.js";
import { currentHeads, listBranchPoints, listHeads, listHistory, projectStatus, revisionDto } from "../../engine/operations/inspect.js";
import type { OpenProject } from "../../engine/operations/open-project.js";
import { CommandContext, decodeTarget } from "../context.js";
import { EXIT_FAILED, EXIT_PROBLEMS } from "../output.js";
import { describeChanges, describeNotComparedList, dropScratchOnSignal } from "./diff-commands.js";

function historyLine(project: OpenProject, r: RevisionDto): string {
  const tags: string[] = [];
  if (project.map.heads.includes(r.revision)) tags.push("head");
  if (project.map.children(r.revision).length > 1) tags.push("branchpoint");
  if (r.downRevisions.length > 1) tags.push("mergepoint");
  const labels = r.branchLabels.length ? ` (${r.branchLabels.join(", ")})` : "";
  const down = r.downRevisions.length ? r.downRevisions.join(", ") : "<base>";
  return `${down} -> ${r.revision}${labels}${tags.map((t) => ` (${t})`).join("")}, ${r.message}`;
}

function statusLines(s: EnvironmentStatusDto): string[] {
  const head = `${s.environment}${s.protected ? " [protected]" : ""}  ${s.client}  ${s.target}`;
  if (s.error) return [head, `  error: ${s.error.message}`];
  const lines = [head, `  current: ${s.heads && s.heads.length ? s.heads.join(", ") : "(base)"}`];
  lines.push(s.pending.length ? `  pending: ${s.pending.length} (${s.pending.join(", ")})` : "  pending: none");
  for (const p of s.problems) {
    lines.push(p.kind === "edited" ? `  edited: ${p.revision} (${p.file}) changed after it was applied` : `  missing: ${p.revision} is applied but has no file`);
  }
  for (const u of s.unresolved ?? []) {
    lines.push(u.state === "running" ? `  running: ${u.revision} ${u.direction} (started ${u.startedAt} by ${u.user}@${u.host}; the migration lock is held)` : `  unresolved: ${u.description}; ${u.advice}`);
  }
  if (s.drift) {
    if (!s.drift.checked) lines.push(`  drift: not checked (${s.drift.error})`);
    else if (!s.drift.drifted) lines.push("  drift: none");
    else {
      const other = s.drift.notCompared?.length ?? 0;
      lines.push(
        `  drift: the live schema differs from what the applied revisions build (${s.drift.changes.length} change${s.drift.changes.length === 1 ? "" : "s"} from the revisions to the live schema${other ? `, ${other} not-compared object${other === 1 ? "" : "s"} on one side only` : ""}):`,
        ...describeChanges(s.drift.changes, "    "),
        ...describeNotComparedList(s.drift.notCompared ?? [], "the revisions", "the live schema", "    "),
      );
    }
  }
  return lines;
}

/** The commands that read the graph or a database and change nothing. */
export function registerInspectCommands(program: Command): void {
  program
    .command("current")
    .description("the revisions the environment's version table stands at")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      const result = await currentHeads(env);
      ctx.out.result(result, (r) =>
        r.heads.length
          ? r.heads.map((h) => `${h}${project.map.heads.includes(h) ? " (head)" : ""}${project.map.has(h) ? "" : " (no file)"}`)
          : [`${r.environment}: (base) nothing applied`],
      );
    });

  program
    .command("heads")
    .description("the heads of the revision graph")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      ctx.out.result({ heads: listHeads(project) }, (r) =>
        r.heads.map((h) => `${h.revision}${h.branchLabels.length ? ` (${h.branchLabels.join(", ")})` : ""} (head)  ${h.message}`),
      );
    });

  program
    .command("branches")
    .description("revisions where the graph branches")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      ctx.out.result({ branches: listBranchPoints(project) }, (r) =>
        r.branches.length
          ? r.branches.flatMap((b) => [`${b.revision} (branchpoint)  ${b.message}`, ...b.children.map((c) => `  -> ${c}  ${project.map.get(c)?.message ?? ""}`)])
          : ["no branch points"],
      );
    });

  program
    .command("history")
    .description("the revisions, newest first")
    .option("-r, --rev-range <range>", "a range START:END of targets (either end may be empty)")
    .action(async (opts: { revRange?: string }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      const revisions = listHistory(project, opts.revRange === undefined ? undefined : decodeTarget(opts.revRange));
      ctx.out.result({ revisions }, (r) => r.revisions.map((x) => historyLine(project, x)));
    });

  program
    .command("show <rev>")
    .description("one revision: ids, parents, children, labels, file")
    .action(async (rev: string, _opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      const ids = project.map.resolve(decodeTarget(rev));
      const shown = ids.map((id) => ({ ...revisionDto(project, id), children: project.map.children(id) }));
      ctx.out.result({ revisions: shown }, (r) =>
        r.revisions.flatMap((x) => [
          `Rev: ${x.revision}${project.map.heads.includes(x.revision) ? " (head)" : ""}`,
          `Parent: ${x.downRevisions.length ? x.downRevisions.join(", ") : "<base>"}`,
          ...(x.dependsOn.length ? [`Also depends on: ${x.dependsOn.join(", ")}`] : []),
          ...(x.children.length ? [`Children: ${x.children.join(", ")}`] : []),
          ...(x.branchLabels.length ? [`Branch labels: ${x.branchLabels.join(", ")}`] : []),
          `Path: ${x.file ?? "(none)"}`,
          "",
          `    ${x.message}`,
          "",
        ]),
      );
    });

  program
    .command("status")
    .description("every environment: current heads, pending revisions, drift, edited or missing files")
    .option("--no-drift", "skip comparing the live schema with what the applied revisions build")
    .action(async (opts: { drift: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, envs } = await ctx.environments();
      const status = await dropScratchOnSignal(() => projectStatus(project, envs, { drift: opts.drift }));
      ctx.out.result(status, (s) => s.environments.flatMap(statusLines));
    });

  program
    .command("check")
    .description("exit 1 where anything is pending, edited, missing, drifted or left half applied (2 where a database cannot be reached)")
    .option("--no-drift", "skip comparing the live schema with what the applied revisions build")
    .action(async (opts: { drift: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, envs } = await ctx.environments();
      const status: StatusDto = await dropScratchOnSignal(() => projectStatus(project, envs, { drift: opts.drift }));
      const problems = status.environments.filter(
        (e) => e.error || e.pending.length || e.problems.length || e.drift?.drifted || e.unresolved?.some((u) => u.state !== "running"),
      );
      ctx.out.result({ ok: problems.length === 0, ...status }, (s) =>
        problems.length === 0 ? [`ok: ${s.environments.map((e) => e.environment).join(", ")} up to date`] : problems.flatMap(statusLines),
      );
      if (status.environments.some((e) => e.error)) process.exitCode = EXIT_FAILED;
      else if (problems.length) process.exitCode = EXIT_PROBLEMS;
    });
}
