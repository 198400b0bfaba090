/**
 * A revision id where space is short. Strata's and Alembic's ids are hex and are cut to their
 * first 12 characters, as git shortens hashes; any other id (a knex file name such as
 * `2023-08-16-0000-create-monitor`, a hand-chosen id) is shown whole, since its first 12
 * characters would name nothing (CSS cuts it with an ellipsis where a column is narrow).
 */
export function shortRevision(id: string): string {
  return /^[0-9a-f]{13,}$/i.test(id) ? id.slice(0, 12) : id;
}
