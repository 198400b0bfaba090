import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const REVCHECK = path.resolve(ROOT, "..", "shared", "tools", "revcheck.mjs");
const FIXTURE = path.join(ROOT, "test", "fixtures", "alembic-revision-cases.json");
// Every case goes through the engine in test/unit/revisions; through the CLI (four processes a
// case) a sample keeps the suite short. `npm run revcheck` runs all of them.
const SAMPLE = 60;

describe("Alembic conformance through the strata CLI (shared/tools/revcheck.mjs)", () => {
  it.skipIf(!fs.existsSync(REVCHECK))(`agrees with Alembic on a sample of ${SAMPLE} recorded cases`, () => {
    const r = spawnSync(process.execPath, [REVCHECK, FIXTURE, String(SAMPLE), "1"], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
    expect(r.stdout).toContain(`alembic conformance: ${SAMPLE}/${SAMPLE} cases agree (100.0%)`);
    expect(r.status).toBe(0);
  }, 600_000);
});
