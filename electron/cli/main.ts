import { Command, CommanderError } from "commander";
import { STRATA_VERSION } from "../engine/version.js";
import { registerAuthorCommands } from "./commands/author-commands.js";
import { registerDiffCommands } from "./commands/diff-commands.js";
import { registerInspectCommands } from "./commands/inspect-commands.js";
import { registerMaintenanceCommands } from "./commands/maintenance-commands.js";
import { registerMigrateCommands } from "./commands/migrate-commands.js";
import { registerServeCommands } from "./commands/serve-command.js";
import { NEGATIVE_TARGET_PREFIX } from "./context.js";
import { EXIT_FAILED, reportError } from "./output.js";

/** Builds the `strata` command (DESIGN.md "CLI"). */
export function buildProgram(): Command {
  const program = new Command("strata")
    .description("Alembic's revision model for knex: PostgreSQL, MySQL/MariaDB and SQLite")
    .version(STRATA_VERSION, "-V, --version")
    .option("--project <dir>", "the project folder (default: found by walking up from here)")
    .option("--env <name>", "the environment of strata.config.json to use")
    .option("--url <url>", "a database URL instead of an environment (postgres://, mysql://, sqlite:)")
    .option("--json", "print one JSON document on stdout")
    .option("-q, --quiet", "no progress on stderr")
    .showHelpAfterError("(strata --help lists the commands)")
    // Every refusal starts "strata: " (DESIGN.md "CLI"), commander's usage errors too; subcommands inherit this.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "strata: ").split(NEGATIVE_TARGET_PREFIX).join("")) })
    .exitOverride();
  registerAuthorCommands(program);
  registerMigrateCommands(program);
  registerInspectCommands(program);
  registerMaintenanceCommands(program);
  registerDiffCommands(program);
  registerServeCommands(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Relative targets (-1, -2:) would read as options; they are passed through escaped. */
function escapeNegativeTargets(argv: readonly string[]): string[] {
  return argv.map((a) => (/^-\d+(:.*)?$/.test(a) ? NEGATIVE_TARGET_PREFIX + a : a));
}

/** Runs the CLI and resolves to its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = Boolean(process.env.STRATA_DEBUG);
  try {
    await buildProgram().parseAsync(escapeNegativeTargets(argv), { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      if (e.exitCode === 0) return 0;
      // Commander printed its usage for a missing command; the refusal still gets its one line.
      if (e.code === "commander.help") process.stderr.write("strata: no command given; pick one of the commands listed above\n");
      return EXIT_FAILED;
    }
    return reportError(e, debug, argv.includes("--json"));
  }
}
