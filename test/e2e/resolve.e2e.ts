/**
 * Issue 5, item 2 in the GUI: a MariaDB run killed with SIGKILL inside a revision leaves a
 * `running` row; the environments and apply screens show it with the same choice as
 * `strata resolve`, a protected environment asks for its name, and recording it moves the
 * version table as the step would have.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/database-hooks.js";
import { envEntry } from "../helpers/databases.js";
import { killInsideSleep, sleepingRevision } from "../helpers/killed-runner.js";
import { strata, writeProject } from "../helpers/strata-cli.js";
import { useBrowser } from "./browser-hooks.js";
import { openProject } from "./strata-serve.js";

const A1 = "a1a1a1a1a1a1";
const K2 = "k2k2k2k2k2k2";

// One MariaDB database and one Chromium for the file.
const db = useTestDatabase("mysql2", "all");
const chromium = useBrowser();

describe("an interrupted MariaDB run in the GUI", () => {
  it("shows the half-done revision on the environments and apply screens and resolves it with the typed name", async () => {
    const marker = path.join(os.tmpdir(), `strata-e2e-kill-${randomBytes(5).toString("hex")}.marker`);
    const root = writeProject({
      // Two environments on one database: the run is killed on "maria"; "live" is protected, so maria,
      // which reaches live's database, changes it only with live's name too (issue 14).
      environments: { maria: envEntry(db), live: envEntry(db, { protected: true, color: "#d33" }) },
      revisions: [
        { revision: A1, downRevision: null, message: "create base", up: `await knex.schema.createTable("base_t", (t) => { t.integer("id"); });`, down: `await knex.schema.dropTable("base_t");` },
        sleepingRevision("mysql2", marker, { revision: K2, downRevision: A1, table: "killed_t" }),
      ],
    });
    expect((await strata(["--project", root, "--env", "maria", "upgrade", A1, "--confirm", "live"])).code).toBe(0);
    expect((await killInsideSleep(["--project", root, "--env", "maria", "upgrade", "heads", "--confirm", "live"], "mysql2", db.knex, marker)).signal).toBe("SIGKILL");
    expect(((await db.knex("strata_history").where({ revision: K2 })) as { status: string }[]).map((r) => r.status)).toEqual(["running"]);

    // Environments: both environments (one database) show the interrupted revision and the choice.
    const { served, page, pageErrors, close } = await openProject(chromium(), root, { viewport: { width: 1280, height: 900 }, hash: "#/environments" });
    try {
      const live = page.locator(`[data-unresolved-env="live"] [data-unresolved-revision="${K2}"]`);
      await live.waitFor({ timeout: 60_000 });
      expect(await live.getAttribute("data-unresolved-state")).toBe("interrupted");
      expect(await live.innerText()).toMatch(new RegExp(`revision ${K2} \\(create and sleep\\) was interrupted while running up`));
      // What to look for: the statements the revision issues.
      expect(await live.innerText()).toMatch(/its statements are `create table `killed_t`.*`; `insert into `killed_t`/);
      await page.locator(`[data-unresolved-env="maria"] [data-unresolved-revision="${K2}"]`).waitFor();
      await page.locator(`[data-env-row="live"] [data-testid=unresolved-tag]`).waitFor();

      // Apply: the same state and choice where a run would be refused.
      await page.goto(`${served.url}#/apply?environment=maria&command=upgrade&target=heads`);
      await page.locator(`[data-unresolved-env="maria"] [data-unresolved-revision="${K2}"] [data-testid=resolve-applied]`).waitFor({ timeout: 60_000 });
      // The plan's confirmationName is live's: that is the name the apply screen asks for.
      await page.getByLabel("Type the environment name to confirm", { exact: true }).fill("live");
      await page.locator("[data-testid=run-button]").click();
      await page.locator(`[data-testid=run][data-run-state="failed"]`).waitFor({ timeout: 60_000 });
      await page.getByText(new RegExp(`upgrade refused, nothing was run: revision ${K2}`)).first().waitFor();

      // Resolve on the protected environment: the record button waits for the typed name.
      await page.goto(`${served.url}#/environments`);
      await live.locator("[data-testid=resolve-applied]").click();
      const record = live.locator("[data-testid=resolve-record]");
      expect(await record.isDisabled()).toBe(true);
      await live.getByLabel("Type the environment name to confirm the resolve").fill("maria");
      expect(await record.isDisabled()).toBe(true);
      await live.getByLabel("Type the environment name to confirm the resolve").fill("live");
      expect(await record.isDisabled()).toBe(false);
      await record.click();
      // Both environments read the same database: neither shows it any more.
      await expect.poll(() => page.locator("[data-testid=unresolved]").count(), { timeout: 60_000 }).toBe(0);
      await page.locator(`[data-env-row="live"]`).getByText(K2).waitFor();

      const rows = (await db.knex("strata_history").where({ revision: K2 })) as { status: string; error: string }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]!.status).toBe("succeeded");
      expect(rows[0]!.error).toMatch(/^resolved as applied by /);
      expect(((await db.knex("strata_version").select("version_num")) as { version_num: string }[]).map((r) => r.version_num)).toEqual([K2]);
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
      fs.rmSync(marker, { force: true });
    }
  });
});
