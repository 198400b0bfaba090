import type { Command } from "commander";
import type { EnvironmentStatusDto, RevisionDto, StatusDto } from "../../../shared/dto.js";
import { currentHeads, listBranchPoints, listHeads, listHistory, projectStatus, revisionCreateDate, revisionDto } from "../../engine/use-cases/inspect.js";
import { isStrataError } from "../../engine/errors.js";
import { pendingUpgradeVerdict } from "../../engine/use-cases/migrate.js";
import { headOnlyLine, logEntryLines } from "../alembic-text.js";
import type { OpenProject } from "../../engine/use-cases/open-project.js";
import type { EnvironmentConfig } from "../../engine/project/index.js";
import { CommandContext, decodeTarget } from "../context.js";
import { EXIT_FAILED, EXIT_PROBLEMS } from "../output.js";
import { describeChanges, describeNotComparedList, dropScratchOnSignal } from "./diff-commands.js";
import { verdictLines } from "./migrate-commands.js";

/** Alembic's verbose entry for one revision, with its absolute path and create date (issue 20). */
function verboseEntry(project: OpenProject, r: RevisionDto): string[] {
  return logEntryLines(project.map, r, project.scripts.get(r.revision)?.file ?? null, revisionCreateDate(project, r.revision));
}

function statusLines(s: EnvironmentStatusDto): string[] {
  const head = `${s.environment}${s.protected ? " [protected]" : ""}  ${s.client}  ${s.target}`;
  if (s.error) return [head, `  error: ${s.error.message}`];
  const lines = [head, `  current: ${s.heads && s.heads.length ? s.heads.join(", ") : "(base)"}`];
  lines.push(s.pending.length ? `  pending: ${s.pending.length} (${s.pending.join(", ")})` : "  pending: none");
  if (s.knex?.gaps.length) {
    lines.push(`  gaps: ${s.knex.gaps.join(", ")} never ran though later files did (knex_migrations is not a prefix of the folder); \`strata upgrade heads\` runs them, in folder order`);
  }
  if (s.knex?.unknown.length) {
    lines.push(`  unknown: knex_migrations names ${s.knex.unknown.join(", ")}, which ${s.knex.unknown.length === 1 ? "is no file" : "are no files"} in the migrations folder`);
  }
  for (const p of s.problems) {
    lines.push(p.kind === "edited" ? `  edited: ${p.revision} (${p.file}) changed after it was applied` : `  missing: ${p.revision} is applied but has no file`);
  }
  for (const u of s.unresolved ?? []) {
    lines.push(u.state === "running" ? `  running: ${u.revision} ${u.direction} (started ${u.startedAt} by ${u.user}@${u.host}; the migration lock is held)` : `  unresolved: ${u.description}; ${u.advice}`);
  }
  if (s.verdict) lines.push(...verdictLines(s.verdict, "would", process.stdout, "  "));
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

/** Adds to each reachable environment with a pending upgrade that upgrade's verdict (issue 14). */
async function withPendingVerdicts(project: OpenProject, envs: readonly EnvironmentConfig[], status: StatusDto): Promise<StatusDto> {
  const environments: EnvironmentStatusDto[] = [];
  for (const [i, s] of status.environments.entries()) {
    const env = envs[i]!;
    if (s.error || s.pending.length === 0) {
      environments.push(s);
      continue;
    }
    // A revision that will not load, say, leaves this plan unchecked; the rest of check still reports.
    const verdict = await pendingUpgradeVerdict(project, env).catch((e: unknown) => {
      if (!isStrataError(e)) throw e;
      return { destructive: [], checked: false, uncheckedReason: e.message };
    });
    environments.push(verdict ? { ...s, verdict } : s);
  }
  return { ...status, environments };
}

/** The commands that read the graph or a database and change nothing. */
export function registerInspectCommands(program: Command): void {
  program
    .command("current")
    .description("the revisions the environment's version table stands at")
    .option("-v, --verbose", "print each revision as Alembic's verbose form does (parents, labels, path, date)")
    .action(async (opts: { verbose?: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      const result = await currentHeads(env, project);
      ctx.out.result(result, (r) => {
        const unknown = r.heads.filter((h) => !project.map.has(h));
        // Alembic lists the rows plus the tip of each branch they applied (a dependency's too).
        const shown = unknown.length ? r.heads : project.map.currentTips(r.heads);
        const lines = opts.verbose ? [`Current revision(s) for ${env.name} (${env.displayTarget}):`] : [];
        if (r.heads.length === 0) return [...lines, `${r.environment}: (base) nothing applied`];
        for (const h of shown) {
          if (!project.map.has(h)) lines.push(`${h} (no file)`);
          else if (opts.verbose) lines.push(...verboseEntry(project, revisionDto(project, h)));
          else lines.push(headOnlyLine(project.map, revisionDto(project, h), {}));
        }
        return lines;
      });
    });

  program
    .command("heads")
    .description("the heads of the revision graph")
    .option("-v, --verbose", "print each head as Alembic's verbose form does (parents, labels, path, date)")
    .option("--resolve-dependencies", "leave out heads another revision depends on (effective heads)")
    .action(async (opts: { verbose?: boolean; resolveDependencies?: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      ctx.out.result({ heads: listHeads(project, { resolveDependencies: opts.resolveDependencies ?? false }) }, (r) =>
        r.heads.flatMap((h) => {
          const dto = revisionDto(project, h.revision);
          return opts.verbose ? verboseEntry(project, dto) : [headOnlyLine(project.map, dto, { includeBranches: true, treeIndicators: false })];
        }),
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
    .option("-v, --verbose", "print each revision as Alembic's verbose form does (parents, labels, path, date)")
    .action(async (opts: { revRange?: string; verbose?: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      const revisions = listHistory(project, opts.revRange === undefined ? undefined : decodeTarget(opts.revRange));
      ctx.out.result({ revisions }, (r) =>
        r.revisions.flatMap((x) =>
          opts.verbose ? verboseEntry(project, x) : [headOnlyLine(project.map, x, { includeBranches: true, includeDoc: true, includeParents: true })],
        ),
      );
    });

  program
    .command("show <rev>")
    .description("one revision: ids, parents, labels, depends_on, path, date (Alembic's verbose form)")
    .action(async (rev: string, _opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      const ids = project.map.resolve(decodeTarget(rev));
      const shown = ids.map((id) => ({ ...revisionDto(project, id), children: project.map.children(id) }));
      ctx.out.result({ revisions: shown }, (r) => r.revisions.flatMap((x) => verboseEntry(project, x)));
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
    .addHelpText("after", "\nWhere an upgrade is pending, its verdict is given too: the statements that would lose data or structure,\nor \"not checked: REASON\" (--json: \"verdict\": {\"destructive\", \"checked\", \"uncheckedReason\"} per environment).")
    .action(async (opts: { drift: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, envs } = await ctx.environments();
      const status: StatusDto = await dropScratchOnSignal(async () => withPendingVerdicts(project, envs, await projectStatus(project, envs, { drift: opts.drift })));
      const problems = status.environments.filter(
        (e) => e.error || e.pending.length || e.problems.length || e.knex?.unknown.length || e.drift?.drifted || e.unresolved?.some((u) => u.state !== "running"),
      );
      ctx.out.result({ ok: problems.length === 0, ...status }, (s) =>
        problems.length === 0 ? [`ok: ${s.environments.map((e) => e.environment).join(", ")} up to date`] : problems.flatMap(statusLines),
      );
      if (status.environments.some((e) => e.error)) process.exitCode = EXIT_FAILED;
      else if (problems.length) process.exitCode = EXIT_PROBLEMS;
    });
}
