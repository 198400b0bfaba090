// The benchmark scripts run as their usage lines say (`npx tsx bench/X.ts ...`), outside vitest.
// Each is run here on a few revisions of each dialect, so a change to a helper they import (one
// that pulled vitest into test/helpers/databases.ts broke every one of them) fails the suite
// instead of the next person who measures. The figures are not judged: a few revisions say nothing.
// migrate.ts alone runs upgrades, rollbacks and TypeScript rounds on three dialects: about a minute under load.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { STRATA_BIN } from "../../helpers/strata-cli.js";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function bench(args: readonly string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [TSX, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, BENCH_ROUNDS: "1" }, timeout: 200_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe("the benchmark scripts run outside vitest", () => {
  it.each([
    ["migrate.ts", ["bench/migrate.ts", "3", "better-sqlite3,pg,mysql2"], /x knex/],
    ["knex-mode.ts", ["bench/knex-mode.ts", "3", "better-sqlite3,pg,mysql2"], /knex mode, 3 files: knex latest/],
    ["compare-builds.ts", ["bench/compare-builds.ts", "3", "better-sqlite3", `this=${STRATA_BIN}`], /this\s+median .* knex/],
    ["introspect.ts", ["bench/introspect.ts", "3", "better-sqlite3,pg,mysql2"], /pg_dump|mariadb-dump/],
    ["heads.ts", ["bench/heads.ts", "20"], /strata heads \(20 revisions\), median of 5 cold runs/],
    ["pg-round-trips.ts", ["bench/pg-round-trips.ts", "2,3"], /strata round trips per revision: \d/],
    ["mysql-round-trips.ts", ["bench/mysql-round-trips.ts", "2,3"], /strata per revision: [\d.-]+ round trips/],
  ] as const)("%s prints its figures", (_name, args, printed) => {
    const r = bench(args);
    expect(r.out).toMatch(printed);
    expect(r.code, r.out).toBe(0);
  }, 240_000);
});
