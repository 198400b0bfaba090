import type { Command } from "commander";
import type { MigrationResultDto, PlanWarningDto } from "../../../shared/dto.js";
import { StrataError } from "../../engine/errors.js";
import { stampEnvironment } from "../../engine/operations/maintain.js";
import { planMigration, renderMigrationSql, runMigration } from "../../engine/operations/migrate.js";
import type { DestructiveCheck } from "../../engine/operations/migrate.js";
import { CommandContext, decodeTarget } from "../context.js";
import { createProgressReporter } from "../progress.js";

interface MigrateOptions {
  readonly plan?: boolean;
  readonly sql?: boolean;
  readonly singleTransaction?: boolean;
  readonly lockTimeout?: string;
  readonly allowEdited?: boolean;
  readonly confirm?: string;
  /** commander's --no-lint: false when given. */
  readonly lint?: boolean;
  readonly strict?: boolean;
}

function lockTimeoutMs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new StrataError("USAGE", `--lock-timeout takes a number of seconds, not "${raw}"`);
  return Math.round(seconds * 1000);
}

/** A statement on one line, cut to a readable length. */
function oneLine(statement: string): string {
  const flat = statement.replace(/\s+/g, " ").trim();
  return flat.length > 240 ? `${flat.slice(0, 237)}...` : flat;
}

/** The destructive statements of a plan: a count, then per statement its revision and reason, the statement below. */
function destructiveLines(list: readonly { revision: string; statement: string; reason: string }[], verb: string): string[] {
  if (list.length === 0) return [];
  return [
    `destructive: ${list.length} statement${list.length === 1 ? "" : "s"} ${verb} lose data or structure:`,
    ...list.flatMap((d) => [`  ${d.revision}: ${d.reason}`, `      ${oneLine(d.statement)}`]),
  ];
}

function describeResult(r: MigrationResultDto): string[] {
  const verb = r.planned ? "would run" : "ran";
  const lines = r.steps.map((s) => `${s.direction === "up" ? "upgrade" : "downgrade"} ${s.revision}${s.message ? `  ${s.message}` : ""}${s.durationMs !== undefined ? `  (${s.durationMs} ms)` : ""}`);
  if (r.steps.length === 0) lines.push(`${r.environment}: nothing to do`);
  else lines.push(`${r.environment}: ${verb} ${r.steps.length} step${r.steps.length === 1 ? "" : "s"}`);
  lines.push(`${r.planned ? "heads would be" : "heads"}: ${r.heads.length ? r.heads.join(", ") : "(base)"}`);
  if (r.planned) {
    lines.push(...destructiveLines(r.destructive ?? [], "would"));
    for (const p of r.problems ?? []) {
      lines.push(p.kind === "edited" ? `edited: ${p.revision} (${p.file}) changed after it was applied; a run stops unless --allow-edited` : `missing: ${p.revision} is applied but has no file; a run stops unless --allow-edited`);
    }
  }
  return lines;
}

/** Before a run: the destructive statements on stderr (stdout stays the result, or one JSON document). */
function reportDestructive(ctx: CommandContext, check: DestructiveCheck): void {
  for (const line of destructiveLines(check.destructive, "will")) ctx.out.info(line);
  if (check.error) ctx.out.info(`warning: the plan's SQL could not be rendered, so it was not checked for destructive statements: ${check.error.message}`);
}

/** What Alembic would warn about goes to stderr (with --json it is also under `warnings`). */
function reportWarning(ctx: CommandContext, w: PlanWarningDto): void {
  ctx.out.info(`warning: ${w.message}, or refuse such targets with --strict`);
}

/** A protected environment changes only with --confirm and its exact name. */
function refuseUnconfirmedStamp(env: { name: string; protected: boolean }, confirm: string | undefined): void {
  if (!env.protected || confirm === env.name) return;
  throw new StrataError(
    "CONFIRMATION_REQUIRED",
    confirm === undefined
      ? `environment ${env.name} is protected: confirm the stamp with its name (\`--confirm ${env.name}\`); nothing was changed`
      : `environment ${env.name} is protected and "${confirm}" is not its name; confirm with \`--confirm ${env.name}\`; nothing was changed`,
    { environment: env.name },
  );
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
    .option("--allow-edited", "run although applied revision files were edited (or removed) since they ran")
    .option("--confirm <name>", "a protected environment runs only with its exact name here (every run that has something to run)")
    .option("--strict", "refuse a relative step (-N) from several current heads, which Alembic only warns about (also \"strictTargets\": true in strata.config.json)")
    .option("--no-lint", "skip rendering the plan's SQL to list destructive statements before the run (saves a dry run of every pending revision)")
    .action(async (target: string, opts: MigrateOptions, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      const req = {
        command,
        target: decodeTarget(target),
        singleTransaction: opts.singleTransaction ?? false,
        lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
        allowEdited: opts.allowEdited ?? false,
        lint: opts.lint ?? true,
        ...(opts.confirm !== undefined ? { confirmName: opts.confirm } : {}),
        ...(opts.strict ? { strictTargets: true } : {}),
      };
      if (opts.sql) {
        const sql = await renderMigrationSql(project, env, req);
        if (ctx.out.json) ctx.out.result({ environment: env.name, sql }, () => []);
        else process.stdout.write(sql.endsWith("\n") ? sql : sql + "\n");
        return;
      }
      if (opts.plan) {
        const planned = await planMigration(project, env, req);
        for (const w of planned.warnings ?? []) reportWarning(ctx, w);
        ctx.out.result(planned, describeResult);
        return;
      }
      const progress = createProgressReporter({ tty: Boolean(process.stderr.isTTY), quiet: Boolean(ctx.options.quiet) });
      try {
        const result = await runMigration(project, env, { ...req, onEvent: progress.onEvent, onDestructive: (check) => reportDestructive(ctx, check), onWarning: (w) => reportWarning(ctx, w) });
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
    .option("--confirm <name>", "a protected environment is stamped only with its exact name here")
    .action(async (targets: string[], opts: { confirm?: string }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      refuseUnconfirmedStamp(env, opts.confirm);
      const result = await stampEnvironment(project, env, targets.map(decodeTarget));
      ctx.out.result(result, (r) => `${r.environment}: stamped; heads: ${r.heads.length ? r.heads.join(", ") : "(base)"}`);
    });
}
