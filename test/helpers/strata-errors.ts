import { isStrataError, type StrataError } from "../../electron/engine/errors.js";

/** The StrataError `fn` throws; any other error is rethrown, and returning normally fails the test. */
export function strataErrorOf(fn: () => unknown): StrataError {
  try {
    fn();
  } catch (e) {
    if (isStrataError(e)) return e;
    throw e;
  }
  throw new Error("expected a StrataError");
}

/** The StrataError `promise` rejects with, as strataErrorOf does for a call. */
export async function strataErrorOfAsync(promise: Promise<unknown>): Promise<StrataError> {
  try {
    await promise;
  } catch (e) {
    if (isStrataError(e)) return e;
    throw e;
  }
  throw new Error("expected a StrataError");
}
