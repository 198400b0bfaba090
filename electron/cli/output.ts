import { isStrataError } from "../engine/errors.js";

/** How a command reports: one JSON document on stdout with --json, text for people otherwise. */
export class Output {
  constructor(readonly json: boolean) {}

  /** Prints the command's result: the JSON document, or the text lines made by `text`. */
  result<T>(value: T, text: (v: T) => string | readonly string[]): void {
    if (this.json) {
      process.stdout.write(JSON.stringify(value, null, 2) + "\n");
      return;
    }
    const out = text(value);
    const lines = typeof out === "string" ? [out] : out;
    if (lines.length) process.stdout.write(lines.join("\n") + "\n");
  }

  /** A line of progress or commentary: always stderr, so stdout stays one JSON document. */
  info(line: string): void {
    process.stderr.write(line + "\n");
  }
}

/**
 * Red for a warning a person must not miss, when the stream is a terminal (and NO_COLOR is not
 * set); plain text in a pipe or a CI log, where escape codes would only be noise.
 */
export function red(text: string, stream: NodeJS.WriteStream): string {
  return stream.isTTY && !process.env.NO_COLOR ? `\u001b[31m${text}\u001b[39m` : text;
}

/** Exit codes of DESIGN.md: 0 done, 1 a check found problems, 2 refused or failed. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_FAILED = 2;

/** Turns any error into the one line (then detail) a person reads on stderr; returns the exit code. */
export function reportError(e: unknown, debug: boolean, json = false): number {
  if (isStrataError(e)) {
    // With --json the facts behind the refusal (revision, statement, database message) go to stdout too.
    if (json) process.stdout.write(JSON.stringify({ error: e.toShape() }, null, 2) + "\n");
    process.stderr.write(`strata: ${e.message}\n`);
    if (e.detail) process.stderr.write(e.detail.replace(/\n?$/, "\n"));
    if (debug && e.stack) process.stderr.write(e.stack + "\n");
    return EXIT_FAILED;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`strata: internal error: ${err.message.split("\n")[0]}; please report it (rerun with STRATA_DEBUG=1 for the stack)\n`);
  if (debug && err.stack) process.stderr.write(err.stack + "\n");
  return EXIT_FAILED;
}
