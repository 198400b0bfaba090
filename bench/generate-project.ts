import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Options for a generated benchmark project. */
export interface GeneratedProjectOptions {
  readonly revisions: number;
  /** Every `branchEvery` revisions a side branch of `branchLength` starts and is merged back. */
  readonly branchEvery?: number;
  readonly branchLength?: number;
  /** Body of up()/down() for revision i (default: empty). */
  readonly body?: (i: number) => { up: string; down: string };
  readonly environments?: Record<string, unknown>;
  /** TypeScript ES modules, as `strata revision` writes them (the default), or CommonJS `.js` files, as knex's are. */
  readonly language?: "ts" | "cjs";
}

function id(i: number): string {
  return i.toString(16).padStart(12, "0");
}

/**
 * Writes a project of N revision files in DESIGN.md's format: a main line with, optionally,
 * branches that fork and merge back, so the graph has heads, branch points and merge points.
 */
export function generateProject(opts: GeneratedProjectOptions): { dir: string; head: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-bench-"));
  const migrations = path.join(dir, "migrations");
  fs.mkdirSync(migrations);
  fs.writeFileSync(
    path.join(dir, "strata.config.json"),
    JSON.stringify({ migrations: "migrations", environments: opts.environments ?? { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } } }, null, 2),
  );
  let mainTip: string | null = null;
  let i = 0;
  const write = (rev: string, down: string | string[] | null): void => {
    const body = opts.body?.(i) ?? { up: "", down: "" };
    const name = `${String(i).padStart(6, "0")}_${rev}`;
    if (opts.language === "cjs") {
      const src = [
        `exports.revision = "${rev}";`,
        `exports.downRevision = ${JSON.stringify(down)};`,
        `exports.message = "revision ${i}";`,
        `exports.up = async function (knex) { ${body.up} };`,
        `exports.down = async function (knex) { ${body.down} };`,
        ``,
      ].join("\n");
      fs.writeFileSync(path.join(migrations, `${name}.js`), src);
      i++;
      return;
    }
    const src = [
      `import type { Knex } from "knex";`,
      ``,
      `export const revision = "${rev}";`,
      `export const downRevision: string | string[] | null = ${JSON.stringify(down)};`,
      `export const message = "revision ${i}";`,
      ``,
      `export async function up(knex: Knex): Promise<void> {`,
      `  ${body.up}`,
      `}`,
      ``,
      `export async function down(knex: Knex): Promise<void> {`,
      `  ${body.down}`,
      `}`,
      ``,
    ].join("\n");
    fs.writeFileSync(path.join(migrations, `${name}.ts`), src);
    i++;
  };
  const every = opts.branchEvery ?? 0;
  const len = opts.branchLength ?? 3;
  while (i < opts.revisions) {
    const forkPoint: string | null = mainTip;
    const rev = id(i + 1);
    write(rev, mainTip);
    mainTip = rev;
    if (every && forkPoint && i % every === 0 && i + len + 1 < opts.revisions) {
      let side = forkPoint;
      for (let k = 0; k < len; k++) {
        const s = id(i + 1);
        write(s, side);
        side = s;
      }
      const merge = id(i + 1);
      write(merge, [mainTip, side]);
      mainTip = merge;
    }
  }
  return { dir, head: mainTip! };
}

/** Revision i's body in the migration benches: a table of three columns made, then dropped. */
export const tableBody = (i: number): { up: string; down: string } => ({
  up: `await knex.schema.createTable("t_${i}", (t) => { t.increments("id"); t.string("name", 100); t.integer("qty"); });`,
  down: `await knex.schema.dropTable("t_${i}");`,
});

/** knex's own migrations folder of N CommonJS files with tableBody's bodies. */
export function writeKnexFolder(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "knex-bench-"));
  for (let i = 0; i < n; i++) {
    const b = tableBody(i);
    fs.writeFileSync(
      path.join(dir, `${String(i).padStart(6, "0")}_t.js`),
      `exports.up = async function (knex) { ${b.up} };\nexports.down = async function (knex) { ${b.down} };\n`,
    );
  }
  return dir;
}
