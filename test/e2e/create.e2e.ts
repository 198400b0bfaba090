/**
 * Issue 19 points 2 and 3 in Chromium against `strata serve`, on SQLite, PostgreSQL and MariaDB:
 * the create screen previews autogenerate's changes (destructive marked) and the code for the
 * checked ones before any file is written, writes only those, deletes a revision nothing used
 * and refuses one an environment ran; an environment on two heads gets a merge; the heads are
 * merged from the app, all of them or two chosen of three; down() undoes each checked change; the
 * parent search finds a revision among 1,200; the schema diff's changes land checked; each change
 * opens its own SQL, the destructive statements marked. Each dialect at 1280x800 and 1920x1080,
 * light and dark, with no sideways scrolling.
 *
 * `STRATA_SCREENSHOTS=1` writes docs/screenshots/create-*.png.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright";
import { afterEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createTestDatabase, envEntry, TEST_CLIENTS, type TestDatabase } from "../helpers/databases.js";
import { writeProject, writeRevision, type RevisionSpec } from "../helpers/strata-cli.js";
import { AUTHORING_REVISIONS, B2, C3, changeByHand, D4, SIDE_HEAD, THIRD_HEAD } from "../helpers/authoring-fixtures.js";
import { useBrowser } from "./browser-hooks.js";
import { freshDir, serve, strataSync, type ServedProject } from "./strata-serve.js";


/** Each test builds scratch databases several times; on a busy machine that outlasts the suite's 120 s default. */
const SLOW = 300_000;

const OUT = process.env.STRATA_SCREENSHOTS ? path.resolve(__dirname, "..", "..", "docs", "screenshots") : fs.mkdtempSync(path.join(os.tmpdir(), "strata-screens-"));
const DIALECT: Record<DbClient, string> = { "better-sqlite3": "sqlite", pg: "postgresql", mysql2: "mariadb" };
type Look = { readonly width: number; readonly height: number; readonly scheme: "light" | "dark" };
const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };
/** Each dialect's preview takes one size and scheme; its merges take the other size and scheme, so every dialect is seen at both sizes in both schemes. */
const LOOK: Record<DbClient, Look> = {
  "better-sqlite3": { ...SMALL, scheme: "light" },
  pg: { ...LARGE, scheme: "dark" },
  mysql2: { ...SMALL, scheme: "dark" },
};
/** The other size and the other scheme. */
const opposite = (l: Look): Look => ({ ...(l.width === SMALL.width ? LARGE : SMALL), scheme: l.scheme === "light" ? "dark" : "light" });

const browser = useBrowser(OUT);

/** One test's world: a project on a fresh database, served, and a page on it. */
interface World {
  readonly db: TestDatabase;
  readonly root: string;
  readonly served: ServedProject;
  readonly page: Page;
  readonly errors: string[];
}
let world: World | null = null;
/** Closes the page, the server and the database of the current world; fails if the page threw. */
async function closeWorld(): Promise<void> {
  const w = world;
  world = null;
  if (!w) return;
  await w.page.context().close();
  await w.served.stop();
  await w.db.drop();
  fs.rmSync(w.root, { recursive: true, force: true });
  fs.rmSync(w.served.dataDir, { recursive: true, force: true });
  expect(w.errors, "errors thrown in the page").toEqual([]);
}
afterEach(closeWorld);

async function open(client: DbClient, look: Look, revisions: readonly RevisionSpec[], prepare?: (root: string, db: TestDatabase) => Promise<void>): Promise<World> {
  const db = await createTestDatabase(client);
  const root = writeProject({ environments: { dev: envEntry(db) }, revisions });
  await prepare?.(root, db);
  const served = await serve(root, freshDir("strata-e2e-data-"));
  const context = await browser().newContext({ viewport: { width: look.width, height: look.height }, colorScheme: look.scheme });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  world = { db, root, served, page, errors };
  return world;
}

const migrationFiles = (root: string): string[] => fs.readdirSync(path.join(root, "migrations")).sort();
const cli = (root: string, ...args: string[]): string => strataSync(["--project", root, ...args]);

/** Nothing on the screen runs off to the right. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = (await page.evaluate("({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })")) as { scroll: number; width: number };
  expect(scroll).toBeLessThanOrEqual(width);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `create-${name}.png`), fullPage: true });
}

/** dev upgraded, then changed by hand: a column added, a table made, a table dropped. */
async function devChangedByHand(root: string, db: TestDatabase): Promise<void> {
  cli(root, "--env", "dev", "upgrade", "heads");
  await changeByHand(db.knex);
}

const upCode = (page: Page) => page.locator("[data-testid=code-preview-up] .cm-content");
const downCode = (page: Page) => page.locator("[data-testid=code-preview-down] .cm-content");
/** down()'s text once its pane is scrolled into view: CodeMirror draws only the lines near the window. */
async function downText(page: Page, ...shown: string[]): Promise<string> {
  await page.getByTestId("code-preview-down").evaluate((el) => el.scrollIntoView({ block: "end" }));
  let code = downCode(page);
  for (const t of shown) code = code.filter({ hasText: t });
  return code.innerText();
}
/** down() drops accounts.email, marked as losing data: SQLite cannot drop a column in place, so there the table is rebuilt without it. */
function expectDropsEmail(client: DbClient, down: string): void {
  expect(down).toContain("// DESTRUCTIVE: read this before applying: drop column email");
  if (client === "better-sqlite3") expect(down).toMatch(/createTable\("_strata_new_accounts"[\s\S]*renameTable\("_strata_new_accounts", "accounts"\)/);
  else expect(down).toContain('t.dropColumn("email")');
}

describe.each(TEST_CLIENTS)("the create screen on %s", (client: DbClient) => {
  it("previews the changes with a box each, writes only the checked ones, deletes the unused file and refuses an applied one", async () => {
    const look = LOOK[client];
    const { page, root, served } = await open(client, look, AUTHORING_REVISIONS, devChangedByHand);
    const before = migrationFiles(root);
    await page.goto(`${served.url}#/create`);
    await page.getByLabel("Message").fill("email and notes");
    await page.getByLabel("Autogenerate from a database or schema file").check();
    await page.getByLabel("Schema you want").selectOption("dev");
    const preview = page.getByTestId("autogenerate-preview");
    await preview.waitFor({ timeout: 60_000 });
    await page.getByTestId("preview-base").filter({ hasText: `dev stands on ${B2}: the new revision goes on it.` }).waitFor();
    const boxes = preview.getByRole("checkbox");
    expect(await boxes.count()).toBe(3);
    const drop = preview.locator("li.destructive");
    expect(await drop.count()).toBe(1);
    expect(await drop.innerText()).toMatch(/drop table invoices[\s\S]*destructive: data may be lost/);
    await upCode(page).filter({ hasText: 'dropTable("invoices")' }).waitFor();
    // down() undoes each checked change: the column dropped, the new table dropped, the dropped one made again.
    const down = await downText(page, "3 changes down", 'dropTable("notes")');
    expectDropsEmail(client, down);
    expect(down).toContain('dropTable("notes")');
    expect(down).toContain('createTable("invoices"');
    expect(down).not.toContain('createTable("notes"');
    // Each change opens its own SQL on the dialect, the drop marked as losing data, from the same read.
    const q = client === "pg" ? (n: string) => `"${n}"` : (n: string) => `\`${n}\``;
    await drop.locator("summary").click();
    await drop.locator(".cm-content").filter({ hasText: `drop table ${q("invoices")};` }).waitFor();
    expect(await drop.locator("summary").innerText()).toBe("SQL: 1 statement loses data");
    expect(await drop.locator("[data-loss=true]").innerText()).toBe(`drop table ${q("invoices")};`);
    const email = preview.locator(`li[data-change-key="add-column|accounts|column email"]`);
    await email.locator("summary").click();
    await email.locator(".cm-content").filter({ hasText: `alter table ${q("accounts")} add ${client === "mysql2" ? "" : "column "}${q("email")} varchar(200)` }).waitFor();
    expect(await email.locator("[data-loss=true]").count()).toBe(0);
    // Nothing written by the preview.
    expect(migrationFiles(root)).toEqual(before);
    await expectNoSidewaysScroll(page);
    await shoot(page, `preview-${DIALECT[client]}-${look.width}-${look.scheme}`);

    await drop.getByRole("checkbox").uncheck();
    await preview.getByText("Changes to write: 2 of 3").waitFor();
    await upCode(page).filter({ hasText: "2 of the 3 differences" }).waitFor();
    expect(await upCode(page).innerText()).not.toContain("invoices");
    const downOfTwo = await downText(page, "2 of the 3 differences", 'dropTable("notes")');
    expectDropsEmail(client, downOfTwo);
    expect(downOfTwo).toContain('dropTable("notes")');
    expect(downOfTwo).not.toContain("invoices");
    await page.getByRole("button", { name: "Create revision" }).click();
    const created = page.getByTestId("created");
    await created.waitFor({ timeout: 60_000 });
    const id = (await page.getByTestId("created-id").innerText()).trim();
    const file = migrationFiles(root).find((f) => !before.includes(f))!;
    const source = fs.readFileSync(path.join(root, "migrations", file), "utf8");
    expect(source).toContain(`export const downRevision: string | string[] | null = "${B2}";`);
    expect(source).toMatch(/email/);
    expect(source).toMatch(/createTable\("notes"/);
    expect(source).not.toMatch(/invoices/);
    expect(await created.innerText()).toContain(`Wrote migrations/${file}`);

    // Never applied anywhere: deleted after the confirmation that names the file.
    await page.getByRole("button", { name: "Delete this revision…" }).click();
    const confirm = page.getByTestId("delete-confirmation");
    expect(await confirm.innerText()).toContain(`Delete migrations/${file}?`);
    await shoot(page, `delete-${DIALECT[client]}-${look.width}-${look.scheme}`);
    await page.getByRole("button", { name: "Delete the file" }).click();
    await page.getByTestId("deleted").filter({ hasText: `Deleted migrations/${file}` }).waitFor();
    expect(migrationFiles(root)).toEqual(before);
    expect(fs.existsSync(path.join(root, "migrations", file))).toBe(false);
    expect(file).toContain(id);

    // Written again and applied to dev: the delete is refused in one line and the file stays.
    await page.getByLabel("Message").fill("email and notes again");
    await page.getByLabel("Autogenerate from a database or schema file").check();
    await page.getByTestId("autogenerate-preview").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Create revision" }).click();
    await page.getByTestId("created").waitFor({ timeout: 60_000 });
    const again = (await page.getByTestId("created-id").innerText()).trim();
    cli(root, "--env", "dev", "stamp", again);
    await page.getByRole("button", { name: "Delete this revision…" }).click();
    await page.getByRole("button", { name: "Delete the file" }).click();
    const refused = page.getByTestId("delete-refused");
    await refused.waitFor();
    expect(await refused.innerText()).toBe(`revision ${again} cannot be deleted: environment dev stands on it; nothing was deleted`);
    expect(migrationFiles(root).some((f) => f.includes(again))).toBe(true);
    await expectNoSidewaysScroll(page);
  }, SLOW);

  it("an environment on two heads gets a merge revision, said on screen; an empty merge of the heads is made from the app", async () => {
    const look = opposite(LOOK[client]);
    const { page, root, served } = await open(client, look, [...AUTHORING_REVISIONS, SIDE_HEAD], async (r, db) => {
      cli(r, "--env", "dev", "upgrade", "heads");
      await db.knex.schema.alterTable("tags", (t) => t.string("label", 50).nullable());
    });
    await page.goto(`${served.url}#/create?to=dev`);
    const base = page.getByTestId("preview-base");
    await base.waitFor({ timeout: 60_000 });
    expect(await base.innerText()).toMatch(/^dev stands on 2 heads \((b2b2b2b2b2b2, c3c3c3c3c3c3|c3c3c3c3c3c3, b2b2b2b2b2b2)\): the new revision is a merge revision whose parents are all of them/);
    await page.getByLabel("Message").fill("tag labels");
    await expectNoSidewaysScroll(page);
    await shoot(page, `merge-preview-${DIALECT[client]}-${look.width}-${look.scheme}`);
    await page.getByRole("button", { name: "Create merge revision" }).click();
    await page.getByTestId("created").filter({ hasText: "merge revision" }).waitFor({ timeout: 60_000 });
    const merged = (await page.getByTestId("created-id").innerText()).trim();
    const history = JSON.parse(cli(root, "history", "--json")) as { revisions: { revision: string; downRevisions: string[] }[] };
    expect(history.revisions.find((r) => r.revision === merged)!.downRevisions.sort()).toEqual([B2, C3]);

    // Back to two heads: the empty form asks which, or merges them.
    await page.getByRole("button", { name: "Delete this revision…" }).click();
    await page.getByRole("button", { name: "Delete the file" }).click();
    await page.getByTestId("deleted").waitFor();
    await page.getByLabel("Empty up() and down()").check();
    await page.getByTestId("several-heads").filter({ hasText: "The graph has 2 heads. Choose the one the new revision goes on, or merge them." }).waitFor();
    await page.getByLabel("Message").fill("join tags and invoices");
    expect(await page.getByRole("button", { name: "Create revision" }).isDisabled()).toBe(true);
    await page.getByTestId("choice-merge").click();
    await page.getByRole("group", { name: "Heads to merge" }).waitFor();
    await shoot(page, `merge-heads-${DIALECT[client]}-${look.width}-${look.scheme}`);
    await page.getByRole("button", { name: "Create merge revision" }).click();
    await page.getByTestId("created").waitFor();
    const join = (await page.getByTestId("created-id").innerText()).trim();
    const heads = JSON.parse(cli(root, "heads", "--json")) as { heads: { revision: string }[] };
    expect(heads.heads.map((h) => h.revision)).toEqual([join]);
    const after = JSON.parse(cli(root, "history", "--json")) as { revisions: { revision: string; downRevisions: string[] }[] };
    expect(after.revisions.find((r) => r.revision === join)!.downRevisions.sort()).toEqual([B2, C3]);
  }, SLOW);

  it("with three heads, a merge of the two chosen is made from the app: the file names those two and the third stays a head", async () => {
    const look = opposite(LOOK[client]);
    const { page, root, served } = await open(client, look, [...AUTHORING_REVISIONS, SIDE_HEAD, THIRD_HEAD]);
    const before = migrationFiles(root);
    await page.goto(`${served.url}#/create`);
    await page.getByTestId("several-heads").filter({ hasText: "The graph has 3 heads." }).waitFor({ timeout: 60_000 });
    await page.getByLabel("Message").fill("join invoices and labels");
    await page.getByTestId("choice-merge").click();
    const group = page.getByRole("group", { name: "Heads to merge" });
    expect(await group.getByRole("checkbox", { checked: true }).count()).toBe(3);
    await group.getByLabel(`Merge ${C3}`).uncheck();
    expect(await group.getByRole("checkbox", { checked: true }).count()).toBe(2);
    await expectNoSidewaysScroll(page);
    await shoot(page, `merge-chosen-${DIALECT[client]}-${look.width}-${look.scheme}`);
    await page.getByRole("button", { name: "Create merge revision" }).click();
    await page.getByTestId("created").filter({ hasText: "merge revision" }).waitFor({ timeout: 60_000 });
    const join = (await page.getByTestId("created-id").innerText()).trim();
    const file = migrationFiles(root).find((f) => !before.includes(f))!;
    expect(file).toContain(join);
    const source = fs.readFileSync(path.join(root, "migrations", file), "utf8");
    const parents = /export const downRevision: string \| string\[\] \| null = (.*);/.exec(source)![1]!;
    expect((JSON.parse(parents) as string[]).sort()).toEqual([B2, D4]);
    const heads = JSON.parse(cli(root, "heads", "--json")) as { heads: { revision: string }[] };
    expect(heads.heads.map((h) => h.revision).sort()).toEqual([C3, join].sort());
    // The app shows the same: a fresh create form offers the two heads left.
    await page.goto(`${served.url}#/create`);
    await page.reload();
    await page.getByTestId("several-heads").filter({ hasText: "The graph has 2 heads." }).waitFor({ timeout: 60_000 });
    await page.getByTestId(`choice-head-${C3}`).waitFor();
    await page.getByTestId(`choice-head-${join}`).waitFor();
    expect(await page.getByTestId(`choice-head-${B2}`).count()).toBe(0);
    expect(await page.getByTestId(`choice-head-${D4}`).count()).toBe(0);
  }, SLOW);
});

/** The parent search and the diff's default, per dialect, at the size and scheme the other runs of that dialect do not use together. */
const ELSEWHERE: Record<DbClient, Look> = {
  "better-sqlite3": { ...LARGE, scheme: "light" },
  pg: { ...SMALL, scheme: "light" },
  mysql2: { ...LARGE, scheme: "dark" },
};

describe.each(TEST_CLIENTS)("arriving from the schema diff on %s", (client: DbClient) => {
  it("lands on a working default: where dev stands, a message, the diff's changes checked and the unknown one said", async () => {
    const look = ELSEWHERE[client];
    const { page, root, served } = await open(client, look, AUTHORING_REVISIONS, devChangedByHand);
    const before = migrationFiles(root);
    const change = (k: string): string => `change=${encodeURIComponent(k)}`;
    await page.goto(`${served.url}#/create?from=migrations&to=dev&${change("add-column|accounts|column email")}&${change("drop-table|ghosts|")}`);
    const preview = page.getByTestId("autogenerate-preview");
    await preview.getByText("Changes to write: 1 of 3").waitFor({ timeout: 60_000 });
    expect(await page.getByLabel("Message").inputValue()).toBe("match the schema of dev");
    expect(await page.getByTestId("unmatched-changes").innerText()).toBe("1 of the changes chosen on the schema diff is not a difference from this parent, so it is not checked.");
    expect(await preview.getByRole("checkbox", { checked: true }).count()).toBe(1);
    const down = await downText(page, "1 of the 3 differences");
    expectDropsEmail(client, down);
    expect(down).not.toMatch(/notes|invoices/);
    await expectNoSidewaysScroll(page);
    await shoot(page, `from-diff-${DIALECT[client]}-${look.width}-${look.scheme}`);
    await page.getByRole("button", { name: "Create revision" }).click();
    await page.getByTestId("created").waitFor({ timeout: 60_000 });
    const file = migrationFiles(root).find((f) => !before.includes(f))!;
    const source = fs.readFileSync(path.join(root, "migrations", file), "utf8");
    expect(source).toContain(`export const downRevision: string | string[] | null = "${B2}";`);
    expect(source).toMatch(/email/);
    expect(source).not.toMatch(/notes|invoices/);
  }, SLOW);
});

describe.each(TEST_CLIENTS)("the parent picker on %s", (client: DbClient) => {
  it("searches the whole graph: a revision among 1,200 is found and becomes the parent", async () => {
    const chain: RevisionSpec[] = Array.from({ length: 1200 }, (_, i) => ({
      revision: `r${String(i).padStart(11, "0")}`,
      downRevision: i === 0 ? null : `r${String(i - 1).padStart(11, "0")}`,
      message: `step ${String(i).padStart(4, "0")}`,
    }));
    const look = opposite(ELSEWHERE[client]);
    const { page, root, served } = await open(client, look, [], async (r) => {
      for (const rev of chain) writeRevision(r, rev);
    });
    await page.goto(`${served.url}#/create`);
    await page.getByLabel("Message").fill("fix an old step");
    await page.getByTestId("choice-other").click();
    const picker = page.getByTestId("parent-picker");
    await picker.getByText("1,200 revisions, newest first").waitFor({ timeout: 30_000 });
    await picker.getByLabel("Search revisions").fill("step 0007");
    await picker.getByText("1 of 1,200 revisions match").waitFor();
    await picker.getByRole("option", { name: /step 0007/ }).click();
    await page.getByTestId("choice-other").filter({ hasText: "r00000000007" }).waitFor();
    await page.getByText("The parent is not a head: the new revision starts a branch.").waitFor();
    await expectNoSidewaysScroll(page);
    await shoot(page, `parent-search-${DIALECT[client]}-${look.width}-${look.scheme}`);
    await page.getByRole("button", { name: "Create revision" }).click();
    await page.getByTestId("created").waitFor();
    const id = (await page.getByTestId("created-id").innerText()).trim();
    const file = migrationFiles(root).find((f) => f.includes(id))!;
    expect(fs.readFileSync(path.join(root, "migrations", file), "utf8")).toContain(`export const downRevision: string | string[] | null = "r00000000007";`);
  }, SLOW);
});
