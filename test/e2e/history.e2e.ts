/**
 * Issue 19 point 5, the history screen, in Chromium against `strata serve` on a MariaDB
 * environment whose history holds a failed run and a later run that succeeded, at 1280x800 and
 * 1920x1080, light and dark: rows grouped by run, the failure shown as settled (not pinned as
 * failed), a step's statements, the date filter, what "user" means, and the CSV and JSON
 * downloads (the CSV read back by Python's csv module). On SQLite, PostgreSQL and MariaDB, spread
 * over both sizes and themes: each run row says who (OS user@host, and the database user) and
 * when, and a date range keeps the runs inside it and leaves out the others.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useDemoSessions } from "./demo-sessions.js";
import { strataSync } from "./strata-serve.js";
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

/** When the earlier runs are moved to, so that a date range can hold some runs and not others. */
const BACKDATED = "2026-01-15T12:00:00.000Z";

/** Runs `sql` on an environment's database (sync: the demo's prepare hook is), returning its output. */
function runSql(root: string, env: string, sql: string): string {
  const config = JSON.parse(fs.readFileSync(path.join(root, "strata.config.json"), "utf8")) as { environments: Record<string, { client: string; connection: { filename?: string; database?: string } | string }> };
  const e = config.environments[env]!;
  if (e.client === "pg") return execFileSync("psql", [e.connection as string, "-tAc", sql], { encoding: "utf8" });
  if (e.client === "mysql2") return execFileSync("mysql", ["-h", "127.0.0.1", "-uroot", "-N", "-e", sql, (e.connection as { database: string }).database], { encoding: "utf8" });
  const file = path.join(root, (e.connection as { filename: string }).filename);
  return execFileSync("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print('\\n'.join(str(x[0]) for x in r))", file, sql], { encoding: "utf8" });
}

/** One more run today on `env`, then every earlier run moved to BACKDATED. */
function addRunAndBackdate(root: string, env: string, command: readonly string[]): void {
  strataSync(["--project", root, "--env", env, ...command]);
  const latest = runSql(root, env, "select run_id from strata_history order by id desc limit 1").trim();
  runSql(root, env, `update strata_history set started_at = '${BACKDATED}', finished_at = '${BACKDATED}' where run_id is null or run_id <> '${latest}'`);
}

describe("each history run's who and when, and a date range, on SQLite, PostgreSQL and MariaDB", () => {
  const cases = [
    { env: "dev", scheme: "light", viewport: { width: 1280, height: 800 }, command: ["upgrade", "heads"], dbUser: null },
    { env: "pg", scheme: "dark", viewport: { width: 1920, height: 1080 }, command: ["upgrade", "+1"], dbUser: "as database user postgres," },
    { env: "maria", scheme: "dark", viewport: { width: 1280, height: 800 }, command: ["downgrade", "-1"], dbUser: "as database user root@" },
    { env: "dev", scheme: "dark", viewport: { width: 1920, height: 1080 }, command: ["upgrade", "heads"], dbUser: null },
  ] as const;
  for (const c of cases) {
    it(`names who ran each run and when, and filters by a date range (${c.env}, ${c.scheme}, ${c.viewport.width})`, async () => {
      const s = await demo.open({
        colorScheme: c.scheme,
        prepare: (root) => {
          drops.push(prepareThreeDialects(root));
          addRunAndBackdate(root, c.env, c.command);
        },
        hash: `#/history?environment=${c.env}`,
      });
      const { page } = s;
      await page.setViewportSize(c.viewport);
      await page.locator("tr[data-run]").first().waitFor({ timeout: 60_000 });
      const runs = page.locator("tr[data-run]");
      const total = await runs.count();
      expect(total).toBeGreaterThanOrEqual(2);

      // Who and when on every run row, as the screen prints them; the newest run is today's.
      const who = `by ${os.userInfo().username}@${os.hostname()}`;
      const today = new Date().toISOString().slice(0, 10);
      const legend = await page.locator("[data-testid=history-user-legend]").innerText();
      for (let i = 0; i < total; i++) {
        const text = await runs.nth(i).innerText();
        expect(text).toContain(who);
        if (c.dbUser) expect(text).toContain(c.dbUser);
        else expect(text).not.toMatch(/database user/);
        expect(text).toMatch(i === 0 ? new RegExp(`, ${today} \\d\\d:\\d\\d:\\d\\d UTC`) : /, 2026-01-15 12:00:00 UTC/);
      }
      if (c.dbUser) expect(legend).toMatch(new RegExp(`operating-system account[\\s\\S]*database user[\\s\\S]*: ${c.env === "pg" ? "postgres" : "root@"}`));
      else expect(legend).toMatch(/operating-system account[\s\S]*SQLite has none/);

      // Rows grouped under their runs; a step's statements; the CSV and JSON hold the rows shown.
      const results = await runs.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-result")));
      expect(results.every((r) => r === "succeeded")).toBe(true);
      expect(await page.locator("tr[data-history-row]").count()).toBeGreaterThanOrEqual(total);
      // A step of the newest run opened (it may open by itself): the statements it ran.
      const step = page.locator("tr[data-history-status=succeeded]").first();
      if ((await step.locator("button[aria-expanded=true]").count()) === 0) await step.locator("button").click();
      const statements = page.locator("[data-testid=step-statements]").first();
      await statements.waitFor({ timeout: 30_000 });
      await expect.poll(() => statements.innerText(), { timeout: 30_000 }).toMatch(/\b(alter|create|drop|update|insert|select)\b/i);
      const rowsShown = await page.locator("tr[data-history-row]").count();
      const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=export-csv]").click()]);
      expect(csvDownload.suggestedFilename()).toBe(`strata-history-${c.env}.csv`);
      const csv = fs.readFileSync((await csvDownload.path())!, "utf8");
      const parsed = JSON.parse(execFileSync("python3", ["-c", "import csv,json,sys; print(json.dumps(list(csv.reader(sys.stdin, strict=True))))"], { input: csv, encoding: "utf8" })) as string[][];
      expect(parsed).toHaveLength(rowsShown + 1);
      const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=export-json]").click()]);
      const doc = JSON.parse(fs.readFileSync((await jsonDownload.path())!, "utf8"));
      expect(doc.environment).toBe(c.env);
      expect(doc.rows).toHaveLength(rowsShown);

      // A range around the backdated runs keeps them and leaves today's out; today alone, the reverse.
      await page.locator("input[aria-label='From date']").fill("2026-01-14");
      await page.locator("input[aria-label='To date']").fill("2026-01-16");
      await expect.poll(() => runs.count(), { timeout: 30_000 }).toBe(total - 1);
      expect((await runs.allInnerTexts()).every((t) => t.includes("2026-01-15 12:00:00"))).toBe(true);
      await page.locator("input[aria-label='To date']").fill(today);
      await page.locator("input[aria-label='From date']").fill(today);
      await expect.poll(() => runs.count(), { timeout: 30_000 }).toBe(1);
      expect(await runs.first().innerText()).toContain(today);
      await shoot(page, OUT, `history-who-when-${c.env}-${c.viewport.width}`, c.scheme);
    });
  }
});
