import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright";
import { READS_ROWS, writeRowReadingRevision } from "./apply-fixtures.js";
import { DEMO, addEnvironment, createPostgresDatabase, strataSync } from "./strata-serve.js";

/** The revision after the row-reading one: its SQL must be its own on every dialect (issue 19). */
export const AFTER_READS = "abab12cd34ef";
/** A revision on MariaDB's head whose first run fails and whose fixed file then succeeds. */
export const FLAKY = "fa11ed0c0ffe";

/** Folder for screenshots: docs/screenshots with STRATA_SCREENSHOTS=1, else a temporary folder. */
export function screenshotFolder(prefix: string): string {
  const out = process.env.STRATA_SCREENSHOTS ? path.resolve(__dirname, "..", "..", "docs", "screenshots") : fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(out, { recursive: true });
  return out;
}

/** Waits for paint and writes `name-scheme.png`. */
export async function shoot(page: Page, out: string, name: string, scheme: "light" | "dark"): Promise<void> {
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(out, `${name}-${scheme}.png`) });
}

function writeRevisionFile(root: string, name: string, lines: readonly string[]): void {
  fs.writeFileSync(path.join(root, "migrations", name), [`import type { Knex } from "knex";`, ...lines, ``].join("\n"));
}

/** A fresh MariaDB database; its name and how to drop it. */
export function createMariaDatabase(): { readonly name: string; drop(): void } {
  const name = `strata_e2e_${randomBytes(5).toString("hex")}`;
  execFileSync("mysql", ["-h", "127.0.0.1", "-uroot", "-e", `create database ${name}`], { stdio: "pipe" });
  return { name, drop: () => execFileSync("mysql", ["-h", "127.0.0.1", "-uroot", "-e", `drop database if exists ${name}`], { stdio: "pipe" }) };
}

/**
 * The demo with a PostgreSQL environment `pg` (left at "create orders", 5 behind head) and a
 * MariaDB environment `maria` (at head), over two more revisions: one that reads rows and one
 * after it. With `flaky`, maria's history also holds a run that failed and a later run that
 * succeeded with the fixed file. Returns how to drop the two databases.
 */
export function prepareThreeDialects(root: string, opts: { readonly flaky?: boolean } = {}): () => void {
  const pg = createPostgresDatabase();
  const maria = createMariaDatabase();
  addEnvironment(root, "pg", { client: "pg", connection: pg.url, color: "#3a6ea5" });
  addEnvironment(root, "maria", { client: "mysql2", connection: { host: "127.0.0.1", port: 3306, user: "root", password: "", database: maria.name }, color: "#c77c02" });
  writeRowReadingRevision(root);
  writeRevisionFile(root, "zz_after_backfill.ts", [
    `export const revision = "${AFTER_READS}";`,
    `export const downRevision = "${READS_ROWS}";`,
    `export const message = "add order notes";`,
    `export async function up(knex: Knex): Promise<void> { await knex.schema.alterTable("orders", (t) => { t.string("notes", 500); }); }`,
    `export async function down(knex: Knex): Promise<void> { await knex.schema.alterTable("orders", (t) => { t.dropColumn("notes"); }); }`,
  ]);
  const cli = (...args: string[]) => strataSync(["--project", root, ...args]);
  cli("--env", "pg", "upgrade", DEMO.orders);
  cli("--env", "maria", "upgrade", "heads");
  if (opts.flaky) {
    const flaky = (fails: boolean) =>
      writeRevisionFile(root, "zzz_flaky.ts", [
        `export const revision = "${FLAKY}";`,
        `export const downRevision = "${AFTER_READS}";`,
        `export const message = "add customer tier";`,
        `export async function up(knex: Knex): Promise<void> { ${fails ? `throw new Error("tier column refused: the default is not valid");` : `await knex.schema.alterTable("customers", (t) => { t.string("tier", 10); });`} }`,
        `export async function down(knex: Knex): Promise<void> { await knex.schema.alterTable("customers", (t) => { t.dropColumn("tier"); }); }`,
      ]);
    flaky(true);
    try {
      cli("--env", "maria", "upgrade", "heads");
      throw new Error("the flaky revision's first run should have failed");
    } catch (e) {
      if (!String((e as { stderr?: string }).stderr ?? "").includes("tier column refused")) throw e;
    }
    flaky(false);
    cli("--env", "maria", "upgrade", "heads");
    // dev and prod stand below the new revisions; they stay as the demo left them.
  }
  return () => {
    pg.drop();
    maria.drop();
  };
}
