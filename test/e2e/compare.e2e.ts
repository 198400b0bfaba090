import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createTestDatabase, envEntry, TEST_CLIENTS } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { buildShop } from "../fixtures/cross-dialect/shop-schema.js";
import { useDemoSessions } from "./demo-sessions.js";
import { addEnvironment, strataSync } from "./strata-serve.js";

// `STRATA_SCREENSHOTS=1` writes the screenshots into docs/screenshots; otherwise into a temporary folder.
const OUT = process.env.STRATA_SCREENSHOTS ? path.resolve(__dirname, "..", "..", "docs", "screenshots") : fs.mkdtempSync(path.join(os.tmpdir(), "strata-compare-"));

/** The shop schemas (test/fixtures/cross-dialect) on the three databases: staging on PostgreSQL and SQLite, prod on all three. */
const ENVIRONMENTS: readonly { readonly name: string; readonly client: DbClient; readonly variant: "staging" | "prod" }[] = [
  { name: "pg_staging", client: "pg", variant: "staging" },
  { name: "pg_prod", client: "pg", variant: "prod" },
  { name: "maria_prod", client: "mysql2", variant: "prod" },
  { name: "sqlite_staging", client: "better-sqlite3", variant: "staging" },
];
const dbs = new Map<string, TestDatabase>();
beforeAll(async () => {
  for (const e of ENVIRONMENTS) {
    const db = await createTestDatabase(e.client);
    await buildShop(db.knex, e.client, e.variant);
    dbs.set(e.name, db);
  }
  // A key only MariaDB prod has, for the keys compared across dialects (pg_prod keeps the shop's own, so its counts hold).
  await dbs.get("maria_prod")!.knex.schema.alterTable("customers", (t) => t.unique(["name"], { indexName: "customers_name_unique" }));
});
afterAll(async () => {
  for (const db of dbs.values()) await db.drop();
});

const demo = useDemoSessions();

async function openCompare(from: string, to: string, viewport: { width: number; height: number }, colorScheme: "light" | "dark"): Promise<Page> {
  const session = await demo.open({
    colorScheme,
    prepare: (root) => {
      for (const [name, db] of dbs) addEnvironment(root, name, envEntry(db));
    },
    hash: `#/diff?from=${from}&to=${to}`,
  });
  await session.context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await session.page.setViewportSize(viewport);
  await session.page.locator("[data-testid=compare-objects]").waitFor({ timeout: 90_000 });
  return session.page;
}

/** Each listed object as "kind name: status". */
async function statuses(page: Page): Promise<string[]> {
  return page.locator("[data-testid=compare-objects] [data-object]").evaluateAll((items) => items.map((i) => `${i.getAttribute("data-object")}: ${i.getAttribute("data-status")}`));
}

/** The list the shop schemas give from staging to prod: the view's status, and whether PostgreSQL's function is on the left. */
const shopStatuses = (view: string, pgFunction: boolean): string[] => [
  "table audit_log: only-left",
  "table customers: different",
  "table invoices: only-right",
  "table orders: different",
  "index orders.orders_customer_placed: same",
  "index orders.orders_placed: only-right",
  `view active_customers: ${view}`,
  ...(pgFunction ? ["function order_count(): only-left"] : []),
];

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false });

describe("the schema compare (issue 19)", () => {
  for (const [viewport, scheme] of [[{ width: 1280, height: 800 }, "light"], [{ width: 1920, height: 1080 }, "dark"]] as const) {
    it(`PostgreSQL staging against PostgreSQL prod: statuses, side by side, old -> new, checkboxes to a script and a revision, ${viewport.width}x${viewport.height} ${scheme}`, async () => {
      const page = await openCompare("pg_staging", "pg_prod", viewport, scheme);
      expect(await statuses(page)).toEqual(shopStatuses("same", true));
      // The filters hide what is the same.
      await page.locator("[data-status-filter=same]").click();
      expect(await page.locator("[data-testid=compare-objects] [data-status=same]").count()).toBe(0);
      await page.locator("[data-status-filter=same]").click();

      await page.locator("[data-object='table customers']").click();
      const detail = page.locator("[data-testid=compare-detail]");
      // Old -> new per attribute of a changed column.
      const type = detail.locator("[data-column=name][data-attribute=type]");
      expect((await type.innerText()).replace(/\s+/g, " ").trim()).toBe("name type varchar(255) → varchar(200)");
      expect((await detail.locator("[data-column=name][data-attribute=nullable]").innerText()).replace(/\s+/g, " ").trim()).toBe("nullability null → not null");
      // Both CREATE statements, the changed line highlighted on each side and the changed words marked.
      const defs = page.locator("[data-testid=definitions]");
      expect(await defs.locator("th").allInnerTexts()).toEqual(["pg_staging (PostgreSQL)", "pg_prod (PostgreSQL)"]);
      await defs.locator("[data-change=removed]").filter({ hasText: `"name" varchar(255)` }).waitFor();
      await defs.locator("[data-change=added]").filter({ hasText: `"name" varchar(200) not null` }).waitFor();
      expect(await defs.locator("[data-change=added] mark").allInnerTexts()).toEqual(expect.arrayContaining(["200", "false"]));
      expect(await defs.locator("tr[data-row-change=same]").filter({ hasText: `"email" varchar(120) not null` }).count()).toBe(1);
      await shot(page, `compare-same-dialect-${scheme}-${viewport.width}`);

      // Untick the default change: the count, the script and the revision leave it out.
      await detail.getByLabel("alter column active: default true -> false").uncheck();
      await expect.poll(() => page.locator("[data-testid=diff-count]").innerText()).toMatch(/^8 of 9 changes selected$/);
      await page.getByRole("button", { name: "Copy script" }).click();
      await page.getByRole("status").filter({ hasText: "Script copied." }).waitFor();
      const copied = String(await page.evaluate("navigator.clipboard.readText()"));
      expect(copied).toContain(`alter table "customers" alter column "name" type varchar(200)`);
      expect(copied).not.toMatch(/"active"/);
      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: "Save script…" }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe("pg_staging-to-pg_prod.sql");
      const saved = fs.readFileSync((await file.path())!, "utf8");
      expect(saved.trim()).toBe(copied.trim());
      // The script is judged by the database: run on a copy of staging, PostgreSQL's own catalog shows the chosen change and not the other.
      const scratch = await createTestDatabase("pg");
      try {
        await buildShop(scratch.knex, "pg", "staging");
        await scratch.knex.raw(saved);
        const cols = (await scratch.knex.raw(`select column_name, character_maximum_length, is_nullable, column_default from information_schema.columns where table_name = 'customers' and column_name in ('name', 'active') order by column_name`)).rows;
        expect(cols).toEqual([
          { column_name: "active", character_maximum_length: null, is_nullable: "NO", column_default: "true" },
          { column_name: "name", character_maximum_length: 200, is_nullable: "NO", column_default: null },
        ]);
        expect((await scratch.knex.raw(`select to_regclass('public.invoices') is not null as made, to_regclass('public.audit_log') is null as gone`)).rows[0]).toEqual({ made: true, gone: true });
      } finally {
        await scratch.drop();
      }

      await page.getByRole("button", { name: "Create revision from the selected changes…" }).click();
      // The create screen (issue 19 point 2) previews its own diff, from the revision it goes on to pg_prod: each change
      // chosen here is checked there, or said to be no difference from that parent (create.e2e.ts makes the revision).
      const preview = page.getByTestId("autogenerate-preview");
      await preview.getByText(/Changes to write:/).waitFor({ timeout: 90_000 });
      const chosen = new URLSearchParams(new URL(page.url()).hash.split("?")[1]).getAll("change");
      expect(chosen).toHaveLength(8);
      expect(chosen).toContain("alter-column|customers|column name");
      expect(chosen).not.toContain("alter-column|customers|column active");
      expect(await page.getByLabel("Message").inputValue()).toBe("match the schema of pg_prod");
      const unmatchedNote = page.getByTestId("unmatched-changes");
      const unmatched = (await unmatchedNote.count()) ? Number(/^(\d+) of/.exec(await unmatchedNote.innerText())?.[1]) : 0;
      // pg_staging stands on no revision (the shop was made without them): what the migrations do not build is said as its drift.
      const drift = await page.getByTestId("drift-only").locator("li").count();
      // A table the migrations never made is made whole by the revision: the compare's column change on it says so.
      expect(await page.getByTestId("drift-only").locator(`li[data-change-key="add-column|orders|column total"]`).innerText()).toMatch(
        /^orders add column total decimal\(10,2\) null: the revision writes orders from what the parent builds instead \(create table orders \(\d+ columns\)\), listed above\.$/,
      );
      expect((await preview.getByRole("checkbox", { checked: true }).count()) + drift + unmatched).toBe(8);
      await shot(page, `compare-create-${scheme}-${viewport.width}`);
    });
  }

  for (const [viewport, scheme] of [[{ width: 1280, height: 800 }, "dark"], [{ width: 1920, height: 1080 }, "light"]] as const) {
    it(`across dialects: PostgreSQL staging against MariaDB prod, then SQLite staging, ${viewport.width}x${viewport.height} ${scheme}`, async () => {
      const page = await openCompare("pg_staging", "maria_prod", viewport, scheme);
      expect(await page.locator("[data-testid=cross-dialect]").innerText()).toContain("pg_staging is PostgreSQL and maria_prod is MySQL/MariaDB: they are compared at the level both share");
      expect(await statuses(page)).toEqual(shopStatuses("not-compared", true));
      // No script across dialects, and the reason is on the buttons.
      await expect.poll(() => page.getByRole("button", { name: "Copy script" }).isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Save script…" }).getAttribute("title")).toMatch(/a script written for one does not run on the other/);

      await page.locator("[data-object='table orders']").click();
      const detail = page.locator("[data-testid=compare-detail]");
      expect((await detail.locator("[data-column=status][data-attribute=type]").innerText()).replace(/\s+/g, " ").trim()).toBe("status type enum('new', 'paid') → enum('new', 'paid', 'shipped')");
      expect(await detail.locator("[data-testid=compare-reason]").innerText()).toContain("not compared across dialects: unsigned (MySQL only)");
      const defs = page.locator("[data-testid=definitions]");
      expect(await defs.locator("th").allInnerTexts()).toEqual(["pg_staging (PostgreSQL)", "maria_prod (MySQL/MariaDB)"]);
      // Each side in its own dialect: PostgreSQL's quotes and check on the left, MariaDB's backticks and enum on the right.
      await defs.locator("td.def-line").filter({ hasText: `create table "orders"` }).waitFor();
      await defs.locator("td.def-line").filter({ hasText: "create table `orders`" }).waitFor();
      await defs.locator("[data-change=added]").filter({ hasText: "enum('new', 'paid', 'shipped')" }).first().waitFor();
      await shot(page, `compare-cross-dialect-${scheme}-${viewport.width}`);

      // Keys across dialects: the foreign key orders.customer_id -> customers is on both sides, so no change names it.
      expect(await detail.locator("label.compare-change").allInnerTexts()).not.toEqual(expect.arrayContaining([expect.stringMatching(/foreign key/)]));
      await page.locator("[data-object='table customers']").click();
      // The unique key on name only MariaDB has is a change; the unique key on email both have is none.
      await detail.getByLabel("add unique (name)").waitFor();
      expect(await detail.locator("label.compare-change").allInnerTexts()).not.toEqual(expect.arrayContaining([expect.stringMatching(/email/)]));
      await defs.locator("[data-change=added]").filter({ hasText: "customers_name_unique" }).waitFor();

      await page.locator("[data-object='view active_customers']").click();
      expect(await detail.locator("[data-testid=compare-reason]").innerText()).toBe("each database writes a view's query back in its own SQL: read both definitions side by side");
      await defs.locator("td.def-line").filter({ hasText: /create view .active_customers./ }).first().waitFor();

      // SQLite staging against MariaDB prod, chosen in the form.
      await page.getByLabel("From").selectOption("sqlite_staging");
      await page.getByRole("button", { name: "Compare", exact: true }).click();
      await page.locator("[data-testid=cross-dialect]").filter({ hasText: "sqlite_staging is SQLite and maria_prod is MySQL/MariaDB" }).waitFor({ timeout: 90_000 });
      await page.locator("[data-testid=compare-objects] [data-object='view active_customers']").waitFor();
      expect(await statuses(page)).toEqual(shopStatuses("not-compared", false));
      await page.locator("[data-object='table customers']").click();
      expect((await detail.locator("[data-column=active][data-attribute=default]").innerText()).replace(/\s+/g, " ").trim()).toBe("active default true → false");
      await detail.getByLabel("add unique (name)").waitFor();
      expect(await detail.locator("label.compare-change").allInnerTexts()).not.toEqual(expect.arrayContaining([expect.stringMatching(/email/)]));
      await page.locator("[data-object='table orders']").click();
      expect(await detail.locator("label.compare-change").allInnerTexts()).not.toEqual(expect.arrayContaining([expect.stringMatching(/foreign key/)]));
    });
  }
});

/** The look of each dialect's hand-over run: 1280x800, light and dark between them. */
const HANDOVER_LOOK: Readonly<Record<DbClient, "light" | "dark">> = { "better-sqlite3": "light", pg: "dark", mysql2: "dark" };
const HANDOVER_NAME: Readonly<Record<DbClient, string>> = { "better-sqlite3": "sqlite", pg: "postgresql", mysql2: "mariadb" };

/** `strata diff --json` (exit 1 when the sources differ, like diff(1)): the keys of its changes. */
function cliDiffKeys(root: string, from: string, to: string): string[] {
  try {
    return (JSON.parse(strataSync(["--project", root, "diff", "--from", from, "--to", to, "--json"])) as { changes: { key: string }[] }).changes.map((c) => c.key);
  } catch (e) {
    const out = (e as { status?: number; stdout?: string }).stdout;
    if ((e as { status?: number }).status !== 1 || !out) throw e;
    return (JSON.parse(out) as { changes: { key: string }[] }).changes.map((c) => c.key);
  }
}

describe.each(TEST_CLIENTS)("the hand-over to the create screen with an environment on the left, on %s (issue 19)", (client: DbClient) => {
  const PHONE = "add-column|customers|column phone";
  const DROP_AUDIT = "drop-table|audit_events|";
  const NOTES = "create-table|notes|";
  const LEGACY = "drop-column|orders|column legacy_code";

  it("each change checked on the compare arrives checked, with its own SQL, and is what gets written; the drift is said per change", async () => {
    const stage = await createTestDatabase(client);
    const prod = await createTestDatabase(client);
    try {
      const scheme = HANDOVER_LOOK[client];
      let root = "";
      const session = await demo.open({
        colorScheme: scheme,
        prepare: async (r) => {
          root = r;
          addEnvironment(r, "stage", envEntry(stage));
          addEnvironment(r, "prod", envEntry(prod));
          strataSync(["--project", r, "--env", "stage", "upgrade", "heads"]);
          strataSync(["--project", r, "--env", "prod", "upgrade", "heads"]);
          // prod, the schema wanted: a column, a table, and a table dropped (destructive).
          await prod.knex.schema.alterTable("customers", (t) => t.string("phone", 40).nullable());
          for (const db of [prod, stage]) await db.knex.schema.createTable("notes", (t) => { t.increments("id"); t.text("body"); });
          await prod.knex.schema.dropTable("audit_events");
          // stage drifts from its migrations: the notes table above, and a column no revision made.
          await stage.knex.schema.alterTable("orders", (t) => t.string("legacy_code", 20).nullable());
        },
        hash: "#/diff?from=stage&to=prod",
      });
      const page = session.page;
      await page.locator("[data-testid=compare-objects]").waitFor({ timeout: 90_000 });
      await expect.poll(() => page.locator("[data-testid=diff-count]").innerText()).toBe("3 of 3 changes selected");
      await page.locator("[data-object='table orders']").click();
      expect(await page.locator(`[data-testid=compare-detail] [data-change-key="${LEGACY}"]`).isChecked()).toBe(true);
      await shot(page, `compare-handover-${HANDOVER_NAME[client]}-${scheme}-1280`);
      await page.getByRole("button", { name: "Create revision from the selected changes…" }).click();

      const preview = page.getByTestId("autogenerate-preview");
      await preview.getByText(/Changes to write:/).waitFor({ timeout: 90_000 });
      const chosen = new URLSearchParams(new URL(page.url()).hash.split("?")[1]).getAll("change").sort();
      expect(chosen).toEqual([DROP_AUDIT, LEGACY, PHONE].sort());
      // The base is where stage stands (the demo's head), said as such.
      expect(await page.getByTestId("preview-base").innerText()).toBe("stage stands on e4b1d8c3a7f2: the new revision goes on it.");
      expect(await page.getByTestId("choice-environment").innerText()).toContain("Where stage stands");
      // Every change chosen there that the migrations can make arrives checked; the table stage already has is listed unchecked, said why.
      const checked = await preview.locator("li[data-change-key]").evaluateAll((rows) => rows.filter((r) => r.querySelector("input:checked")).map((r) => r.getAttribute("data-change-key")));
      expect(checked.sort()).toEqual([DROP_AUDIT, PHONE].sort());
      expect(await preview.getByText("Changes to write: 2 of 3").count()).toBe(1);
      expect(await preview.locator(`li[data-change-key="${NOTES}"] [data-testid=change-left]`).innerText()).toBe(
        "stage already has this outside the migrations, so the schema diff did not list it and it is not checked. Checked, the revision makes it on every database the migrations build, and on stage it would be made again and fail: undo it there by hand before the revision runs, or leave it unchecked.",
      );
      // The change that only stage's drift gives is said, with what to do, and not offered as a box.
      const drift = page.getByTestId("drift-only");
      expect(await drift.innerText()).toMatch(/^1 of the changes chosen on the schema diff is not written as such: stage differs from its own migrations \(drift\) there, so a revision where stage stands cannot make it\./);
      expect(await drift.locator(`li[data-change-key="${LEGACY}"]`).innerText()).toMatch(/^orders drop column legacy_code varchar\(20\).*: what the parent builds already matches prod here\. Make stage match by hand \(the schema diff's Copy script gives this change's SQL\), or, if stage is right, change prod instead\.$/);
      expect(await page.getByTestId("unmatched-changes").count()).toBe(0);

      // Each change's own SQL, on the dialect, opened from its row: the drop marked as losing data.
      const q = client === "pg" ? (n: string) => `"${n}"` : (n: string) => `\`${n}\``;
      const dropRow = preview.locator(`li[data-change-key="${DROP_AUDIT}"]`);
      await dropRow.locator("summary").click();
      await dropRow.locator(".cm-content").filter({ hasText: `drop table ${q("audit_events")}` }).waitFor();
      expect(await dropRow.locator("summary").innerText()).toBe("SQL: 1 statement loses data");
      expect(await dropRow.locator("[data-loss=true]").innerText()).toContain(`drop table ${q("audit_events")}`);
      expect(await dropRow.getByTestId("change-losses").innerText()).toMatch(/drops table audit_events and all its rows/);
      const phoneRow = preview.locator(`li[data-change-key="${PHONE}"]`);
      await phoneRow.locator("summary").click();
      await phoneRow.locator(".cm-content").filter({ hasText: `alter table ${q("customers")} add ${client === "mysql2" ? "" : "column "}${q("phone")} varchar(40)` }).waitFor();
      expect(await phoneRow.locator("[data-loss=true]").count()).toBe(0);
      // The screen scrolls inside its panel: the shot starts at what the hand-over says.
      await drift.evaluate((el) => el.scrollIntoView({ block: "start" }));
      await shot(page, `create-handover-${HANDOVER_NAME[client]}-1280-${scheme}`);

      const before = fs.readdirSync(path.join(root, "migrations"));
      await page.getByRole("button", { name: "Create revision" }).click();
      await page.getByTestId("created").waitFor({ timeout: 90_000 });
      const file = fs.readdirSync(path.join(root, "migrations")).find((f) => !before.includes(f))!;
      const source = fs.readFileSync(path.join(root, "migrations", file), "utf8");
      expect(source).toContain(`export const downRevision: string | string[] | null = "e4b1d8c3a7f2";`);
      expect(source).toMatch(/phone/);
      expect(source).toMatch(/dropTable\("audit_events"\)/);
      expect(source).not.toMatch(/notes|legacy_code/);
      // What was written is what the compare chose: stage runs it, and the compare then shows only its drift.
      strataSync(["--project", root, "--env", "stage", "upgrade", "heads"]);
      expect(cliDiffKeys(root, "stage", "prod")).toEqual([LEGACY]);
    } finally {
      await stage.drop();
      await prod.drop();
    }
  }, 300_000);
});

/** A trigger on customers on each dialect, written so that staging and prod differ in when it fires. */
async function addTrigger(knex: TestDatabase["knex"], client: DbClient, variant: "staging" | "prod"): Promise<void> {
  const event = variant === "prod" ? "insert" : "update";
  if (client === "pg") {
    await knex.raw(`create function touch_notes() returns trigger language plpgsql as $$ begin new.notes := 'touched'; return new; end $$`);
    await knex.raw(`create trigger customers_touch before ${event} on customers for each row execute function touch_notes()`);
  } else if (client === "mysql2") {
    await knex.raw(`create trigger customers_touch before ${event} on customers for each row set new.notes = 'touched'`);
  } else {
    await knex.raw(`create trigger customers_touch after ${event} on customers begin update customers set notes = 'touched' where id = new.id; end`);
  }
}

/** Each dialect's look at its two sizes: together they give every dialect 1280x800 and 1920x1080, light and dark. */
const SAME_DIALECT_LOOKS: Readonly<Record<DbClient, readonly ["light" | "dark", "light" | "dark"]>> = { "better-sqlite3": ["light", "dark"], pg: ["dark", "light"], mysql2: ["dark", "light"] };

/** Runs a saved script one statement a line, as each statement is written on a line of its own (a SQLite trigger's body included). */
async function runScript(knex: TestDatabase["knex"], script: string): Promise<void> {
  for (const statement of script.split(/;\n/).map((s) => s.trim()).filter(Boolean)) await knex.raw(statement);
}

describe.each(TEST_CLIENTS)("the same-dialect compare on %s: a trigger, keys, the script (issue 19)", (client: DbClient) => {
  it("the trigger that fires on another event is listed as different with both definitions; a key on one side only is a change, the equal one is the same line; Copy and Save script give SQL the database runs", async () => {
    const stage = await createTestDatabase(client);
    const prod = await createTestDatabase(client);
    const scratch = await createTestDatabase(client);
    try {
      for (const [db, variant] of [[stage, "staging"], [prod, "prod"], [scratch, "staging"]] as const) {
        await buildShop(db.knex, client, variant);
        await addTrigger(db.knex, client, variant);
      }
      await prod.knex.schema.alterTable("customers", (t) => t.unique(["name"], { indexName: "customers_name_unique" }));
      const [first, second] = SAME_DIALECT_LOOKS[client];
      const session = await demo.open({
        colorScheme: first,
        prepare: (r) => {
          addEnvironment(r, "stage", envEntry(stage));
          addEnvironment(r, "prod", envEntry(prod));
        },
        hash: "#/diff?from=stage&to=prod",
      });
      await session.context.grantPermissions(["clipboard-read", "clipboard-write"]);
      const page = session.page;
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.locator("[data-testid=compare-objects]").waitFor({ timeout: 90_000 });
      expect(await statuses(page)).toEqual([
        ...shopStatuses("same", client === "pg"),
        ...(client === "pg" ? ["function touch_notes(): same"] : []),
        "trigger customers_touch: different",
      ]);
      const dialect = { pg: "PostgreSQL", mysql2: "MySQL/MariaDB", "better-sqlite3": "SQLite" }[client];
      const defs = page.locator("[data-testid=definitions]");
      const detail = page.locator("[data-testid=compare-detail]");

      // The trigger: both definitions side by side, the event that changed marked on each.
      await page.locator("[data-object='trigger customers_touch']").click();
      expect(await defs.locator("th").allInnerTexts()).toEqual([`stage (${dialect})`, `prod (${dialect})`]);
      expect(await defs.locator("[data-change=removed]").innerText()).toMatch(/^CREATE TRIGGER customers_touch (before|after) update on (public\.)?customers/i);
      expect(await defs.locator("[data-change=added]").innerText()).toMatch(/^CREATE TRIGGER customers_touch (before|after) insert on (public\.)?customers/i);
      expect((await defs.locator("[data-change=removed] mark").allInnerTexts()).map((w) => w.toLowerCase())).toEqual(["update"]);
      expect((await defs.locator("[data-change=added] mark").allInnerTexts()).map((w) => w.toLowerCase())).toEqual(["insert"]);
      expect(await detail.locator("[data-change-key]").count()).toBe(2);
      await shot(page, `compare-trigger-${HANDOVER_NAME[client]}-${first}-1280`);

      // Keys: the unique key on name only prod has is a change of its own and an added line; the equal one on email is the same line on both sides.
      await page.locator("[data-object='table customers']").click();
      await detail.getByLabel("add unique (name)").waitFor();
      expect(await detail.locator("label.compare-change").allInnerTexts()).not.toEqual(expect.arrayContaining([expect.stringMatching(/email/)]));
      await defs.locator("tr[data-row-change=added]").filter({ hasText: "customers_name_unique" }).waitFor();
      expect(await defs.locator("tr[data-row-change=same]").filter({ hasText: "customers_email_unique" }).count()).toBe(1);
      // The foreign key from orders to customers is on both: no change is listed for it.
      await page.locator("[data-object='table orders']").click();
      expect(await detail.locator("label.compare-change").allInnerTexts()).not.toEqual(expect.arrayContaining([expect.stringMatching(/foreign key/)]));

      // The other size and scheme on the same page.
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.emulateMedia({ colorScheme: second });
      await page.locator("[data-object='trigger customers_touch']").click();
      await defs.locator("[data-change=added]").filter({ hasText: /insert/i }).waitFor();
      expect(await defs.locator("th").allInnerTexts()).toEqual([`stage (${dialect})`, `prod (${dialect})`]);
      await shot(page, `compare-trigger-${HANDOVER_NAME[client]}-${second}-1920`);

      await page.getByRole("button", { name: "Copy script" }).click();
      await page.getByRole("status").filter({ hasText: "Script copied." }).waitFor();
      const copied = String(await page.evaluate("navigator.clipboard.readText()"));
      expect(copied).toMatch(/drop trigger/i);
      expect(copied).toMatch(/create trigger customers_touch (before|after) insert/i);
      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: "Save script…" }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe("stage-to-prod.sql");
      const saved = fs.readFileSync((await file.path())!, "utf8");
      expect(saved.trim()).toBe(copied.trim());

      // Judged by the database: run on a copy of stage, it has prod's tables, the unique key on name and the trigger firing on insert.
      await runScript(scratch.knex, saved);
      expect(await scratch.knex.schema.hasTable("invoices")).toBe(true);
      expect(await scratch.knex.schema.hasTable("audit_log")).toBe(false);
      expect(await scratch.knex.schema.hasColumn("orders", "total")).toBe(true);
      await scratch.knex("customers").insert({ email: "a@example.com", name: "Ada" });
      // prod's default for active (false), set alone: on PostgreSQL with no type rewrite, which the view reading it would refuse.
      expect(Boolean((await scratch.knex("customers").where({ email: "a@example.com" }).first("active"))!.active)).toBe(false);
      expect(await scratch.knex("customers").where({ email: "a@example.com" }).first("notes")).toEqual({ notes: "touched" });
      await expect(scratch.knex("customers").insert({ email: "b@example.com", name: "Ada" })).rejects.toThrow(/unique|duplicate/i);
    } finally {
      await stage.drop();
      await prod.drop();
      await scratch.drop();
    }
  }, 300_000);
});
