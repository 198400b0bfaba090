import type { Command } from "commander";
import type { MigrationResultDto } from "../../../shared/dto.js";
import { StrataError } from "../../engine/errors.js";
import { stampEnvironment } from "../../engine/operations/maintain.js";
import { planMigration, renderMigrationSql, runMigration } from "../../engine/operations/migrate.js";
import { CommandContext, decodeTarget } from "../context.js";
import { createProgressReporter } from "../progress.js";

interface MigrateOptions {
  readonly plan?: boolean;
  readonly sql?: boolean;
  readonly singleTransaction?: boolean;
  readonly lockTimeout?: string;
}

function lockTimeoutMs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new StrataError("USAGE", `--lock-timeout takes a number of seconds, not "${raw}"`);
  return Math.round(seconds * 1000);
}

function describeResult(r: MigrationResultDto): string[] {
  const verb = r.planned ? "would run" : "ran";
  const lines = r.steps.map((s) => `${s.direction === "up" ? "upgrade" : "downgrade"} ${s.revision}${s.message ? `  ${s.message}` : ""}${s.durationMs !== undefined ? `  (${s.durationMs} ms)` : ""}`);
  if (r.steps.length === 0) lines.push(`${r.environment}: nothing to do`);
  else lines.push(`${r.environment}: ${verb} ${r.steps.length} step${r.steps.length === 1 ? "" : "s"}`);
  lines.push(`${r.planned ? "heads would be" : "heads"}: ${r.heads.length ? r.heads.join(", ") : "(base)"}`);
  return lines;
}

function registerMove(program: Command, command: "upgrade" | "downgrade"): void {
  program
    .command(`${command} <target>`)
    .description(
      command === "upgrade"
        ? "run revisions up to TARGET (heads, head, REV, LABEL@head, +N, ...)"
        : "roll revisions back down to TARGET (base, REV, -N, LABEL@base, ...)",
    )
    .option("--plan", "print the steps and the resulting heads; change nothing")
    .option("--sql", "print the plan as a SQL script for the dialect, without connecting ([START:]TARGET)")
    .option("--single-transaction", "run the whole batch in one transaction")
    .option("--lock-timeout <seconds>", "how long to wait for another runner's lock (default 60)")
    .action(async (target: string, opts: MigrateOptions, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      const req = {
        command,
        target: decodeTarget(target),
        singleTransaction: opts.singleTransaction ?? false,
        lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
      };
      if (opts.sql) {
        const sql = await renderMigrationSql(project, env, req);
        if (ctx.out.json) ctx.out.result({ environment: env.name, sql }, () => []);
        else process.stdout.write(sql.endsWith("\n") ? sql : sql + "\n");
        return;
      }
      if (opts.plan) {
        ctx.out.result(await planMigration(project, env, req), describeResult);
        return;
      }
      const progress = createProgressReporter({ tty: Boolean(process.stderr.isTTY), quiet: Boolean(ctx.options.quiet) });
      try {
        const result = await runMigration(project, env, { ...req, onEvent: progress.onEvent });
        progress.stop();
        ctx.out.result(result, describeResult);
      } finally {
        progress.stop();
      }
    });
}

/** upgrade, downgrade and stamp: the commands that move a database. */
export function registerMigrateCommands(program: Command): void {
  registerMove(program, "upgrade");
  registerMove(program, "downgrade");
  program
    .command("stamp <targets...>")
    .description("set the version table to TARGET(s) without running any revision")
    .action(async (targets: string[], _opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      const result = await stampEnvironment(project, env, targets.map(decodeTarget));
      ctx.out.result(result, (r) => `${r.environment}: stamped; heads: ${r.heads.length ? r.heads.join(", ") : "(base)"}`);
    });
}
