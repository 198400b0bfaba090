import knexFactory from "knex";
import { afterAll, describe, expect, it } from "vitest";
import { versionStatementWriter } from "../../../electron/engine/runner/render-sql.js";
import type { VersionOp } from "../../../electron/engine/revisions/types.js";

const OPS: readonly VersionOp[] = [
  { kind: "insert", revision: "ae1027a6acf0" },
  { kind: "update", from: "ae1027a6acf0", to: "3f2a9c1b7d4e" },
  { kind: "delete", revision: "3f2a9c1b7d4e" },
  // knex-mode ids are file names and may hold quotes, a "?" or a backslash.
  { kind: "insert", revision: "2024_it's?_a\\b" },
  { kind: "update", from: "2024_it's?_a\\b", to: "x?y" },
];

describe.each(["pg", "mysql2", "better-sqlite3"] as const)("version-table statements of a script, %s", (client) => {
  // No connection: only the builders and the dialect's escaping are used.
  const knex = knexFactory({ client, useNullAsDefault: true });
  afterAll(() => knex.destroy());

  it("are what knex's own builder prints for each step", () => {
    const write = versionStatementWriter(knex, "strata_version");
    const byKnex = OPS.map((op) =>
      op.kind === "insert"
        ? knex("strata_version").insert({ version_num: op.revision }).toQuery()
        : op.kind === "delete"
          ? knex("strata_version").where({ version_num: op.revision }).delete().toQuery()
          : knex("strata_version").where({ version_num: op.from }).update({ version_num: op.to }).toQuery(),
    );
    expect(write(OPS)).toEqual(byKnex);
    expect(write([OPS[1]!])[0]).toMatch(/^update .strata_version. set .version_num. = '3f2a9c1b7d4e' where .version_num. = 'ae1027a6acf0'$/);
  });
});
