/**
 * Issue 14 in Chromium, the apply screen: a destructive or unchecked plan on an unprotected
 * environment runs only once the box naming what is lost is ticked; the address holds the whole
 * form, so a reload shows the same form and plan; the plan is recomputed after a run and when
 * the project changes; a run whose plan changed since it was shown is refused and the new plan shown.
 */
import type { Page } from "playwright";
import { describe, expect, it } from "vitest";
import { createHttpApi } from "../../shared/http-client.js";
import { READS_ROWS, chainIds, writeLongChain, writeRowReadingRevision } from "./apply-fixtures.js";
import { DEMO, strataSync, type DemoSession } from "./strata-serve.js";
import { useDemoSessions } from "./demo-sessions.js";

const demo = useDemoSessions();
let session: DemoSession | null = null;

const runButton = (page: Page) => page.locator("[data-testid=run-button]");

/** The address's query as a map (the hash part). */
function hashQuery(page: Page): Record<string, string> {
  const hash = new URL(page.url()).hash;
  return Object.fromEntries(new URLSearchParams(hash.split("?")[1] ?? ""));
}

describe("the apply screen: a verdict on every plan, what you see is what runs", () => {
  it("keeps Run disabled on unprotected dev until the box naming the dropped column is ticked, then shows the plan of the new state", async () => {
    session = await demo.open({ hash: `#/apply?environment=dev&command=downgrade&target=${DEMO.merge}` });
    const { page } = session;
    await page.locator("[data-testid=plan-steps]").waitFor({ timeout: 60_000 });
    await page.locator("[data-testid=destructive]").filter({ hasText: "drops column orders.status" }).waitFor();
    // dev is not protected: no name to type, but the loss must be acknowledged.
    expect(await page.getByLabel("Type the environment name to confirm").count()).toBe(0);
    expect(await page.locator("[data-testid=loss-ack-text]").innerText()).toBe("I understand this drops column orders.status");
    expect(await runButton(page).isDisabled()).toBe(true);
    await page.locator("[data-testid=ack-hint]").waitFor();
    await page.locator("[data-testid=loss-ack-box]").check();
    expect(await runButton(page).isDisabled()).toBe(false);
    await page.locator("[data-testid=loss-ack-box]").uncheck();
    expect(await runButton(page).isDisabled()).toBe(true);
    await page.locator("[data-testid=loss-ack-box]").check();
    await runButton(page).click();
    await page.locator("[data-testid=run][data-run-state=succeeded]").waitFor({ timeout: 60_000 });
    // The plan above the result is the one from the new state: dev is at the merge, nothing left to run.
    await page.locator("[data-testid=plan]").getByText("Nothing to run: dev is already there.").waitFor();
    expect(await page.locator("[data-testid=heads-before]").innerText()).toBe(DEMO.merge);
    expect(await page.locator("[data-testid=heads-after]").innerText()).toBe(DEMO.merge);
    expect(await runButton(page).count()).toBe(0);
    await page.locator("[data-testid=run-result]").filter({ hasText: DEMO.merge }).waitFor();
  });

  it("says in red that a plan reading rows was not checked, and asks for the tick before it runs", async () => {
    session = await demo.open({ prepare: writeRowReadingRevision, hash: `#/apply?environment=dev&command=upgrade&target=heads` });
    const { page } = session;
    await page.locator("[data-testid=plan-steps]").filter({ hasText: READS_ROWS }).waitFor({ timeout: 60_000 });
    const unchecked = page.locator("[data-testid=unchecked]");
    await unchecked.waitFor();
    expect(await unchecked.innerText()).toMatch(new RegExp(`^Not checked: .*${READS_ROWS}.*reads rows.* — Strata could not tell what this plan destroys\\.$`));
    // Red: the danger colour of the light theme.
    expect(await unchecked.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).toBe("rgb(197, 48, 48)");
    expect(await page.locator("[data-testid=loss-ack-text]").innerText()).toBe("I understand this plan could not be checked: Strata cannot tell what it destroys");
    expect(await runButton(page).isDisabled()).toBe(true);
    await page.locator("[data-testid=loss-ack-box]").check();
    await runButton(page).click();
    await page.locator("[data-testid=run][data-run-state=succeeded]").waitFor({ timeout: 60_000 });
    await page.locator("[data-testid=plan]").getByText("Nothing to run: dev is already there.").waitFor();
  });

  it("draws a long plan's steps as a list that scrolls, with every step and the whole SQL reachable (issue 19)", async () => {
    const LONG = 400;
    session = await demo.open({ prepare: (root) => writeLongChain(root, LONG), hash: `#/apply?environment=prod&command=upgrade&target=heads` });
    const { page, served } = session;
    const planned = JSON.parse(strataSync(["--project", served.root, "--env", "prod", "upgrade", "heads", "--plan", "--json"], { STRATA_DATA_DIR: served.dataDir })) as { steps: { revision: string }[] };
    const total = planned.steps.length;
    expect(total).toBeGreaterThanOrEqual(LONG);
    await page.locator("[data-testid=plan-step-count]").filter({ hasText: `${total} steps` }).waitFor({ timeout: 60_000 });
    const list = page.locator("[data-testid=plan-steps]");
    const rows = list.locator("li");
    // Only the rows in view (and a few around them) are drawn; the first is the plan's first step.
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeLessThan(100);
    expect(await rows.first().innerText()).toContain(planned.steps[0]!.revision.slice(0, 12));
    expect(await rows.first().getAttribute("aria-setsize")).toBe(String(total));
    // Scrolled to its end, the list shows the last step, numbered as the last.
    const last = chainIds(LONG)[LONG - 1]!;
    // The list scrolls in its box (its parent), as a wheel over it would.
    await list.evaluate((el) => {
      el.parentElement!.scrollTop = el.parentElement!.scrollHeight;
    });
    await rows.filter({ hasText: last }).waitFor();
    expect(await rows.filter({ hasText: last }).getAttribute("aria-posinset")).toBe(String(total));
    // The SQL pane holds the whole script: scrolled to its end, it shows the last step's statements.
    await page.locator('[data-testid="code-plan SQL"] .cm-content').waitFor();
    await page.locator('[data-testid="code-plan SQL"] .cm-scroller').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.locator('[data-testid="code-plan SQL"] .cm-line').filter({ hasText: `-- Running upgrade ${last}` }).waitFor();
  });

  it("keeps the whole form in the address: a reload shows the same form and the same plan", async () => {
    session = await demo.open({ hash: "#/apply" });
    const { page } = session;
    await page.getByLabel("Environment", { exact: true }).selectOption("prod");
    await page.getByLabel("Direction").selectOption("downgrade");
    await page.getByLabel("Target").fill(DEMO.invoices);
    await page.getByLabel("Single transaction").check();
    // Typing replaces the address instead of adding a Back step per key.
    const historyLength = await page.evaluate("history.length");
    await page.getByRole("button", { name: "Show plan" }).click();
    await page.locator("[data-testid=plan-steps]").waitFor({ timeout: 60_000 });
    expect(hashQuery(page)).toEqual({ environment: "prod", command: "downgrade", target: DEMO.invoices, singleTransaction: "1" });
    expect(await page.evaluate("history.length")).toBe(historyLength);
    const steps = await page.locator("[data-testid=plan-steps] li").allInnerTexts();
    expect(steps.length).toBe(2);
    expect(steps.every((s) => s.includes("down"))).toBe(true);
    const after = await page.locator("[data-testid=heads-after]").innerText();

    await page.reload();
    await page.locator("[data-testid=plan-steps]").waitFor({ timeout: 60_000 });
    expect(await page.getByLabel("Environment", { exact: true }).inputValue()).toBe("prod");
    expect(await page.getByLabel("Direction").inputValue()).toBe("downgrade");
    expect(await page.getByLabel("Target").inputValue()).toBe(DEMO.invoices);
    expect(await page.getByLabel("Single transaction").isChecked()).toBe(true);
    expect(await page.locator("[data-testid=plan-steps] li").allInnerTexts()).toEqual(steps);
    expect(await page.locator("[data-testid=heads-after]").innerText()).toBe(after);
    // The same address in a new tab: the same plan, protected prod asking for its name.
    const tab = await session.context.newPage();
    await tab.goto(page.url());
    await tab.locator("[data-testid=plan-steps]").waitFor({ timeout: 60_000 });
    expect(await tab.locator("[data-testid=plan-steps] li").allInnerTexts()).toEqual(steps);
    await tab.locator("[data-testid=confirm-hint]").filter({ hasText: "prod" }).waitFor();
    await tab.close();
  });

  it("recomputes the plan shown when a revision is added, and refuses a run whose plan changed since it was shown", async () => {
    session = await demo.open({ hash: `#/apply?environment=prod&command=upgrade&target=heads` });
    const { page, served } = session;
    await page.locator("[data-testid=plan-steps]").waitFor({ timeout: 60_000 });
    expect(await page.locator("[data-testid=plan-steps] li").count()).toBe(1);
    // Another window of the app adds a revision on the head: the plan on screen follows.
    const url = new URL(served.url);
    const api = createHttpApi(url.origin, url.searchParams.get("token")!);
    const made = await api.createRevision({ message: "add order notes" });
    await page.locator("[data-testid=plan-steps] li").nth(1).filter({ hasText: made.revision.slice(0, 12) }).waitFor({ timeout: 30_000 });
    await page.locator("[data-testid=plan-changed]").filter({ hasText: "The plan changed while you looked." }).waitFor();

    // Someone upgrades prod from a terminal after the person looked: the click is refused, nothing runs.
    strataSync(["--project", served.root, "--env", "prod", "upgrade", DEMO.status, "--confirm", "prod"], { STRATA_DATA_DIR: served.dataDir });
    await page.getByLabel("Type the environment name to confirm").fill("prod");
    await runButton(page).click();
    const changed = page.locator("[data-testid=plan-changed]").filter({ hasText: "The plan changed since you looked" });
    await changed.waitFor({ timeout: 60_000 });
    expect(await changed.innerText()).toMatch(new RegExp(`^The plan changed since you looked\\. Nothing ran: the database is now at ${DEMO.status}, not ${DEMO.merge}; .*; look at the new plan and confirm it again\\.$`));
    // The new plan replaces the refused one, to be confirmed again.
    await page.locator("[data-testid=heads-before]").filter({ hasText: DEMO.status }).waitFor();
    expect(await page.locator("[data-testid=plan-steps] li").count()).toBe(1);
    expect(await page.getByLabel("Type the environment name to confirm").inputValue()).toBe("");
    expect(await runButton(page).isDisabled()).toBe(true);
    expect(await page.locator("[data-testid=run]").count()).toBe(0);
    const current = JSON.parse(strataSync(["--project", served.root, "--env", "prod", "current", "--json"], { STRATA_DATA_DIR: served.dataDir })) as { heads: string[] };
    expect(current.heads).toEqual([DEMO.status]);
    // Confirmed again, it runs.
    await page.getByLabel("Type the environment name to confirm").fill("prod");
    await runButton(page).click();
    await page.locator("[data-testid=run][data-run-state=succeeded]").waitFor({ timeout: 60_000 });
    await page.locator("[data-testid=plan]").getByText("Nothing to run: prod is already there.").waitFor();
  });
});
