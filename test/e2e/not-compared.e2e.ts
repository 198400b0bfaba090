import { execFileSync } from "node:child_process";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEnvironment, createPostgresDatabase, launchChromium, openDemo } from "./strata-serve.js";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const psql = (db: string, sql: string): void => {
  execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc", sql], { stdio: "pipe" });
};

describe("the diff screen names what Strata does not compare (issue 16)", () => {
  it("lists a policy, a rule and a publication on one side only, says the schemas differ only there, and lists them again once both sides hold them", async () => {
    const a = createPostgresDatabase();
    const b = createPostgresDatabase();
    const ddl = "create table orders (id integer primary key, total numeric)";
    const extras = ["create policy orders_own on orders using (true)", "create rule orders_log as on update to orders do also notify orders", "create publication orders_feed for table orders"];
    psql(a.name, ddl);
    psql(b.name, ddl);
    for (const s of extras) psql(b.name, s);
    const session = await openDemo(browser, {
      prepare: (root) => {
        addEnvironment(root, "pg_a", { client: "pg", connection: a.url });
        addEnvironment(root, "pg_b", { client: "pg", connection: b.url });
      },
      hash: "#/diff?from=pg_a&to=pg_b",
    });
    try {
      const { page } = session;
      const list = page.locator("[data-testid=diff-not-compared]");
      await list.waitFor({ timeout: 60_000 });
      expect(await page.locator("[data-testid=diff-identical]").innerText()).toBe("No change Strata can write: the two schemas differ only in objects it does not compare.");
      const text = await list.innerText();
      expect(text).toContain("Not compared (3)");
      expect(text).toContain("3 are on one side only: write them into a revision by hand");
      expect(text).toContain("policy orders_own on orders — only in pg_b");
      expect(text).toContain("rule orders_log on orders — only in pg_b");
      expect(text).toContain("publication orders_feed — only in pg_b");

      for (const s of extras) psql(a.name, s);
      await page.getByRole("button", { name: "Compare" }).click();
      await page.locator("[data-testid=diff-identical]").getByText("The two schemas are the same, as far as Strata compares them.").waitFor({ timeout: 60_000 });
      expect(await list.innerText()).toContain("publication orders_feed — on both sides");
      expect(session.pageErrors).toEqual([]);
    } finally {
      await session.close();
      a.drop();
      b.drop();
    }
  });
});
