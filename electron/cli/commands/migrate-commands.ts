import type { Command } from "commander";
import type { MigrationResultDto, PlanWarningDto } from "../../../shared/dto.js";
import { StrataError } from "../../engine/errors.js";
import { refuseUnconfirmedChange } from "../../engine/project/database-protection.js";
import { stampEnvironment } from "../../engine/use-cases/maintain.js";
import { planMigration, renderMigrationSql, runMigration, verdictOf, verdictRefusal } from "../../engine/use-cases/migrate.js";
import type { DestructiveCheck } from "../../engine/use-cases/migrate.js";
import { CommandContext, decodeTarget } from "../context.js";
import { EXIT_FAILED, red } from "../output.js";
import { createProgressReporter } from "../progress.js";
import { dropScratchOnSignal } from "./diff-commands.js";

interface MigrateOptions {
  readonly plan?: boolean;
  readonly sql?: boolean;
  readonly singleTransaction?: boolean;
  readonly lockTimeout?: string;
  readonly allowEdited?: boolean;
  readonly confirm?: string;
  /** commander's --no-lint: false when given. */
  readonly lint?: boolean;
  readonly failOnDestructive?: boolean;
  readonly failOnUnchecked?: boolean;
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
export function destructiveLines(list: readonly { revision: string; statement: string; reason: string }[], verb: string, indent = ""): string[] {
  if (list.length === 0) return [];
  return [
    `${indent}destructive: ${list.length} statement${list.length === 1 ? "" : "s"} ${verb} lose data or structure:`,
    ...list.flatMap((d) => [`${indent}  ${d.revision}: ${d.reason}`, `${indent}      ${oneLine(d.statement)}`]),
  ];
}

/**
 * A plan's verdict in words (issue 14): the destructive statements, then "not checked: REASON"
 * (red on a terminal) where the list may not be whole, or a line saying the plan was checked and
 * loses nothing; nothing for an empty plan.
 */
export function verdictLines(verdict: { destructive?: DestructiveList; checked?: boolean; uncheckedReason?: string | null }, verb: string, stream: NodeJS.WriteStream, indent = ""): string[] {
  if (verdict.checked === undefined) return destructiveLines(verdict.destructive ?? [], verb, indent);
  const lines = destructiveLines(verdict.destructive ?? [], verb, indent);
  if (!verdict.checked) lines.push(`${indent}${red(`not checked: ${(verdict.uncheckedReason ?? "unknown reason").replace(/^not checked: /, "")}`, stream)}`);
  else if (lines.length === 0) lines.push(`${indent}checked: no destructive statements`);
  return lines;
}

type DestructiveList = readonly { revision: string; statement: string; reason: string }[];

function describeResult(r: MigrationResultDto): string[] {
  const verb = r.planned ? "would run" : "ran";
  const lines = r.steps.map((s) => `${s.direction === "up" ? "upgrade" : "downgrade"} ${s.revision}${s.message ? `  ${s.message}` : ""}${s.durationMs !== undefined ? `  (${s.durationMs} ms)` : ""}`);
  if (r.steps.length === 0) lines.push(`${r.environment}: nothing to do`);
  else lines.push(`${r.environment}: ${verb} ${r.steps.length} step${r.steps.length === 1 ? "" : "s"}`);
  lines.push(`${r.planned ? "heads would be" : "heads"}: ${r.heads.length ? r.heads.join(", ") : "(base)"}`);
  if (r.planned) {
    if (r.confirmationName !== undefined && r.steps.length > 0) lines.push(`protected: a run needs --confirm ${r.confirmationName}`);
    if (r.steps.length > 0) lines.push(...verdictLines(r, "would", process.stdout));
    for (const p of r.problems ?? []) {
      lines.push(p.kind === "edited" ? `edited: ${p.revision} (${p.file}) changed after it was applied; a run stops unless --allow-edited` : `missing: ${p.revision} is applied but has no file; a run stops unless --allow-edited`);
    }
  }
  return lines;
}

/** Before a run: the destructive statements on stderr (stdout stays the result, or one JSON document). */
function reportDestructive(ctx: CommandContext, check: DestructiveCheck): void {
  for (const line of verdictLines(verdictOf(check), "will", process.stderr)) {
    // A clean verdict is said with --plan; before a run only what needs reading is.
    if (!line.startsWith("checked: ")) ctx.out.info(line);
  }
}

/** What Alembic would warn about goes to stderr (with --json it is also under `warnings`). */
function reportWarning(ctx: CommandContext, w: PlanWarningDto): void {
  ctx.out.info(`warning: ${w.message}, or refuse such targets with --strict`);
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
    .option("--fail-on-destructive", "exit 2 before running anything when the plan has statements that lose data or structure (for CI; with --plan, after printing it)")
    .option("--fail-on-unchecked", "exit 2 before running anything when the plan could not be checked for destructive statements (for CI; with --plan, after printing it)")
    .addHelpText(
      "after",
      "\nEvery plan has a verdict: its destructive statements, or \"not checked: REASON\". A plan that cannot be\nrendered offline (a revision reads the schema: hasTable, hasColumn, renameColumn on MySQL) is rendered in a\nscratch database of the same server holding the live schema without rows, dropped afterwards; only a\nrevision that reads rows stays unchecked. --plan --json carries \"destructive\", \"checked\" and \"uncheckedReason\".",
    )
    .action(async (target: string, opts: MigrateOptions, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const failOn = { destructive: opts.failOnDestructive ?? false, unchecked: opts.failOnUnchecked ?? false };
      if ((failOn.destructive || failOn.unchecked) && opts.lint === false) {
        throw new StrataError("USAGE", `--fail-on-${failOn.destructive ? "destructive" : "unchecked"} needs the plan checked; drop --no-lint`);
      }
      if ((failOn.destructive || failOn.unchecked) && opts.sql) {
        throw new StrataError("USAGE", `--fail-on-${failOn.destructive ? "destructive" : "unchecked"} checks a plan against a database; use it with --plan or a run, not --sql`);
      }
      const { project, env } = await ctx.environment();
      const req = {
        command,
        target: decodeTarget(target),
        singleTransaction: opts.singleTransaction ?? false,
        lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
        allowEdited: opts.allowEdited ?? false,
        lint: opts.lint ?? true,
        failOn,
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
        const planned = await dropScratchOnSignal(() => planMigration(project, env, req));
        for (const w of planned.warnings ?? []) reportWarning(ctx, w);
        ctx.out.result(planned, describeResult);
        // The plan is printed whole (stdout stays one JSON document); CI still gets its exit code and one line.
        const verdict = { destructive: planned.destructive ?? [], checked: planned.checked ?? true, uncheckedReason: planned.uncheckedReason ?? null };
        const refusal = verdictRefusal(env, { command, steps: planned.steps }, verdict, failOn);
        if (refusal) {
          process.stderr.write(`strata: ${red(refusal.message, process.stderr)}\n`);
          process.exitCode = EXIT_FAILED;
        }
        return;
      }
      const progress = createProgressReporter({ tty: Boolean(process.stderr.isTTY), quiet: Boolean(ctx.options.quiet) });
      try {
        const result = await dropScratchOnSignal(() => runMigration(project, env, { ...req, onEvent: progress.onEvent, onDestructive: (check) => reportDestructive(ctx, check), onWarning: (w) => reportWarning(ctx, w) }));
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
      refuseUnconfirmedChange(env, opts.confirm, { what: "the stamp", outcome: "nothing was changed" });
      const result = await stampEnvironment(project, env, targets.map(decodeTarget));
      ctx.out.result(result, (r) => `${r.environment}: stamped; heads: ${r.heads.length ? r.heads.join(", ") : "(base)"}`);
    });
}
