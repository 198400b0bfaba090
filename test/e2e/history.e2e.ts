/**
 * Issue 19 point 5, the history screen, in Chromium against `strata serve` on a MariaDB
 * environment whose history holds a failed run and a later run that succeeded, at 1280x800 and
 * 1920x1080, light and dark: rows grouped by run, the failure shown as settled (not pinned as
 * failed), a step's statements, the date filter, what "user" means, and the CSV and JSON
 * downloads (the CSV read back by Python's csv module).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { useDemoSessions } from "./demo-sessions.js";
import { FLAKY, prepareThreeDialects, screenshotFolder, shoot } from "./three-dialect-demo.js";

const OUT = screenshotFolder("strata-history-");
const demo = useDemoSessions();
const drops: (() => void)[] = [];
afterAll(() => drops.forEach((d) => d()));

describe("the history screen on MariaDB", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`groups by run, shows the settled failure, filters by date and exports (${scheme})`, async () => {
      const s = await demo.open({ colorScheme: scheme, prepare: (root) => void drops.push(prepareThreeDialects(root, { flaky: true })), hash: "#/history?environment=maria" });
      const { page } = s;
      for (const viewport of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
        await page.setViewportSize(viewport);
        await page.locator("[data-run]").first().waitFor({ timeout: 60_000 });
        // Three runs: the upgrade to heads (9 steps), the failed one, the one that succeeded.
        const runs = page.locator("tr[data-run]");
        expect(await runs.count()).toBe(3);
        const results = await runs.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-result")));
        expect(results).toEqual(["succeeded", "resolved", "succeeded"]);
        expect(await runs.first().innerText()).toMatch(new RegExp(`upgrade to ${FLAKY} · 1 step`));
        expect(await runs.nth(2).innerText()).toMatch(/upgrade to .* · 9 steps/);
        // The failed step says it was settled by the later run, not "failed".
        const settled = page.locator("[data-testid=resolved-tag]");
        expect(await settled.innerText()).toBe("failed, then succeeded");
        expect(await page.locator("tr.failed").count()).toBe(0);

        // What "user" means, and the database user named.
        expect(await page.locator("[data-testid=history-user-legend]").innerText()).toMatch(/operating-system account[\s\S]*database user[\s\S]*root@/);

        // The failed step's statements and error; a succeeded step's SQL.
        const failedRow = page.locator("tr[data-history-status=failed]");
        if ((await failedRow.locator("button[aria-expanded=true]").count()) === 0) await failedRow.locator("button").click();
        expect(await page.locator("[data-testid=history-error]").innerText()).toMatch(/tier column refused/);
        await page.locator("tr[data-history-status=succeeded]").first().locator("button").click();
        await page.locator("[data-testid=step-sql]").waitFor({ timeout: 30_000 });
        expect(await page.locator("[data-testid=step-sql]").innerText()).toMatch(/alter table `customers` add `tier`/);
        await shoot(page, OUT, `history-${viewport.width}`, scheme);
      }

      // Exports: CSV read back by Python's csv module, JSON parsed; the rows are the table's.
      const rowsShown = await page.locator("tr[data-history-row]").count();
      const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=export-csv]").click()]);
      expect(csvDownload.suggestedFilename()).toBe("strata-history-maria.csv");
      const csv = fs.readFileSync((await csvDownload.path())!, "utf8");
      const parsed = JSON.parse(execFileSync("python3", ["-c", "import csv,json,sys; print(json.dumps(list(csv.reader(sys.stdin, strict=True))))"], { input: csv, encoding: "utf8" })) as string[][];
      expect(parsed).toHaveLength(rowsShown + 1);
      const col = (n: string) => parsed[0]!.indexOf(n);
      const failed = parsed.find((r) => r[col("status")] === "failed")!;
      expect(failed[col("revision")]).toBe(FLAKY);
      expect(failed[col("error")]).toMatch(/tier column refused/);
      expect(failed[col("resolved")]).toMatch(/succeeded in a later run/);
      expect(failed[col("databaseUser")]).toMatch(/^root@/);
      const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=export-json]").click()]);
      const doc = JSON.parse(fs.readFileSync((await jsonDownload.path())!, "utf8"));
      expect(doc.environment).toBe("maria");
      expect(doc.rows).toHaveLength(rowsShown);

      // The date filter: nothing started after tomorrow.
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      await page.locator("input[aria-label='From date']").fill(tomorrow);
      await page.getByText("No history rows match these filters.").waitFor();
    });
  }
});
