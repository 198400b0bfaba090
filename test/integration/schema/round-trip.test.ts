import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { useAppAndTarget } from "../../helpers/app-and-target.js";
import { envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import { strata, writeProject } from "../../helpers/strata-cli.js";
import { ROUND_TRIP } from "./round-trip-schemas.js";

const raw = (statements: readonly string[]): string => statements.map((s) => `await knex.raw(${JSON.stringify(s)});`).join("\n  ");

describe.each(TEST_CLIENTS)("schema round trip on %s", (client: DbClient) => {
  const dbs = useAppAndTarget(client);

  it("autogenerates a revision from B to A: applied, the diff against A is empty; rolled back, the diff against B is empty", async () => {
    const { a, b } = ROUND_TRIP[client];
    for (const s of a) await dbs.target.knex.raw(s);
    const dir = writeProject({
      environments: { app: envEntry(dbs.app), target: envEntry(dbs.target) },
      revisions: [{ revision: "b1b1b1b1b1b1", downRevision: null, message: "schema b", up: raw(b), down: "" }],
    });
    const p = ["--project", dir, "--env", "app"];
    const schemas = client === "pg" ? ["--schema", "billing"] : [];
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);

    const before = await strata([...p, "diff", "--from", "app", "--to", "target", ...schemas, "--json"]);
    expect(before.code).toBe(1);
    expect(before.json.equal).toBe(false);
    const kinds = new Set(before.json.changes.map((c: { kind: string }) => c.kind));
    expect(before.json.changes.length).toBeGreaterThanOrEqual(30);
    for (const k of ["create-table", "drop-table", "add-column", "drop-column", "alter-column", "add-index", "drop-index", "add-unique", "drop-unique", "add-check", "drop-check", "add-foreign-key", "drop-foreign-key", "create-view", "drop-view"]) {
      expect(kinds, k).toContain(k);
    }
    if (client === "pg") {
      expect(kinds).toContain("alter-enum");
      expect(kinds).toContain("create-enum");
      expect(before.json.changes.some((c: { object: string }) => c.object === "billing.invoices")).toBe(true);
    }
    expect(before.json.changes.find((c: { kind: string }) => c.kind === "drop-table").destructive).toBe(true);

    const gen = await strata([...p, "revision", "--autogenerate", "-m", "reach a", "--from", "target", "--rev-id", "c2c2c2c2c2c2", ...schemas, "--json"]);
    expect(gen.code, gen.stderr).toBe(0);
    const file = fs.readFileSync(path.join(dir, gen.json.file), "utf8");
    expect(file).toContain(`export const downRevision: string | string[] | null = "b1b1b1b1b1b1";`);
    expect(file).toMatch(/\/\/ DESTRUCTIVE: read this before applying: drop table old_table/);
    expect(file).toContain("knex.raw(");

    const up = await strata([...p, "upgrade", "heads"]);
    expect(up.code, up.stderr).toBe(0);
    const afterUp = await strata([...p, "diff", "--from", "app", "--to", "target", ...schemas, "--json"]);
    expect(afterUp.json?.changes ?? afterUp.stderr).toEqual([]);
    expect(afterUp.code).toBe(0);

    const down = await strata([...p, "downgrade", "b1b1b1b1b1b1"]);
    expect(down.code, down.stderr).toBe(0);
    const afterDown = await strata([...p, "diff", "--from", "app", "--to", "migrations@b1b1b1b1b1b1", ...schemas, "--json"]);
    expect(afterDown.json?.changes ?? afterDown.stderr).toEqual([]);
    expect(afterDown.code).toBe(0);
  });

  it("status and check report drift: none after the revisions, the difference after a hand-made change", async () => {
    const { b } = ROUND_TRIP[client];
    const dir = writeProject({
      environments: { app: envEntry(dbs.app) },
      revisions: [{ revision: "b1b1b1b1b1b1", downRevision: null, message: "schema b", up: raw(b), down: "" }],
    });
    const p = ["--project", dir, "--env", "app"];
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
    const clean = await strata([...p, "check"]);
    expect(clean.stdout).toContain("up to date");
    expect(clean.code).toBe(0);

    await dbs.app.knex.raw(client === "mysql2" ? "alter table products add column weight int" : "alter table products add column weight integer");
    await dbs.app.knex.raw("create index ix_products_sku on products (sku)");
    const status = await strata([...p, "status", "--json"]);
    expect(status.code).toBe(0);
    const drift = status.json.environments[0].drift;
    expect(drift.drifted).toBe(true);
    expect(drift.changes.map((c: { summary: string }) => c.summary)).toEqual(["add column weight integer null", "add index ix_products_sku (sku)"]);
    const check = await strata([...p, "check"]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("drift: the live schema differs");
    expect(check.stdout).toContain("add column weight integer null");
  });
});
