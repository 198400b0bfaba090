import type { KnexMigrationsDto } from "../../../shared/dto.js";

/**
 * Where an environment's knex_migrations is not a prefix of a knex folder (issue #15): the files
 * pending out of order (later files ran, these never did) and the rows that name files the folder
 * does not have. Nothing when knex's table is a prefix.
 */
export function KnexGaps(props: { readonly environment: string; readonly knex: KnexMigrationsDto }) {
  const { environment, knex } = props;
  if (knex.gaps.length === 0 && knex.unknown.length === 0) return null;
  const files = (n: number): string => (n === 1 ? "1 file" : `${n} files`);
  return (
    <div className="panel" data-testid="knex-gaps" data-knex-env={environment} style={{ display: "grid", gap: 8, margin: "8px 0" }}>
      <strong>{environment}: what knex recorded as run does not match the migrations folder</strong>
      {knex.gaps.length > 0 && (
        <div className="notice warn" data-testid="knex-gap-files">
          <div>
            Pending out of order: {files(knex.gaps.length)} never ran here, though later files did (knex runs files in the order it finds them, so a branch merge can leave one behind). An upgrade runs{" "}
            {knex.gaps.length === 1 ? "it" : "them"} in folder order, as knex's own <code>migrate.latest()</code> would.
          </div>
          <FileNames names={knex.gaps} />
        </div>
      )}
      {knex.unknown.length > 0 && (
        <div className="notice error" data-testid="knex-unknown-files">
          <div>
            Not in the folder: knex_migrations here records {files(knex.unknown.length)} that the migrations folder does not have. Upgrades and downgrades are refused until{" "}
            {knex.unknown.length === 1 ? "it is" : "they are"} back: restore {knex.unknown.length === 1 ? "the file" : "the files"}, or open the folder that built this database.
          </div>
          <FileNames names={knex.unknown} />
        </div>
      )}
    </div>
  );
}

/** File names or revision ids, one a line. */
function FileNames({ names }: { readonly names: readonly string[] }) {
  return (
    <ul style={{ margin: "4px 0 0", paddingLeft: 18 }}>
      {names.map((n) => (
        <li key={n} className="mono">{n}</li>
      ))}
    </ul>
  );
}
