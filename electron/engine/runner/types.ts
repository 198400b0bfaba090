import type { HistoryEntryDto } from "../../../shared/api.js";
import type { Direction } from "../revisions/types.js";

/** A row of the history table: one executed step (the same shape the front ends receive). */
export type HistoryRow = HistoryEntryDto;

/** Progress of a run, for a bar on a terminal, a log line, or the GUI. */
export type RunEvent =
  | { readonly kind: "lock-wait"; readonly holder: string | null }
  | { readonly kind: "plan"; readonly total: number }
  | { readonly kind: "step-start"; readonly index: number; readonly total: number; readonly revision: string; readonly direction: Direction; readonly message: string }
  | { readonly kind: "step-done"; readonly index: number; readonly total: number; readonly revision: string; readonly direction: Direction; readonly durationMs: number };

/** What a run did. */
export interface RunResult {
  readonly steps: readonly { readonly revision: string; readonly direction: Direction; readonly durationMs: number }[];
  readonly headsBefore: readonly string[];
  /** The version table afterwards (sorted). */
  readonly heads: readonly string[];
}
