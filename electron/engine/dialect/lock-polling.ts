import { StrataError } from "../errors.js";
import type { LockRequest } from "./types.js";

/** How often a waiting runner asks for the lock again. */
const POLL_MS = 100;

/**
 * Asks for a lock with tryOnce until it is granted or the wait runs out. Polling (rather than a
 * blocking GET_LOCK / pg_advisory_lock) lets the wait be reported and bounded to the millisecond.
 */
export async function pollForLock(
  lock: LockRequest,
  tryOnce: () => Promise<boolean>,
  describeHolder: () => Promise<string | null>,
  where: string,
): Promise<void> {
  const deadline = Date.now() + lock.timeoutMs;
  let reported = false;
  for (;;) {
    if (await tryOnce()) return;
    if (!reported) {
      reported = true;
      lock.onWait?.(await describeHolder().catch(() => null));
    }
    if (Date.now() >= deadline) {
      const holder = await describeHolder().catch(() => null);
      throw new StrataError(
        "LOCK_TIMEOUT",
        `waited ${formatWait(lock.timeoutMs)} for the migration lock on ${where}, held by ${holder ?? "another session that has since let go"}; let that run finish, or run \`strata unlock\` if it hangs`,
        { holder, lock: lock.name, waitedMs: lock.timeoutMs },
      );
    }
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

function formatWait(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
