import type { Command } from "commander";
import { StrataError } from "../../engine/errors.js";
import { adoptEnvironment, repairRevision, unlockEnvironment } from "../../engine/use-cases/maintain.js";
import type { RecoveryCheckDto } from "../../../shared/api.js";
import { recoveryCheck, undoPartialRevision } from "../../engine/use-cases/recovery.js";
import { resolveRevision } from "../../engine/use-cases/resolve.js";
import { CommandContext } from "../context.js";

interface ResolveOptions {
  readonly applied?: boolean;
  readonly rolledBack?: boolean;
  readonly check?: boolean;
  readonly undo?: boolean;
  readonly confirm?: string;
  readonly force?: boolean;
  readonly lockTimeout?: string;
}

interface RepairOptions {
  readonly confirm?: string;
  readonly lockTimeout?: string;
}

/** --lock-timeout in seconds, as milliseconds; undefined when not given. */
function parseLockTimeout(raw: string | undefined): number | undefined {
  const seconds = raw === undefined ? undefined : Number(raw);
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) throw new StrataError("USAGE", `--lock-timeout takes a number of seconds, not "${raw}"`);
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/** adopt, unlock, resolve and repair: the commands that repair or take over a database's bookkeeping. */
export function registerMaintenanceCommands(program: Command): void {
  program
    .command("adopt")
    .description("move a database migrated by knex onto Strata's tables, running nothing")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      const result = await adoptEnvironment(project, env);
      ctx.out.result(result, (r) => `${r.environment}: adopted at ${r.heads.join(", ")}; knex_migrations is left as it was`);
    });

  program
    .command("resolve <revision>")
    .description("after checking the database, record whether an interrupted or half-applied revision took effect")
    .option("--check", "show its statements, which ran, what the live schema holds of each, and the undo on offer; change nothing")
    .option("--applied", "all of it took effect: record it as done and move the version table as the step would have")
    .option("--rolled-back", "none of it took effect (any part that did was undone): record that and leave the version table")
    .option("--undo", "run the inverse of the statements that ran (see --check), then record it as rolled back")
    .option("--confirm <name>", "the environment's name, required when it is protected")
    .option("--force", "record it although the live schema contradicts it (you checked the database)")
    .option("--lock-timeout <seconds>", "how long to wait for another runner's lock (default 60)")
    .action(async (revision: string, opts: ResolveOptions, cmd: Command) => {
      const chosen = [opts.check, opts.applied, opts.rolledBack, opts.undo].filter(Boolean).length;
      if (chosen !== 1) {
        throw new StrataError(
          "USAGE",
          `say what you found: \`strata resolve ${revision} --applied\` or \`strata resolve ${revision} --rolled-back\` (\`--check\` shows what the database holds, \`--undo\` undoes what ran)`,
        );
      }
      const lockTimeoutMs = parseLockTimeout(opts.lockTimeout);
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      if (opts.check) {
        const found = await recoveryCheck(project, env, revision);
        ctx.out.result(found, recoveryCheckLines);
        return;
      }
      const result = opts.undo
        ? await undoPartialRevision(project, env, { revision, ...(opts.confirm !== undefined ? { confirmName: opts.confirm } : {}), ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}) })
        : await resolveRevision(project, env, {
            revision,
            outcome: opts.applied ? "applied" : "rolled-back",
            confirmName: opts.confirm,
            override: Boolean(opts.force),
            lockTimeoutMs,
          });
      ctx.out.result(result, (r) => [
        `${r.environment}: ${r.revision} (${r.direction}) ${r.note}`,
        `heads: ${r.heads.length ? r.heads.join(", ") : "(base)"}`,
      ]);
    });

  program
    .command("repair <revision>")
    .description("accept an applied revision's edited file: record its new checksum (who, when) so runs stop refusing it")
    .option("--confirm <name>", "the environment's name, required when it is protected")
    .option("--lock-timeout <seconds>", "how long to wait for another runner's lock (default 60)")
    .action(async (revision: string, opts: RepairOptions, cmd: Command) => {
      const lockTimeoutMs = parseLockTimeout(opts.lockTimeout);
      const ctx = new CommandContext(cmd);
      const { project, env } = await ctx.environment();
      const result = await repairRevision(project, env, { revision, confirmName: opts.confirm, lockTimeoutMs });
      ctx.out.result(result, (r) => `${r.environment}: ${r.revision} (${r.file}) ${r.note}`);
    });

  program
    .command("unlock")
    .description("free the migration lock held by a runner that hangs")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const { env } = await ctx.environment();
      const result = await unlockEnvironment(env);
      ctx.out.result(result, (r) =>
        r.released ? `${r.environment}: released the lock held by ${r.holder ?? "an unknown runner"}` : `${r.environment}: the lock is free${r.holder ? ` (${r.holder})` : ""}`,
      );
    });
}

const RAN_WORDS: Readonly<Record<RecoveryCheckDto["statements"][number]["ran"], string>> = { ran: "ran", failed: "refused", "not-ran": "not run", unknown: "unknown" };

/** `strata resolve --check` for a person: each statement, then what each answer would meet, then the undo. */
function recoveryCheckLines(c: RecoveryCheckDto): string[] {
  const from = c.statementsFrom === "recorded" ? "as the run recorded them" : c.statementsFrom === "file" ? "as its file issues them, marked from the live schema" : "none known";
  const lines = [`${c.environment}: ${c.revision} (${c.direction}) ${c.state}; its statements, ${from}:`];
  for (const s of c.statements) lines.push(`  ${RAN_WORDS[s.ran].padEnd(8)} ${s.sql}${s.evidence.length ? `  [${s.evidence.join("; ")}]` : ""}`);
  lines.push(`--applied: ${c.contradictions.applied.length ? `contradicted (${c.contradictions.applied.join("; ")})` : "the live schema agrees"}`);
  lines.push(`--rolled-back: ${c.contradictions.rolledBack.length ? `contradicted (${c.contradictions.rolledBack.join("; ")})` : "the live schema agrees"}`);
  lines.push(c.undo.available ? `--undo would run: ${c.undo.statements.join("; ")}` : `--undo: not available: ${c.undo.reason}`);
  return lines;
}
