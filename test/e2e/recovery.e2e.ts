/**
 * Issue 14, point 4 in the GUI, on MariaDB: a run killed inside a revision is explained statement
 * by statement from the live schema; "it did not take effect" is contradicted by the table the
 * revision made and needs a deliberate tick; "Undo the statements that ran" shows its SQL, runs
 * it (the protected environment's name typed) and records the rollback; Retry runs it again. A
 * revision that fails half way in the app says what to do in the app, never `strata resolve`.
 *
 * `STRATA_SCREENSHOTS=1` writes docs/screenshots/recovery-*.png (light and dark).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Locator, Page } from "playwright";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/database-hooks.js";
import { envEntry } from "../helpers/databases.js";
import { killInsideSleep, sleepingRevision } from "../helpers/killed-runner.js";
import { strata, writeProject } from "../helpers/strata-cli.js";
import { useBrowser } from "./browser-hooks.js";
import { openProject } from "./strata-serve.js";

const A1 = "a1a1a1a1a1a1";
const K2 = "k2k2k2k2k2k2";
const F3 = "f3f3f3f3f3f3";

const OUT = process.env.STRATA_SCREENSHOTS ? path.resolve(__dirname, "..", "..", "docs", "screenshots") : fs.mkdtempSync(path.join(os.tmpdir(), "strata-screens-"));

// One MariaDB database and one Chromium for the file.
const db = useTestDatabase("mysql2", "all");
const chromium = useBrowser(OUT);

/** The viewport in light and in dark, with `target` scrolled into view. */
async function shoot(page: Page, name: string, target: Locator): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // The screen scrolls inside the app's main area, not the window: bring the target's end into view.
    await target.evaluate((el) => el.scrollIntoView({ block: "nearest" }));
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(OUT, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

async function historyOf(revision: string): Promise<{ status: string; error: string | null }[]> {
  return (await db.knex("strata_history").where({ revision }).orderBy("id")) as never;
}

describe("recovery of an interrupted MariaDB revision in the GUI", () => {
  it("shows what ran, refuses a contradicted choice until ticked, undoes what ran and retries", async () => {
    const marker = path.join(os.tmpdir(), `strata-e2e-recover-${randomBytes(5).toString("hex")}.marker`);
    const root = writeProject({
      environments: { prod: envEntry(db, { protected: true, color: "#d33" }) },
      revisions: [
        { revision: A1, downRevision: null, message: "create base", up: `await knex.schema.createTable("base_t", (t) => { t.integer("id"); });`, down: `await knex.schema.dropTable("base_t");` },
        sleepingRevision("mysql2", marker, { revision: K2, downRevision: A1, table: "killed_t", message: "create killed_t" }),
        {
          revision: F3,
          downRevision: K2,
          message: "add note, then fail",
          up: `await knex.schema.alterTable("base_t", (t) => { t.string("note", 20); }); await knex.schema.alterTable("no_such_table", (t) => { t.integer("x"); });`,
          down: `await knex.schema.alterTable("base_t", (t) => { t.dropColumn("note"); });`,
        },
      ],
    });
    expect((await strata(["--project", root, "upgrade", A1, "--confirm", "prod"])).code).toBe(0);
    try {
      expect((await killInsideSleep(["--project", root, "upgrade", K2, "--confirm", "prod"], "mysql2", db.knex, marker)).signal).toBe("SIGKILL");
    } finally {
      fs.rmSync(marker, { force: true });
    }
    expect((await historyOf(K2)).map((r) => r.status)).toEqual(["running"]);

    const { served, page, pageErrors, close } = await openProject(chromium(), root, { hash: "#/apply?environment=prod&command=upgrade&target=heads" });
    try {

      // What ran, from the revision's file and the live schema: the table is there, the row cannot be told.
      const panel = page.locator(`[data-unresolved-env="prod"] [data-unresolved-revision="${K2}"]`);
      await panel.locator("[data-testid=recovery-statements] [data-recovery-statement]").first().waitFor({ timeout: 60_000 });
      const rows = panel.locator("[data-recovery-statement]");
      expect(await rows.count()).toBe(2);
      expect(await rows.nth(0).getAttribute("data-ran")).toBe("ran");
      expect(await rows.nth(0).innerText()).toMatch(/ran\s+create table `killed_t` \(`id` int, `note` varchar\(20\)\)\s+Live schema: table killed_t is there/);
      expect(await rows.nth(1).getAttribute("data-ran")).toBe("unknown");
      expect(await rows.nth(1).innerText()).toContain("insert into `killed_t`");
      expect(await panel.innerText()).not.toMatch(/strata resolve|--applied|--rolled-back/);

      // "It did not take effect": the live table contradicts it; recording waits for the tick (and the name).
      await panel.locator("[data-testid=resolve-rolled-back]").click();
      const contradiction = panel.locator("[data-testid=recovery-contradiction]");
      await contradiction.waitFor();
      expect(await contradiction.innerText()).toMatch(/The live schema says otherwise:\s+table killed_t is there \(`create table `killed_t`/);
      const record = panel.locator("[data-testid=resolve-record]");
      await panel.getByLabel("Type the environment name to confirm the resolve").fill("prod");
      expect(await record.isDisabled()).toBe(true);
      await panel.getByLabel("I checked the database: record it anyway").check();
      expect(await record.isDisabled()).toBe(false);
      await shoot(page, "recovery-contradiction", panel);
      await panel.getByRole("button", { name: "Cancel" }).click();
      expect((await historyOf(K2)).map((r) => r.status)).toEqual(["running"]);

      // Undo the statements that ran: the SQL first, the name typed, then it runs and records the rollback.
      await panel.locator("[data-testid=recovery-undo]").click();
      expect(await panel.locator("[data-testid=recovery-undo-sql]").innerText()).toBe("drop table `killed_t`;");
      expect(await record.isDisabled()).toBe(true);
      await panel.getByLabel("Type the environment name to confirm the resolve").fill("prod");
      await shoot(page, "recovery-undo", panel);
      await record.click();
      const settled = page.locator(`[data-testid=recovery-settled][data-settled-env="prod"]`);
      await settled.waitFor({ timeout: 60_000 });
      expect(await settled.innerText()).toMatch(new RegExp(`${K2} is recorded as rolled back after undoing 1 statement on prod`));
      expect(await page.locator("[data-testid=unresolved]").count()).toBe(0);
      expect(await db.knex.schema.hasTable("killed_t")).toBe(false);
      const history = await historyOf(K2);
      expect(history.map((r) => r.status)).toEqual(["failed"]);
      expect(history[0]!.error).toMatch(/^resolved as rolled back by .* \(after undoing 1 statement: drop table `killed_t`\)/);
      await shoot(page, "recovery-undone", settled);

      // Retry: the apply screen with the upgrade to the revision prefilled and planned; it runs once confirmed.
      await settled.locator("[data-testid=recovery-retry]").click();
      await page.waitForURL(new RegExp(`#/apply\\?environment=prod&command=upgrade&target=${K2}$`));
      const run = page.locator("[data-testid=run-button]");
      await run.waitFor({ timeout: 60_000 });
      expect(await run.innerText()).toBe("Upgrade prod (1 step)");
      await page.getByLabel("Type the environment name to confirm", { exact: true }).fill("prod");
      await run.click();
      await page.locator(`[data-testid=run][data-run-state="succeeded"]`).waitFor({ timeout: 60_000 });
      expect(Number((await db.knex("killed_t").count({ n: "*" }))[0]!.n)).toBe(1);
      expect(((await db.knex("strata_version").select("version_num")) as { version_num: string }[]).map((r) => r.version_num)).toEqual([K2]);

      // A revision failing half way in the app: the result panel points at the recovery panel, not the CLI.
      await page.goto(`${served.url}#/apply?environment=prod&command=upgrade&target=${F3}`);
      await run.waitFor({ timeout: 60_000 });
      await page.getByLabel("Type the environment name to confirm", { exact: true }).fill("prod");
      await run.click();
      const failed = page.locator(`[data-testid=run][data-run-state="failed"]`);
      await failed.waitFor({ timeout: 60_000 });
      const result = await failed.locator("[data-testid=run-error]").innerText();
      expect(result).toMatch(new RegExp(`revision ${F3} \\(add note, then fail\\) failed on up in \`alter table \`no_such_table\``));
      expect(result).toContain("the recovery panel on the Apply and Environments screens shows which statements ran");
      expect(await failed.innerText()).not.toMatch(/strata resolve/);
      await shoot(page, "recovery-result", failed.locator("[data-testid=run-error]"));
      // The recorded statements: the column it added, and the one the database refused.
      const half = page.locator(`[data-unresolved-env="prod"] [data-unresolved-revision="${F3}"]`);
      await half.locator("[data-recovery-statement]").first().waitFor({ timeout: 60_000 });
      expect(await half.locator("[data-recovery-statement]").evaluateAll((els) => els.map((e) => e.getAttribute("data-ran")))).toEqual(["ran", "failed"]);
      expect(await half.innerText()).toMatch(/Live schema: column base_t\.note is there/);
      expect(await half.innerText()).toMatch(/Live schema: column no_such_table\.x is not there/);
      await shoot(page, "recovery-failed", half);
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
