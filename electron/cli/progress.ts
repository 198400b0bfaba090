import type { SingleBar } from "cli-progress";
import { assertNever } from "../engine/errors.js";
import type { RunEvent } from "../engine/runner/types.js";

/**
 * Shows a run's progress on stderr: a bar and the revision being run on a terminal, plain lines
 * otherwise (CI logs), and nothing with --quiet.
 */
export function createProgressReporter(opts: { tty: boolean; quiet: boolean }): { onEvent: (e: RunEvent) => void; stop: () => void } {
  if (opts.quiet) return { onEvent: () => {}, stop: () => {} };
  let bar: SingleBar | null = null;
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  const onEvent = (e: RunEvent): void => {
    switch (e.kind) {
      case "lock-wait":
        process.stderr.write(`waiting for the migration lock${e.holder ? ` (held by ${e.holder})` : ""}...\n`);
        return;
      case "plan":
        if (opts.tty && e.total > 1) {
          // Loaded only when a bar is drawn: most runs (CI logs) never need it.
          const cliProgress = require("cli-progress") as typeof import("cli-progress");
          bar = new cliProgress.SingleBar(
            { format: " {bar} {value}/{total} {revision}", stream: process.stderr, hideCursor: true, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.total, 0, { revision: "" });
        } else if (!opts.tty) {
          process.stderr.write(`${e.total} step${e.total === 1 ? "" : "s"} to run\n`);
        }
        return;
      case "step-start":
        if (bar) bar.update(e.index, { revision: `${e.direction} ${e.revision} ${e.message}` });
        return;
      case "step-done":
        if (bar) bar.update(e.index + 1);
        else process.stderr.write(`${e.direction === "up" ? "upgraded" : "downgraded"} ${e.revision} (${e.durationMs} ms)\n`);
        if (bar && e.index + 1 === e.total) stop();
        return;
      default:
        assertNever(e);
    }
  };
  return { onEvent, stop };
}
