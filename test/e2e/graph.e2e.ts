import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, envEntry, type TestDatabase } from "../helpers/databases.js";
import { writeProject, type RevisionSpec } from "../helpers/strata-cli.js";
import { freshDir, launchChromium, serve, strataSync, type ServedProject } from "./strata-serve.js";

// Issue 19 point 4: the graph to navigate by, on SQLite (dev), PostgreSQL (staging) and MariaDB
// (prod). `STRATA_SCREENSHOTS=1` writes docs/screenshots/graph-*.png; a plain run captures into a temp folder.
const OUT = process.env.STRATA_SCREENSHOTS ? path.resolve(__dirname, "..", "..", "docs", "screenshots") : fs.mkdtempSync(path.join(os.tmpdir(), "strata-graph-"));

/** The trunk (BASE..T4), a feature branch merged back (F1, F2), billing (B1, B2 depends on T3), two that fail (BROKEN, HALF). */
const [BASE, T1, T2, T3, F1, F2, MERGE, T4, B1, B2, BROKEN, HALF] = ["b0b0b0b0b0b0", "a1a1a1a1a1a1", "a2a2a2a2a2a2", "a3a3a3a3a3a3", "f1f1f1f1f1f1", "f2f2f2f2f2f2", "e0e0e0e0e0e0", "a4a4a4a4a4a4", "c1c1c1c1c1c1", "c2c2c2c2c2c2", "d0d0d0d0d0d0", "d1d1d1d1d1d1"] as const;
/** Applied to staging, then its file deleted: a revision the database has and the folder has not. */
const GONE = "d2d2d2d2d2d2";
/** 40 more trunk revisions on top, so that the older ones are scrolled out of view. */
const LATER = Array.from({ length: 40 }, (_, i) => `9${String(i + 1).padStart(11, "0")}`);
const TIP = LATER.at(-1)!;
const TRUNK = [...[...LATER].reverse(), T4, MERGE, T3, T2, T1, BASE];
const FAILS = 'await knex.raw("select * from no_such_table_anywhere");';

const REVISIONS: RevisionSpec[] = [
  { revision: BASE, downRevision: null, message: "create customers", up: 'await knex.schema.createTable("customers", (t) => { t.increments("id"); });', down: 'await knex.schema.dropTable("customers");' },
  { revision: T1, downRevision: BASE, message: "add customers.email" },
  { revision: T2, downRevision: T1, message: "add orders" },
  { revision: F1, downRevision: T1, branchLabels: ["feature"], message: "feature: loyalty points" },
  { revision: F2, downRevision: F1, message: "feature: loyalty tiers" },
  { revision: T3, downRevision: T2, message: "index orders by customer" },
  { revision: MERGE, downRevision: [T3, F2], message: "merge loyalty into main" },
  { revision: T4, downRevision: MERGE, message: "add invoices" },
  ...LATER.map((r, i) => ({ revision: r, downRevision: i === 0 ? T4 : LATER[i - 1]!, message: `routine change ${i + 1}` })),
  { revision: B1, downRevision: T2, branchLabels: ["billing"], message: "billing: create ledger" },
  { revision: B2, downRevision: B1, dependsOn: [T3], message: "billing: ledger needs the orders index" },
  { revision: BROKEN, downRevision: F2, message: "feature: reads a table that is not there", up: FAILS },
  { revision: GONE, downRevision: B2, message: "billing: a file deleted after it ran" },
  { revision: HALF, downRevision: T2, message: "hotfix: table then a bad statement", transaction: false, up: `await knex.schema.createTable("half_t", (t) => { t.integer("id"); }); ${FAILS}`, down: 'await knex.schema.dropTableIfExists("half_t");' },
];

let browser: Browser;
let staging: TestDatabase;
let prod: TestDatabase;
let root: string;
let dataDir: string;
let served: ServedProject;

/** Runs a command that is meant to fail (a broken revision): its failure is the state under test. */
function strataFails(args: readonly string[]): void {
  expect(() => strataSync(args)).toThrow();
}

beforeAll(async () => {
  [staging, prod] = await Promise.all([createTestDatabase("pg"), createTestDatabase("mysql2")]);
  root = writeProject({
    environments: {
      dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" }, color: "#2b8a3e" },
      staging: { ...envEntry(staging), color: "#b7791f" },
      prod: { ...envEntry(prod), color: "#c53030" },
    },
    revisions: REVISIONS,
  });
  // The files as a team keeps them: committed by someone, on a known day.
  const who = { GIT_AUTHOR_NAME: "Ann Author", GIT_AUTHOR_EMAIL: "ann@example.com", GIT_AUTHOR_DATE: "2026-10-01T09:30:00+00:00", GIT_COMMITTER_NAME: "Ann Author", GIT_COMMITTER_EMAIL: "ann@example.com", GIT_COMMITTER_DATE: "2026-10-01T09:30:00+00:00" };
  execFileSync("git", ["init", "-q"], { cwd: root });
  execFileSync("git", ["add", "migrations"], { cwd: root });
  execFileSync("git", ["commit", "-qm", "revisions"], { cwd: root, env: { ...process.env, ...who } });
  const cli = (env: string, ...args: string[]): string[] => ["--project", root, "--env", env, ...args];
  strataSync(cli("dev", "upgrade", TIP));
  strataSync(cli("dev", "upgrade", B2));
  strataFails(cli("dev", "upgrade", BROKEN));
  strataSync(cli("staging", "upgrade", TIP));
  strataSync(cli("staging", "upgrade", GONE));
  strataSync(cli("prod", "upgrade", T2));
  strataFails(cli("prod", "upgrade", HALF));
  const file = (id: string): string => path.join(root, "migrations", fs.readdirSync(path.join(root, "migrations")).find((f) => f.startsWith(id))!);
  fs.rmSync(file(GONE));
  // Edited after it ran everywhere.
  fs.appendFileSync(file(T1), "// reworded\n");
  dataDir = freshDir("strata-e2e-data-");
  served = await serve(root, dataDir);
  browser = await launchChromium();
  fs.mkdirSync(OUT, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await Promise.all([staging?.drop(), prod?.drop()]);
  if (root) fs.rmSync(root, { recursive: true, force: true });
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const row = (page: Page, revision: string) => page.locator(`[data-testid=graph] [data-revision="${revision}"]`);
const panel = (page: Page) => page.locator("[data-testid=side-panel]");

/** Opens the graph in a fresh page once every environment's state is in, runs `check` on it, and fails on errors the page threw. */
async function onGraph(viewport: { width: number; height: number }, scheme: "light" | "dark", hash: string, check: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ viewport, colorScheme: scheme });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(served.url + hash);
    await page.locator("[data-testid=graph] [data-revision]").first().waitFor();
    // Every environment's state has come in (the chips say more than "…").
    for (const env of ["dev", "staging", "prod"]) await page.locator(`[data-env=${env}] .env-state[data-state]`).waitFor({ timeout: 60_000 });
    await check(page);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}

/** Whether a row is inside the graph's visible area. */
async function inView(page: Page, revision: string): Promise<boolean> {
  const r = row(page, revision);
  if ((await r.count()) === 0) return false;
  const [list, box] = await Promise.all([page.locator("[data-testid=graph]").boundingBox(), r.boundingBox()]);
  return !!list && !!box && box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1;
}

const selectedRow = (page: Page) => page.locator("[data-testid=graph] [aria-selected=true]").getAttribute("data-revision");

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

describe.each(VIEWPORTS.flatMap((v) => (["light", "dark"] as const).map((scheme) => ({ ...v, scheme }))))("the revision graph at $width x $height, $scheme (issue 19)", ({ width, height, scheme }) => {
  const viewport = { width, height };

  it("draws the trunk on lane 0 in one colour from its head to its base, branches beside it, depends_on dashed", async () => {
    await onGraph(viewport, scheme, `#/graph?select=${T3}`, async (page) => {
      // A node's colour: its stroke where it is hollow, its fill where it is filled (drawn as one shape).
      const lanes = await page.locator("[data-testid=graph] [data-revision]").evaluateAll((rows) =>
        rows.map((r) => {
          const node = r.querySelector("svg [data-node]");
          return { id: r.getAttribute("data-revision"), lane: r.getAttribute("data-lane"), stroke: node?.getAttribute("stroke") ?? node?.getAttribute("fill") };
        }),
      );
      for (const l of lanes) {
        const onTrunk = TRUNK.includes(l.id!);
        expect(l.lane === "0", `${l.id} on lane ${l.lane}`).toBe(onTrunk);
        if (onTrunk) expect(l.stroke).toBe("var(--lane-0)");
        else expect(l.stroke).not.toBe("var(--lane-0)");
      }
      // B2 depends on T3: a dashed line from B2's node to an arrow at T3's.
      const from = row(page, B2).locator("[data-dependency=dependent] path").first();
      expect(await from.getAttribute("stroke-dasharray")).toBe("3 3");
      await row(page, T3).locator("[data-dependency=dependency]").waitFor();
      await page.screenshot({ path: path.join(OUT, `graph-${width}-${scheme}.png`) });
    });
  });

  it("dims what the selected environment has not applied and marks failed, edited, half-applied and missing revisions", async () => {
    await onGraph(viewport, scheme, "#/graph", async (page) => {
      await page.locator("[data-env=prod]").click();
      // prod stands at T2: T2 and below filled, everything newer hollow.
      await expect.poll(() => row(page, T2).locator("svg").getAttribute("data-applied")).toBe("true");
      expect(await row(page, T1).locator("svg").getAttribute("data-applied")).toBe("true");
      expect(await row(page, T3).locator("svg").getAttribute("data-applied")).toBe("false");
      await page.locator("[data-env=dev]").click();
      await expect.poll(() => row(page, TIP).locator("svg").getAttribute("data-applied")).toBe("true");
      await page.getByLabel("Search revisions").fill(BROKEN);
      expect(await row(page, BROKEN).locator("svg").getAttribute("data-applied")).toBe("false");
      expect(await row(page, BROKEN).locator("[data-marker]").allInnerTexts()).toEqual(["failed in dev"]);
      await page.getByLabel("Search revisions").fill(HALF);
      expect(await row(page, HALF).locator("[data-marker]").allInnerTexts()).toEqual(["half-applied in prod"]);
      await page.getByLabel("Search revisions").fill(T1);
      expect(await row(page, T1).locator("[data-marker]").allInnerTexts()).toEqual(["edited in dev, staging, prod"]);
      // A revision staging has applied but whose file is gone has no node: the graph says so above it.
      expect(await page.locator('[data-env-off-graph="staging"]').innerText()).toMatch(new RegExp(`^staging stands at ${GONE}, which has no file · `));
      // The side panel of a revision applied everywhere says so, and never "no environment".
      const standing = await panel(page).locator("[data-testid=side-standing]").innerText();
      expect(standing).toBe("Applied in: all 3 environments");
      expect(await panel(page).innerText()).not.toContain("no environment");
      await page.screenshot({ path: path.join(OUT, `graph-markers-${width}-${scheme}.png`) });
    });
  });

  it("jumps to where an environment stands from its chip, scrolled into view and selected", async () => {
    await onGraph(viewport, scheme, "#/graph", async (page) => {
      expect(await inView(page, T2)).toBe(false);
      await page.locator("[data-env=prod]").click();
      await expect.poll(() => selectedRow(page)).toBe(T2);
      await expect.poll(() => inView(page, T2)).toBe(true);
      await page.locator("[data-env=dev]").click();
      await expect.poll(() => selectedRow(page)).toBe(TIP);
      expect(await panel(page).locator("[data-testid=side-standing]").innerText()).toContain("Stands here: dev, staging");
    });
  });

  it("searches ids, messages, labels and targets; / focuses the search", async () => {
    await onGraph(viewport, scheme, "#/graph", async (page) => {
      await page.locator("[data-testid=graph]").focus();
      await page.keyboard.press("/");
      expect(await page.locator(":focus").getAttribute("aria-label")).toBe("Search revisions");
      const search = page.getByLabel("Search revisions");
      const count = page.locator("[data-testid=search-count]");
      await page.keyboard.type("billing@head");
      await expect.poll(() => count.innerText()).toBe("the head of branch billing: 1 of 1");
      expect(await selectedRow(page)).toBe(B2);
      await search.fill("prod");
      await expect.poll(() => count.innerText()).toBe("where prod stands: 1 of 1");
      expect(await selectedRow(page)).toBe(T2);
      expect(await inView(page, T2)).toBe(true);
      await search.fill("heads");
      await expect.poll(() => count.innerText()).toBe("every head: 1 of 4");
      // A message: Enter walks the matches, newest first.
      await search.fill("loyalty");
      await expect.poll(() => count.innerText()).toBe("1 of 3");
      const walked = [await selectedRow(page)];
      for (const k of [2, 3]) {
        await search.press("Enter");
        await expect.poll(() => count.innerText()).toBe(`${k} of 3`);
        walked.push(await selectedRow(page));
      }
      expect(walked).toEqual([MERGE, F2, F1]);
      // A label finds the revisions it is declared or in effect on (Alembic spreads it through the merge).
      await search.fill("billing");
      await expect.poll(() => count.innerText()).toBe("1 of 2");
      await search.fill("orders index");
      await expect.poll(() => selectedRow(page)).toBe(B2);
      await search.fill(F1.slice(0, 6));
      await expect.poll(() => selectedRow(page)).toBe(F1);
    });
  });

  it("keeps the selection across screens and offers only the migrations that would do something", async () => {
    await onGraph(viewport, scheme, "#/graph", async (page) => {
      await page.locator("[data-env=prod]").click();
      await page.getByLabel("Search revisions").fill(F1);
      await expect.poll(() => selectedRow(page)).toBe(F1);
      await page.locator("[data-testid=graph]").focus();
      await page.keyboard.press("2");
      await page.locator("[data-testid=matrix]").waitFor({ timeout: 60_000 });
      await page.keyboard.press("1");
      await expect.poll(() => selectedRow(page)).toBe(F1);
      expect(await inView(page, F1)).toBe(true);
      const buttons = async (): Promise<string[]> => (await panel(page).getByRole("button").allInnerTexts()).filter((t) => /Upgrade|Roll/.test(t));
      // prod at T2: F1 is not applied there (upgrade only); T2 is where it stands (nothing); T1 is below (roll back only).
      expect(await buttons()).toEqual(["Upgrade prod to here…"]);
      await page.getByLabel("Search revisions").fill(T2);
      await expect.poll(() => selectedRow(page)).toBe(T2);
      expect(await buttons()).toEqual([]);
      expect(await panel(page).locator("[data-testid=no-action]").innerText()).toBe("prod stands here: nothing to upgrade or roll back to.");
      await page.getByLabel("Search revisions").fill(T1);
      await expect.poll(() => selectedRow(page)).toBe(T1);
      expect(await buttons()).toEqual(["Roll prod back to here…"]);
      await panel(page).getByRole("button", { name: "Roll prod back to here…" }).click();
      await expect.poll(() => new URL(page.url()).hash).toContain(`target=${T1}`);
      expect(new URL(page.url()).hash).toContain("command=downgrade");
    });
  });

  it("shows each file's last commit date and author as git records them", async () => {
    await onGraph(viewport, scheme, "#/graph", async (page) => {
      const logged = execFileSync("git", ["log", "-1", "--format=%aI %an", "--", `migrations`], { cwd: root, encoding: "utf8" }).trim();
      expect(logged).toBe("2026-10-01T09:30:00+00:00 Ann Author");
      expect(await row(page, TIP).locator("[data-committed]").innerText()).toBe("2026-10-01 · Ann Author");
      expect(await panel(page).locator("[data-testid=side-committed]").innerText()).toBe("2026-10-01 09:30 by Ann Author");
    });
  });
});
