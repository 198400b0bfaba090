/**
 * Issue #15 points 4 and 7 in the GUI: a project that is only a knexfile and a knex folder opens
 * in `strata serve`, and the create screen writes a knex migration on the last file.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser-hooks.js";
import { freshDir, openProject } from "./strata-serve.js";

const chromium = useBrowser();

describe("the create screen in a knex project", () => {
  it("writes YYYYMMDDHHMMSS_slug.js in the folder's CommonJS style, without branch fields", async () => {
    const root = freshDir("strata-e2e-knex-");
    fs.writeFileSync(
      path.join(root, "knexfile.js"),
      `module.exports = { development: { client: "better-sqlite3", connection: { filename: "./dev.sqlite3" }, useNullAsDefault: true } };\n`,
    );
    fs.mkdirSync(path.join(root, "migrations"));
    fs.writeFileSync(
      path.join(root, "migrations", "20230816120000_create_users.js"),
      `exports.up = (knex) => knex.schema.createTable("users", (t) => { t.increments("id"); });\nexports.down = (knex) => knex.schema.dropTable("users");\n`,
    );
    const { page, pageErrors, close } = await openProject(chromium(), root, { viewport: { width: 1280, height: 900 }, hash: "#/create" });
    try {
      await expect.poll(() => page.getByTestId("knex-folder-note").textContent(), { timeout: 20_000 }).toContain("This is a knex migrations folder");
      expect(await page.getByLabel("Branch label").count()).toBe(0);
      expect(await page.getByLabel("Depends on").count()).toBe(0);

      await page.getByLabel("Message").fill("add notes");
      await page.getByRole("button", { name: "Create revision" }).click();
      const id = page.getByTestId("created-id");
      await expect.poll(() => id.textContent(), { timeout: 20_000 }).toMatch(/^\d{14}_add_notes$/);
      const revision = (await id.textContent())!;
      expect(await page.getByTestId("created").textContent()).toContain(`Wrote migrations/${revision}.js`);
      const text = fs.readFileSync(path.join(root, "migrations", `${revision}.js`), "utf8");
      expect(text).toMatch(/^exports\.up = async function up\(knex\) \{$/m);
      expect(text).not.toMatch(/downRevision/);
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
