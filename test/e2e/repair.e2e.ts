/**
 * Issue 14, points 5 and 6 in Chromium against `strata serve` (the demo, SQLite):
 * - an applied revision's file edited on disk is accepted from the revision page ("Accept the
 *   edited file", a protected environment asking for its name), after which the apply screen no
 *   longer refuses and the History screen shows the repair row;
 * - the environment chips, the graph and the environments screen follow a revision file deleted
 *   on disk, with no reload, and say the worst state.
 * Screenshots of both go to docs/screenshots with STRATA_SCREENSHOTS=1 (a temporary folder otherwise).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO, type DemoSession } from "./strata-serve.js";
import { useDemoSessions } from "./demo-sessions.js";

const OUT = process.env.STRATA_SCREENSHOTS ? path.resolve(__dirname, "..", "..", "docs", "screenshots") : fs.mkdtempSync(path.join(os.tmpdir(), "strata-screens-"));

const demo = useDemoSessions();
let session: DemoSession | null = null;
beforeAll(() => {
  fs.mkdirSync(OUT, { recursive: true });
});

/** The demo's file of a revision. */
function revisionFile(root: string, revision: string): string {
  const dir = path.join(root, "migrations");
  return path.join(dir, fs.readdirSync(dir).find((f) => f.includes(revision))!);
}

const chip = (page: Page, env: string) => page.locator(`[data-env="${env}"] .env-state`);

async function shoot(page: Page, name: string, scheme: "light" | "dark"): Promise<void> {
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(OUT, `${name}-${scheme}.png`) });
}

describe("repair and the worst state in the GUI", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`accepts an edited file from the revision page, then the apply screen runs without "Run anyway" (${scheme})`, async () => {
      session = await demo.open({
        colorScheme: scheme,
        // due date ran on dev and prod; its file is then edited (an intended fix of a comment and a default).
        prepare: (root) => fs.appendFileSync(revisionFile(root, DEMO.dueDate), "\n// reviewed: the default stays as it ran\n"),
      });
      const { page } = session;
      const url = session.served.url;

      // Before: the chip says edited, and a rollback on dev is refused unless "Run anyway".
      await chip(page, "dev").filter({ hasText: "1 edited" }).waitFor({ timeout: 60_000 });
      await page.goto(`${url}#/apply?environment=dev&command=downgrade&target=-1`);
      await page.locator("[data-testid=edited-refusal]").waitFor();
      expect(await page.locator("[data-testid=run-button]").isDisabled()).toBe(true);

      // The revision page: both environments show the edit and offer to accept it.
      await page.goto(`${url}#/revision/${DEMO.dueDate}`);
      const devState = page.locator('[data-detail-env="dev"] [data-testid=checksum-state]');
      const prodState = page.locator('[data-detail-env="prod"] [data-testid=checksum-state]');
      await devState.filter({ hasText: "edited after it was applied" }).waitFor();
      await prodState.filter({ hasText: "edited after it was applied" }).waitFor();

      // What it does is said before it is done.
      await page.locator('[data-testid=accept-edited][data-accept-env="dev"]').click();
      const explained = await page.locator("[data-testid=accept-edited-explained]").innerText();
      expect(explained).toMatch(/Records the file's checksum [0-9a-f]{8} in place of [0-9a-f]{8} in dev's history, with your name and the time/);
      expect(explained).toMatch(/Nothing runs and no schema changes; runs stop refusing this revision/);
      await shoot(page, "revision-accept-edited", scheme);
      await page.locator("[data-testid=accept-edited-confirm]").click();
      await devState.filter({ hasText: "applied, file unchanged" }).waitFor();
      await chip(page, "dev").filter({ hasText: "up to date" }).waitFor();

      // prod is protected: the same action waits for its name.
      await page.locator('[data-testid=accept-edited][data-accept-env="prod"]').click();
      const confirmProd = page.locator("[data-testid=accept-edited-confirm]");
      expect(await confirmProd.isDisabled()).toBe(true);
      await page.getByLabel("Type the environment name to confirm the repair").fill("dev");
      expect(await confirmProd.isDisabled()).toBe(true);
      await page.getByLabel("Type the environment name to confirm the repair").fill("prod");
      await confirmProd.click();
      await prodState.filter({ hasText: "applied, file unchanged" }).waitFor();

      // The apply screen no longer refuses: no box, no "Run anyway", the run goes.
      await page.goto(`${url}#/apply?environment=dev&command=downgrade&target=-1`);
      await page.locator("[data-testid=plan-steps]").waitFor();
      expect(await page.locator("[data-testid=edited-refusal]").count()).toBe(0);
      // The rollback drops what the revision made: it runs once that is ticked (issue 14), not "Run anyway".
      await page.locator("[data-testid=loss-ack-box]").check();
      await page.locator("[data-testid=run-button]").click();
      await page.locator('[data-testid=run][data-run-state="succeeded"]').waitFor({ timeout: 60_000 });

      // The history shows who accepted what, and when.
      await page.goto(`${url}#/history?environment=dev`);
      await page.getByLabel("Direction").selectOption("repair");
      // A step row, not its run's header (issue 19 groups the history by run).
      const repairRow = page.locator("[data-testid=history] tbody tr[data-history-row]").filter({ hasText: DEMO.dueDate.slice(0, 12) });
      await repairRow.first().waitFor();
      expect(await repairRow.first().innerText()).toMatch(new RegExp(`repair\\s+repaired: accepted the edited file, checksum [0-9a-f]{8}→[0-9a-f]{8}, by ${os.userInfo().username}@\\S+ at \\d{4}-\\d\\d-\\d\\dT`));
      await shoot(page, "history-repair", scheme);
    });
  }

  it("accepts the edited file from the apply screen's refusal, next to Run anyway, and the plan is shown again without it", async () => {
    session = await demo.open({ prepare: (root) => fs.appendFileSync(revisionFile(root, DEMO.dueDate), "\n// reviewed\n") });
    const { page } = session;
    await page.goto(`${session.served.url}#/apply?environment=dev&command=downgrade&target=-1`);
    const refusal = page.locator("[data-testid=edited-refusal]");
    await refusal.waitFor();
    await refusal.getByLabel("Run anyway: the edits are intended").waitFor();
    await refusal.locator(`[data-testid=accept-edited][data-accept-revision="${DEMO.dueDate}"]`).click();
    expect(await refusal.locator("[data-testid=accept-edited-explained]").innerText()).toMatch(/in dev's history, with your name and the time/);
    // The refusal sits under the plan: scroll the screen to it for the picture.
    await page.locator(".screen").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await shoot(page, "apply-accept-edited", scheme);
    }
    await refusal.locator("[data-testid=accept-edited-confirm]").click();
    await refusal.waitFor({ state: "detached" });
    await page.locator("[data-testid=plan-steps]").waitFor();
    // Only the tick naming what the rollback drops is left before Run.
    await page.locator("[data-testid=loss-ack-box]").check();
    expect(await page.locator("[data-testid=run-button]").isDisabled()).toBe(false);
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`updates the chips, the graph and the environments screen when a revision file is deleted on disk, without a reload (${scheme})`, async () => {
      session = await demo.open({ colorScheme: scheme, hash: "#/graph" });
      const { page } = session;
      await chip(page, "dev").filter({ hasText: `${DEMO.status} · up to date` }).waitFor({ timeout: 60_000 });
      // prod stands at the merge, one revision behind, and has a column added by hand: drift is the worse.
      await chip(page, "prod").filter({ hasText: "drift: 1 difference" }).waitFor({ timeout: 60_000 });
      await page.locator(`[data-revision="${DEMO.status}"]`).waitFor();
      let reloads = 0;
      page.on("framenavigated", (f) => {
        if (f === page.mainFrame()) reloads++;
      });

      // Deleted in a terminal: dev's head no longer has a file.
      const statusFile = revisionFile(session.served.root, DEMO.status);
      const statusSource = fs.readFileSync(statusFile, "utf8");
      fs.rmSync(statusFile);
      const started = Date.now();
      await chip(page, "dev").filter({ hasText: `${DEMO.status} · 1 missing` }).waitFor({ timeout: 15_000 });
      const ms = Date.now() - started;
      await page.locator(`[data-revision="${DEMO.status}"]`).waitFor({ state: "detached" });
      // dev's badge has no node left to stand on: the graph says where it stands.
      await page.locator('[data-env-off-graph="dev"]').filter({ hasText: `dev stands at ${DEMO.status}, which has no file · 1 missing` }).waitFor();
      // The badge of an environment on the graph says its state too.
      await page.locator(`[data-revision="${DEMO.merge}"] [data-env-badge="prod"]`).filter({ hasText: "drift: 1 difference" }).waitFor();
      expect(reloads).toBe(0);
      expect(ms).toBeLessThan(15_000);
      await shoot(page, "graph-file-deleted", scheme);

      await page.goto(`${session.served.url}#/environments`);
      await page.locator('[data-env-row="dev"] [data-testid=env-row-state]').filter({ hasText: "1 missing" }).waitFor({ timeout: 60_000 });
      await page.locator('[data-env-row="prod"] [data-testid=env-row-state]').filter({ hasText: "drift: 1 difference" }).waitFor();
      await shoot(page, "environments-file-deleted", scheme);
      // Restored on disk while the environments screen is open: it follows without a reload.
      const navigations = reloads;
      fs.writeFileSync(statusFile, statusSource);
      await page.locator('[data-env-row="dev"] [data-testid=env-row-state]').filter({ hasText: "up to date" }).waitFor({ timeout: 15_000 });
      await chip(page, "dev").filter({ hasText: `${DEMO.status} · up to date` }).waitFor();
      expect(reloads).toBe(navigations);
    });
  }
});
