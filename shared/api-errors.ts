/** How an API error looks to a front end, whichever host (IPC or HTTP) it came through. */
import { ERROR_CODES } from "./errors.js";
import type { ErrorCode, ErrorShape } from "./errors.js";

/** An error from a StrataApi call, as the HTTP client throws it (an Error that is also an ErrorShape). */
export class ApiError extends Error implements ErrorShape {
  readonly code: ErrorCode;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(shape: ErrorShape) {
    super(shape.message);
    this.name = "ApiError";
    this.code = shape.code;
    if (shape.details !== undefined) this.details = shape.details;
  }
}

/** True for a known error code. */
export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === "string" && (ERROR_CODES as readonly string[]).includes(x);
}

/** True for anything shaped like an ErrorShape (an ApiError, or the plain object the preload rejects with). */
export function isErrorShape(x: unknown): x is ErrorShape {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return isErrorCode(o.code) && typeof o.message === "string";
}

/** Reads any rejection of a StrataApi call as an ErrorShape; unknown errors become INTERNAL. */
export function asErrorShape(e: unknown): ErrorShape {
  if (isErrorShape(e)) return { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) };
  if (e instanceof Error) return { code: "INTERNAL", message: e.message.split("\n")[0] ?? "unknown error" };
  return { code: "INTERNAL", message: String(e) };
}
