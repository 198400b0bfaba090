/**
 * knex's lock taken by an offline script where the dialect has no conditional error outside a
 * stored program or trigger (MySQL/MariaDB, SQLite): a CHECK constraint on a temporary table,
 * named for the reason, refuses the count of rows the UPDATE took (0 while knex holds the lock).
 */
export function knexLockByCheckConstraint(lockTable: string, sql: { readonly temporary: string; readonly rowsChanged: string; readonly dropTemporary: string }): string[] {
  return [
    `create ${sql.temporary} table \`strata_knex_lock_check\` (\`taken\` integer, constraint \`${lockTable}_is_locked_by_a_knex_migration\` check (\`taken\` = 1))`,
    `update \`${lockTable}\` set \`is_locked\` = 1 where \`is_locked\` = 0`,
    `insert into \`strata_knex_lock_check\` values (${sql.rowsChanged})`,
    `drop ${sql.dropTemporary}table \`strata_knex_lock_check\``,
  ];
}
