import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, launchChromium, openDemo } from "./strata-serve.js";

// `STRATA_SCREENSHOTS=1 npm run test:e2e` refreshes docs/screenshots; a plain test run (CI)
// still opens and captures every screen, into a temporary folder, and leaves the docs alone.
const OUT = process.env.STRATA_SCREENSHOTS
  ? path.resolve(__dirname, "..", "..", "docs", "screenshots")
  : fs.mkdtempSync(path.join(os.tmpdir(), "strata-screens-"));

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  fs.mkdirSync(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** Each screen with the demo data: the hash to open and what shows it is ready. */
const SCREENS: readonly { readonly name: string; readonly hash: string; readonly ready: (page: Page) => Promise<unknown> }[] = [
  // prod active: the head it lacks is dimmed
  {
    name: "graph",
    hash: `#/graph?select=${DEMO.merge}`,
    ready: async (p) => {
      await p.locator("[data-env=prod]").click();
      await p.locator(`[data-revision="${DEMO.status}"][data-pending]`).waitFor();
    },
  },
  { name: "revision", hash: `#/revision/${DEMO.dueDate}`, ready: (p) => p.locator("[data-testid='code-Upgrade SQL'] .cm-content").waitFor() },
  { name: "apply", hash: `#/apply?environment=prod&command=upgrade&target=heads`, ready: (p) => p.locator("[data-testid=confirm-hint]").waitFor() },
  { name: "environments", hash: "#/environments", ready: (p) => p.locator("[data-testid=matrix]").waitFor({ timeout: 60_000 }) },
  { name: "diff", hash: `#/diff?from=${encodeURIComponent(`migrations@${DEMO.merge}`)}&to=prod`, ready: (p) => p.locator("[data-testid='code-change DDL'] .cm-content").waitFor({ timeout: 60_000 }) },
  { name: "create", hash: `#/create?from=${encodeURIComponent(`migrations@${DEMO.merge}`)}&to=prod`, ready: (p) => p.getByLabel("Message").fill("add loyalty tier to customers") },
  { name: "history", hash: "#/history?environment=dev", ready: (p) => p.locator("[data-testid=history]").waitFor() },
];

describe("screenshots of every screen with the demo data (docs/screenshots)", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`captures every screen, ${scheme}, 1280x800`, async () => {
      const session = await openDemo(browser, { colorScheme: scheme });
      try {
        const { page } = session;
        await page.locator("[data-testid=graph] [data-revision]").first().waitFor();
        for (const s of SCREENS) {
          await page.goto(session.served.url + s.hash);
          await s.ready(page);
          await page.waitForTimeout(300);
          await page.screenshot({ path: path.join(OUT, `${s.name}-${scheme}.png`) });
        }
        // A run as it ends: the live log and the new state (dev rolled back one step).
        await page.goto(session.served.url + `#/apply?environment=dev&command=downgrade&target=${DEMO.merge}`);
        await page.locator("[data-testid=run-button]").click();
        await page.locator("[data-testid=run][data-run-state=succeeded]").waitFor({ timeout: 60_000 });
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `apply-run-${scheme}.png`) });
        expect(session.pageErrors).toEqual([]);
        for (const s of [...SCREENS.map((x) => x.name), "apply-run"]) expect(fs.statSync(path.join(OUT, `${s}-${scheme}.png`)).size).toBeGreaterThan(10_000);
      } finally {
        await session.close();
      }
    });
  }
});
