// Applies and rolls back N small revisions (each creates a table with three columns) on each
// dialect with Strata, and does the same with knex's own migrator on a fresh database in the
// same run. Prints both times and their ratio, like with like:
//   upgrade:  Strata --single-transaction  vs  knex migrate.latest (one transaction for the batch)
//             (Strata's default, a transaction per revision, printed beside)
//   rollback: Strata downgrade base (a transaction per revision)  vs  knex migrate.rollback(all)
// Usage: npx tsx bench/migrate.ts [N] [pg,mysql2,better-sqlite3]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import knexFactory from "knex";
import type { DbClient } from "../electron/engine/dialect/index.js";
import { runMigration } from "../electron/engine/operations/migrate.js";
import { openProject, selectEnvironment } from "../electron/engine/operations/open-project.js";
import { createTestDatabase } from "../test/helpers/databases.js";
import type { TestDatabase } from "../test/helpers/databases.js";
import { generateProject } from "./generate-project.js";

const N = Number(process.argv[2] ?? 1000);
const clients = (process.argv[3] ?? "better-sqlite3,pg,mysql2").split(",") as DbClient[];

const tableBody = (i: number) => ({
  up: `await knex.schema.createTable("t_${i}", (t) => { t.increments("id"); t.string("name", 100); t.integer("qty"); });`,
  down: `await knex.schema.dropTable("t_${i}");`,
});

function writeKnexFolder(n: number): string {
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

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e9, v];
}

async function strataRun(db: TestDatabase, command: "upgrade" | "downgrade", target: string, singleTransaction: boolean, project: string): Promise<number> {
  // A fresh load each time, as a CLI run would do: reading and compiling the revision files counts.
  const [s] = await timed(async () => {
    const p = await openProject({ project, cwd: process.cwd() });
    const env = { ...selectEnvironment(p, "dev"), knexConfig: { ...db.env.knexConfig, client: db.env.client } };
    const r = await runMigration(p, { ...env, client: db.env.client }, { command, target, singleTransaction });
    if (command === "upgrade" && r.steps.length !== N) throw new Error(`ran ${r.steps.length} steps, not ${N}`);
  });
  return s;
}

async function knexRun(db: TestDatabase, dir: string, what: "latest" | "rollback"): Promise<number> {
  const k = knexFactory({ client: db.env.client, connection: db.env.knexConfig.connection as never, useNullAsDefault: true, pool: { min: 1, max: 2 } });
  try {
    const [s] = await timed(async () => {
      if (what === "latest") await k.migrate.latest({ directory: dir, loadExtensions: [".js"] });
      else await k.migrate.rollback({ directory: dir, loadExtensions: [".js"] }, true);
    });
    return s;
  } finally {
    await k.destroy();
  }
}

async function main(): Promise<void> {
  const { dir: project } = generateProject({ revisions: N, body: tableBody });
  const knexDir = writeKnexFolder(N);
  const lines: string[] = [];
  for (const client of clients) {
    const dbs = await Promise.all([createTestDatabase(client), createTestDatabase(client), createTestDatabase(client)]);
    const [forSingle, forDefault, forKnex] = dbs as [TestDatabase, TestDatabase, TestDatabase];
    try {
      const knexUp = await knexRun(forKnex, knexDir, "latest");
      const strataSingle = await strataRun(forSingle, "upgrade", "heads", true, project);
      const strataDefault = await strataRun(forDefault, "upgrade", "heads", false, project);
      const knexDown = await knexRun(forKnex, knexDir, "rollback");
      const strataDown = await strataRun(forDefault, "downgrade", "base", false, project);
      const line =
        `${client.padEnd(15)} upgrade: strata --single-transaction ${strataSingle.toFixed(2)} s, knex latest ${knexUp.toFixed(2)} s, ratio ${(strataSingle / knexUp).toFixed(2)}x` +
        ` (strata default ${strataDefault.toFixed(2)} s)` +
        ` | rollback: strata ${strataDown.toFixed(2)} s, knex ${knexDown.toFixed(2)} s, ratio ${(strataDown / knexDown).toFixed(2)}x`;
      console.log(line);
      lines.push(line);
    } finally {
      await Promise.all(dbs.map((d) => d.drop()));
    }
  }
  fs.rmSync(project, { recursive: true, force: true });
  fs.rmSync(knexDir, { recursive: true, force: true });
  console.log(`${N} revisions; target: strata at most 1.1x knex on every dialect`);
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
