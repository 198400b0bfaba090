import type { ErrorCode, ErrorShape } from "../../shared/errors.js";

/**
 * A domain error: a code, a one-line message that says what is wrong and what to do,
 * and the facts behind it. Every error a user can cause is one of these.
 */
export class StrataError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  /** Longer explanation printed after the one-line message (stack-free). */
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, detail?: string) {
    super(message);
    this.name = "StrataError";
    this.code = code;
    this.details = details;
    this.detail = detail;
  }

  toShape(): ErrorShape {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isStrataError(e: unknown): e is StrataError {
  return e instanceof StrataError;
}

/** Used at the end of exhaustive switches over unions. */
export function assertNever(x: never): never {
  throw new StrataError("INTERNAL", `unexpected value: ${JSON.stringify(x)}`);
}

/** A StrataError's shape; anything else is an internal error with its first line. */
export function defaultErrorShape(e: unknown): ErrorShape {
  if (isStrataError(e)) return e.toShape();
  const message = e instanceof Error ? e.message : String(e);
  return { code: "INTERNAL", message: `internal error: ${message.split("\n")[0]}` };
}
