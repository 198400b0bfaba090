/**
 * Issue 19 point 5, the history screen's runs, in Chromium against `strata serve` on SQLite,
 * PostgreSQL and MariaDB environments: three CLI runs made back to back (as fast as a script
 * makes them, the same user, host and direction) show as three runs, each with its own run id
 * and the target as it was typed beside the revision it reached.
 */
import { describe, expect, it } from "vitest";
import { writeProject } from "../helpers/strata-cli.js";
import { useBrowser } from "./browser-hooks.js";
import { createPostgresDatabase, openProject, strataSync } from "./strata-serve.js";
import { createMariaDatabase } from "./three-dialect-demo.js";

const A = "a1a1a1a1a1a1";
const B = "b2b2b2b2b2b2";
const C = "c3c3c3c3c3c3";
const D = "d4d4d4d4d4d4";
const table = (revision: string, downRevision: string | null, name: string) => ({
  revision,
  downRevision,
  message: `create ${name}`,
  up: `await knex.schema.createTable("${name}", (t) => { t.increments("id"); });`,
  down: `await knex.schema.dropTable("${name}");`,
});

const chromium = useBrowser();

describe("the history screen tells back-to-back runs apart", () => {
  it("shows three quick CLI runs as three runs on SQLite, PostgreSQL and MariaDB", async () => {
    const pg = createPostgresDatabase();
    const maria = createMariaDatabase();
    const root = writeProject({
      environments: {
        dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } },
        pg: { client: "pg", connection: pg.url },
        maria: { client: "mysql2", connection: { host: "127.0.0.1", port: 3306, user: "root", password: "", database: maria.name } },
      },
      revisions: [table(A, null, "users"), table(B, A, "orders"), table(C, B, "invoices"), table(D, C, "audit")],
    });
    for (const env of ["dev", "pg", "maria"]) {
      for (const target of ["+1", "+1", "heads"]) strataSync(["--project", root, "--env", env, "upgrade", target]);
    }
    const { page, pageErrors, close } = await openProject(chromium(), root, { viewport: { width: 1280, height: 800 }, hash: "#/history?environment=dev" });
    try {
      // Every change to the page is checked: a table showing one environment's runs while the
      // Environment select names another is recorded (the screen once drew a frame of the last one's).
      // (A string, as the e2e files' other page scripts are: the tests' tsconfig has no DOM types.)
      await page.evaluate(`(() => {
        window.mismatches = [];
        new MutationObserver(() => {
          const table = document.querySelector('table[data-testid="history"]');
          const chosen = document.querySelector('select[aria-label="Environment"]')?.value;
          if (table && chosen && table.dataset.environment !== chosen) window.mismatches.push(table.dataset.environment + " under " + chosen);
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      })()`);
      const seen = new Set<string | null>();
      for (const env of ["dev", "pg", "maria"]) {
        await page.goto(page.url().replace(/environment=\w+/, `environment=${env}`));
        // The table names the environment its rows were read from: wait for this one's, not the last one's.
        const table = page.locator(`table[data-testid="history"][data-environment="${env}"]`);
        await table.locator("tr[data-run]").first().waitFor({ timeout: 60_000 });
        const runs = table.locator("tr[data-run]");
        expect(await runs.count(), env).toBe(3);
        const words = await runs.allInnerTexts();
        expect(words[0], env).toMatch(new RegExp(`upgrade to ${D} · 2 steps · target “heads”`));
        expect(words[1], env).toMatch(new RegExp(`upgrade to ${B} · 1 step · target “\\+1”`));
        expect(words[2], env).toMatch(new RegExp(`upgrade to ${A} · 1 step · target “\\+1”`));
        const ids = await runs.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id")));
        expect(new Set(ids).size, env).toBe(3);
        expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id ?? "")), env).toBe(true);
        for (const id of ids) seen.add(id);
        // Every step is listed under its run: 4 rows in all.
        expect(await table.locator("tr[data-history-row]").count(), env).toBe(4);
      }
      // Each environment's screen showed its own runs.
      expect(seen.size).toBe(9);
      expect(await page.evaluate("window.mismatches")).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
      pg.drop();
      maria.drop();
    }
  });
});
