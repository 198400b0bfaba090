/**
 * Issue 14, "protection follows the database", in the GUI: a profile saved with another path to
 * the demo's protected prod.sqlite3 (through a symlinked folder) is saved protected; the form says
 * so after the save, the profile list and the environment chips show it protected, and the apply
 * screen asks for prod's name, not the profile's.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openDemo } from "./strata-serve.js";
import { screenshotFolder } from "./three-dialect-demo.js";

// `STRATA_SCREENSHOTS=1` writes docs/screenshots; a plain run captures into a temporary folder.
const OUT = screenshotFolder("strata-profile-");

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe("a profile that reaches a protected database", () => {
  it.each(["light", "dark"] as const)("is saved protected and says which environment it reaches (%s)", async (scheme) => {
    const session = await openDemo(browser, {
      hash: "#/environments",
      colorScheme: scheme,
      // Another route to the demo's prod.sqlite3: a symlink to the project folder beside it.
      prepare: (root) => fs.symlinkSync(root, path.join(path.dirname(root), "same-folder")),
    });
    const { page } = session;
    try {
      await page.getByRole("button", { name: "Add profile…" }).click();
      const form = page.getByRole("form", { name: "New connection profile" });
      await form.getByLabel("Profile name").fill("prod-copy");
      await form.getByLabel("Client").selectOption("better-sqlite3");
      await form.getByLabel("SQLite file").fill("../same-folder/prod.sqlite3");
      expect(await form.getByLabel("Shared across projects").isChecked()).toBe(false);
      await form.getByRole("button", { name: "Save" }).click();

      // The form stays open on the saved profile and says why it is protected now.
      const edit = page.getByRole("form", { name: "Edit profile prod-copy" });
      const notice = edit.locator("[data-testid=profile-reaches-protected]");
      await notice.waitFor();
      expect(await notice.innerText()).toMatch(/profile prod-copy reaches the same database as protected environment prod \(sqlite \/.*\/prod\.sqlite3\)/);
      expect(await edit.getByLabel("Protected (runs need its name typed)").isChecked()).toBe(true);

      const row = page.locator('[data-profile="prod-copy"]');
      await row.locator(".lock").waitFor();
      expect(await row.locator("[data-testid=profile-reach]").innerText()).toMatch(/reaches protected prod's database/);
      // The environment chip along the top shows it protected as well.
      await page.locator("[data-env=prod-copy] .lock").waitFor();

      await notice.evaluate((el) => el.scrollIntoView({ block: "center" }));
      await page.mouse.move(0, 0);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, `profile-protected-${scheme}.png`) });

      // The apply screen asks for prod's name on the profile's plan: its own name does not enable the run.
      await page.goto(`${session.served.url}#/apply?environment=prod-copy&command=upgrade&target=heads`);
      const field = page.getByLabel("Type the environment name to confirm", { exact: true });
      await field.waitFor({ timeout: 60_000 });
      await page.getByText(/prod-copy reaches the protected database of prod\. Type “prod” to run this plan\./).waitFor();
      await field.fill("prod-copy");
      expect(await page.locator("[data-testid=run-button]").isDisabled()).toBe(true);
      await field.fill("prod");
      expect(await page.locator("[data-testid=run-button]").isDisabled()).toBe(false);
      expect(session.pageErrors).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
