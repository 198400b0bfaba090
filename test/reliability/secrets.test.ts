/**
 * Issue 5 item 9, secrets: after profiles with passwords are saved (through the profile store and
 * the same safeStorage seam the Electron main process uses, given a real AES-256-GCM cipher
 * here), no password appears in plain text (nor as base64, base64url, hex or URL-encoded) in any
 * file of the app's data folder, in CLI stdout/stderr, in `strata serve`'s output, in run logs
 * and events, in API responses, or in the history table; also when a run fails and when a
 * connection is refused for a wrong password.
 *
 * A MariaDB user and a PostgreSQL role with passwords are made for the test. The PostgreSQL
 * server trusts 127.0.0.1 (pg_hba), so the wrong-password case is shown on MariaDB; PostgreSQL
 * still gets its password in URLs and profiles, where a leak would show just the same.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import knexFactory, { type Knex } from "knex";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { StrataEvent } from "../../shared/api.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { startServeProcess } from "../helpers/serve-process.js";
import { strata, writeProject, type StrataRun } from "../helpers/strata-cli.js";

/** safeStorage with a real cipher: what is written is ciphertext, as with the OS keychain. */
const cipherKey = vi.hoisted(() => (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(new Uint8Array(32)));
vi.mock("electron", async () => {
  const crypto = await import("node:crypto");
  const key = Buffer.from(cipherKey);
  return {
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => "gnome_libsecret",
      encryptString(plain: string): Buffer {
        const iv = crypto.randomBytes(12);
        const c = crypto.createCipheriv("aes-256-gcm", key, iv);
        const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
        return Buffer.concat([iv, c.getAuthTag(), body]);
      },
      decryptString(raw: Buffer): string {
        const d = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
      },
    },
  };
});

const { safeStorageCodec } = await import("../../electron/main/safe-storage-codec.js");
const { ProfileStore } = await import("../../electron/engine/app-session/profile-store.js");
const { createAppService } = await import("../../electron/engine/app-session/app-service.js");

const tag = randomBytes(4).toString("hex");
/** The passwords; ones with characters a URL must escape, so that escaping cannot hide a leak. */
const PG_PASSWORD = `Pg-S3cret-${tag}`;
const MY_PASSWORD = `My$ecret@x/${tag}`;
const WRONG_PASSWORD = `Wr0ng-S3cret-${tag}`;
const SECRETS = [PG_PASSWORD, MY_PASSWORD, WRONG_PASSWORD];
const ROLE = `strata_sec_${tag}`;

/** Every form a password could leak in. */
function forms(secret: string): string[] {
  const b = Buffer.from(secret, "utf8");
  return [secret, encodeURIComponent(secret), b.toString("base64"), b.toString("base64url"), b.toString("hex"), JSON.stringify(secret).slice(1, -1)];
}
const FORMS = SECRETS.flatMap(forms);

/** Fails naming where a password was found. */
function expectNoSecret(text: string, where: string): void {
  for (const f of FORMS) expect(text.includes(f), `${where} holds a password (${f}):\n${text.slice(0, 3000)}`).toBe(false);
}

/** Scans every file under dir, as bytes; returns how many files were read. */
function scanFolder(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const st = statSync(file);
    if (st.isDirectory()) n += scanFolder(file);
    else if (st.isFile()) {
      n++;
      expectNoSecret(readFileSync(file).toString("latin1"), file);
      expectNoSecret(readFileSync(file).toString("utf8"), file);
    }
  }
  return n;
}

let pg: TestDatabase;
let maria: TestDatabase;
let pgAdmin: Knex;
let mariaAdmin: Knex;
let root: string;
let pgDb: string;
let myDb: string;
const transcripts: { where: string; text: string }[] = [];
const scanned = { files: 0, outputs: 0, historyRows: 0 };

function record(where: string, r: StrataRun): StrataRun {
  transcripts.push({ where, text: r.stdout + r.stderr });
  return r;
}

beforeAll(async () => {
  pg = await createTestDatabase("pg");
  maria = await createTestDatabase("mysql2");
  pgDb = (pg.env.knexConfig.connection as { database: string }).database;
  myDb = (maria.env.knexConfig.connection as { database: string }).database;
  pgAdmin = knexFactory({ client: "pg", connection: { host: "127.0.0.1", user: "postgres", database: "postgres" }, pool: { min: 0, max: 1 } });
  mariaAdmin = knexFactory({ client: "mysql2", connection: { host: "127.0.0.1", user: "root", password: "" }, pool: { min: 0, max: 1 } });
  await pgAdmin.raw(`create role ${ROLE} login password '${PG_PASSWORD}'`);
  await pgAdmin.raw(`alter database ${pgDb} owner to ${ROLE}`);
  await pg.knex.raw(`grant all on schema public to ${ROLE}`);
  await mariaAdmin.raw(`create user '${ROLE}'@'127.0.0.1' identified by '${MY_PASSWORD}'`);
  await mariaAdmin.raw(`grant all on ${myDb}.* to '${ROLE}'@'127.0.0.1'`);

  const pgUrl = `postgres://${ROLE}:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:5432/${pgDb}`;
  const myUrl = `mysql://${ROLE}:${encodeURIComponent(MY_PASSWORD)}@127.0.0.1:3306/${myDb}`;
  root = writeProject({
    environments: {
      pgsecret: { client: "pg", connection: pgUrl },
      mysecret: { client: "mysql2", connection: myUrl },
      myobject: { client: "mysql2", connection: { host: "127.0.0.1", port: 3306, user: ROLE, password: MY_PASSWORD, database: myDb } },
      myvar: { client: "mysql2", connection: "${STRATA_SECRET_TEST_URL}" },
      mywrong: { client: "mysql2", connection: `mysql://${ROLE}:${encodeURIComponent(WRONG_PASSWORD)}@127.0.0.1:3306/${myDb}` },
    },
    revisions: [
      { revision: "aa11aa11aa11", downRevision: null, message: "create notes", up: 'await knex.schema.createTable("notes", (t) => { t.increments("id"); t.string("body"); });', down: 'await knex.schema.dropTable("notes");' },
      // Fails after a first statement: MariaDB records it as failed with what ran.
      {
        revision: "bb22bb22bb22",
        downRevision: "aa11aa11aa11",
        message: "fails half way",
        transaction: false,
        up: 'await knex.schema.createTable("half", (t) => { t.increments("id"); }); await knex.raw("select * from no_such_table_here");',
        down: 'await knex.schema.dropTableIfExists("half");',
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  console.log(`secrets: scanned ${scanned.files} files, ${scanned.outputs} outputs (CLI, serve, API, run logs, events), ${scanned.historyRows} history rows; passwords found: 0`);
  await pg?.drop();
  await maria?.drop();
  await pgAdmin?.raw(`drop role if exists ${ROLE}`).catch(() => undefined);
  await mariaAdmin?.raw(`drop user if exists '${ROLE}'@'127.0.0.1'`).catch(() => undefined);
  await pgAdmin?.destroy();
  await mariaAdmin?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({
  STRATA_SECRET_TEST_URL: `mysql://${ROLE}:${encodeURIComponent(MY_PASSWORD)}@127.0.0.1:3306/${myDb}`,
  STRATA_DATA_DIR: path.join(root, "cli-data"),
});

describe("passwords in the CLI: URLs, config connections, failing runs, a wrong password", () => {
  it("a wrong MariaDB password is refused as AUTH_FAILED with one line that does not hold it", async () => {
    const viaEnv = record("CLI --env mywrong current", await strata(["--project", root, "--env", "mywrong", "current"], { env: env() }));
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.reason).toMatch(/^strata: /);
    expect(viaEnv.reason).toMatch(/password|access denied|auth/i);
    const url = `mysql://${ROLE}:${encodeURIComponent(WRONG_PASSWORD)}@127.0.0.1:3306/${myDb}`;
    for (const args of [["current"], ["current", "--json"], ["status", "--no-drift"], ["status", "--json", "--no-drift"], ["check", "--no-drift"], ["upgrade", "heads"], ["upgrade", "heads", "--plan", "--json"]]) {
      const r = record(`CLI --url (wrong) ${args.join(" ")}`, await strata(["--project", root, "--url", url, ...args], { env: env() }));
      // status reports an unreachable database in its table (exit 0); the others refuse.
      expect(args[0] === "status" ? [0] : [1, 2], `${args.join(" ")}: ${r.stderr}`).toContain(r.code);
    }
    // STRATA_DEBUG=1 adds stacks to what is printed: still no password.
    for (const e of ["mywrong", "mysecret", "pgsecret"]) {
      record(`CLI STRATA_DEBUG=1 --env ${e} upgrade heads`, await strata(["--project", root, "--env", e, "upgrade", "heads"], { env: { ...env(), STRATA_DEBUG: "1" } }));
    }
    const json = record("CLI --url (wrong) --json current", await strata(["--project", root, "--url", url, "--json", "current"], { env: env() }));
    expect(json.reason).toMatch(/^strata: /);
  });

  it("a failing run on MariaDB and PostgreSQL, with the password in the URL, in an object and in ${VAR}", async () => {
    for (const e of ["mysecret", "pgsecret"]) {
      const r = record(`CLI --env ${e} upgrade heads`, await strata(["--project", root, "--env", e, "upgrade", "heads"], { env: env() }));
      expect(r.code, r.stderr).toBe(2);
      expect(r.reason).toMatch(/bb22bb22bb22/);
      expect(r.stderr).toMatch(/no_such_table_here/);
    }
    for (const e of ["mysecret", "myobject", "myvar", "pgsecret"]) {
      for (const args of [["current", "--json"], ["current"], ["upgrade", "heads", "--plan", "--json"], ["upgrade", "heads", "--sql"], ["status", "--no-drift"], ["status", "--json"], ["check", "--no-drift", "--json"]]) {
        const r = record(`CLI --env ${e} ${args.join(" ")}`, await strata(["--project", root, "--env", e, ...args], { env: env() }));
        expect(r.stderr).not.toMatch(/internal error/);
      }
    }
    const status = record("CLI status --json", await strata(["--project", root, "status", "--json", "--no-drift"], { env: env() }));
    const envs = status.json.environments as { environment: string; target: string }[];
    expect(envs.map((x) => x.environment)).toEqual(expect.arrayContaining(["pgsecret", "mysecret", "myobject", "myvar", "mywrong"]));
    for (const x of envs) expect(x.target).toContain(ROLE);
    const plain = record("CLI status", await strata(["--project", root, "status", "--no-drift"], { env: env() }));
    expect(plain.stdout).toContain(`${ROLE}@127.0.0.1:3306/${myDb}`);
  });

  it("the scan finds a password where one is: in the config the person wrote", () => {
    const config = readFileSync(path.join(root, "strata.config.json"), "utf8");
    expect(() => expectNoSecret(config, "strata.config.json")).toThrow(/holds a password/);
  });

  it("nothing the CLI printed holds a password", () => {
    expect(transcripts.length).toBeGreaterThan(30);
    for (const t of transcripts) expectNoSecret(t.text, t.where);
    scanned.outputs += transcripts.length;
  });

  it("the history tables hold the failure (MariaDB: failed, with what ran) and no password", async () => {
    const myRows = (await maria.knex("strata_history").select("*")) as Record<string, unknown>[];
    const pgRows = (await pg.knex("strata_history").select("*")) as Record<string, unknown>[];
    expect(myRows.some((r) => r.revision === "bb22bb22bb22" && r.status === "failed")).toBe(true);
    expect(myRows.length + pgRows.length).toBeGreaterThan(2);
    for (const [where, rows] of [["MariaDB strata_history", myRows], ["PostgreSQL strata_history", pgRows]] as const) {
      expectNoSecret(JSON.stringify(rows), where);
    }
    scanned.historyRows += myRows.length + pgRows.length;
  });
});

describe("passwords in saved profiles and the desktop app's service", () => {
  it("saves encrypted, answers without passwords, and keeps none in the data folder, logs or events", async () => {
    const dataDir = path.join(root, "app-data");
    mkdirSync(dataDir, { recursive: true });
    const store = new ProfileStore(path.join(dataDir, "profiles.json"), safeStorageCodec);
    expect(store.passwordStorage()).toMatchObject({ available: true });
    const service = createAppService({ host: "electron", projectRoot: root, profiles: store, recentFile: path.join(dataDir, "recent-projects.json") });
    const events: StrataEvent[] = [];
    service.events.subscribe((e) => events.push(e));
    const answers: { where: string; value: unknown }[] = [];
    const call = async <T>(where: string, p: Promise<T>): Promise<T | { error: unknown }> => {
      try {
        const v = await p;
        answers.push({ where, value: v });
        return v;
      } catch (e) {
        answers.push({ where, value: e });
        return { error: e };
      }
    };
    const h = service.handlers;
    const myProfile = await h.saveProfile({ name: "maria-profile", client: "mysql2", host: "127.0.0.1", port: 3306, user: ROLE, database: myDb, password: MY_PASSWORD }, undefined);
    const pgProfile = await h.saveProfile({ name: "pg-profile", client: "pg", host: "127.0.0.1", port: 5432, user: ROLE, database: pgDb, password: PG_PASSWORD }, undefined);
    const wrongProfile = await h.saveProfile({ name: "wrong-profile", client: "mysql2", host: "127.0.0.1", user: ROLE, database: myDb, password: WRONG_PASSWORD }, undefined);
    answers.push({ where: "saveProfile", value: [myProfile, pgProfile, wrongProfile] });
    expect(myProfile.hasPassword && pgProfile.hasPassword && wrongProfile.hasPassword).toBe(true);

    const ok = (await call("testProfile maria", h.testProfile({ id: myProfile.id }, undefined))) as { ok: boolean };
    expect(ok.ok).toBe(true);
    const refused = (await call("testProfile wrong", h.testProfile({ id: wrongProfile.id }, undefined))) as { ok: boolean; error: { code: string } | null };
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe("AUTH_FAILED");
    const draft = (await call("testProfile draft", h.testProfile({ profile: { name: "draft", client: "mysql2", host: "127.0.0.1", user: ROLE, database: myDb, password: WRONG_PASSWORD } }, undefined))) as { ok: boolean };
    expect(draft.ok).toBe(false);
    await call("listProfiles", h.listProfiles({}, undefined));
    await call("projectSummary", h.projectSummary({}, undefined));
    await call("environmentStatus", h.environmentStatus({}, undefined));
    for (const e of ["mysecret", "pgsecret", "maria-profile", "wrong-profile", "myvar"]) {
      await call(`planMigration ${e}`, h.planMigration({ environment: e, command: "upgrade", target: "heads" }, undefined));
      await call(`history ${e}`, h.history({ environment: e }, undefined));
    }
    // A run that fails, through a profile (the password decrypted in memory only).
    const ticket = await h.runMigration({ environment: "pg-profile", command: "upgrade", target: "heads" }, undefined);
    let run: { state: string } = { state: "queued" };
    for (let i = 0; i < 300 && (run.state === "queued" || run.state === "running"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await h.getRun({ runId: ticket.runId }, undefined);
    }
    expect(run.state).toBe("failed");
    await call("getRun", h.getRun({ runId: ticket.runId }, undefined));
    const wrongRun = await h.runMigration({ environment: "wrong-profile", command: "upgrade", target: "heads" }, undefined);
    for (let i = 0; i < 300 && ["queued", "running"].includes((await h.getRun({ runId: wrongRun.runId }, undefined)).state); i++) await new Promise((r) => setTimeout(r, 100));
    const wrongDone = await call("getRun wrong", h.getRun({ runId: wrongRun.runId }, undefined));
    expect(wrongDone).toMatchObject({ state: "failed", error: { code: "AUTH_FAILED" } });
    await call("listRuns", h.listRuns({}, undefined));

    for (const a of answers) expectNoSecret(JSON.stringify(a.value, (_k, v) => (v instanceof Error ? { ...v, message: v.message } : v)) ?? "", `API answer ${a.where}`);
    expectNoSecret(JSON.stringify(events), "events");
    scanned.outputs += answers.length + events.length;
    // The profiles file holds ciphertext; none of it decodes to a password in any common encoding.
    const files = scanFolder(dataDir);
    expect(files).toBeGreaterThanOrEqual(2);
    scanned.files += files;
    expect(readFileSync(path.join(dataDir, "profiles.json"), "utf8")).toContain("passwordEncrypted");
    expect((store.environment(pgProfile.id, root).knexConfig.connection as { password: string }).password).toBe(PG_PASSWORD);
  }, 120_000);
});

describe("passwords and strata serve", () => {
  it("keeps none in its data folder, its output or its answers, with a wrong password tested and a run failing", async () => {
    const dataDir = path.join(root, "serve-data");
    const serve = await startServeProcess(root, { env: { ...env(), STRATA_DATA_DIR: dataDir } });
    try {
      const { url, token } = serve;
      const post = async (call: string, body: unknown): Promise<string> => {
        const res = await fetch(`${url.origin}/api/${call}`, { method: "POST", headers: { "content-type": "application/json", "x-strata-token": token }, body: JSON.stringify(body) });
        return res.text();
      };
      const answers: [string, string][] = [];
      // strata serve has no keychain: a password is refused, and the profile is not written with it.
      answers.push(["saveProfile", await post("saveProfile", { name: "p", client: "mysql2", host: "127.0.0.1", user: ROLE, database: myDb, password: MY_PASSWORD })]);
      expect(answers[0]![1]).toContain("PASSWORD_STORAGE_UNAVAILABLE");
      answers.push(["testProfile", await post("testProfile", { profile: { name: "d", client: "mysql2", host: "127.0.0.1", user: ROLE, database: myDb, password: WRONG_PASSWORD } })]);
      expect(answers[1]![1]).toContain("AUTH_FAILED");
      answers.push(["environmentStatus", await post("environmentStatus", {})]);
      answers.push(["projectSummary", await post("projectSummary", {})]);
      for (const e of ["mysecret", "pgsecret", "mywrong", "myvar"]) {
        answers.push([`plan ${e}`, await post("planMigration", { environment: e, command: "upgrade", target: "heads" })]);
        answers.push([`history ${e}`, await post("history", { environment: e })]);
        const ticket = JSON.parse(await post("runMigration", { environment: e, command: "upgrade", target: "heads" })) as { runId?: string };
        if (ticket.runId) {
          let run = "";
          for (let i = 0; i < 300; i++) {
            run = await post("getRun", { runId: ticket.runId });
            if (!/"state":"(queued|running)"/.test(run)) break;
            await new Promise((r) => setTimeout(r, 100));
          }
          expect(run).toMatch(/"state":"failed"/);
          answers.push([`run ${e}`, run]);
        }
      }
      for (const [where, text] of answers) expectNoSecret(text, `strata serve answer ${where}`);
      scanned.outputs += answers.length;
    } finally {
      await serve.stop();
    }
    expectNoSecret(serve.output(), "strata serve output");
    scanned.outputs += 1;
    scanned.files += scanFolder(dataDir);
    // And the whole project folder: config aside (where the person wrote the URLs), nothing Strata wrote holds one.
    for (const name of readdirSync(root)) {
      if (name === "strata.config.json") continue;
      const p = path.join(root, name);
      scanned.files += statSync(p).isDirectory() ? scanFolder(p) : (expectNoSecret(readFileSync(p, "utf8"), p), 1);
    }
  }, 180_000);
});
