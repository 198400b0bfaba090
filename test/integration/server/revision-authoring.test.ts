/**
 * Issue 19 points 2 and 3, through the service the app calls (payloads parsed as at the host
 * boundary): the autogenerate preview writes nothing; the selected changes, and only those,
 * are written, and up/down agree (judged by the database's own catalog after a real upgrade and
 * downgrade); an environment on two heads gets a merge; a revision nothing used can be deleted,
 * anything else is refused with one line and the file stays.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiCall, ApiRequest, ApiResponses } from "../../../shared/api.js";
import type { ErrorShape } from "../../../shared/errors.js";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { createAppService, type AppService } from "../../../electron/engine/app-session/app-service.js";
import { dispatch } from "../../../electron/engine/app-session/api-dispatch.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../../electron/engine/app-session/profile-store.js";
import { callService } from "../../helpers/browser-service.js";
import { createSchemaDiffPort } from "../../../electron/engine/app-session/schema-diff-port.js";
import { createTestDatabase, describeColumns, envEntry, TEST_CLIENTS, versionHeads } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject, writeRevision } from "../../helpers/strata-cli.js";
import { A1, AUTHORING_REVISIONS, B2, C3, changeByHand, SIDE_HEAD } from "../../helpers/authoring-fixtures.js";


const ADD_EMAIL = "add-column|accounts|column email";
const CREATE_NOTES = "create-table|notes|";
const DROP_INVOICES = "drop-table|invoices|";

describe.each(TEST_CLIENTS)("creating revisions from the app on %s", (client: DbClient) => {
  let dev: TestDatabase;
  let stage: TestDatabase;
  let dir: string;
  let service: AppService;

  beforeEach(async () => {
    dev = await createTestDatabase(client);
    stage = await createTestDatabase(client);
    dir = writeProject({ environments: { dev: envEntry(dev), stage: envEntry(stage) }, revisions: AUTHORING_REVISIONS });
    service = createAppService({
      host: "browser",
      projectRoot: dir,
      profiles: new ProfileStore(path.join(dir, ".profiles.json"), NO_PASSWORD_STORAGE),
      recentFile: null,
      schemaDiff: createSchemaDiffPort(),
    });
  });
  afterEach(async () => {
    service.close();
    await dev.drop();
    await stage.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = <K extends ApiCall>(name: K, payload: ApiRequest<K>): Promise<ApiResponses[K]> => callService(service, name, payload);
  async function refusal<K extends ApiCall>(name: K, payload: ApiRequest<K>): Promise<ErrorShape> {
    const r = await dispatch(service.handlers, name, payload, undefined);
    if (r.ok) throw new Error(`${name} was not refused`);
    return r.error;
  }
  const files = (): string[] => fs.readdirSync(path.join(dir, "migrations")).sort();
  const cli = async (...args: string[]) => {
    const r = await strata(args, { cwd: dir });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  /** dev is upgraded, then changed by hand the way a developer changes a dev database. */
  async function devChangedByHand(): Promise<void> {
    await cli("--env", "dev", "upgrade", "heads");
    await changeByHand(dev.knex);
  }

  it("previews every change on the environment's own heads, writes nothing, and re-renders a selection from the same read", async () => {
    await devChangedByHand();
    const before = files();
    const preview = await call("previewRevision", { to: "dev" });
    expect(preview.base).toEqual({ parents: [B2], from: "environment", environment: "dev", notHeads: [] });
    expect(preview.changes.map((c) => c.key).sort()).toEqual([ADD_EMAIL, CREATE_NOTES, DROP_INVOICES].sort());
    expect(preview.changes.find((c) => c.key === DROP_INVOICES)).toMatchObject({ destructive: true, selected: true });
    expect(preview.changes.find((c) => c.key === ADD_EMAIL)).toMatchObject({ destructive: false, summary: expect.stringMatching(/^add column email varchar\(200\)/) });
    expect(preview.upCode).toMatch(/dropTable\("invoices"\)/);
    expect(preview.upCode).toMatch(/createTable\("notes"/);
    expect(files()).toEqual(before);

    const some = await call("previewRevision", { to: "dev", previewId: preview.previewId, selectedChanges: [ADD_EMAIL, CREATE_NOTES] });
    expect(some.previewId).toBe(preview.previewId);
    expect(some.changes.filter((c) => c.selected).map((c) => c.key).sort()).toEqual([ADD_EMAIL, CREATE_NOTES].sort());
    expect(some.upCode).not.toMatch(/invoices/);
    expect(some.upCode).toMatch(/2 of the 3 differences/);
    expect(some.downCode).toMatch(/dropTable\("notes"\)/);
    // SQLite drops a column by rebuilding the table from its definition without it.
    expect(some.downCode).toMatch(client === "better-sqlite3" ? /drop column email .* accounts is rebuilt/ : /dropColumn\("email"\)/);
    expect(some.downCode).not.toMatch(/invoices/);
    expect(files()).toEqual(before);
  });

  it("writes only the selected changes; a real upgrade and downgrade of another database do exactly those, by its catalog", async () => {
    await devChangedByHand();
    await cli("--env", "stage", "upgrade", "heads");
    const stageBefore = await describeColumns(stage.knex, client, ["strata_version", "strata_history"]);
    const made = await call("createRevision", { message: "email and notes", parents: [B2], autogenerate: { to: "dev" }, selectedChanges: [ADD_EMAIL, CREATE_NOTES] });
    expect(made.downRevisions).toEqual([B2]);
    expect(made.changes.map((c) => c.kind).sort()).toEqual(["add-column", "create-table"]);
    expect(made.source).toContain(`export const downRevision: string | string[] | null = "${B2}";`);
    expect(made.source).not.toMatch(/invoices/);

    await cli("--env", "stage", "upgrade", "heads");
    const after = await describeColumns(stage.knex, client, ["strata_version", "strata_history"]);
    expect(after).toEqual([...stageBefore, "accounts.email", "notes.body", "notes.id"].sort());
    expect(await versionHeads(stage)).toEqual([made.revision]);
    await cli("--env", "stage", "downgrade", "-1");
    expect(await describeColumns(stage.knex, client, ["strata_version", "strata_history"])).toEqual(stageBefore);
  });

  it("gives each change its own SQL on the dialect, from the same read: each runs alone on a database at the parent, and the drop is marked as a loss", async () => {
    await devChangedByHand();
    await cli("--env", "stage", "upgrade", "heads");
    const preview = await call("previewRevision", { to: "dev" });
    const sql = (key: string): string => preview.changes.find((c) => c.key === key)!.sql;
    const quoted = client === "pg" ? (n: string) => `"${n}"` : (n: string) => `\`${n}\``;
    expect(sql(ADD_EMAIL)).toContain(`alter table ${quoted("accounts")} add ${client === "mysql2" ? "" : "column "}${quoted("email")} varchar(200)`);
    expect(sql(CREATE_NOTES)).toMatch(new RegExp(`^create table ${quoted("notes")}`));
    expect(sql(CREATE_NOTES)).not.toMatch(/accounts|invoices/);
    expect(sql(DROP_INVOICES)).toBe(`drop table ${quoted("invoices")};`);
    expect(preview.changes.find((c) => c.key === DROP_INVOICES)!.losses).toEqual([{ statement: `drop table ${quoted("invoices")}`, reason: expect.stringMatching(/^drops table invoices/) }]);
    expect(preview.changes.find((c) => c.key === ADD_EMAIL)!.losses).toEqual([]);
    // A re-render of a selection keeps each change's SQL: it is no second read.
    const again = await call("previewRevision", { to: "dev", previewId: preview.previewId, selectedChanges: [ADD_EMAIL] });
    expect(again.changes.map((c) => c.sql)).toEqual(preview.changes.map((c) => c.sql));
    // Run alone on stage (at the parent), each makes its change and nothing else, by the database's catalog.
    const stageBefore = await describeColumns(stage.knex, client, ["strata_version", "strata_history"]);
    for (const statement of sql(ADD_EMAIL).split(/;\n/)) await stage.knex.raw(statement.replace(/;$/, ""));
    expect(await describeColumns(stage.knex, client, ["strata_version", "strata_history"])).toEqual([...stageBefore, "accounts.email"].sort());
    await stage.knex.raw(sql(DROP_INVOICES).replace(/;$/, ""));
    expect(await describeColumns(stage.knex, client, ["strata_version", "strata_history"])).toEqual([...stageBefore, "accounts.email"].filter((c) => !c.startsWith("invoices.")).sort());
  });

  it("from a schema diff whose left side is an environment: its heads are the parents, each change it listed is writable or said to be drift", async () => {
    await devChangedByHand();
    await cli("--env", "stage", "upgrade", "heads");
    // stage drifts from its migrations: a column no revision made, and the notes table dev has, made by hand.
    await stage.knex.schema.alterTable("accounts", (t) => t.string("nickname", 40).nullable());
    await stage.knex.schema.createTable("notes", (t) => {
      t.increments("id");
      t.text("body");
    });
    const diff = await call("schemaDiff", { from: "stage", to: "dev" });
    const listed = diff.changes.map((c) => c.key!).sort();
    const DROP_NICKNAME = "drop-column|accounts|column nickname";
    expect(listed).toEqual([ADD_EMAIL, DROP_INVOICES, DROP_NICKNAME].sort());

    const preview = await call("previewRevision", { to: "dev", from: "stage" });
    expect(preview.base).toEqual({ parents: [B2], from: "environment", environment: "stage", notHeads: [] });
    expect(preview.left).toEqual({ environment: "stage", atItsHeads: true, notWritable: [{ key: DROP_NICKNAME, table: "accounts", summary: expect.stringMatching(/^drop column nickname varchar\(40\)/), destructive: true, instead: [] }] });
    expect(preview.changes.map((c) => [c.key, c.leftAlready]).sort()).toEqual([[ADD_EMAIL, false], [CREATE_NOTES, true], [DROP_INVOICES, false]].sort());
    const writable = listed.filter((k) => preview.changes.some((c) => c.key === k));
    expect(writable.sort()).toEqual([ADD_EMAIL, DROP_INVOICES].sort());

    // What the schema diff listed and the migrations can make is written; stage then runs it, and the diff keeps only the drift.
    const made = await call("createRevision", { message: "match dev", parents: [...preview.base.parents], autogenerate: { to: "dev" }, selectedChanges: writable });
    expect(made.source).not.toMatch(/notes|nickname/);
    await cli("--env", "stage", "upgrade", "heads");
    expect(await versionHeads(stage)).toEqual([made.revision]);
    const after = await call("schemaDiff", { from: "stage", to: "dev" });
    expect(after.changes.map((c) => c.key)).toEqual([DROP_NICKNAME]);
    // A left side that is not an environment has no heads: refused in one line.
    const refused = await refusal("previewRevision", { to: "dev", from: "migrations" });
    expect(refused.message).toBe(`the revision starts from "migrations" only when it is an environment; leave "from" out and choose the parent instead`);
  });

  it("refuses a selection the schema no longer has, and an empty message, writing nothing", async () => {
    await devChangedByHand();
    const before = files();
    const gone = await refusal("createRevision", { message: "x", parents: [B2], autogenerate: { to: "dev" }, selectedChanges: ["drop-table|ghosts|"] });
    expect(gone.code).toBe("PLAN_CHANGED");
    expect(gone.message).toBe(`the change "drop-table ghosts" is not a difference between migrations@${B2} and dev any more; look at the changes again; nothing was written`);
    const blank = await refusal("createRevision", { message: "  ", autogenerate: { to: "dev" } });
    expect(blank.code).toBe("INVALID_REQUEST");
    expect(files()).toEqual(before);
  });

  it("an environment standing on two heads gets a merge revision carrying its changes; a merge of chosen heads is empty", async () => {
    writeRevision(dir, SIDE_HEAD);
    await cli("--env", "dev", "upgrade", "heads");
    await dev.knex.schema.alterTable("tags", (t) => t.string("label", 50).nullable());
    const preview = await call("previewRevision", { to: "dev" });
    expect([...preview.base.parents].sort()).toEqual([B2, C3]);
    expect(preview.base.from).toBe("environment");
    expect(preview.changes.map((c) => c.key)).toEqual(["add-column|tags|column label"]);
    const made = await call("createRevision", { message: "tag labels", parents: [...preview.base.parents], autogenerate: { to: "dev" } });
    expect([...made.downRevisions].sort()).toEqual([B2, C3]);
    const heads = await cli("heads", "--json");
    expect(heads.json.heads.map((h: { revision: string }) => h.revision)).toEqual([made.revision]);
    await cli("--env", "stage", "upgrade", "heads");
    expect(await describeColumns(stage.knex, client, ["strata_version", "strata_history"])).toContain("tags.label");

    // A merge of chosen heads, as `strata merge` writes it: no schema change, both parents.
    fs.unlinkSync(path.join(dir, made.file));
    const merge = await call("createMerge", { message: "join", revisions: [B2, C3] });
    expect([...merge.downRevisions].sort()).toEqual([B2, C3]);
    const history = await cli("history", "--json");
    expect(history.json.revisions.find((r: { revision: string }) => r.revision === merge.revision).downRevisions.sort()).toEqual([B2, C3]);
  });

  it("deletes a revision nothing used, after the file is confirmed; refuses one applied, run before, a parent or depended on", async () => {
    await cli("--env", "dev", "upgrade", "heads");
    const fresh = await call("createRevision", { message: "not yet", parents: [B2] });
    const wrongFile = await refusal("deleteRevision", { revision: fresh.revision, file: "migrations/other.ts" });
    expect(wrongFile.code).toBe("CONFIRMATION_REQUIRED");
    expect(fs.existsSync(path.join(dir, fresh.file))).toBe(true);
    const deleted = await call("deleteRevision", { revision: fresh.revision, file: fresh.file });
    expect(deleted).toEqual({ revision: fresh.revision, file: fresh.file, checked: ["dev", "stage"] });
    expect(fs.existsSync(path.join(dir, fresh.file))).toBe(false);
    expect((await cli("heads", "--json")).json.heads.map((h: { revision: string }) => h.revision)).toEqual([B2]);

    // Applied on stage: refused while it stands there, and after it was rolled back (the history has it).
    const applied = await call("createRevision", { message: "applied", parents: [B2] });
    await cli("--env", "stage", "upgrade", "heads");
    const standing = await refusal("deleteRevision", { revision: applied.revision, file: applied.file });
    expect(standing).toMatchObject({ code: "TARGET_INVALID", message: `revision ${applied.revision} cannot be deleted: environment stage stands on it; nothing was deleted` });
    await cli("--env", "stage", "downgrade", "-1");
    const ran = await refusal("deleteRevision", { revision: applied.revision, file: applied.file });
    expect(ran.message).toMatch(new RegExp(`^revision ${applied.revision} cannot be deleted: environment stage its history has it \\(down on .+\\); nothing was deleted$`));
    expect(fs.existsSync(path.join(dir, applied.file))).toBe(true);

    // A parent and a dependency.
    const parent = await refusal("deleteRevision", { revision: A1, file: path.relative(dir, fs.readdirSync(path.join(dir, "migrations")).map((f) => path.join(dir, "migrations", f)).find((f) => f.includes(A1))!) });
    expect(parent.message).toBe(`revision ${A1} cannot be deleted: revision ${B2} names it as its parent; nothing was deleted`);
    const base = await call("createRevision", { message: "leaf", parents: [applied.revision], splice: true });
    const dependent = await call("createRevision", { message: "needs leaf", head: "base", dependsOn: [base.revision] });
    const needed = await refusal("deleteRevision", { revision: base.revision, file: base.file });
    expect(needed.message).toBe(`revision ${base.revision} cannot be deleted: revision ${dependent.revision} depends on it; nothing was deleted`);
    expect(fs.existsSync(path.join(dir, base.file))).toBe(true);
  });

  it("refuses to delete while an environment cannot be read", async () => {
    const fresh = await call("createRevision", { message: "not yet", parents: [B2] });
    const config = JSON.parse(fs.readFileSync(path.join(dir, "strata.config.json"), "utf8"));
    config.environments.prod = { client: "pg", connection: "${STRATA_TEST_UNSET_URL}" };
    fs.writeFileSync(path.join(dir, "strata.config.json"), JSON.stringify(config));
    service.projects.invalidate();
    const e = await refusal("deleteRevision", { revision: fresh.revision, file: fresh.file });
    expect(e.code).toBe("TARGET_INVALID");
    expect(e.message).toMatch(new RegExp(`^revision ${fresh.revision} cannot be deleted: environment prod cannot be checked \\(.+\\); nothing was deleted$`));
    expect(fs.existsSync(path.join(dir, fresh.file))).toBe(true);
  });
});
