/**
 * Issue 19 point 5, the revision page, in Chromium against `strata serve`, on SQLite (dev),
 * PostgreSQL (pg) and MariaDB (maria) environments, at 1280x800 and 1920x1080, light and dark:
 * a revision after one that reads rows shows its own SQL on every dialect (MariaDB showed the
 * other revision's error), a merge's downgrade SQL renders (it was "ambiguous"), and what a
 * down drops is marked in its pane.
 */
import type { Page } from "playwright";
import { afterAll, describe, expect, it } from "vitest";
import { useDemoSessions } from "./demo-sessions.js";
import { DEMO } from "./strata-serve.js";
import { AFTER_READS, prepareThreeDialects, screenshotFolder, shoot } from "./three-dialect-demo.js";

const OUT = screenshotFolder("strata-revision-");
const demo = useDemoSessions();
const drops: (() => void)[] = [];
afterAll(() => drops.forEach((d) => d()));

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
});
