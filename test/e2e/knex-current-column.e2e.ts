/**
 * Issue 19 point 5, the environments matrix on a knex folder whose file names are long (as in
 * Uptime Kuma's `2023-08-16-0000-create-monitor`), with SQLite, PostgreSQL and MariaDB
 * environments, at 1280x800 and 1920x1080: the Current column shows each knex id whole where it fits, the
 * table still fits the window, and only an id that truly does not fit is cut, whole in its tooltip.
 */
import fs from "node:fs";
import path from "node:path";
import knexFactory from "knex";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser-hooks.js";
import { createPostgresDatabase, freshDir, openProject, strataSync } from "./strata-serve.js";
import { createMariaDatabase, screenshotFolder, shoot } from "./three-dialect-demo.js";

const OUT = screenshotFolder("strata-knex-current-");

const FILES = [
  "2023-08-16-0000-create-monitor.js",
  "2023-08-17-0000-create-heartbeat.js",
  "2023-08-18-0000-add-monitor-url.js",
  "2023-10-16-0000-update-monitor-add-remote-browser-kafka-producer-and-notification-settings.js",
];
const id = (file: string) => file.replace(/\.js$/, "");

const chromium = useBrowser();

describe("the environments matrix on a knex folder with long file names", () => {
  it("reads each knex id whole in Current at 1280 px where it fits, and cuts only one that does not", async () => {
    const root = freshDir("strata-e2e-knex-current-");
    fs.mkdirSync(path.join(root, "migrations"));
    for (const f of FILES) fs.writeFileSync(path.join(root, "migrations", f), `exports.up = () => undefined;\nexports.down = () => undefined;\n`);
    const pg = createPostgresDatabase();
    const maria = createMariaDatabase();
    const environments = {
      dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } },
      pg: { client: "pg", connection: pg.url },
      maria: { client: "mysql2", connection: { host: "127.0.0.1", port: 3306, user: "root", password: "", database: maria.name } },
    };
    fs.writeFileSync(path.join(root, "strata.config.json"), JSON.stringify({ migrations: "migrations", environments }, null, 2));
    // dev: knex's own migrator ran the first and third files (the second came in later), so its
    // state is long ("2 pending, 1 out of order"); pg at the second file; maria at the last,
    // whose name is too long for any column at 1280 px.
    const knex = knexFactory({ client: "better-sqlite3", connection: { filename: path.join(root, "dev.sqlite3") }, useNullAsDefault: true });
    try {
      for (const name of [FILES[0]!, FILES[2]!]) await knex.migrate.up({ directory: path.join(root, "migrations"), name });
    } finally {
      await knex.destroy();
    }
    strataSync(["--project", root, "--env", "pg", "upgrade", id(FILES[1]!)]);
    strataSync(["--project", root, "--env", "maria", "upgrade", "heads"]);
    const { page, pageErrors, close } = await openProject(chromium(), root, { viewport: { width: 1280, height: 800 }, hash: "#/environments" });
    try {
      for (const env of ["dev", "pg", "maria"]) await page.locator(`[data-env-row="${env}"] [data-testid=env-state]`).waitFor({ timeout: 60_000 });
      await page.locator("[data-testid=drift-checking]").first().waitFor({ state: "detached", timeout: 60_000 });
      const shown = async (viewport: { width: number; height: number }) => {
        await page.setViewportSize(viewport);
        return (await page.evaluate(`(() => {
          const wrap = document.querySelector(".matrix-wrap");
          const lines = (el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
          const current = (env) => {
            const el = document.querySelector('[data-env-row="' + env + '"] [data-testid=current-head]');
            // Cut: the text runs past its one line (sideways, or onto lines the clamp hides).
            return { text: el.textContent, title: el.getAttribute("title"), cut: el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1, lines: lines(el) };
          };
          return {
            overflow: { wrap: wrap.scrollWidth - wrap.clientWidth, page: document.documentElement.scrollWidth - window.innerWidth },
            dev: current("dev"),
            pg: current("pg"),
            maria: current("maria"),
            stateLines: lines(document.querySelector('[data-env-row="dev"] [data-testid=env-state]')),
          };
        })()`)) as {
          overflow: { wrap: number; page: number };
          stateLines: number;
          dev: { text: string; title: string; cut: boolean; lines: number };
          pg: { text: string; title: string; cut: boolean; lines: number };
          maria: { text: string; title: string; cut: boolean; lines: number };
        };
      };
      const at1280 = await shown({ width: 1280, height: 800 });
      await shoot(page, OUT, "environments-knex-ids-1280", "light");
      expect(at1280.overflow).toEqual({ wrap: 0, page: 0 });
      expect([at1280.dev.text, at1280.dev.cut]).toEqual([id(FILES[2]!), false]);
      expect([at1280.pg.text, at1280.pg.cut]).toEqual([id(FILES[1]!), false]);
      // The one that cannot fit is cut on its one line (an ellipsis), whole in its tooltip.
      expect([at1280.maria.cut, at1280.maria.lines, at1280.maria.title]).toEqual([true, 1, id(FILES[3]!)]);
      // The long state beside it takes two lines, not four.
      expect(at1280.stateLines).toBeLessThanOrEqual(2);
      // Where the window has room, the long one reads whole too.
      const at1920 = await shown({ width: 1920, height: 1080 });
      await shoot(page, OUT, "environments-knex-ids-1920", "light");
      expect(at1920.overflow).toEqual({ wrap: 0, page: 0 });
      expect([at1920.dev.cut, at1920.pg.cut, at1920.maria.cut, at1920.maria.lines]).toEqual([false, false, false, 1]);
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
      pg.drop();
      maria.drop();
    }
  });
});
