/**
 * Issue 19 point 5, the revision page, in Chromium against `strata serve`, on SQLite (dev),
 * PostgreSQL (pg) and MariaDB (maria) environments, at 1280x800 and 1920x1080, light and dark:
 * a revision after one that reads rows shows its own SQL on every dialect (MariaDB showed the
 * other revision's error), a merge's downgrade SQL renders (it was "ambiguous"), and what a
 * down drops is marked in its pane. A revision whose up() throws shows its own error, in words
 * naming it, while the revisions on each side of it show their SQL; a revision that narrows a
 * column has that statement marked as losing data, like a drop.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright";
import { afterAll, describe, expect, it } from "vitest";
import { useDemoSessions } from "./demo-sessions.js";
import { DEMO } from "./strata-serve.js";
import { AFTER_READS, prepareThreeDialects, screenshotFolder, shoot } from "./three-dialect-demo.js";

const OUT = screenshotFolder("strata-revision-");
const demo = useDemoSessions();
const drops: (() => void)[] = [];
afterAll(() => drops.forEach((d) => d()));

/** The revision after AFTER_READS, narrowing orders.notes from varchar(500) to varchar(50). */
const NARROWS = "a1203a11ee55";
/**
 * The revision after it, whose up() throws: its SQL cannot be rendered. It is the head, not in
 * the middle: SQLite renders an alter by building the parents in a scratch database, so a revision
 * after a throwing one cannot be rendered on SQLite either (its page names the throwing revision).
 */
const THROWS = "b0b0cafe1234";

function writeThrowingAndNarrowing(root: string): void {
  const write = (name: string, lines: readonly string[]) => fs.writeFileSync(path.join(root, "migrations", name), [`import type { Knex } from "knex";`, ...lines, ``].join("\n"));
  write("zzzz_throws.ts", [
    `export const revision = "${THROWS}";`,
    `export const downRevision = "${NARROWS}";`,
    `export const message = "add loyalty points";`,
    `export async function up(knex: Knex): Promise<void> { throw new Error("loyalty points refused: the rate table is missing"); }`,
    `export async function down(knex: Knex): Promise<void> {}`,
  ]);
  write("zzz_narrows.ts", [
    `export const revision = "${NARROWS}";`,
    `export const downRevision = "${AFTER_READS}";`,
    `export const message = "shorten order notes";`,
    `export async function up(knex: Knex): Promise<void> { await knex.schema.alterTable("orders", (t) => { t.string("notes", 50).alter(); }); }`,
    `export async function down(knex: Knex): Promise<void> { await knex.schema.alterTable("orders", (t) => { t.string("notes", 500).alter(); }); }`,
  ]);
}

const pane = (page: Page, title: string) => page.locator(`[data-testid="code-${title}"] .cm-content`);

async function sqlFor(page: Page, env: string): Promise<{ up: string; down: string }> {
  await page.locator("select[aria-label='SQL dialect environment']").selectOption(env);
  await page.locator(`select[aria-label='SQL dialect environment'] option[value='${env}']:checked`).waitFor({ state: "attached" });
  // The panes show the new dialect once its answer is in: wait for the header comment naming it.
  const dialect = { dev: "SQLite", pg: "PostgreSQL", maria: "MySQL" }[env]!;
  await page.locator('[data-testid="code-Upgrade SQL"]').filter({ hasText: dialect }).waitFor({ timeout: 30_000 });
  return { up: await pane(page, "Upgrade SQL").innerText(), down: await pane(page, "Downgrade SQL").innerText() };
}

describe("the revision page's SQL on SQLite, PostgreSQL and MariaDB", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`shows each revision's own SQL and a merge's downgrade on every dialect (${scheme})`, async () => {
      const s = await demo.open({ colorScheme: scheme, prepare: (root) => void drops.push(prepareThreeDialects(root)) });
      const { page } = s;
      for (const viewport of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
        await page.setViewportSize(viewport);
        await page.goto(`${s.served.url}#/revision/${AFTER_READS}`);
        await page.locator("[data-testid=detail-id]").filter({ hasText: AFTER_READS }).waitFor({ timeout: 60_000 });
        for (const env of ["maria", "pg", "dev"]) {
          const sql = await sqlFor(page, env);
          expect(sql.up, env).toMatch(new RegExp(`Running upgrade ${AFTER_READS}`));
          expect(sql.up, env).toMatch(/alter table .orders. add .*notes/i);
          expect(await page.locator('[data-testid^="sql-error-"]').count(), env).toBe(0);
          if (env === "maria") expect(sql.up).toContain("`orders`");
          if (env === "pg") expect(sql.up).toContain('"orders"');
        }
        if (viewport.width === 1280) await shoot(page, OUT, "revision-own-sql", scheme);

        await page.goto(`${s.served.url}#/revision/${DEMO.merge}`);
        await page.locator("[data-testid=detail-id]").filter({ hasText: DEMO.merge }).waitFor();
        for (const env of ["maria", "pg", "dev"]) {
          const sql = await sqlFor(page, env);
          expect(sql.down, env).toContain(`Running downgrade ${DEMO.merge}`);
          expect(await page.locator('[data-testid="sql-error-Downgrade SQL"]').count(), env).toBe(0);
          expect(sql.down, env).not.toMatch(/ambiguous/);
        }
        if (viewport.width === 1280) await shoot(page, OUT, "revision-merge-down", scheme);

        // The due date's down drops a column: named above the pane and its line marked.
        await page.goto(`${s.served.url}#/revision/${DEMO.dueDate}`);
        await page.locator("[data-testid=detail-id]").filter({ hasText: DEMO.dueDate }).waitFor();
        await sqlFor(page, "pg");
        const losses = page.locator('[data-testid="sql-losses-Downgrade SQL"]');
        await losses.waitFor();
        expect(await losses.innerText()).toMatch(/drops[\s\S]*invoices\.due_on/);
        expect(await page.locator('[data-testid="code-Downgrade SQL"] .cm-line[data-loss=true]').count()).toBeGreaterThan(0);
        expect(await page.locator('[data-testid="sql-losses-Upgrade SQL"]').count()).toBe(0);
        if (viewport.width === 1280) await shoot(page, OUT, "revision-drops-marked", scheme);
      }
    });
  }

  for (const [scheme, viewport] of [["light", { width: 1280, height: 800 }], ["dark", { width: 1920, height: 1080 }]] as const) {
    it(`shows a throwing revision's own error beside its neighbours' SQL, and marks a narrowed type (${scheme}, ${viewport.width})`, async () => {
      const s = await demo.open({
        colorScheme: scheme,
        prepare: (root) => {
          drops.push(prepareThreeDialects(root));
          writeThrowingAndNarrowing(root);
        },
      });
      const { page } = s;
      await page.setViewportSize(viewport);
      const open = async (rev: string) => {
        await page.goto(`${s.served.url}#/revision/${rev}`);
        await page.locator("[data-testid=detail-id]").filter({ hasText: rev }).waitFor({ timeout: 60_000 });
      };
      for (const env of ["maria", "pg", "dev"]) {
        // Its own page: its error, naming it, in words (no stack, no CLI flags), and no SQL pane.
        await open(THROWS);
        await page.locator("select[aria-label='SQL dialect environment']").selectOption(env);
        const error = page.locator('[data-testid="sql-error-Upgrade SQL"]');
        await error.waitFor({ timeout: 30_000 });
        const words = await error.innerText();
        expect(words, env).toContain("loyalty points refused: the rate table is missing");
        expect(words, env).toContain(THROWS);
        expect(words, env).not.toContain(AFTER_READS);
        expect(words, env).not.toContain(NARROWS);
        expect(words, env).not.toMatch(/\n\s+at |--sql|--env/);
        expect(await page.locator('[data-testid="code-Upgrade SQL"]').count(), env).toBe(0);

        // The two revisions before it show their own SQL.
        await open(AFTER_READS);
        const before = await sqlFor(page, env);
        expect(before.up, env).toMatch(new RegExp(`Running upgrade ${AFTER_READS}`));
        expect(await page.locator('[data-testid^="sql-error-"]').count(), env).toBe(0);
        await open(NARROWS);
        const after = await sqlFor(page, env);
        expect(after.up, env).toMatch(new RegExp(`Running upgrade ${NARROWS}`));
        expect(await page.locator('[data-testid^="sql-error-"]').count(), env).toBe(0);

        // SQLite keeps every value through a narrowed declared type (it enforces no varchar length,
        // and the rebuild copies the rows as they are), so nothing is lost and nothing is marked there;
        // the narrowed type is asserted on PostgreSQL and MariaDB, which cut or refuse the values.
        if (env === "dev") continue;
        // The narrowed type: named above the pane as narrowing, its line marked as losing data.
        const losses = page.locator('[data-testid="sql-losses-Upgrade SQL"]');
        await losses.waitFor();
        expect(await losses.innerText(), env).toMatch(/narrows[\s\S]*orders\.notes/);
        const marked = page.locator('[data-testid="code-Upgrade SQL"] .cm-line[data-loss=true]');
        expect(await marked.count(), env).toBeGreaterThan(0);
        expect((await marked.allInnerTexts()).join("\n"), env).toMatch(/notes/);
        // (The down widens it back; offline its current type is not known, so the lint lists it too, by design.)
        if (env === "pg") await shoot(page, OUT, `revision-narrowed-${viewport.width}`, scheme);
      }
    });
  }
});
