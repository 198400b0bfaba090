import path from "node:path";
import type { Command } from "commander";
import { createDemoProject, defaultDemoDirectory } from "../../engine/demo/demo-project.js";
import { StrataError, isStrataError } from "../../engine/errors.js";
import { findProjectRoot } from "../../engine/project/index.js";
import { CommandContext, decodeTarget } from "../context.js";

function parsePort(escaped: string | undefined): number {
  if (escaped === undefined) return 0;
  const raw = decodeTarget(escaped);
  // Number("") is 0: an empty value would silently mean "any port".
  const port = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StrataError("USAGE", `--port takes a port number 0-65535, not "${raw}"`);
  return port;
}

/** The project to serve: --project, the demo (--demo), or the one found above the working folder; none is allowed. */
async function chooseProject(ctx: CommandContext, demo: boolean): Promise<string | null> {
  if (demo) {
    const made = await createDemoProject(defaultDemoDirectory());
    ctx.out.info(`strata: demo project written to ${made.root}`);
    return made.root;
  }
  if (ctx.options.project) return findProjectRoot(path.resolve(process.cwd(), ctx.options.project));
  try {
    return findProjectRoot(process.cwd());
  } catch (e) {
    if (isStrataError(e) && e.code === "CONFIG_NOT_FOUND") {
      ctx.out.info("strata: no strata.config.json here or above; the page will ask for a project folder");
      return null;
    }
    throw e;
  }
}

/** serve and demo: the browser host of the GUI and its demo project. */
export function registerServeCommands(program: Command): void {
  program
    .command("serve")
    .description("serve the GUI and its API on 127.0.0.1 (a random token in the printed URL guards it)")
    .option("--port <n>", "the port (default: any free one)")
    .option("--open", "open the page in the default browser")
    .option("--demo", "make the built-in demo project afresh and serve it")
    .action(async (opts: { port?: string; open?: boolean; demo?: boolean }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      // Loaded here: the HTTP and WebSocket host is not worth loading for every other command.
      const { openInBrowser, rendererDirectory, serveDataDirectory, startServe } = await import("../../server/serve-app.js");
      const port = parsePort(opts.port);
      const projectRoot = await chooseProject(ctx, Boolean(opts.demo));
      const session = await startServe({ projectRoot, port, dataDir: serveDataDirectory(), staticDir: rendererDirectory() });
      process.stdout.write(`${session.host.url}\n`);
      ctx.out.info(`strata: serving ${projectRoot ?? "(no project)"} on 127.0.0.1:${session.host.port}; Ctrl+C stops`);
      if (opts.open) openInBrowser(session.host.url, (line) => ctx.out.info(line));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void session.close().then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });

  program
    .command("demo [dir]")
    .description("write the built-in demo project (two SQLite environments, a branch, a merge, a drift) into DIR")
    .action(async (dir: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const made = await createDemoProject(dir === undefined ? defaultDemoDirectory() : path.resolve(process.cwd(), dir));
      ctx.out.result(made, (m) => [
        `demo project written to ${m.root}: ${m.revisions} revisions`,
        ...Object.entries(m.environments).map(([env, heads]) => `  ${env}: ${heads.join(", ")}`),
        `  drift: ${m.drift}`,
        `next: strata --project ${m.root} serve --open`,
      ]);
    });
}
