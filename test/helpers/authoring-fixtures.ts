import type { Knex } from "knex";
import type { RevisionSpec } from "./strata-cli.js";

/** The project the create-screen tests start from (issue 19): accounts, then invoices on it. */
export const A1 = "a1a1a1a1a1a1";
export const B2 = "b2b2b2b2b2b2";
export const C3 = "c3c3c3c3c3c3";
export const D4 = "d4d4d4d4d4d4";
export const AUTHORING_REVISIONS: readonly RevisionSpec[] = [
  { revision: A1, downRevision: null, message: "create accounts", up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("accounts");` },
  { revision: B2, downRevision: A1, message: "create invoices", up: `await knex.schema.createTable("invoices", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("invoices");` },
];
/** A second head beside B2. */
export const SIDE_HEAD: RevisionSpec = { revision: C3, downRevision: A1, message: "create tags", up: `await knex.schema.createTable("tags", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("tags");` };

/** A third head beside B2 and C3, for a merge of some of the heads. */
export const THIRD_HEAD: RevisionSpec = { revision: D4, downRevision: A1, message: "create labels", up: `await knex.schema.createTable("labels", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("labels");` };

/** What a developer does to an upgraded dev database by hand: a column added, a table made, a table dropped (destructive). */
export async function changeByHand(knex: Knex): Promise<void> {
  await knex.schema.alterTable("accounts", (t) => t.string("email", 200).nullable());
  await knex.schema.createTable("notes", (t) => {
    t.increments("id");
    t.text("body");
  });
  await knex.schema.dropTable("invoices");
}
