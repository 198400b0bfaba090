import os from "node:os";
import type { Knex } from "knex";
import type { Dialect } from "../dialect/index.js";
import { currentUser, ensureStrataTables, insertHistory, migrationLock, newRunMark, selectHeads } from "./strata-tables.js";
import type { RunEvent } from "./types.js";

/** The words a repair row's message starts with (the History screen and `readAppliedChecksums` know it by its direction). */
export const REPAIRED_PREFIX = "repaired: accepted the edited file";

/** Options of recordRepair(). */
export interface RepairOptions {
  /** Full revision id. */
  readonly revision: string;
  /** The file's checksum now: the one later runs will compare with. */
  readonly checksum: string;
  /**
   * Reads, under the lock, the checksum the revision ran with (or was last repaired to); throws
   * when the revision is not applied or its file is not edited, so a repair racing a run changes nothing.
   */
  readonly previousChecksum: (db: Knex, heads: readonly string[]) => Promise<string>;
  readonly versionTable: string;
  readonly historyTable: string;
  readonly strataVersion: string;
  readonly lockTimeoutMs?: number;
  readonly onEvent?: (e: RunEvent) => void;
}

/** What recordRepair() wrote. */
export interface RepairResult {
  readonly revision: string;
  readonly previousChecksum: string;
  readonly checksum: string;
  readonly historyId: number;
  /** The history row's message: what was accepted, by whom, when. */
  readonly note: string;
  readonly user: string;
  readonly databaseUser: string | null;
  readonly at: string;
}

/**
 * Records that a person accepted an applied revision's edited file: a `repair` history row
 * carrying the file's new checksum, so later runs compare with it and stop refusing. Runs
 * nothing and leaves the version table; under the migration lock, like every change.
 */
export async function recordRepair(knex: Knex, dialect: Dialect, opts: RepairOptions): Promise<RepairResult> {
  const emit = opts.onEvent ?? (() => undefined);
  return dialect.withLock(knex, migrationLock(opts.lockTimeoutMs, emit), async (db) => {
    await ensureStrataTables(db, opts);
    const heads = await selectHeads(db, opts.versionTable);
    const previous = await opts.previousChecksum(db, heads);
    const databaseUser = await dialect.databaseUser(db);
    const now = new Date();
    // As the row's user_name and host_name say.
    const user = `${currentUser()}@${os.hostname()}`;
    const asDb = databaseUser ? ` (database user ${databaseUser})` : "";
    const note = `${REPAIRED_PREFIX}, checksum ${short(previous)}→${short(opts.checksum)}, by ${user}${asDb} at ${now.toISOString()}`;
    const historyId = await insertHistory(db, dialect, opts.historyTable, {
      revision: opts.revision,
      direction: "repair",
      message: note,
      checksum: opts.checksum,
      startedAt: now,
      finishedAt: now,
      status: "succeeded",
      error: null,
      strataVersion: opts.strataVersion,
      run: newRunMark(opts.revision),
    });
    return { revision: opts.revision, previousChecksum: previous, checksum: opts.checksum, historyId, note, user, databaseUser, at: now.toISOString() };
  });
}

/** Enough of a sha256 to tell two files apart in a sentence. */
function short(checksum: string): string {
  return checksum.slice(0, 8);
}
