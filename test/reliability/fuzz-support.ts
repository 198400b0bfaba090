/**
 * Shared pieces of the fuzz tests (issue 5 item 8): fixed seeds that can be replayed, the
 * "clear error or works" check, and database fingerprints taken before and after a fuzz run.
 */
import { createHash } from "node:crypto";
import type { Knex } from "knex";
import { expect } from "vitest";
import { isStrataError } from "../../electron/engine/errors.js";
import { ERROR_CODES } from "../../shared/errors.js";

/**
 * The seed every fuzz file starts from; FUZZ_SEED=N replays another run. Other knobs, for digging
 * into a failure: FUZZ_CLI_RUNS, FUZZ_BIN_RUNS, FUZZ_API_RUNS, FUZZ_HTTP_RUNS (run counts),
 * FUZZ_TRACE=FILE (each input and its outcome appended to FILE), FUZZ_CHECK_EACH=1 (fuzz-cli:
 * fingerprint the databases after every run, to find the one that changed them).
 */
export const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20261125);

/** A property's seed (base + its index) and its run count, printed so that a failure can be replayed. */
export function fuzzSettings(file: string, index: number, numRuns: number): { seed: number; numRuns: number } {
  const seed = BASE_SEED + index;
  // Printed on purpose: the seed is what replays a failure (fast-check adds the path to shrink from).
  console.log(`${file} #${index}: seed ${seed}, ${numRuns} runs (replay with FUZZ_SEED=${BASE_SEED})`);
  return { seed, numRuns };
}

/** Counts what each fuzz file tried, for docs/RELIABILITY.md. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }
  get(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }
  print(file: string): void {
    console.log(`${file}: ${[...this.counts].map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
}

/**
 * The outcome a user may see from bad input: it worked, or a StrataError with a known code and a
 * one-line message. Anything else (TypeError, a multi-line message) fails the test with the input.
 */
export function expectClearError(e: unknown, input: unknown): asserts e is Error {
  if (!isStrataError(e)) {
    const err = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
    expect.fail(`not a StrataError for input ${JSON.stringify(input)?.slice(0, 2000)}:\n${err}`);
  }
  expect(ERROR_CODES).toContain(e.code);
  expect(e.message, `message for ${JSON.stringify(input)?.slice(0, 500)}`).not.toMatch(/\n/);
  expect(e.message.trim().length).toBeGreaterThan(0);
}

/** What a database holds, as far as a fuzz run could change it: tables, columns, row counts, and every row's digest. */
export interface Fingerprint {
  readonly tables: Readonly<Record<string, { readonly columns: string; readonly rows: number; readonly digest: string }>>;
}

type Client = "pg" | "mysql2" | "better-sqlite3";

async function tableList(knex: Knex, client: Client): Promise<{ schema: string | null; name: string }[]> {
  if (client === "pg") {
    const r = await knex.raw(
      "select table_schema as s, table_name as t from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'",
    );
    return (r.rows as { s: string; t: string }[]).map((x) => ({ schema: x.s, name: x.t }));
  }
  if (client === "mysql2") {
    const [rows] = await knex.raw("select table_name as t from information_schema.tables where table_schema = database()");
    return (rows as { t: string }[]).map((x) => ({ schema: null, name: x.t }));
  }
  const rows = (await knex.raw("select name as t from sqlite_master where type = 'table'")) as { t: string }[];
  return rows.map((x) => ({ schema: null, name: x.t }));
}

/** Tables (with their columns), row counts, and a digest of every row (version and history tables included). */
export async function fingerprint(knex: Knex, client: Client): Promise<Fingerprint> {
  const tables: Record<string, { columns: string; rows: number; digest: string }> = {};
  for (const t of await tableList(knex, client)) {
    const q = t.schema ? knex.withSchema(t.schema).from(t.name) : knex.from(t.name);
    const rows = (await q.select("*")) as Record<string, unknown>[];
    const lines = rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)), (_k, v) => (typeof v === "bigint" ? String(v) : v))).sort();
    const columns = rows.length ? Object.keys(rows[0]!).sort().join(",") : "";
    tables[t.schema ? `${t.schema}.${t.name}` : t.name] = {
      columns,
      rows: rows.length,
      digest: createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16),
    };
  }
  return { tables };
}

/** A one-line summary for the log: "N tables, M rows". */
export function describeFingerprint(f: Fingerprint): string {
  const t = Object.values(f.tables);
  return `${t.length} tables, ${t.reduce((n, x) => n + x.rows, 0)} rows`;
}
