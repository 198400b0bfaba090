import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import knexFactory from "knex";
import { killInsideSleep, sleepingRevision } from "../helpers/killed-runner.js";
import { strata, writeRevision } from "../helpers/strata-cli.js";
import { READS_ROWS, writeRowReadingRevision } from "./apply-fixtures.js";
import { useBrowser } from "./browser-hooks.js";
import { DEMO, addEnvironment, openDemo } from "./strata-serve.js";

// `STRATA_SCREENSHOTS=1 npm run test:e2e` refreshes docs/screenshots; a plain test run (CI)
// still opens and captures every screen, into a temporary folder, and leaves the docs alone.
const OUT = process.env.STRATA_SCREENSHOTS
  ? path.resolve(__dirname, "..", "..", "docs", "screenshots")
  : fs.mkdtempSync(path.join(os.tmpdir(), "strata-screens-"));

const chromium = useBrowser(OUT);

/** Each screen with the demo data: the hash to open and what shows it is ready. */
const SCREENS: readonly { readonly name: string; readonly hash: string; readonly ready: (page: Page) => Promise<unknown> }[] = [
  // prod active: the head it lacks is dimmed
  {
    name: "graph",
    hash: `#/graph?select=${DEMO.merge}`,
    ready: async (p) => {
      await p.locator("[data-env=prod]").click();
      await p.locator(`[data-revision="${DEMO.status}"][data-pending]`).waitFor();
    },
  },
  { name: "revision", hash: `#/revision/${DEMO.dueDate}`, ready: (p) => p.locator("[data-testid='code-Upgrade SQL'] .cm-content").waitFor() },
  { name: "apply", hash: `#/apply?environment=prod&command=upgrade&target=heads`, ready: (p) => p.locator("[data-testid=confirm-hint]").waitFor() },
  { name: "environments", hash: "#/environments", ready: (p) => p.locator("[data-testid=matrix]").waitFor({ timeout: 60_000 }) },
  { name: "diff", hash: `#/diff?from=${encodeURIComponent(`migrations@${DEMO.merge}`)}&to=prod`, ready: (p) => p.locator("[data-testid=definitions] [data-change]").first().waitFor({ timeout: 60_000 }) },
  {
    name: "create",
    hash: `#/create?from=${encodeURIComponent(`migrations@${DEMO.merge}`)}&to=prod`,
    // The autogenerate preview (issue 19): the changes with their boxes and the code, before anything is written.
    ready: async (p) => {
      await p.getByLabel("Message").fill("add loyalty tier to customers");
      await p.locator("[data-testid=code-preview-up] .cm-content").waitFor({ timeout: 60_000 });
    },
  },
  { name: "history", hash: "#/history?environment=dev", ready: (p) => p.locator("[data-testid=history]").waitFor() },
];

describe("screenshots of every screen with the demo data (docs/screenshots)", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`captures every screen, ${scheme}, 1280x800`, async () => {
      const session = await openDemo(chromium(), { colorScheme: scheme });
      try {
        const { page } = session;
        await page.locator("[data-testid=graph] [data-revision]").first().waitFor();
        for (const s of SCREENS) {
          await page.goto(session.served.url + s.hash);
          await s.ready(page);
          await page.waitForTimeout(300);
          await page.screenshot({ path: path.join(OUT, `${s.name}-${scheme}.png`) });
        }
        // A run as it ends: the live log and the new state (dev rolled back one step).
        await page.goto(session.served.url + `#/apply?environment=dev&command=downgrade&target=${DEMO.merge}`);
        // The rollback drops a column: it runs once that is ticked (issue 14).
        await page.locator("[data-testid=loss-ack-box]").check();
        await page.locator("[data-testid=run-button]").click();
        await page.locator("[data-testid=run][data-run-state=succeeded]").waitFor({ timeout: 60_000 });
        // The plan above the result is made again from the new state.
        await page.locator("[data-testid=plan]").getByText("Nothing to run").waitFor();
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `apply-run-${scheme}.png`) });
        expect(session.pageErrors).toEqual([]);
        for (const s of [...SCREENS.map((x) => x.name), "apply-run"]) expect(fs.statSync(path.join(OUT, `${s}-${scheme}.png`)).size).toBeGreaterThan(10_000);
      } finally {
        await session.close();
      }
    });
  }
});

/** A revision on the demo's head that drops a column and narrows a type: both destructive. */
const TRIM = "f7a3c9e1d205";
function writeTrimRevision(root: string): void {
  writeRevision(root, {
    revision: TRIM,
    downRevision: DEMO.status,
    message: "trim customers and currency",
    up: [
      `await knex.schema.alterTable("customers", (t) => { t.dropColumn("created_at"); });`,
      `await knex.schema.alterTable("orders", (t) => { t.string("currency", 2).notNullable().defaultTo("EU").alter(); });`,
    ].join("\n  "),
    down: [
      `await knex.schema.alterTable("orders", (t) => { t.string("currency", 3).notNullable().defaultTo("EUR").alter(); });`,
      `await knex.schema.alterTable("customers", (t) => { t.timestamp("created_at").notNullable().defaultTo(knex.fn.now()); });`,
    ].join("\n  "),
  });
}

/** Edits the demo's first revision after dev and prod applied it. */
function editAppliedRevision(root: string): void {
  const dir = path.join(root, "migrations");
  const file = path.join(dir, fs.readdirSync(dir).find((f) => f.includes(DEMO.customers))!);
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(`t.string("name", 200)`, `t.string("name", 120)`));
}

describe("screenshots of the destructive plan, the edited-file refusal and the secure-connection form", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`destructive plan and TLS/SSH profile form, ${scheme}`, async () => {
      const session = await openDemo(chromium(), { colorScheme: scheme, prepare: writeTrimRevision });
      try {
        const { page } = session;
        await page.locator("[data-testid=graph] [data-revision]").first().waitFor();
        await page.goto(session.served.url + `#/apply?environment=dev&command=upgrade&target=heads`);
        await page.locator("[data-testid=destructive-statement]").nth(1).waitFor({ timeout: 60_000 });
        expect(await page.locator("[data-testid=destructive]").innerText()).toMatch(/drops column customers\.created_at[\s\S]*narrows column orders\.currency/);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `apply-destructive-${scheme}.png`) });

        // A new profile through an SSH tunnel with TLS checked against a CA.
        await page.goto(session.served.url + "#/environments");
        await page.locator("[data-testid=matrix]").waitFor({ timeout: 60_000 });
        await page.getByRole("button", { name: "Add profile…" }).click();
        await page.getByLabel("Profile name").fill("reporting replica");
        await page.getByLabel("Client").selectOption("pg");
        await page.getByLabel("Host").fill("10.20.0.15");
        await page.getByLabel("User").fill("strata_ro");
        await page.getByLabel("Database name").fill("shop");
        await page.getByLabel("TLS mode").selectOption("verify-full");
        await page.getByLabel("TLS CA file").fill("certs/internal-ca.pem");
        await page.getByLabel("Through an SSH tunnel").check();
        await page.getByLabel("SSH host").fill("bastion.example.internal");
        await page.getByLabel("SSH user").fill("deploy");
        await page.getByLabel("SSH private key").fill("~/.ssh/id_ed25519");
        await page.getByLabel("SSH known_hosts").fill("~/.ssh/known_hosts");
        const form = page.getByRole("form", { name: "New connection profile" });
        await form.evaluate((el) => el.scrollIntoView({ block: "end" }));
        // A string, so the Node-side type-check needs no DOM types.
        await page.evaluate("document.activeElement && document.activeElement.blur()");
        await page.mouse.move(0, 0);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `profile-tls-${scheme}.png`) });
        expect(session.pageErrors).toEqual([]);
      } finally {
        await session.close();
      }
    });

    it(`edited applied revision file refuses the run, ${scheme}`, async () => {
      const session = await openDemo(chromium(), { colorScheme: scheme, prepare: editAppliedRevision });
      try {
        const { page } = session;
        await page.locator("[data-testid=graph] [data-revision]").first().waitFor();
        await page.goto(session.served.url + `#/apply?environment=prod&command=upgrade&target=heads`);
        await page.locator("[data-testid=edited-refusal]").waitFor({ timeout: 60_000 });
        await page.locator("[data-testid=file-problems]").waitFor();
        expect(await page.locator("[data-testid=run-button]").isDisabled()).toBe(true);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `apply-edited-${scheme}.png`) });
        expect(session.pageErrors).toEqual([]);
      } finally {
        await session.close();
      }
    });
  }
});

describe("screenshots of the apply screen's verdict and of a plan that changed since it was shown (issue 14)", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`a plan that could not be checked, and a run refused because its plan changed, ${scheme}`, async () => {
      const session = await openDemo(chromium(), { colorScheme: scheme, prepare: writeRowReadingRevision });
      try {
        const { page, served } = session;
        await page.goto(served.url + `#/apply?environment=dev&command=upgrade&target=heads`);
        await page.locator("[data-testid=unchecked]").filter({ hasText: READS_ROWS }).waitFor({ timeout: 60_000 });
        await page.locator("[data-testid=loss-ack-box]").waitFor();
        expect(await page.locator("[data-testid=run-button]").isDisabled()).toBe(true);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `apply-unchecked-${scheme}.png`) });

        // prod's plan is shown; someone upgrades prod from a terminal; the click is refused and the new plan shown.
        await page.goto(served.url + `#/apply?environment=prod&command=upgrade&target=heads`);
        await page.locator("[data-testid=plan-steps]").waitFor({ timeout: 60_000 });
        expect((await strata(["--project", served.root, "--env", "prod", "upgrade", DEMO.status, "--confirm", "prod"], { env: { STRATA_DATA_DIR: served.dataDir } })).code).toBe(0);
        await page.getByLabel("Type the environment name to confirm").fill("prod");
        await page.locator("[data-testid=loss-ack-box]").check();
        await page.locator("[data-testid=run-button]").click();
        await page.locator("[data-testid=plan-changed]").filter({ hasText: "The plan changed since you looked" }).waitFor({ timeout: 60_000 });
        await page.locator("[data-testid=heads-before]").filter({ hasText: DEMO.status }).waitFor();
        await page.evaluate("document.activeElement && document.activeElement.blur()");
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `apply-plan-changed-${scheme}.png`) });
        expect(session.pageErrors).toEqual([]);
      } finally {
        await session.close();
      }
    });
  }
});

describe("screenshots of a revision left interrupted on MariaDB by a killed runner", () => {
  const database = `strata_e2e_${randomBytes(5).toString("hex")}`;
  const connection = { host: "127.0.0.1", port: 3306, user: "root", password: "", database };
  const SLEEPY = "d3f0c1b2a9e8";
  beforeAll(() => {
    execFileSync("mysql", ["-h", "127.0.0.1", "-uroot", "-e", `create database ${database}`], { stdio: "pipe" });
  });
  afterAll(() => {
    execFileSync("mysql", ["-h", "127.0.0.1", "-uroot", "-e", `drop database if exists ${database}`], { stdio: "pipe" });
  });

  /** The demo with a MariaDB "staging" environment whose run was killed inside a new revision on the head. */
  const killStaging = async (root: string): Promise<void> => {
    const marker = path.join(os.tmpdir(), `strata-e2e-kill-${randomBytes(5).toString("hex")}.marker`);
    const knex = knexFactory({ client: "mysql2", connection, pool: { min: 0, max: 2 } });
    try {
      addEnvironment(root, "staging", { client: "mysql2", connection, color: "#e9a23b" });
      writeRevision(root, sleepingRevision("mysql2", marker, { revision: SLEEPY, downRevision: DEMO.status, table: "order_notes", message: "create order notes" }));
      expect((await strata(["--project", root, "--env", "staging", "upgrade", DEMO.status])).code).toBe(0);
      expect((await killInsideSleep(["--project", root, "--env", "staging", "upgrade", "heads"], "mysql2", knex, marker)).signal).toBe("SIGKILL");
      expect(((await knex("strata_history").where({ revision: SLEEPY })) as { status: string }[]).map((r) => r.status)).toEqual(["running"]);
    } finally {
      await knex.destroy();
      fs.rmSync(marker, { force: true });
    }
  };

  for (const scheme of ["light", "dark"] as const) {
    it(`environments and apply screens with the interrupted revision, ${scheme}`, async () => {
      // The killed run's row stays `running` in the database: each scheme kills its own run afresh.
      execFileSync("mysql", ["-h", "127.0.0.1", "-uroot", "-e", `drop database if exists ${database}; create database ${database}`], { stdio: "pipe" });
      const session = await openDemo(chromium(), { colorScheme: scheme, prepare: killStaging });
      try {
        const { page } = session;
        await page.goto(session.served.url + "#/environments");
        await page.locator(`[data-unresolved-env="staging"] [data-unresolved-revision="${SLEEPY}"]`).waitFor({ timeout: 60_000 });
        await page.locator(`[data-env-row="staging"] [data-testid=unresolved-tag]`).waitFor();
        await page.locator(`[data-unresolved-env="staging"] [data-testid=recovery-statements]`).waitFor({ timeout: 60_000 });
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `environments-interrupted-${scheme}.png`) });

        await page.goto(session.served.url + `#/apply?environment=staging&command=upgrade&target=heads`);
        await page.locator(`[data-unresolved-env="staging"] [data-unresolved-revision="${SLEEPY}"] [data-testid=resolve-applied]`).waitFor({ timeout: 60_000 });
        await page.locator("[data-testid=plan]").waitFor({ timeout: 60_000 });
        await page.locator(`[data-unresolved-env="staging"] [data-testid=recovery-statements]`).waitFor({ timeout: 60_000 });
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, `apply-interrupted-${scheme}.png`) });
        expect(session.pageErrors).toEqual([]);
      } finally {
        await session.close();
      }
    });
  }
});
