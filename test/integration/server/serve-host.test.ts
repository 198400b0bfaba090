import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { StrataEvent } from "../../../shared/api.js";
import { createHttpApi } from "../../../shared/http-client.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import type { ServeSession } from "../../../electron/server/serve-app.js";
import { closeDemoProject, serveDemoProject, type ServedDemo } from "../../helpers/demo-serve.js";
import { rawRequest, upgradeStatus } from "../../helpers/host-requests.js";

let demo: ServedDemo | undefined;
let dir: string;
let session: ServeSession;
let port: number;
let token: string;
const SECRET = "top secret file outside the renderer folder";

beforeAll(async () => {
  demo = await serveDemoProject("strata-serve-", {
    "index.html": "<!doctype html><title>Strata</title><div id=root></div>",
    "assets/app.js": "console.log('strata');",
  });
  ({ dir, session } = demo);
  await writeFile(path.join(dir, "secret.txt"), SECRET);
  port = session.host.port;
  token = session.host.token;
});

afterAll(() => closeDemoProject(demo));

const json = { "content-type": "application/json" };
const own = (): Record<string, string> => ({ host: `127.0.0.1:${port}` });

describe("strata serve refuses whoever lacks the token, the Host or the Origin", () => {
  it("prints a URL on 127.0.0.1 with a long random token", () => {
    expect(session.host.url).toBe(`http://127.0.0.1:${port}/?token=${token}`);
    expect(token.length).toBeGreaterThanOrEqual(32);
  });

  it("refuses an API call without a token (401)", async () => {
    const r = await rawRequest(port, "POST", "/api/projectSummary", { ...own(), ...json }, "{}");
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ code: "UNAUTHORIZED" });
    expect(r.body).not.toContain("environments");
  });

  it("refuses an API call with a wrong token, in either header (401)", async () => {
    const wrong = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    const headers: Record<string, string>[] = [{ "x-strata-token": wrong }, { authorization: `Bearer ${wrong}` }, { "x-strata-token": "short" }];
    for (const header of headers) {
      const r = await rawRequest(port, "POST", "/api/projectSummary", { ...own(), ...json, ...header }, "{}");
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).code).toBe("UNAUTHORIZED");
    }
  });

  it("does not take the token from the query string of an API call", async () => {
    const r = await rawRequest(port, "POST", `/api/projectSummary?token=${token}`, { ...own(), ...json }, "{}");
    expect(r.status).toBe(401);
  });

  it("refuses a foreign Host even with the right token (403, DNS rebinding)", async () => {
    for (const host of [`evil.example:${port}`, "127.0.0.1", `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`]) {
      const r = await rawRequest(port, "POST", "/api/projectSummary", { host, ...json, "x-strata-token": token }, "{}");
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.body).code).toBe("FORBIDDEN");
    }
    const page = await rawRequest(port, "GET", "/", { host: `evil.example:${port}` });
    expect(page.status).toBe(403);
  });

  it("refuses a foreign Origin even with the right token (403)", async () => {
    for (const origin of ["https://evil.example", `http://localhost:${port}`, "null", `http://127.0.0.1:${port + 1}`]) {
      const r = await rawRequest(port, "POST", "/api/projectSummary", { ...own(), origin, ...json, "x-strata-token": token }, "{}");
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body).code).toBe("FORBIDDEN");
    }
  });

  it("accepts localhost as the Host and the server's own Origin", async () => {
    const r = await rawRequest(port, "POST", "/api/appInfo", { host: `localhost:${port}`, origin: `http://localhost:${port}`, ...json, authorization: `Bearer ${token}` }, "{}");
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ host: "browser" });
  });

  it("serves no file outside the renderer folder, however the path is spelled", async () => {
    for (const p of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/%2e%2e%5csecret.txt", "/....//secret.txt"]) {
      const r = await rawRequest(port, "GET", p, own());
      expect(r.body, p).not.toContain(SECRET);
      expect(r.status, p).not.toBe(500);
    }
  });

  it("refuses a malformed payload with 400 and the field at fault", async () => {
    const r = await rawRequest(port, "POST", "/api/planMigration", { ...own(), ...json, "x-strata-token": token }, JSON.stringify({ environment: 3, command: "sideways" }));
    expect(r.status).toBe(400);
    const e = JSON.parse(r.body);
    expect(e.code).toBe("INVALID_REQUEST");
    expect(e.message).toMatch(/^planMigration: environment: /);
    expect(e.details.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(["environment", "command", "target"]));
    const notJson = await rawRequest(port, "POST", "/api/planMigration", { ...own(), ...json, "x-strata-token": token }, "{not json");
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).code).toBe("INVALID_REQUEST");
  });

  it("refuses a form post (not JSON), an unknown call and a GET on the API", async () => {
    const form = await rawRequest(port, "POST", "/api/appInfo", { ...own(), "content-type": "application/x-www-form-urlencoded", "x-strata-token": token }, "a=1");
    expect(form.status).toBe(415);
    const unknown = await rawRequest(port, "POST", "/api/dropEverything", { ...own(), ...json, "x-strata-token": token }, "{}");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).code).toBe("NOT_FOUND");
    const get = await rawRequest(port, "GET", "/api/appInfo", { ...own(), "x-strata-token": token });
    expect(get.status).toBe(405);
  });

  it("refuses the event stream without the token, with a wrong one, or from a foreign Origin", async () => {
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events`)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=nope`)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=${token}`, { origin: "https://evil.example" })).toBe(403);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=${token}`, { host: `evil.example:${port}` })).toBe(403);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=${token}`)).toBe(101);
  });

  it("serves the renderer with content types and a CSP", async () => {
    const page = await rawRequest(port, "GET", "/", own());
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    const js = await rawRequest(port, "GET", "/assets/app.js", own());
    expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
    // A client-side route falls back to the page.
    const route = await rawRequest(port, "GET", "/revisions/abc", own());
    expect(route.body).toContain("<title>Strata</title>");
  });
});

describe("strata serve runs the API for the page that has the token", () => {
  it("answers the project summary of the demo: environments and the revision graph", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token, { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    const s = await api.projectSummary();
    expect(s.environments.map((e) => [e.name, e.protected, e.color])).toEqual([
      ["dev", false, "#2a9d8f"],
      ["prod", true, "#d33"],
    ]);
    expect(s.revisions).toHaveLength(7);
    expect(s.heads).toEqual(["e4b1d8c3a7f2"]);
    expect(s.mergePoints).toEqual(["c2e9a7b4f6d0"]);
    expect(s.branchPoints).toEqual(["1c0a5e7f3b21"]);
    const audit = s.revisions.find((r) => r.id === "b5f6d3a2e1c8")!;
    expect(audit).toMatchObject({ branchLabels: ["audit"], dependsOn: ["4d9b2c60e8a3"] });
    // Parents are indexes into the list, newest first: the merge above it names it.
    const merge = s.revisions.find((r) => r.id === "c2e9a7b4f6d0")!;
    expect(merge.parents.map((i) => s.revisions[i]!.id)).toContain("b5f6d3a2e1c8");
    expect(merge.parents.every((i) => i > s.revisions.indexOf(merge))).toBe(true);
    expect(audit.file).toMatch(/^[^/]+\.ts$/);
    expect(JSON.stringify(s)).not.toMatch(/password/i);
  });

  it("refuses to upgrade the protected environment without its name, then runs it with events over the WebSocket", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token, { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    const plan = await api.planMigration({ environment: "prod", command: "upgrade", target: "heads" });
    expect(plan).toMatchObject({ protected: true, headsBefore: ["c2e9a7b4f6d0"], headsAfter: ["e4b1d8c3a7f2"] });
    expect(plan.steps.map((st) => st.revision)).toEqual(["e4b1d8c3a7f2"]);
    expect(plan.sql).toContain("alter table `orders` add column `status`");

    const refused = await api.runMigration({ environment: "prod", command: "upgrade", target: "heads", confirmName: "dev" }).catch(asErrorShape);
    expect(refused).toMatchObject({ code: "CONFIRMATION_REQUIRED" });
    expect((refused as { message: string }).message).toContain('type "prod"');

    const events: StrataEvent[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const unsubscribe = api.onEvent((e) => {
      events.push(e);
      if (e.type === "run-finished" || e.type === "run-failed") finished();
    });
    // Let the socket open before the run starts.
    await new Promise((r) => setTimeout(r, 200));
    const ticket = await api.runMigration({ environment: "prod", command: "upgrade", target: "heads", confirmName: "prod" });
    await done;
    unsubscribe();
    const mine = events.filter((e) => "runId" in e && e.runId === ticket.runId).map((e) => e.type);
    expect(mine).toEqual(expect.arrayContaining(["run-queued", "run-started", "step-started", "step-done", "log", "run-finished"]));
    expect(mine.indexOf("step-started")).toBeLessThan(mine.indexOf("step-done"));
    expect(mine[mine.length - 1]).toBe("run-finished");
    const run = await api.getRun({ runId: ticket.runId });
    expect(run).toMatchObject({ state: "succeeded", result: { heads: ["e4b1d8c3a7f2"] } });

    const status = await api.environmentStatus();
    const prod = status.environments.find((e) => e.environment.name === "prod")!;
    expect(prod).toMatchObject({ heads: ["e4b1d8c3a7f2"], pending: [], error: null });
    expect(prod.lastRun).toMatchObject({ revision: "e4b1d8c3a7f2", direction: "up", status: "succeeded" });
  });

  it("shows a revision's code, its checksum in each environment and its SQL", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const d = await api.revisionDetail({ revision: "a8c4", environment: "dev" });
    expect(d.revision).toMatchObject({ revision: "a8c4e2d17b90", downRevisions: ["7e31f0a9c4d5"], children: ["c2e9a7b4f6d0"] });
    expect(d.upSource).toContain('t.date("due_on")');
    expect(d.downSource).toContain('t.dropColumn("due_on")');
    expect(d.environments.map((e) => [e.environment, e.checksum])).toEqual([
      ["dev", "matches"],
      ["prod", "matches"],
    ]);
    expect(d.upSql?.sql).toContain("add column `due_on` date");
    expect(d.downSql?.sql).toContain("DROP TABLE");
  });

  it("lists history newest first with failures first, filtered", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const h = await api.history({ environment: "dev" });
    expect(h.rows[0]).toMatchObject({ revision: "e4b1d8c3a7f2", status: "succeeded" });
    const filtered = await api.history({ environment: "dev", search: "invoices" });
    expect(filtered.rows.map((r) => r.revision).sort()).toEqual(["7e31f0a9c4d5", "a8c4e2d17b90"]);
    const unknown = await api.history({ environment: "staging" }).catch(asErrorShape);
    expect(unknown).toMatchObject({ code: "ENV_UNKNOWN" });
  });

  it("creates a revision on the head and shows it in the graph", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const c = await api.createRevision({ message: "add notes to customers" });
    expect(c.downRevisions).toEqual(["e4b1d8c3a7f2"]);
    expect(c.file).toMatch(/^migrations\/.*add_notes_to_customers\.ts$/);
    expect(c.source).toContain('export const message = "add notes to customers"');
    const s = await api.projectSummary();
    expect(s.heads).toEqual([c.revision]);
  });

  it("refuses to save a password it cannot encrypt, and never returns one", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const refused = await api.saveProfile({ name: "staging", client: "pg", host: "127.0.0.1", user: "postgres", database: "app", password: "hunter2" }).catch(asErrorShape);
    expect(refused).toMatchObject({ code: "PASSWORD_STORAGE_UNAVAILABLE" });
    const saved = await api.saveProfile({ name: "staging", client: "pg", host: "127.0.0.1", user: "postgres", database: "postgres" });
    expect(saved).toMatchObject({ hasPassword: false, displayTarget: "postgres@127.0.0.1:5432/postgres" });
    const list = await api.listProfiles();
    expect(list.passwordStorage.available).toBe(false);
    expect(JSON.stringify(list)).not.toContain("hunter2");
    const tested = await api.testProfile({ id: saved.id });
    expect(tested.ok).toBe(true);
    const summary = await api.projectSummary();
    expect(summary.environments.map((e) => e.name)).toContain("staging");
    expect((await api.removeProfile({ id: saved.id })).removed).toBe(true);
  });

  it("finds the drift made by hand on prod, and compares two sources", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const status = await api.environmentStatus({ environments: ["prod", "dev"], drift: true });
    const prod = status.environments.find((e) => e.environment.name === "prod")!;
    expect(prod.drift.state).toBe("drifted");
    expect(prod.drift.changes.map((c) => [c.table, c.kind, c.object])).toContainEqual(["customers", "add-column", "loyalty_tier"]);
    const dev = status.environments.find((e) => e.environment.name === "dev")!;
    expect(dev.drift.state).toBe("none");

    const diff = await api.schemaDiff({ from: "dev", to: "prod" });
    expect(diff.identical).toBe(false);
    const added = diff.changes.find((c) => c.object === "loyalty_tier")!;
    expect(added).toMatchObject({ table: "customers", kind: "add-column", objectType: "column", destructive: false });
    expect(added.sql).toMatch(/loyalty_tier/);
    expect(added.knexUp).toMatch(/loyalty_tier/);
  });

  it("takes a saved profile as a diff source, as it lists it", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const saved = await api.saveProfile({ name: "prod-copy", client: "better-sqlite3", filename: "prod.sqlite3" });
    try {
      const sources = await api.diffSources();
      expect(sources.sources.map((s) => s.id)).toContain("prod-copy");
      const diff = await api.schemaDiff({ from: "dev", to: "prod-copy" });
      expect(diff.to).toBe("prod-copy");
      expect(diff.changes.map((c) => [c.table, c.kind, c.object])).toContainEqual(["customers", "add-column", "loyalty_tier"]);
      const unknown = await api.schemaDiff({ from: "dev", to: "no-such-profile" }).catch(asErrorShape);
      expect(unknown).toMatchObject({ code: "SOURCE_UNKNOWN" });
    } finally {
      await api.removeProfile({ id: saved.id });
    }
  });

  it("autogenerates a revision from the difference between the migrations and prod", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const before = await api.projectSummary();
    const made = await api.createRevision({ message: "adopt loyalty tier", autogenerate: { to: "prod" } });
    expect(made.downRevisions).toEqual(before.heads);
    expect(made.source).toContain("loyalty_tier");
    expect(made.changes.map((c) => c.object)).toContain("loyalty_tier");
  });

  it("stamps only with the protected environment's name typed", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token);
    const refused = await api.stamp({ environment: "prod", targets: ["c2e9a7b4f6d0"] }).catch(asErrorShape);
    expect(refused).toMatchObject({ code: "CONFIRMATION_REQUIRED" });
    expect((await api.environmentStatus({ environments: ["prod"] })).environments[0]!.heads).toEqual(["e4b1d8c3a7f2"]);
  });

  // Last: it leaves a head that cannot be built.
  it("reports a failing revision as run-failed with its error, and lists the failure first in the history", async () => {
    const api = createHttpApi(`http://127.0.0.1:${port}`, token, { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    const broken = await api.createRevision({ message: "broken revision" });
    const file = path.join(dir, "project", broken.file);
    await writeFile(file, broken.source.replace("// Write the schema change here, e.g. await knex.schema.createTable(...).", 'await knex.raw("select * from no_such_table");'));
    const events: StrataEvent[] = [];
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const off = api.onEvent((e) => {
      events.push(e);
      if (e.type === "run-failed" || e.type === "run-finished") ended();
    });
    await new Promise((r) => setTimeout(r, 200));
    // A revision that reads a table cannot be checked offline: the app runs it only once that is ticked (issue 14).
    const ticket = await api.runMigration({ environment: "dev", command: "upgrade", target: "heads", acknowledgedLoss: true });
    await done;
    off();
    const failed = events.find((e) => e.type === "run-failed" && e.runId === ticket.runId);
    expect(failed).toMatchObject({ error: { code: "REVISION_FAILED" } });
    expect(JSON.stringify(failed)).toContain(broken.revision);
    const h = await api.history({ environment: "dev" });
    expect(h.rows[0]).toMatchObject({ revision: broken.revision, status: "failed" });
    expect(h.rows[0]!.error).toMatch(/no_such_table/);
    expect((await api.history({ environment: "dev", failuresFirst: false, status: "succeeded" })).rows.every((r) => r.status === "succeeded")).toBe(true);
  });
});
