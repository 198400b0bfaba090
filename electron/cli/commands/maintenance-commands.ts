import type { Command } from "commander";
import { adoptEnvironment, unlockEnvironment } from "../../engine/operations/maintain.js";
import { CommandContext } from "../context.js";

/** adopt and unlock: the commands that repair or take over a database's bookkeeping. */
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
