/**
 * Issue #15 point 3 in the GUI: where knex_migrations is not a prefix of a knex folder, the
 * environments screen names the files pending out of order and the rows that name files the
 * folder does not have, and the environment's state says so; once Strata's upgrade runs the gap,
 * the list is gone. The gap is made by knex's own migrator (it ran a later file first).
 */
import fs from "node:fs";
import path from "node:path";
import knexFactory from "knex";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser-hooks.js";
import { freshDir, openProject, strataSync } from "./strata-serve.js";
import { screenshotFolder } from "./three-dialect-demo.js";

// `STRATA_SCREENSHOTS=1` writes docs/screenshots; a plain run captures into a temporary folder.
const OUT = screenshotFolder("strata-knex-gaps-");

const FILES = ["2024-01-01-0000-create-monitor.js", "2024-01-02-0000-create-heartbeat.js", "2024-01-03-0000-add-monitor-url.js", "2024-01-04-0000-create-tag.js"];
const TABLE_OF: Readonly<Record<string, string>> = { [FILES[0]!]: "monitor", [FILES[1]!]: "heartbeat", [FILES[3]!]: "tag" };

/** A dash-named CommonJS knex migration: a table of its own, or a column on monitor. */
function migration(file: string): string {
  const table = TABLE_OF[file];
  if (!table) {
    return `exports.up = (knex) => knex.schema.alterTable("monitor", (t) => { t.string("url"); });\nexports.down = (knex) => knex.schema.alterTable("monitor", (t) => { t.dropColumn("url"); });\n`;
  }
  return `exports.up = (knex) => knex.schema.createTable("${table}", (t) => { t.increments("id"); });\nexports.down = (knex) => knex.schema.dropTable("${table}");\n`;
}

const chromium = useBrowser();

describe("the environments screen on a knex folder with gaps", () => {
  it("lists the files pending out of order and the rows naming files not in the folder, in words", async () => {
    const root = freshDir("strata-e2e-knex-gaps-");
    fs.mkdirSync(path.join(root, "migrations"));
    for (const f of FILES) fs.writeFileSync(path.join(root, "migrations", f), migration(f));
    const sqlite = (name: string) => ({ client: "better-sqlite3", connection: { filename: `${name}.sqlite3` } });
    fs.writeFileSync(path.join(root, "strata.config.json"), JSON.stringify({ migrations: "migrations", environments: { dev: sqlite("dev"), staging: sqlite("staging") } }, null, 2));

    // knex's own migrator runs files 1, 2 and 4 on both (file 3 came in with a branch merged later).
    for (const env of ["dev", "staging"]) {
      const knex = knexFactory({ client: "better-sqlite3", connection: { filename: path.join(root, `${env}.sqlite3`) }, useNullAsDefault: true });
      try {
        const config = { directory: path.join(root, "migrations") };
        for (const name of [FILES[0]!, FILES[1]!, FILES[3]!]) await knex.migrate.up({ ...config, name });
        // staging was also migrated from a branch whose file is not in this folder.
        if (env === "staging") await knex("knex_migrations").insert({ name: "2024-01-05-0000-old-report.js", batch: 4, migration_time: new Date() });
      } finally {
        await knex.destroy();
      }
    }

    const { page, pageErrors, close } = await openProject(chromium(), root, { viewport: { width: 1280, height: 900 }, hash: "#/environments" });
    try {
      const dev = page.locator('[data-knex-env="dev"]');
      await expect.poll(() => dev.getByTestId("knex-gap-files").textContent(), { timeout: 30_000 }).toContain("Pending out of order: 1 file never ran here, though later files did");
      expect(await dev.locator("li").allTextContents()).toEqual(["2024-01-03-0000-add-monitor-url"]);
      expect(await dev.getByTestId("knex-unknown-files").count()).toBe(0);
      const devRow = page.locator('[data-env-row="dev"]');
      expect(await devRow.getByTestId("env-state").textContent()).toBe("1 pending, 1 out of order");
      // A knex file name is the revision's id and is shown whole (a hex id would be cut to 12 characters).
      expect(await devRow.locator("td.mono").first().textContent()).toBe("2024-01-04-0000-create-tag");
      expect(await page.locator('.env-chip[data-env="dev"] .env-state').textContent()).toBe("2024-01-04-0000-create-tag · 1 pending, 1 out of order");

      const staging = page.locator('[data-knex-env="staging"]');
      expect(await staging.getByTestId("knex-gap-files").locator("li").allTextContents()).toEqual(["2024-01-03-0000-add-monitor-url"]);
      const unknown = staging.getByTestId("knex-unknown-files");
      expect(await unknown.textContent()).toContain("Not in the folder: knex_migrations here records 1 file that the migrations folder does not have. Upgrades and downgrades are refused until it is back");
      expect(await unknown.locator("li").allTextContents()).toEqual(["2024-01-05-0000-old-report.js"]);
      expect(await page.locator('[data-env-row="staging"]').getByTestId("env-state").textContent()).toBe("1 ran file not in folder");

      await page.screenshot({ path: path.join(OUT, "knex-gap-light.png") });

      // Strata's upgrade runs the gap in folder order; checked again, dev's list is gone and staging's stays.
      strataSync(["--project", root, "--env", "dev", "upgrade", "heads"]);
      await page.getByRole("button", { name: "Check again" }).click();
      await expect.poll(() => devRow.getByTestId("env-state").textContent(), { timeout: 30_000 }).toBe("up to date");
      expect(await dev.count()).toBe(0);
      expect(await staging.getByTestId("knex-unknown-files").count()).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
