/**
 * Issue 14, "protection follows the database": an environment or a saved profile that reaches a
 * protected environment's database by another route (a URL for the object form, localhost for
 * 127.0.0.1, a symlinked folder or dir/../file for a SQLite file, `--url`) is protected too and
 * asks for the protected environment's name: upgrade, downgrade, stamp and resolve on the CLI,
 * runMigration, stamp and resolveRevision in the app, and the plan's confirmationName. A refusal
 * is one line and changes nothing; with the name, it runs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProfileInput } from "../../electron/engine/app-session/profile-store.js";
import type { DbClient } from "../../electron/engine/dialect/index.js";
import { createAppService } from "../../electron/engine/app-session/app-service.js";
import type { AppService } from "../../electron/engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../electron/engine/app-session/profile-store.js";
import { asErrorShape } from "../../shared/api-errors.js";
import { createTestDatabase, envEntry, TEST_CLIENTS } from "../helpers/databases.js";
import type { TestDatabase } from "../helpers/databases.js";
import { strata, writeProject } from "../helpers/strata-cli.js";
import type { RevisionSpec } from "../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";

const REVISIONS: readonly RevisionSpec[] = [
  { revision: A1, downRevision: null, message: "create accounts", up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); t.string("name", 100); });`, down: `await knex.schema.dropTable("accounts");` },
  { revision: B2, downRevision: A1, message: "create invoices", up: `await knex.schema.createTable("invoices", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("invoices");` },
];

/** Figures for docs/RELIABILITY.md: refusals of aliases, runs with the protected name. */
const figures: Record<string, { refused: number; ran: number; routes: number }> = {};

/** Other spellings of the test database's route, per dialect: written as a config entry, as --url, as a profile. */
interface Aliases {
  readonly entries: Record<string, Record<string, unknown>>;
  readonly url: string;
  readonly profile: Omit<ProfileInput, "name">;
}

function aliasesOf(db: TestDatabase, client: DbClient, scratch: string): Aliases {
  const c = db.env.knexConfig.connection as { host: string; port: number; user: string; database: string; filename: string };
  switch (client) {
    case "pg":
      return {
        entries: {
          // The URL form, "localhost" for 127.0.0.1 and the default port left out.
          url: { client: "postgres", connection: `postgres://${c.user}@localhost/${c.database}` },
          object: { client: "pg", connection: { host: "localhost", port: 5432, user: c.user, database: c.database } },
        },
        url: `postgresql://${c.user}@127.0.0.1:5432/${c.database}`,
        profile: { client: "pg", host: "localhost", user: c.user, database: c.database },
      };
    case "mysql2":
      return {
        entries: {
          url: { client: "mysql2", connection: `mysql://${c.user}@localhost/${c.database}` },
          object: { client: "mariadb", connection: { host: "localhost", user: c.user, password: "", database: c.database } },
        },
        url: `mariadb://${c.user}@127.0.0.1:3306/${c.database}`,
        profile: { client: "mysql2", host: "localhost", port: 3306, user: c.user, database: c.database },
      };
    case "better-sqlite3": {
      // A symlink to the file's folder, and a path through a sibling folder and "..".
      const folder = path.dirname(c.filename);
      const base = path.basename(c.filename);
      fs.symlinkSync(folder, path.join(scratch, "link"));
      fs.mkdirSync(path.join(folder, "sub"), { recursive: true });
      return {
        entries: {
          url: { client: "sqlite", connection: `sqlite:${path.join(scratch, "link", base)}` },
          object: { client: "better-sqlite3", connection: { filename: `${folder}/sub/../${base}` } },
        },
        url: `sqlite://${path.join(scratch, "link", base)}`,
        profile: { client: "better-sqlite3", filename: path.join(scratch, "link", base) },
      };
    }
  }
}

async function versionHeads(db: TestDatabase): Promise<string[] | null> {
  if (!(await db.knex.schema.hasTable("strata_version"))) return null;
  return ((await db.knex("strata_version").select("version_num")) as { version_num: string }[]).map((r) => r.version_num).sort();
}

async function historyCount(db: TestDatabase): Promise<number> {
  if (!(await db.knex.schema.hasTable("strata_history"))) return 0;
  return Number(((await db.knex("strata_history").count({ n: "*" })) as { n: string | number }[])[0]!.n);
}

/** Runs through the app's service and waits for the run to end (bounded). */
async function appRun(service: AppService, req: { environment: string; command: "upgrade" | "downgrade"; target: string; confirmName?: string }): Promise<{ state: string; heads: readonly string[] | null }> {
  const ticket = await service.handlers.runMigration(req);
  for (let i = 0; i < 300; i++) {
    const run = await service.handlers.getRun({ runId: ticket.runId });
    if (run.state === "succeeded" || run.state === "failed") return { state: run.state, heads: run.result?.heads ?? null };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the app's run did not end within 30 s");
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return asErrorShape(e);
  }
  throw new Error("expected a refusal");
}

describe.each(TEST_CLIENTS)("protection follows the database on %s", (client: DbClient) => {
  let db: TestDatabase;
  let other: TestDatabase;
  let scratch: string;
  let aliases: Aliases;
  let dir: string;
  const mine = (figures[client] ??= { refused: 0, ran: 0, routes: 0 });

  beforeEach(async () => {
    db = await createTestDatabase(client);
    other = await createTestDatabase(client);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "strata-alias-"));
    aliases = aliasesOf(db, client, scratch);
    dir = writeProject({
      environments: { prod: envEntry(db, { protected: true }), ...aliases.entries, elsewhere: envEntry(other) },
      revisions: REVISIONS,
    });
  });
  afterEach(async () => {
    await db.drop();
    await other.drop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("CLI: every alias (URL spelling, object form, localhost, another path to the file, --url) is refused without prod's name and runs with it", async () => {
    const p = ["--project", dir];
    const routes: [string, string[]][] = [
      ["url", ["--env", "url"]],
      ["object", ["--env", "object"]],
      ["url", ["--url", aliases.url]],
    ];
    for (const [name, route] of routes) {
      for (const confirm of [[], ["--confirm", name]]) {
        const r = await strata([...p, ...route, "upgrade", "heads", ...confirm]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
        const shownName = route[0] === "--url" ? "url" : name;
        expect(r.reason).toMatch(new RegExp(`^strata: environment ${shownName} reaches the same database as protected environment prod \\(${client === "better-sqlite3" ? "sqlite" : client === "pg" ? "postgres" : "mysql"} `));
        expect(r.reason).toContain("--confirm prod");
        expect(r.reason).toMatch(/nothing was run$/);
        mine.refused++;
      }
      mine.routes++;
    }
    // --plan says which name a run will need, in words and in JSON.
    const plan = await strata([...p, "--env", "url", "upgrade", "heads", "--plan"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("protected: a run needs --confirm prod");
    expect((await strata([...p, "--env", "object", "upgrade", "heads", "--plan", "--json"])).json.confirmationName).toBe("prod");
    expect((await strata([...p, "--env", "elsewhere", "upgrade", "heads", "--plan", "--json"])).json.confirmationName).toBeUndefined();
    // stamp and downgrade ask too; nothing changed so far.
    const stamp = await strata([...p, "--env", "object", "stamp", A1]);
    expect(stamp.code).toBe(2);
    expect(stamp.reason).toMatch(/environment object reaches the same database as protected environment prod .*--confirm prod.*nothing was changed$/);
    mine.refused++;
    expect(await versionHeads(db)).toBeNull();
    expect(await historyCount(db)).toBe(0);

    // A database that is not prod's runs without any name: protection is not spread to everything.
    const free = await strata([...p, "--env", "elsewhere", "upgrade", "heads", "--json"]);
    expect(free.code, free.stderr).toBe(0);
    expect(free.json.heads).toEqual([B2]);

    const ran = await strata([...p, "--env", "url", "upgrade", A1, "--confirm", "prod", "--json"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.json.heads).toEqual([A1]);
    mine.ran++;
    expect(await versionHeads(db)).toEqual([A1]);

    const down = await strata([...p, "--url", aliases.url, "downgrade", "base"]);
    expect(down.code).toBe(2);
    expect(down.reason).toContain("--confirm prod");
    mine.refused++;
    const resolve = await strata([...p, "--env", "object", "resolve", A1, "--applied"]);
    expect(resolve.code).toBe(2);
    expect(resolve.reason).toMatch(/environment object reaches the same database as protected environment prod .*--confirm prod/);
    mine.refused++;
    expect(await versionHeads(db)).toEqual([A1]);

    const up = await strata([...p, "--env", "object", "upgrade", "heads", "--confirm", "prod", "--json"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.heads).toEqual([B2]);
    const rolled = await strata([...p, "--url", aliases.url, "downgrade", "base", "--confirm", "prod", "--json"]);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.json.heads).toEqual([]);
    mine.ran += 2;

    // status shows the aliases as protected.
    const status = await strata([...p, "status"]);
    expect(status.stdout).toMatch(/^object \[protected\]/m);
    expect(status.stdout).not.toMatch(/^elsewhere \[protected\]/m);
  });

  it("the app: a config alias and a saved profile are protected, plan says to type prod, runs wait for it", async () => {
    const data = fs.mkdtempSync(path.join(scratch, "data-"));
    const service = createAppService({ host: "browser", projectRoot: dir, profiles: new ProfileStore(path.join(data, "profiles.json"), NO_PASSWORD_STORAGE), recentFile: null });

    // Saving a profile that reaches prod says so and marks it protected.
    const saved = await service.handlers.saveProfile({ name: "my-prod", ...aliases.profile });
    expect(saved.protected).toBe(true);
    expect(saved.reachesProtected?.environment).toBe("prod");
    expect(saved.reachesProtected?.message).toMatch(/^profile my-prod reaches the same database as protected environment prod/);
    const listed = await service.handlers.listProfiles({});
    expect(listed.profiles.find((p) => p.id === saved.id)).toMatchObject({ protected: true, reachesProtected: { environment: "prod" } });
    // A profile elsewhere is saved as it was asked.
    const otherDatabase = other.env.knexConfig.connection as { database?: string; filename?: string };
    const otherProfile = { ...aliases.profile, ...(client === "better-sqlite3" ? { filename: otherDatabase.filename! } : { database: otherDatabase.database! }) };
    const free = await service.handlers.saveProfile({ name: "scratch", ...otherProfile });
    expect(free.protected).toBe(false);
    expect(free.reachesProtected).toBeNull();

    const summary = await service.handlers.projectSummary({});
    const shown = (n: string) => summary.environments.find((e) => e.name === n);
    expect(shown("object")).toMatchObject({ protected: true, confirmationName: "prod" });
    expect(shown("my-prod")).toMatchObject({ protected: true, confirmationName: "prod" });
    expect(shown("elsewhere")).toMatchObject({ protected: false, confirmationName: null });

    for (const environment of ["my-prod", "url"]) {
      const plan = await service.handlers.planMigration({ environment, command: "upgrade", target: "heads" });
      expect(plan).toMatchObject({ protected: true, confirmationName: "prod" });
      for (const confirmName of [undefined, environment]) {
        const refused = await refusal(service.handlers.runMigration({ environment, command: "upgrade", target: "heads", ...(confirmName ? { confirmName } : {}) }));
        expect(refused.code).toBe("CONFIRMATION_REQUIRED");
        expect(refused.message).toMatch(new RegExp(`^environment ${environment} reaches the same database as protected environment prod .*"?prod"?`));
        mine.refused++;
      }
      const stamp = await refusal(service.handlers.stamp({ environment, targets: [A1] }));
      expect(stamp.code).toBe("CONFIRMATION_REQUIRED");
      const resolve = await refusal(service.handlers.resolveRevision({ environment, revision: A1, outcome: "rolled-back" }));
      expect(resolve.code).toBe("CONFIRMATION_REQUIRED");
      expect(resolve.message).toMatch(/type "prod" to confirm the resolve; nothing was changed$/);
      mine.refused += 2;
    }
    expect(await versionHeads(db)).toBeNull();

    const ran = await appRun(service, { environment: "my-prod", command: "upgrade", target: "heads", confirmName: "prod" });
    expect(ran).toEqual({ state: "succeeded", heads: [B2] });
    expect(await versionHeads(db)).toEqual([B2]);
    const stamped = await service.handlers.stamp({ environment: "url", targets: [A1], confirmName: "prod" });
    expect(stamped.heads).toEqual([A1]);
    mine.ran += 2;

    // A profile the person marked protected protects the config's routes to its database too (in the app).
    const vault = await service.handlers.saveProfile({ id: free.id, name: "vault", ...otherProfile, protected: true });
    expect(vault).toMatchObject({ protected: true, reachesProtected: null });
    const after = await service.handlers.projectSummary({});
    expect(after.environments.find((e) => e.name === "elsewhere")).toMatchObject({ protected: true, confirmationName: "vault" });
    const refused = await refusal(service.handlers.runMigration({ environment: "elsewhere", command: "upgrade", target: "heads" }));
    expect(refused.message).toMatch(/^environment elsewhere reaches the same database as protected profile vault .*type "vault"/);
    mine.refused++;
  });

  it("reports its figures", () => {
    console.log(`protected-database ${client}: ${JSON.stringify(mine)}`);
  });
});
