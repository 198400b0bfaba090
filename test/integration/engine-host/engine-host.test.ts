// The desktop app's engine process (issue 18) over its message protocol, under plain Node: main's
// side (EngineProcess) talks to a real forked engine host running the real engine.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiEnvelope, MigrationPlanDto, ProjectSummaryDto, RunTicketDto, StrataEvent } from "../../../shared/api.js";
import type { SecretCodec } from "../../../electron/engine/app-session/profile-store.js";
import { EngineProcess } from "../../../electron/main/engine-process.js";
import type { EngineInit } from "../../../electron/engine-host/protocol.js";
import { TEST_CLIENTS } from "../../helpers/databases.js";
import { forkEngineHost } from "../../helpers/engine-host-process.js";
import type { ForkedEngine } from "../../helpers/engine-host-process.js";
import { createProjectDatabase, removeProjectDatabase } from "../../helpers/project-database.js";

const REVISIONS = [
  { revision: "aaaaaaaaaaaa", downRevision: null, message: "create accounts", up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("accounts");` },
  { revision: "bbbbbbbbbbbb", downRevision: "aaaaaaaaaaaa", message: "add email", up: `await knex.schema.alterTable("accounts", (t) => { t.string("email"); });`, down: `await knex.schema.alterTable("accounts", (t) => { t.dropColumn("email"); });` },
];

/** main's safeStorage, as a reversible stand-in that records what it was asked (the engine process never holds the key). */
function recordingCodec(): SecretCodec & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    storage: () => ({ available: true, backend: "test", reason: null }),
    encrypt: (plain) => {
      asked.push(`encrypt:${plain}`);
      return Buffer.from(`sealed:${plain}`).toString("base64");
    },
    decrypt: (stored) => {
      asked.push(`decrypt:${stored}`);
      const text = Buffer.from(stored, "base64").toString();
      if (!text.startsWith("sealed:")) throw Object.assign(new Error("bad"), { code: "PASSWORD_STORAGE_UNAVAILABLE", message: "a saved password cannot be decrypted on this machine or account; edit the profile and type it again" });
      return text.slice("sealed:".length);
    },
  };
}

interface Harness {
  readonly engine: EngineProcess;
  readonly events: StrataEvent[];
  readonly children: ForkedEngine[];
  readonly codec: ReturnType<typeof recordingCodec>;
  readonly userData: string;
  call<T>(call: Parameters<EngineProcess["call"]>[0], payload?: unknown): Promise<T>;
  nextEvent(match: (e: StrataEvent) => boolean, timeoutMs?: number): Promise<StrataEvent>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function harness(init: Partial<Omit<EngineInit, "passwordStorage">> = {}): Harness {
  const userData = mkdtempSync(path.join(os.tmpdir(), "strata-engine-host-"));
  const events: StrataEvent[] = [];
  const waiters: { match: (e: StrataEvent) => boolean; resolve: (e: StrataEvent) => void }[] = [];
  const children: ForkedEngine[] = [];
  const codec = recordingCodec();
  const engine = new EngineProcess({
    spawn: () => {
      const c = forkEngineHost();
      children.push(c);
      return c;
    },
    codec,
    init: { projectRoot: null, userData, demo: false, openRecent: false, sqliteNativeBinding: null, ...init },
    onEvent: (e) => {
      events.push(e);
      for (const w of [...waiters]) {
        if (w.match(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    },
    restartWindowMs: 60_000,
  });
  engine.start();
  cleanups.push(() => {
    engine.stop();
    rmSync(userData, { recursive: true, force: true });
  });
  return {
    engine,
    events,
    children,
    codec,
    userData,
    async call<T>(call: Parameters<EngineProcess["call"]>[0], payload: unknown = {}): Promise<T> {
      const out = await engine.call(call, payload);
      if (!out.ok) throw new Error(`${call} failed: ${out.error.code}: ${out.error.message}`);
      return out.value as T;
    },
    nextEvent(match, timeoutMs = 20_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such event within ${timeoutMs} ms; saw ${events.map((e) => e.type).join(", ")}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

describe.each(TEST_CLIENTS)("the engine process on %s", (client) => {
  it("answers projectSummary, plans, and runs with its events pushed back to main", async () => {
    const { db, dir } = await createProjectDatabase(client, REVISIONS);
    cleanups.push(() => removeProjectDatabase(db, dir));
    const h = harness({ projectRoot: dir });

    const summary = await h.call<ProjectSummaryDto>("projectSummary");
    expect(summary.revisions.map((r) => r.id)).toEqual(["bbbbbbbbbbbb", "aaaaaaaaaaaa"]);
    expect(summary.environments.map((e) => e.name)).toEqual(["dev"]);

    const plan = await h.call<MigrationPlanDto>("planMigration", { environment: "dev", command: "upgrade", target: "heads" });
    expect(plan.steps.map((s) => [s.revision, s.direction])).toEqual([
      ["aaaaaaaaaaaa", "up"],
      ["bbbbbbbbbbbb", "up"],
    ]);
    expect(plan.headsAfter).toEqual(["bbbbbbbbbbbb"]);

    const ticket = await h.call<RunTicketDto>("runMigration", { environment: "dev", command: "upgrade", target: "heads" });
    const finished = await h.nextEvent((e) => e.type === "run-finished" && e.runId === ticket.runId);
    expect(finished).toMatchObject({ type: "run-finished", result: { heads: ["bbbbbbbbbbbb"] } });
    const mine = h.events.filter((e) => "runId" in e && e.runId === ticket.runId).map((e) => e.type);
    expect(mine).toEqual(expect.arrayContaining(["run-started", "step-done", "run-finished"]));
    expect(mine.filter((t) => t === "step-done")).toHaveLength(2);
    expect(await db.knex.schema.hasColumn("accounts", "email")).toBe(true);
    expect(h.events.some((e) => e.type === "project-changed" && e.reason === "environment-changed")).toBe(true);
  });

  it("sends an engine error back as {code, message} and a malformed request as INVALID_REQUEST", async () => {
    const { db, dir } = await createProjectDatabase(client, REVISIONS);
    cleanups.push(() => removeProjectDatabase(db, dir));
    const h = harness({ projectRoot: dir });
    const unknown = await h.engine.call("planMigration", { environment: "dev", command: "upgrade", target: "cafecafecafe" });
    expect(unknown).toMatchObject({ ok: false, error: { code: "TARGET_UNKNOWN" } });
    if (!unknown.ok) expect(unknown.error.message).toMatch(/cafecafecafe/);
    const bad = await h.engine.call("planMigration", { environment: "dev", command: "delete-everything", target: "heads" });
    expect(bad).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    if (!bad.ok) expect(bad.error.message).toMatch(/^planMigration: command: /);
    // Nothing ran: the database has no table of the project.
    expect(await db.knex.schema.hasTable("accounts")).toBe(false);
  });

  it("reports a crash to the window, restarts, and answers the next call on the project that was open", async () => {
    const { db, dir } = await createProjectDatabase(client, REVISIONS);
    cleanups.push(() => removeProjectDatabase(db, dir));
    const h = harness();
    await h.call("openProject", { root: dir });
    const first = h.children[0]!;
    first.process.kill("SIGKILL");
    const lost = (await h.engine.call("projectSummary", {})) as ApiEnvelope<unknown>;
    expect(lost).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
    if (!lost.ok) expect(lost.error.message).toBe("projectSummary: the engine process was killed during this request; it was restarted: try again");
    const notice = await h.nextEvent((e) => e.type === "engine-restarted");
    expect(notice).toMatchObject({ type: "engine-restarted", restarted: true });
    if (notice.type === "engine-restarted") expect(notice.message).toMatch(/^Strata's engine process was killed and was restarted/);
    expect(h.children).toHaveLength(2);
    const again = await h.call<ProjectSummaryDto>("projectSummary");
    expect(again.root).toBe(dir);
    expect(again.revisions).toHaveLength(2);
    const plan = await h.call<MigrationPlanDto>("planMigration", { environment: "dev", command: "upgrade", target: "heads" });
    expect(plan.steps).toHaveLength(2);
  });
});

describe("the engine process and main's safeStorage", () => {
  it("asks main to encrypt a saved password and to decrypt it when it connects; the file holds no plain text", async () => {
    const h = harness();
    const saved = await h.call<{ id: string; hasPassword: boolean }>("saveProfile", { name: "local pg", client: "pg", host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres", password: "s3cret-pw" });
    expect(saved.hasPassword).toBe(true);
    expect(h.codec.asked).toEqual(["encrypt:s3cret-pw"]);
    const file = readFileSync(path.join(h.userData, "profiles.json"), "utf8");
    expect(file).not.toContain("s3cret-pw");
    expect(file).toContain(Buffer.from("sealed:s3cret-pw").toString("base64"));
    const listed = await h.call<{ profiles: unknown[] }>("listProfiles");
    expect(JSON.stringify(listed)).not.toContain("s3cret-pw");
    const tested = await h.call<{ ok: boolean; message: string }>("testProfile", { id: saved.id });
    expect(tested).toMatchObject({ ok: true });
    expect(tested.message).toMatch(/^connected to /);
    expect(h.codec.asked).toContain(`decrypt:${Buffer.from("sealed:s3cret-pw").toString("base64")}`);
  });

  it("makes and opens the demo project in the engine process, where its SQLite migrations run", async () => {
    const h = harness();
    const opened = await h.engine.openDemo();
    expect(opened.ok, JSON.stringify(opened)).toBe(true);
    const summary = await h.call<ProjectSummaryDto>("projectSummary");
    expect(summary.root).toBe(path.join(h.userData, "demo"));
    expect(summary.revisions.length).toBeGreaterThan(3);
  });
});

describe("the engine process loads better-sqlite3 from the binding main gives it", () => {
  const NODE_BUILD = path.resolve(__dirname, "../../../node_modules/better-sqlite3/build/Release/better_sqlite3.node");

  it("connects with the binding it was given", async () => {
    const { db, dir } = await createProjectDatabase("better-sqlite3", REVISIONS);
    cleanups.push(() => removeProjectDatabase(db, dir));
    const h = harness({ projectRoot: dir, sqliteNativeBinding: NODE_BUILD });
    const ticket = await h.call<RunTicketDto>("runMigration", { environment: "dev", command: "upgrade", target: "heads" });
    await h.nextEvent((e) => e.type === "run-finished" && e.runId === ticket.runId);
    expect(await db.knex.schema.hasColumn("accounts", "email")).toBe(true);
  });

  it("fails a SQLite connection in one line naming the binding when that file is not there", async () => {
    const { db, dir } = await createProjectDatabase("better-sqlite3", REVISIONS);
    cleanups.push(() => removeProjectDatabase(db, dir));
    const missing = path.join(os.tmpdir(), "no-such-electron-build", "better_sqlite3.node");
    const h = harness({ projectRoot: dir, sqliteNativeBinding: missing });
    const plan = await h.engine.call("runMigration", { environment: "dev", command: "upgrade", target: "heads" });
    const failed = plan.ok ? await h.nextEvent((e) => e.type === "run-failed") : null;
    const error = plan.ok ? (failed as Extract<StrataEvent, { type: "run-failed" }>).error : plan.error;
    expect(error.code).toBe("CONNECTION_FAILED");
    expect(error.message).toContain("no-such-electron-build");
    expect(error.message).not.toContain("\n");
  });
});
