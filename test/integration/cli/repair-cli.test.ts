/**
 * Issue 14, point 5: `strata repair REV` accepts an applied revision's edited file. It records
 * the file's new checksum with who and when as a `repair` history row, so later runs stop
 * refusing; a revision that is not applied, or whose file is not edited, is refused in one line
 * with nothing changed; a protected environment needs its name. The History screen's call shows
 * the row.
 */
import fs from "node:fs";
import os from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { createAppService } from "../../../electron/engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../../electron/engine/app-session/profile-store.js";
import { createTestDatabase, envEntry, TEST_CLIENTS, versionHeads } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject, writeRevision } from "../../helpers/strata-cli.js";
import type { RevisionSpec } from "../../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";
const C3 = "c3c3c3c3c3c3";

const REVISIONS: readonly RevisionSpec[] = [
  { revision: A1, downRevision: null, message: "create accounts", up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("accounts");` },
  { revision: B2, downRevision: A1, message: "create invoices", up: `await knex.schema.createTable("invoices", (t) => { t.increments("id"); t.integer("n"); });`, down: `await knex.schema.dropTable("invoices");` },
  { revision: C3, downRevision: B2, message: "create notes", up: `await knex.schema.createTable("notes", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("notes");` },
];
/** B2 as a person edits it after it ran: a comment and a wider column, the same tables. */
const B2_EDITED: RevisionSpec = { ...REVISIONS[1]!, up: `// widened later\n  await knex.schema.createTable("invoices", (t) => { t.increments("id"); t.bigInteger("n"); });` };

interface HistoryRowRead {
  readonly revision: string;
  readonly direction: string;
  readonly checksum: string | null;
  readonly message: string;
  readonly status: string;
  readonly user_name: string;
}

async function historyRows(db: TestDatabase): Promise<HistoryRowRead[]> {
  return (await db.knex("strata_history").select("revision", "direction", "checksum", "message", "status", "user_name").orderBy("id", "asc")) as HistoryRowRead[];
}

/** What a refused repair must leave as it was. */
async function snapshot(db: TestDatabase): Promise<{ heads: string[]; history: HistoryRowRead[] }> {
  return { heads: await versionHeads(db), history: await historyRows(db) };
}

describe.each(TEST_CLIENTS)("strata repair on %s", (client: DbClient) => {
  let db: TestDatabase;
  let dir: string;
  const p = (): string[] => ["--project", dir];
  const setUp = async (extra: Record<string, unknown> = {}): Promise<void> => {
    db = await createTestDatabase(client);
    dir = writeProject({ environments: { dev: envEntry(db, extra) }, revisions: REVISIONS });
  };
  beforeEach(() => {
    dir = "";
  });
  afterEach(async () => {
    await db.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("accepts an edited applied file so upgrade goes; records who and when; the history shows it", async () => {
    await setUp();
    expect((await strata([...p(), "upgrade", B2])).code).toBe(0);
    writeRevision(dir, B2_EDITED);
    const refused = await strata([...p(), "upgrade", "heads"]);
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(/b2b2b2b2b2b2 .* edited after it was applied/);

    const before = await snapshot(db);
    const repaired = await strata([...p(), "repair", "b2b2", "--json"]);
    expect(repaired.code, repaired.stderr).toBe(0);
    const r = repaired.json;
    const ranWith = before.history.find((h) => h.revision === B2 && h.direction === "up")!.checksum!;
    expect(r).toMatchObject({ environment: "dev", revision: B2, file: expect.stringContaining(`migrations/${B2}_`), previousChecksum: ranWith, historyId: expect.any(Number) });
    expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(r.checksum).not.toBe(ranWith);
    const user = os.userInfo().username;
    expect(r.note).toBe(
      `repaired: accepted the edited file, checksum ${ranWith.slice(0, 8)}→${r.checksum.slice(0, 8)}, by ${user}@${os.hostname()}${client === "better-sqlite3" ? "" : ` (database user ${r.databaseUser})`} at ${r.at}`,
    );
    if (client === "pg") expect(r.databaseUser).toBe("postgres");
    if (client === "mysql2") expect(r.databaseUser).toMatch(/^root@/);
    if (client === "better-sqlite3") expect(r.databaseUser).toBeNull();
    expect(Date.now() - Date.parse(r.at)).toBeLessThan(60_000);

    // The history table holds the row; nothing else moved.
    const after = await snapshot(db);
    expect(after.heads).toEqual(before.heads);
    expect(after.history.slice(0, -1)).toEqual(before.history);
    expect(after.history.at(-1)).toEqual({ revision: B2, direction: "repair", checksum: r.checksum, message: r.note, status: "succeeded", user_name: user });

    // The text form says the same in one line.
    const text = await strata([...p(), "repair", B2]);
    expect(text.code).toBe(2);
    expect(text.reason).toBe(`strata: revision ${B2} on dev: its file ${r.file} matches what ran, so there is nothing to repair`);

    // Runs stop refusing: check is clean of file problems, upgrade and downgrade go without --allow-edited.
    const check = await strata([...p(), "check", "--no-drift", "--json"]);
    expect(check.json.environments[0].problems).toEqual([]);
    const up = await strata([...p(), "upgrade", "heads", "--json"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.heads).toEqual([C3]);

    // The History screen's call lists the repair row with its words, and filters on it.
    const data = fs.mkdtempSync(`${dir}-app-`);
    try {
      const service = createAppService({ host: "browser", projectRoot: dir, profiles: new ProfileStore(`${data}/profiles.json`, NO_PASSWORD_STORAGE), recentFile: null });
      const history = await service.handlers.history({ environment: "dev", direction: "repair" }, undefined);
      expect(history.rows).toEqual([expect.objectContaining({ revision: B2, direction: "repair", message: r.note, user, status: "succeeded", checksum: r.checksum })]);
      // A second edit after the repair is refused again: the accepted checksum is the one compared.
      writeRevision(dir, { ...B2_EDITED, up: `${B2_EDITED.up}\n  // and again` });
      const again = await strata([...p(), "downgrade", A1]);
      expect(again.code).toBe(2);
      expect(again.reason).toMatch(/edited after it was applied/);
      const viaApp = await service.handlers.repairRevision({ environment: "dev", revision: B2 }, undefined);
      expect(viaApp.previousChecksum).toBe(r.checksum);
      expect((await strata([...p(), "downgrade", A1, "--json"])).json.heads).toEqual([A1]);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  it("refuses, in one line and changing nothing, a revision that is not applied or whose file matches what ran", async () => {
    await setUp();
    expect((await strata([...p(), "upgrade", B2])).code).toBe(0);
    const before = await snapshot(db);

    const notApplied = await strata([...p(), "repair", C3]);
    expect(notApplied.code).toBe(2);
    expect(notApplied.stderr.trim().split("\n")).toEqual([
      `strata: revision ${C3} is not applied on dev, so there is nothing to repair; \`strata repair\` accepts the edited file of an applied revision`,
    ]);
    const unedited = await strata([...p(), "repair", A1, "--json"]);
    expect(unedited.code).toBe(2);
    expect(unedited.json.error).toMatchObject({ code: "USAGE", details: { environment: "dev", revision: A1 } });
    expect(unedited.reason).toMatch(/its file migrations\/a1a1a1a1a1a1_create_accounts\.ts matches what ran, so there is nothing to repair$/);
    const unknown = await strata([...p(), "repair", "ffff"]);
    expect(unknown.code).toBe(2);
    expect(unknown.reason).toMatch(/ffff/);
    expect(await snapshot(db)).toEqual(before);
  });

  it("on a protected environment, needs its name", async () => {
    await setUp({ protected: true });
    expect((await strata([...p(), "upgrade", B2, "--confirm", "dev"])).code).toBe(0);
    writeRevision(dir, B2_EDITED);
    const before = await snapshot(db);

    const bare = await strata([...p(), "repair", B2]);
    expect(bare.code).toBe(2);
    expect(bare.stderr.trim().split("\n")).toEqual(["strata: environment dev is protected: confirm the repair with its name (`--confirm dev`, or type it in the app); nothing was changed"]);
    const wrong = await strata([...p(), "repair", B2, "--confirm", "prod"]);
    expect(wrong.code).toBe(2);
    expect(wrong.reason).toBe('strata: environment dev is protected and "prod" is not its name; confirm with `--confirm dev`; nothing was changed');
    expect(await snapshot(db)).toEqual(before);

    const ok = await strata([...p(), "repair", B2, "--confirm", "dev", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json.revision).toBe(B2);
    expect((await strata([...p(), "upgrade", "heads", "--confirm", "dev", "--json"])).json.heads).toEqual([C3]);
  });
});
