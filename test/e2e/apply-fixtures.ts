import fs from "node:fs";
import path from "node:path";
import { DEMO } from "./strata-serve.js";

/** The revision writeRowReadingRevision adds. */
export const READS_ROWS = "f1f1f1f1f1f1";

/** Adds a revision on the demo's head that reads rows: its SQL cannot be rendered without the data, so the plan is not checked. */
export function writeRowReadingRevision(root: string): void {
  fs.writeFileSync(
    path.join(root, "migrations", "zz_backfill.ts"),
    [
      `import type { Knex } from "knex";`,
      `export const revision = "${READS_ROWS}";`,
      `export const downRevision = "${DEMO.status}";`,
      `export const message = "backfill order status";`,
      `export async function up(knex: Knex): Promise<void> {`,
      `  const rows = await knex("orders").select("id");`,
      `  for (const r of rows) await knex("orders").where({ id: r.id }).update({ status: "new" });`,
      `}`,
      `export async function down(knex: Knex): Promise<void> {}`,
      ``,
    ].join("\n"),
  );
}

/** The ids writeLongChain adds, oldest first. */
export const chainIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `c4a1${String(i).padStart(8, "0")}`);

/** Adds n empty revisions in a line on the demo's head, e.g. for a plan too long to draw every row of. */
export function writeLongChain(root: string, n: number): void {
  let parent: string = DEMO.status;
  for (const [i, id] of chainIds(n).entries()) {
    fs.writeFileSync(
      path.join(root, "migrations", `zz_chain_${String(i).padStart(4, "0")}.ts`),
      [
        `import type { Knex } from "knex";`,
        `export const revision = "${id}";`,
        `export const downRevision = "${parent}";`,
        `export const message = "chain step ${i}";`,
        `export async function up(knex: Knex): Promise<void> {}`,
        `export async function down(knex: Knex): Promise<void> {}`,
        ``,
      ].join("\n"),
    );
    parent = id;
  }
}
