/**
 * Issue 19 point 5, the environments screen, in Chromium against `strata serve` with SQLite (dev,
 * prod), PostgreSQL (pg) and MariaDB (maria) environments, at 1280x800 and 1920x1080, light and
 * dark: the table fits (no horizontal overflow, every row's buttons in view), the head column is
 * named by label or message rather than by hash, and pg says how far behind head it is.
 */
import { afterAll, describe, expect, it } from "vitest";
import { useDemoSessions } from "./demo-sessions.js";
import { prepareThreeDialects, screenshotFolder, shoot } from "./three-dialect-demo.js";

const OUT = screenshotFolder("strata-environments-");
const demo = useDemoSessions();
const drops: (() => void)[] = [];
afterAll(() => drops.forEach((d) => d()));

const ENVS = ["dev", "prod", "pg", "maria"];

describe("the environments screen fits and speaks in names", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`fits at 1280 and 1920 px, names the head column, and says "N behind head" (${scheme})`, async () => {
      const s = await demo.open({ colorScheme: scheme, prepare: (root) => void drops.push(prepareThreeDialects(root)), hash: "#/environments" });
      const { page } = s;
      for (const viewport of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
        await page.setViewportSize(viewport);
        for (const env of ENVS) await page.locator(`[data-env-row="${env}"] [data-testid=env-state]`).waitFor({ timeout: 60_000 });
        // Drift is checked after the matrix is drawn; the figures below are for the settled screen.
        await page.locator("[data-testid=drift-checking]").first().waitFor({ state: "detached", timeout: 60_000 });

        const overflow = await page.evaluate(`(() => {
          const wrap = document.querySelector(".matrix-wrap");
          return { wrap: wrap.scrollWidth - wrap.clientWidth, page: document.documentElement.scrollWidth - window.innerWidth };
        })()`);
        expect(overflow, `${viewport.width} px`).toEqual({ wrap: 0, page: 0 });
        for (const env of ENVS) {
          for (const name of ["Graph", "History"]) {
            const box = (await page.locator(`[data-env-row="${env}"] button`, { hasText: name }).boundingBox())!;
            expect(box.x + box.width, `${env} ${name} at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
          }
        }

        // The graph's one head is named by its message (or label), never by its id.
        const headers = await page.locator("[data-testid=matrix] th[data-head-column]").allInnerTexts();
        expect(headers).toHaveLength(1);
        expect(headers[0]).not.toMatch(/[0-9a-f]{12}/);
        expect(headers[0]).toMatch(/add order notes|@head/);

        // pg stands at "create orders": the upgrade to head runs the 7 revisions above it.
        expect(await page.locator('[data-env-row="pg"] [data-testid=behind]').innerText()).toBe("7 behind head");
        expect(await page.locator('[data-env-row="maria"] [data-head-cell]').innerText()).toMatch(/at head/);
        // A long target is cut, whole in its tooltip.
        const target = page.locator('[data-env-row="pg"] [data-testid=env-target]');
        expect(await target.getAttribute("title")).toMatch(/^PostgreSQL · .*strata_e2e_/);
        await shoot(page, OUT, `environments-${viewport.width}`, scheme);
      }
    });
  }
});
