/**
 * Issue 19 point 6, words for people, in Chromium against `strata serve`, on SQLite (dev),
 * PostgreSQL (pg), MariaDB (maria) and a PostgreSQL environment on a closed port (gone), at
 * 1280x800 and 1920x1080, light and dark: input errors (an unknown environment in the address, an
 * unknown target, a revision file that does not compile, a Depends on that names no revision or
 * several; a file edited after it ran) say what is wrong and what to do with no
 * "Try again"; an unreachable database says so within seconds and offers "Try again"; and no
 * screen shows a --flag, an error code or a `strata <command>` instruction.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AFTER_READS, prepareThreeDialects } from "./three-dialect-demo.js";
import { DEMO, addEnvironment, freshDir, launchChromium, makeDemo, serve, type ServedProject } from "./strata-serve.js";

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

// What a person must never be told: a command-line option, an error code, a command to type.
const FLAG = /(?:^|[\s(`'"“])--[a-z][a-z-]+/m;
const CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/;
const COMMAND = /\bstrata\s+(?:[a-z][a-z-]+)\b|\brun\s+[`'"‘“]/;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let served: ServedProject;
let root: string;
let dataDir: string;
let dropDatabases: () => void = () => {};
const pageErrors: string[] = [];

beforeAll(async () => {
  dataDir = freshDir("strata-e2e-data-");
  root = makeDemo(dataDir);
  dropDatabases = prepareThreeDialects(root, { flaky: true });
  // Port 1 on the loopback: nothing listens, so the connection is refused at once.
  addEnvironment(root, "gone", { client: "pg", connection: "postgres://postgres@127.0.0.1:1/nowhere", color: "#777777" });
  served = await serve(root, dataDir);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORTS[0] });
  page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  dropDatabases();
  if (root) fs.rmSync(path.dirname(root), { recursive: true, force: true });
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The text a person reads, code panes left out (SQL and source may hold anything). */
function uiText(p: Page): Promise<string> {
  // A string, not a function: the e2e files are type-checked without the DOM's types.
  return p.evaluate(`(() => {
    const skip = ".cm-editor, pre, code, [data-testid^='code-']";
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest(skip) || el.closest("script, style, datalist, option:not(:checked)")) continue;
      if (!el.checkVisibility()) continue;
      parts.push(n.textContent ?? "");
    }
    return parts.join(" ");
  })()`) as Promise<string>;
}

/** Fails with the offending words when the screen names a flag, a code or a command. */
async function expectPlainWords(where: string): Promise<void> {
  const text = await uiText(page);
  // The scan read the screen (the top bar names the app), not an empty page.
  expect(text, `${where}: no text read`).toMatch(/\bStrata\b/);
  for (const [what, re] of [["a --flag", FLAG], ["an error code", CODE], ["a strata command", COMMAND]] as const) {
    const m = re.exec(text);
    expect(m, `${where} shows ${what}: …${m ? text.slice(Math.max(0, m.index - 60), m.index + 60) : ""}…`).toBeNull();
  }
}

/** Goes to a route and waits until its heading is there and nothing is still loading. */
async function open(hash: string, heading: string): Promise<void> {
  await page.goto(served.url + hash);
  await page.locator("h1").filter({ hasText: heading }).first().waitFor({ timeout: 30_000 });
  await page.locator(".state-box .spinner").first().waitFor({ state: "detached", timeout: 60_000 });
}

const alert = () => page.locator(".state-box.error[role=alert]");
const tryAgain = () => alert().getByRole("button", { name: "Try again" });

async function showPlan(env: string, target: string): Promise<void> {
  await page.locator("select[aria-label=Environment]").selectOption(env);
  await page.locator("input[aria-label=Target]").fill(target);
  await page.getByRole("button", { name: "Show plan" }).click();
}

describe("words for people", () => {
  it("says what is wrong and what to do on every screen, with Try again only where it helps", async () => {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const viewport of VIEWPORTS) {
        const at = `${viewport.width}x${viewport.height} ${scheme}`;
        await page.setViewportSize(viewport);

        // An unknown environment in the address: an input error.
        await open("#/apply?environment=nowhere&target=heads", "Apply / roll back");
        await alert().waitFor({ timeout: 30_000 });
        expect(await alert().innerText(), at).toMatch(/environment is not in this project[\s\S]*Pick one of the environments/);
        expect(await tryAgain().count(), at).toBe(0);
        await expectPlainWords(`apply, unknown environment (${at})`);

        // A target that names nothing.
        await showPlan("dev", "zzzzzz");
        await alert().filter({ hasText: "No revision or branch" }).waitFor({ timeout: 30_000 });
        expect(await alert().innerText(), at).toMatch(/zzzzzz[\s\S]*Pick a revision on the graph/);
        expect(await tryAgain().count(), at).toBe(0);
        await expectPlainWords(`apply, unknown target (${at})`);

        // A target that is not even an id, and one further down than the graph goes.
        await showPlan("pg", "not a target!");
        await alert().filter({ hasText: "not a target!" }).waitFor({ timeout: 30_000 });
        expect(await tryAgain().count(), at).toBe(0);
        await expectPlainWords(`apply, bad target (${at})`);
        await page.locator("select[aria-label=Direction]").selectOption("downgrade");
        await showPlan("pg", "-99");
        await alert().filter({ hasText: "not that many revisions" }).waitFor({ timeout: 30_000 });
        expect(await tryAgain().count(), at).toBe(0);
        await expectPlainWords(`apply, relative target out of range (${at})`);
        await page.locator("select[aria-label=Direction]").selectOption("upgrade");

        // A database nobody answers for: says so quickly, and trying again can help.
        const started = Date.now();
        await showPlan("gone", "heads");
        await alert().filter({ hasText: "could not be reached" }).waitFor({ timeout: 10_000 });
        const took = Date.now() - started;
        expect(took, `${at}: the unreachable database took ${took} ms`).toBeLessThan(5_000);
        expect(await alert().innerText(), at).toMatch(/then try again/);
        await tryAgain().waitFor();
        await expectPlainWords(`apply, unreachable database (${at})`);
        const retried = Date.now();
        await tryAgain().click();
        await alert().filter({ hasText: "could not be reached" }).waitFor({ timeout: 10_000 });
        expect(Date.now() - retried, at).toBeLessThan(5_000);

        // A file edited after it ran: the plan says what to do in the screen's terms.
        const flaky = path.join(root, "migrations", "zzz_flaky.ts");
        const original = fs.readFileSync(flaky, "utf8");
        fs.writeFileSync(flaky, `${original}// reworded\n`);
        try {
          await page.locator("select[aria-label=Direction]").selectOption("downgrade");
          await showPlan("maria", "-1");
          const edited = page.locator("[role=alert], [role=status], [role=note]").filter({ hasText: /edited/ }).first();
          await edited.waitFor({ timeout: 30_000 });
          expect(await uiText(page), at).toMatch(/zzz_flaky\.ts\) was edited after it was applied[\s\S]*Restore\s+the file\s*, accept the edit, or tick “Run anyway”/);
          expect(await page.getByRole("button", { name: "Try again" }).count(), at).toBe(0);
          await expectPlainWords(`apply, edited file (${at})`);
        } finally {
          fs.writeFileSync(flaky, original);
          await page.locator("select[aria-label=Direction]").selectOption("upgrade");
        }

        // A plan that works, then every other screen.
        await showPlan("pg", "heads");
        await page.locator("h1", { hasText: "Apply" }).waitFor();
        await page.locator(".state-box .spinner").first().waitFor({ state: "detached", timeout: 60_000 });
        await expectPlainWords(`apply, a plan (${at})`);
        const screens: readonly [string, string][] = [
          ["#/", "Revision graph"],
          ["#/environments", "Environments"],
          ["#/history?environment=maria", "History"],
          [`#/revision/${AFTER_READS}`, "add order notes"],
          [`#/diff?from=${encodeURIComponent(`migrations@${DEMO.merge}`)}&to=pg`, "Schema diff"],
          ["#/create", "Create revision"],
        ];
        // The unreachable database's history: the same words, and trying again can help.
        await open("#/history?environment=gone", "History");
        await alert().filter({ hasText: "could not be reached" }).waitFor({ timeout: 10_000 });
        await tryAgain().waitFor();
        await expectPlainWords(`history, unreachable database (${at})`);
        for (const [hash, heading] of screens) {
          await open(hash, heading);
          await expectPlainWords(`${hash} (${at})`);
        }

        // A dependency that names no revision, then one that names two: input errors on the create screen.
        for (const depends of ["zzzzzz", "a"]) {
          await open("#/create", "Create revision");
          await page.locator("input[aria-label=Message]").fill("words check");
          await page.locator("input[aria-label='Depends on']").fill(depends);
          await page.locator("form").getByRole("button", { name: "Create revision" }).click();
          const refused = page.locator("[role=alert]").filter({ hasText: depends === "a" ? /matches several revisions[\s\S]*Type more of the id/ : /No revision or branch[\s\S]*zzzzzz[\s\S]*Pick a revision/ }).first();
          await refused.waitFor({ timeout: 30_000 });
          expect(await page.getByRole("button", { name: "Try again" }).count(), at).toBe(0);
          await expectPlainWords(`create, depends on "${depends}" (${at})`);
        }

        // A revision file that does not compile: every screen says which file, and to fix it.
        const broken = path.join(root, "migrations", "zzzz_broken.ts");
        fs.writeFileSync(broken, `export const revision = "0badf11e0bad";\nexport const downRevision = "${AFTER_READS}";\nexport async function up( {\n`);
        try {
          await page.goto(served.url + "#/apply?environment=dev&target=heads");
          const fileAlert = page.locator("[role=alert]").filter({ hasText: "zzzz_broken.ts" }).first();
          await fileAlert.waitFor({ timeout: 30_000 });
          expect(await fileAlert.innerText(), at).toMatch(/revision file[\s\S]*Fix the file/i);
          expect(await page.getByRole("button", { name: "Try again" }).count(), at).toBe(0);
          await expectPlainWords(`broken revision file (${at})`);
          // The project cannot open while a file is broken: every route says so, the same way.
          for (const hash of ["#/", "#/environments", "#/history?environment=pg"]) {
            await page.goto(served.url + hash);
            await page.locator("[role=alert]").filter({ hasText: "zzzz_broken.ts" }).first().waitFor({ timeout: 30_000 });
            expect(await page.getByRole("button", { name: "Try again" }).count(), `${hash} ${at}`).toBe(0);
            await expectPlainWords(`${hash}, broken revision file (${at})`);
          }
        } finally {
          fs.rmSync(broken);
        }
        await page.locator("[role=alert]").filter({ hasText: "zzzz_broken.ts" }).first().waitFor({ state: "detached", timeout: 30_000 });
      }
    }
    expect(pageErrors, "errors thrown in the page").toEqual([]);
  }, 600_000);
});
