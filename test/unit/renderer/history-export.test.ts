import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { HistoryEntryDto } from "../../../shared/api.js";
import { historyCsv, historyJson } from "../../../renderer/screens/history/history-export.js";

const row = (over: Partial<HistoryEntryDto>): HistoryEntryDto => ({
  id: 1,
  revision: "aaaaaaaaaaaa",
  direction: "up",
  message: "create users",
  checksum: "c0ffee",
  startedAt: "2026-12-01T10:00:00.000Z",
  finishedAt: "2026-12-01T10:00:01.000Z",
  durationMs: 1000,
  status: "succeeded",
  error: null,
  user: "ann",
  host: "build-1",
  strataVersion: "0.1.0",
  run: 1,
  resolved: null,
  ...over,
});

/** Python's csv module reads the file: a parser Strata did not write. */
function parseWithPython(csv: string): string[][] {
  const out = execFileSync("python3", ["-c", "import csv,json,sys; print(json.dumps(list(csv.reader(sys.stdin, strict=True))))"], { input: csv, encoding: "utf8" });
  return JSON.parse(out) as string[][];
}

describe("history export", () => {
  const rows = [
    row({}),
    row({ id: 2, revision: "bbbbbbbbbbbb", status: "failed", message: 'add "email", unique', error: "duplicate key\nvalue violates, \"users_email\"", resolved: { how: "retried", note: "succeeded in a later run at 2026-12-01T10:05:00.000Z" } }),
  ];

  it("writes CSV that a standard parser reads back field for field, quotes, commas and line breaks included", () => {
    const parsed = parseWithPython(historyCsv(rows, "postgres"));
    const [header, first, second] = parsed;
    expect(parsed).toHaveLength(3);
    const col = (name: string) => header!.indexOf(name);
    expect(header).toContain("osUser");
    expect(header).toContain("databaseUser");
    expect(first![col("revision")]).toBe("aaaaaaaaaaaa");
    expect(first![col("databaseUser")]).toBe("postgres");
    expect(second![col("message")]).toBe('add "email", unique');
    expect(second![col("error")]).toBe('duplicate key\nvalue violates, "users_email"');
    expect(second![col("resolved")]).toBe("succeeded in a later run at 2026-12-01T10:05:00.000Z");
    expect(second![col("status")]).toBe("failed");
  });

  it("writes JSON with the environment, the database user and every row", () => {
    const doc = JSON.parse(historyJson("prod", rows, null));
    expect(doc.environment).toBe("prod");
    expect(doc.databaseUser).toBeNull();
    expect(doc.rows.map((r: { revision: string }) => r.revision)).toEqual(["aaaaaaaaaaaa", "bbbbbbbbbbbb"]);
    expect(doc.rows[1].error).toBe('duplicate key\nvalue violates, "users_email"');
    expect(doc.rows[1].osUser).toBe("ann");
  });
});
