import Papa from "papaparse";
import type { HistoryEntryDto } from "../../../shared/api.js";

/** The columns of an exported history, in order: what the table shows, with each row's run. */
const COLUMNS = ["id", "run", "runId", "runTarget", "revision", "direction", "status", "resolved", "message", "startedAt", "finishedAt", "durationMs", "osUser", "host", "databaseUser", "checksum", "strataVersion", "error"] as const;

type ExportRow = Record<(typeof COLUMNS)[number], string | number | null>;

function exportRow(r: HistoryEntryDto, databaseUser: string | null): ExportRow {
  return {
    id: r.id,
    run: r.run ?? null,
    runId: r.runId ?? null,
    runTarget: r.runTarget ?? null,
    revision: r.revision,
    direction: r.direction,
    status: r.status,
    resolved: r.resolved ? r.resolved.note : null,
    message: r.message,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    osUser: r.user,
    host: r.host,
    databaseUser,
    checksum: r.checksum,
    strataVersion: r.strataVersion,
    error: r.error,
  };
}

/** The rows as CSV (RFC 4180 quoting by Papa Parse: commas, quotes and line breaks inside a field are quoted). */
export function historyCsv(rows: readonly HistoryEntryDto[], databaseUser: string | null): string {
  return Papa.unparse({ fields: [...COLUMNS], data: rows.map((r) => COLUMNS.map((c) => exportRow(r, databaseUser)[c])) }, { newline: "\r\n" });
}

/** The rows as a JSON document: the environment, who "user" is, and every row with its statements where recorded. */
export function historyJson(environment: string, rows: readonly HistoryEntryDto[], databaseUser: string | null): string {
  return JSON.stringify({ environment, databaseUser, rows: rows.map((r) => ({ ...exportRow(r, databaseUser), statements: r.statements ?? null })) }, null, 2);
}
