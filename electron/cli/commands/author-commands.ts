import path from "node:path";
import type { Command } from "commander";
import { createMerge, createRevision } from "../../engine/use-cases/create-revision.js";
import { autogenerateRevision } from "../../engine/use-cases/autogenerate.js";
import { StrataError } from "../../engine/errors.js";
import { initFromKnexfile, initProject } from "../../engine/project/index.js";
import { CommandContext, decodeTarget } from "../context.js";
import { describeChanges, describeNotComparedList, dropScratchOnSignal } from "./diff-commands.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((v) => v.trim()).filter(Boolean)];
}

/** init, revision and merge: the commands that write files. */
export function registerAuthorCommands(program: Command): void {
  program
    .command("init [dir]")
    .description("scaffold strata.config.json, migrations/ and a SQLite dev environment")
    .option("--from-knexfile", "write the strata.config.json equivalent to the folder's knexfile instead")
    .action(async (dir: string | undefined, opts: { fromKnexfile?: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      if (opts.fromKnexfile) {
        const made = await initFromKnexfile(path.resolve(process.cwd(), dir ?? "."));
        ctx.out.result(made, (r) => [
          `created ${r.created.join(", ")} from ${path.basename(r.knexfile)} (environments: ${r.environments.join(", ")})`,
          ...(r.dropped.length ? [`not written (functions stay in ${path.basename(r.knexfile)} only): ${r.dropped.join(", ")}`] : []),
        ]);
        return;
      }
      const result = await initProject(path.resolve(process.cwd(), dir ?? "."));
      ctx.out.result(result, (r) => [`created ${r.created.join(", ")} in ${r.root}`, "next: strata revision -m \"first revision\""]);
    });

  program
    .command("revision")
    .description("write a new revision file on the head")
    .requiredOption("-m, --message <message>", "what the revision does")
    .option("--head <rev>", "the parent: a head, LABEL@head, a revision with --splice, or base", undefined)
    .option("--branch-label <label>", "a branch label for the new revision (repeatable)", collect)
    .option("--depends-on <rev>", "a revision this one depends on (repeatable)", collect)
    .option("--splice", "allow a parent that is not a head (starts a branch)")
    .option("--rev-id <id>", "use this revision id instead of a random one")
    .option("--autogenerate", "write up() and down() from the difference between the head's schema and --from's")
    .option("--from <src>", "with --autogenerate: the desired schema (an environment, migrations@REV or a .sql file; default: --env's)")
    .option("--schema <name>", "with --autogenerate: PostgreSQL schemas to read besides public (repeatable)", collect)
    .action(async (opts: { message: string; head?: string; branchLabel?: string[]; dependsOn?: string[]; splice?: boolean; revId?: string; autogenerate?: boolean; from?: string; schema?: string[] }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      if (opts.autogenerate) {
        // With --from naming the source, an environment is needed only to host scratch databases.
        const env = ctx.options.env || ctx.options.url || !opts.from ? (await ctx.environment()).env : undefined;
        const result = await dropScratchOnSignal(() =>
          autogenerateRevision(project, {
            message: opts.message,
            from: opts.from,
            selected: env,
            head: opts.head === undefined ? undefined : decodeTarget(opts.head),
            branchLabels: opts.branchLabel,
            dependsOn: opts.dependsOn,
            splice: opts.splice,
            revisionId: opts.revId,
            schemas: opts.schema?.length ? ["public", ...opts.schema] : undefined,
          }),
        );
        ctx.out.result(result, (r) => [
          `created ${r.revision} in ${r.file} (${r.changes.length} change${r.changes.length === 1 ? "" : "s"}${r.changes.some((c) => c.destructive) ? "; destructive ones are marked in the file: read them" : ""})`,
          ...describeChanges(r.changes, "  "),
          ...describeNotComparedList(r.notCompared, `migrations@${opts.head ?? "head"}`, opts.from ?? "the environment", "  "),
        ]);
        return;
      }
      if (opts.from) throw new StrataError("USAGE", "--from goes with --autogenerate");
      const created = await createRevision(project, {
        message: opts.message,
        head: opts.head === undefined ? undefined : decodeTarget(opts.head),
        branchLabels: opts.branchLabel,
        dependsOn: opts.dependsOn,
        splice: opts.splice,
        revisionId: opts.revId,
      });
      ctx.out.result(created, (c) => `created ${c.revision} in ${c.file}`);
    });

  program
    .command("merge <revs...>")
    .description("write a merge revision joining REVs (\"heads\" for every head)")
    .requiredOption("-m, --message <message>", "what the merge joins")
    .option("--rev-id <id>", "use this revision id instead of a random one")
    .action(async (revs: string[], opts: { message: string; revId?: string }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      const created = await createMerge(project, opts.message, revs.map(decodeTarget), opts.revId);
      ctx.out.result(created, (c) => `created merge ${c.revision} of ${c.downRevisions.join(", ")} in ${c.file}`);
    });
}
