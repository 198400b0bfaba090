import type { Knex } from "knex";

/**
 * Strata's version and history tables exactly as the versions before run ids made them (no
 * `run_id`, no `run_target`), frozen here on purpose: the tests that use it check that a new run
 * upgrades such a table in place, so it must not follow the current definition.
 */
export async function createPreRunIdTables(knex: Knex, versionTable: string, historyTable: string): Promise<void> {
  await knex.schema.createTable(versionTable, (t) => t.string("version_num", 255).notNullable().primary(`${versionTable}_pkc`));
  await knex.schema.createTable(historyTable, (t) => {
    t.increments("id");
    t.string("revision", 255).notNullable();
    t.string("direction", 8).notNullable();
    t.text("message").notNullable();
    t.string("checksum", 64).nullable();
    t.string("started_at", 32).notNullable();
    t.string("finished_at", 32).nullable();
    t.integer("duration_ms").nullable();
    t.string("status", 16).notNullable();
    t.text("error").nullable();
    t.string("user_name", 255).notNullable();
    t.string("host_name", 255).notNullable();
    t.string("strata_version", 64).notNullable();
  });
}
