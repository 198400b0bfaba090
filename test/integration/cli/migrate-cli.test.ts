import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import knexFactory from "knex";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import { createTestDatabase, describeColumns, envEntry, TEST_CLIENTS } from "../../helpers/databases.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { strata, writeProject, writeRevision } from "../../helpers/strata-cli.js";
import type { RevisionSpec } from "../../helpers/strata-cli.js";

const STRATA_TABLES = ["strata_version", "strata_history"];

/** The graph every suite runs: a base, a branch with a label, and a merge. */
const GRAPH: readonly RevisionSpec[] = [
  {
    revision: "a1a1a1a1a1a1",
    downRevision: null,
    message: "create accounts",
    up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); t.string("name", 100); t.string("email", 200); });`,
    down: `await knex.schema.dropTable("accounts");`,
  },
  {
    revision: "b2b2b2b2b2b2",
    downRevision: "a1a1a1a1a1a1",
    message: "create invoices",
    up: `await knex.schema.createTable("invoices", (t) => { t.increments("id"); t.integer("account_id"); t.decimal("total", 10, 2); });`,
    down: `await knex.schema.dropTable("invoices");`,
  },
  {
    revision: "c3c3c3c3c3c3",
    downRevision: "a1a1a1a1a1a1",
    branchLabels: ["audit"],
    message: "create audit log",
    up: `await knex.schema.createTable("audit_log", (t) => { t.increments("id"); t.string("what", 50); t.timestamp("at"); });`,
    down: `await knex.schema.dropTable("audit_log");`,
  },
  {
    revision: "d4d4d4d4d4d4",
    downRevision: ["b2b2b2b2b2b2", "c3c3c3c3c3c3"],
    message: "merge invoices and audit",
    up: `await knex.schema.createTable("summary", (t) => { t.increments("id"); t.integer("n"); t.string("note", 20); });`,
    down: `await knex.schema.dropTable("summary");`,
  },
];

function userTables(cols: string[]): string[] {
  return [...new Set(cols.map((c) => c.split(".")[0]!))].filter((t) => !STRATA_TABLES.includes(t)).sort();
}

describe.each(TEST_CLIENTS)("strata CLI on %s", (client: DbClient) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(client);
  });
  afterEach(async () => {
    await db.drop();
  });

  it("upgrades a branch, merges it, rolls back and records every step", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH });
    const p = ["--project", dir];

    const plan = await strata([...p, "upgrade", "b2b2", "--plan", "--json"]);
    expect(plan.code).toBe(0);
    expect(plan.json.steps.map((s: { revision: string }) => s.revision)).toEqual(["a1a1a1a1a1a1", "b2b2b2b2b2b2"]);
    expect(await db.knex.schema.hasTable("accounts")).toBe(false);

    const one = await strata([...p, "upgrade", "b2b2", "--json"]);
    expect(one.code).toBe(0);
    expect(one.json.heads).toEqual(["b2b2b2b2b2b2"]);
    expect(userTables(await describeColumns(db.knex, client))).toEqual(["accounts", "invoices"]);

    const all = await strata([...p, "upgrade", "heads", "--json"]);
    expect(all.code).toBe(0);
    expect(all.json.steps.map((s: { revision: string }) => s.revision)).toEqual(["c3c3c3c3c3c3", "d4d4d4d4d4d4"]);
    expect(all.json.heads).toEqual(["d4d4d4d4d4d4"]);
    expect((await strata([...p, "current", "--json"])).json).toEqual({ environment: "dev", heads: ["d4d4d4d4d4d4"] });

    // Down to the invoices revision: only what depends on it goes (the merge); the audit branch stays.
    const back = await strata([...p, "downgrade", "b2b2b2b2b2b2", "--json"]);
    expect(back.code).toBe(0);
    expect(back.json.steps.map((s: { revision: string; direction: string }) => `${s.direction} ${s.revision}`)).toEqual(["down d4d4d4d4d4d4"]);
    expect(back.json.heads).toEqual(["b2b2b2b2b2b2", "c3c3c3c3c3c3"]);
    expect(userTables(await describeColumns(db.knex, client))).toEqual(["accounts", "audit_log", "invoices"]);

    const again = await strata([...p, "upgrade", "heads", "--json"]);
    expect(again.json.heads).toEqual(["d4d4d4d4d4d4"]);

    const base = await strata([...p, "downgrade", "base", "--json"]);
    expect(base.code).toBe(0);
    expect(base.json.heads).toEqual([]);
    const downOrder = base.json.steps.map((s: { revision: string }) => s.revision);
    expect(downOrder[0]).toBe("d4d4d4d4d4d4");
    expect(downOrder.at(-1)).toBe("a1a1a1a1a1a1");
    expect(userTables(await describeColumns(db.knex, client))).toEqual([]);

    const history = await db.knex("strata_history").select().orderBy("id");
    expect(history.map((h) => `${h.direction} ${h.revision} ${h.status}`)).toEqual([
      "up a1a1a1a1a1a1 succeeded",
      "up b2b2b2b2b2b2 succeeded",
      "up c3c3c3c3c3c3 succeeded",
      "up d4d4d4d4d4d4 succeeded",
      "down d4d4d4d4d4d4 succeeded",
      "up d4d4d4d4d4d4 succeeded",
      ...downOrder.map((r: string) => `down ${r} succeeded`),
    ]);
    for (const h of history) {
      expect(h.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(h.user_name).toBeTruthy();
      expect(h.host_name).toBeTruthy();
      expect(Number(h.duration_ms)).toBeGreaterThanOrEqual(0);
    }
  });

  it("a failing revision names itself and the database's error, and leaves the version table alone", async () => {
    const failing: RevisionSpec = {
      revision: "f0f0f0f0f0f0",
      downRevision: "a1a1a1a1a1a1",
      message: "half done",
      up: `await knex.schema.createTable("half_done", (t) => { t.increments("id"); }); await knex.raw("insert into no_such_table values (1)");`,
      down: `await knex.schema.dropTable("half_done");`,
    };
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: [GRAPH[0]!, failing] });
    const r = await strata(["--project", dir, "upgrade", "heads"]);
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(/f0f0f0f0f0f0/);
    expect(r.reason).toMatch(/no_such_table/);
    expect((await strata(["--project", dir, "current", "--json"])).json.heads).toEqual(["a1a1a1a1a1a1"]);
    const rows = await db.knex("strata_history").where({ revision: "f0f0f0f0f0f0" });
    expect(rows.map((x) => x.status)).toEqual(["failed"]);
    expect(rows[0].error).toMatch(/no_such_table/);
    if (client === "mysql2") {
      // DDL commits itself on MariaDB: the table stays, and the user is told.
      expect(await db.knex.schema.hasTable("half_done")).toBe(true);
      expect(r.reason).toMatch(/half applied/);
    } else {
      expect(await db.knex.schema.hasTable("half_done")).toBe(false);
    }
  });

  it("--sql renders a script that builds the same schema as upgrade", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH });
    const sql = await strata(["--project", dir, "upgrade", "heads", "--sql"]);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toMatch(/strata_version/);
    // Nothing was connected to or created by --sql.
    expect(await db.knex.schema.hasTable("strata_version")).toBe(false);

    const other = await createTestDatabase(client);
    try {
      await runScript(other, sql.stdout);
      const up = await strata(["--project", dir, "upgrade", "heads", "--json"]);
      expect(up.code).toBe(0);
      const fromUpgrade = await describeColumns(db.knex, client, ["strata_history"]);
      const fromScript = await describeColumns(other.knex, client, ["strata_history"]);
      expect(fromScript).toEqual(fromUpgrade);
      expect(fromUpgrade).toContain("summary.note");
      const versions = await other.knex("strata_version").pluck("version_num");
      expect(versions).toEqual(["d4d4d4d4d4d4"]);
    } finally {
      await other.drop();
    }
  });

  it("check flags a file edited after it was applied, and status shows it", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH.slice(0, 2) });
    const p = ["--project", dir];
    const pending = await strata([...p, "check", "--json"]);
    expect(pending.code).toBe(1);
    expect(pending.json.environments[0].pending).toEqual(["a1a1a1a1a1a1", "b2b2b2b2b2b2"]);
    expect((await strata([...p, "upgrade", "heads"])).code).toBe(0);
    const clean = await strata([...p, "check"]);
    expect(clean.code).toBe(0);
    const file = writeRevision(dir, { ...GRAPH[0]!, up: GRAPH[0]!.up + " // edited later" });
    const edited = await strata([...p, "check", "--json"]);
    expect(edited.code).toBe(1);
    expect(edited.json.environments[0].problems).toEqual([{ revision: "a1a1a1a1a1a1", kind: "edited", file: path.relative(dir, file) }]);
    const status = await strata([...p, "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/edited: a1a1a1a1a1a1/);
  });

  it("stamp moves the version table without running anything; status covers every environment; --url works", async () => {
    const dir = writeProject({
      environments: { dev: envEntry(db), local: { client: "better-sqlite3", connection: { filename: "local.sqlite3" } } },
      revisions: GRAPH,
    });
    const p = ["--project", dir];
    const stamped = await strata([...p, "--env", "dev", "stamp", "b2b2", "c3c3", "--json"]);
    expect(stamped.code).toBe(0);
    expect(stamped.json.heads).toEqual(["b2b2b2b2b2b2", "c3c3c3c3c3c3"]);
    expect(userTables(await describeColumns(db.knex, client))).toEqual([]);
    const history = await db.knex("strata_history").select("direction", "revision");
    expect(history.every((h) => h.direction === "stamp")).toBe(true);

    const status = await strata([...p, "status", "--json"]);
    expect(status.code).toBe(0);
    const byName = Object.fromEntries(status.json.environments.map((e: { environment: string }) => [e.environment, e]));
    expect(byName.dev).toMatchObject({ heads: ["b2b2b2b2b2b2", "c3c3c3c3c3c3"], pending: ["d4d4d4d4d4d4"], problems: [], error: null });
    expect(byName.local).toMatchObject({ heads: [], error: null });
    expect([...byName.local.pending].sort()).toEqual(["a1a1a1a1a1a1", "b2b2b2b2b2b2", "c3c3c3c3c3c3", "d4d4d4d4d4d4"]);

    const text = await strata([...p, "status"]);
    expect(text.stdout).toMatch(/dev.*\n\s+current: b2b2b2b2b2b2, c3c3c3c3c3c3\n\s+pending: 1 \(d4d4d4d4d4d4\)/);

    const url = path.join(dir, "other.sqlite3");
    const viaUrl = await strata([...p, "--url", `sqlite:${url}`, "upgrade", "a1a1", "--json"]);
    expect(viaUrl.code).toBe(0);
    expect(viaUrl.json).toMatchObject({ environment: "url", heads: ["a1a1a1a1a1a1"] });
    expect(fs.existsSync(url)).toBe(true);

    const down = await strata([...p, "--env", "dev", "stamp", "base", "--json"]);
    expect(down.json.heads).toEqual([]);
  });

  it("altering a parent table keeps its ON DELETE CASCADE children; a run that orphans rows is refused", async () => {
    const dir = writeProject({
      environments: { dev: envEntry(db) },
      revisions: [
        {
          revision: "a1a1a1a1a1a1",
          downRevision: null,
          message: "parents and children",
          up: `await knex.schema.createTable("parent", (t) => { t.increments("id"); t.string("name", 50); });
  await knex.schema.createTable("child", (t) => { t.increments("id"); t.integer("parent_id").unsigned().notNullable().references("id").inTable("parent").onDelete("CASCADE"); });
  await knex("parent").insert([{ id: 1, name: "p1" }, { id: 2, name: "p2" }]);
  await knex("child").insert([{ parent_id: 1 }, { parent_id: 1 }, { parent_id: 2 }]);`,
          down: `await knex.schema.dropTable("child"); await knex.schema.dropTable("parent");`,
        },
        {
          revision: "b2b2b2b2b2b2",
          downRevision: "a1a1a1a1a1a1",
          message: "widen parent name",
          // On SQLite knex rebuilds "parent" to alter a column: the old table is dropped.
          up: `await knex.schema.alterTable("parent", (t) => { t.string("name", 200).alter(); });`,
          down: `await knex.schema.alterTable("parent", (t) => { t.string("name", 50).alter(); });`,
        },
      ],
    });
    const up = await strata(["--project", dir, "upgrade", "heads", "--json"]);
    expect(up.code, up.stderr).toBe(0);
    expect(Number((await db.knex("child").count({ n: "*" }))[0]!.n)).toBe(3);
    const down = await strata(["--project", dir, "downgrade", "a1a1a1a1a1a1", "--json"]);
    expect(down.code, down.stderr).toBe(0);
    expect(Number((await db.knex("child").count({ n: "*" }))[0]!.n)).toBe(3);

    writeRevision(dir, {
      revision: "c3c3c3c3c3c3",
      downRevision: "a1a1a1a1a1a1",
      message: "orphan",
      up: `await knex("child").insert({ parent_id: 99 });`,
      down: `await knex("child").where({ parent_id: 99 }).delete();`,
    });
    const orphan = await strata(["--project", dir, "upgrade", "c3c3c3c3c3c3"]);
    expect(orphan.code).toBe(2);
    expect(orphan.reason).toMatch(/foreign key/i);
    expect(Number((await db.knex("child").count({ n: "*" }))[0]!.n)).toBe(3);
    expect((await strata(["--project", dir, "current", "--json"])).json.heads).toEqual(["a1a1a1a1a1a1"]);
  });

  it("two runners started at once apply each revision exactly once", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH });
    const [r1, r2] = await Promise.all([
      strata(["--project", dir, "upgrade", "heads", "--json"]),
      strata(["--project", dir, "upgrade", "heads", "--json"]),
    ]);
    expect([r1.code, r2.code]).toEqual([0, 0]);
    const ran = [...r1.json.steps, ...r2.json.steps].map((s: { revision: string }) => s.revision).sort();
    expect(ran).toEqual(GRAPH.map((g) => g.revision).sort());
    const ups = await db.knex("strata_history").where({ direction: "up" }).pluck("revision");
    expect(ups.sort()).toEqual(GRAPH.map((g) => g.revision).sort());
  });

  it("a runner that hangs holding the lock: the next one fails naming it, unlock frees it", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH.slice(0, 1) });
    // One process (no tsx wrapper), so SIGKILL kills the holder itself.
    const holder = spawn(process.execPath, ["--import", "tsx", "test/helpers/hold-lock-process.ts", JSON.stringify(db.env)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
        holder.on("exit", () => reject(new Error("lock holder exited")));
      });
      const started = Date.now();
      const blocked = await strata(["--project", dir, "upgrade", "heads", "--lock-timeout", "1"]);
      expect(blocked.code).toBe(2);
      expect(blocked.reason).toMatch(/lock/i);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(await db.knex.schema.hasTable("accounts")).toBe(false);
      const unlock = await strata(["--project", dir, "unlock", "--json"]);
      expect(unlock.code).toBe(0);
      if (client === "better-sqlite3") {
        // SQLite's lock belongs to the process: unlock cannot end it, but killing the runner frees it at once.
        expect(unlock.json.released).toBe(false);
        holder.kill("SIGKILL");
        await new Promise((r) => holder.once("exit", r));
      } else {
        expect(unlock.json.released).toBe(true);
        expect(unlock.json.holder).toBeTruthy();
      }
      const next = await strata(["--project", dir, "upgrade", "heads", "--json", "--lock-timeout", "5"]);
      expect(next.code, next.stderr).toBe(0);
      expect(next.json.heads).toEqual(["a1a1a1a1a1a1"]);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("opens a knex project, shows knex's position, runs a new file without adopting, and adopts it without running anything", async () => {
    const dir = writeProject({ environments: { dev: envEntry(db) } });
    const mig = path.join(dir, "migrations");
    const knexFile = (name: string, table: string) =>
      fs.writeFileSync(
        path.join(mig, name),
        `exports.up = (knex) => knex.schema.createTable(${JSON.stringify(table)}, (t) => { t.increments("id"); t.string("x"); });\nexports.down = (knex) => knex.schema.dropTable(${JSON.stringify(table)});\n`,
      );
    knexFile("20240101000000_one.js", "one");
    knexFile("20240102000000_two.js", "two");
    const k = knexFactory({ client: db.env.client, connection: db.env.knexConfig.connection as never, useNullAsDefault: true });
    try {
      await k.migrate.latest({ directory: mig, loadExtensions: [".js"] });
    } finally {
      await k.destroy();
    }
    const history = await strata(["--project", dir, "history", "--json"]);
    expect(history.json.revisions.map((r: { revision: string }) => r.revision)).toEqual(["20240102000000_two", "20240101000000_one"]);
    const cur = await strata(["--project", dir, "current", "--json"]);
    expect(cur.json.heads).toEqual(["20240102000000_two"]);

    // knex mode (issue #15): knex_migrations is the truth, so no adopt is needed to run the next file.
    knexFile("20240103000000_three.js", "three");
    const up = await strata(["--project", dir, "upgrade", "heads", "--json"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.steps.map((s: { revision: string }) => s.revision)).toEqual(["20240103000000_three"]);
    expect(await db.knex.schema.hasTable("three")).toBe(true);
    expect((await db.knex("knex_migrations").select("name").orderBy("id")).map((r: { name: string }) => r.name)).toEqual([
      "20240101000000_one.js",
      "20240102000000_two.js",
      "20240103000000_three.js",
    ]);

    const adopt = await strata(["--project", dir, "adopt", "--json"]);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.json.heads).toEqual(["20240103000000_three"]);
  });

  it("bad input is refused with one line and exit code 2, and changes no database", async () => {
    // Two heads: b2 and c3 (no merge yet), so "head" is ambiguous.
    const dir = writeProject({ environments: { dev: envEntry(db) }, revisions: GRAPH.slice(0, 3) });
    const before = await describeColumns(db.knex, client);
    const p = ["--project", dir];

    const unknownEnv = await strata([...p, "--env", "staging", "upgrade", "heads"]);
    expect(unknownEnv.code).toBe(2);
    expect(unknownEnv.reason).toMatch(/staging/);
    expect(unknownEnv.reason).toMatch(/dev/);

    const unknownTarget = await strata([...p, "upgrade", "nope"]);
    expect(unknownTarget.code).toBe(2);
    expect(unknownTarget.reason).toMatch(/nope/);

    const ambiguous = await strata([...p, "upgrade", "head"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.reason).toMatch(/b2b2b2b2b2b2/);
    expect(ambiguous.reason).toMatch(/c3c3c3c3c3c3/);

    writeRevision(dir, { revision: "e5e5e5e5e5e5", downRevision: "b2b2b2b2b2b2", up: "await knex.schema.createTable(", message: "broken" });
    const broken = await strata([...p, "upgrade", "heads"]);
    expect(broken.code).toBe(2);
    expect(broken.reason).toMatch(/e5e5e5e5e5e5_broken\.ts:\d+/);
    fs.rmSync(path.join(dir, "migrations", "e5e5e5e5e5e5_broken.ts"));

    expect(await describeColumns(db.knex, client)).toEqual(before);
  });

  it("a wrong password, a wrong user and an unreachable host fail within seconds with one line", async () => {
    const conn = db.env.knexConfig.connection as Record<string, unknown>;
    const envs: Record<string, unknown> = {};
    if (client === "better-sqlite3") {
      envs.bad = { client, connection: { filename: "/nonexistent-folder/x/db.sqlite3" } };
    } else {
      envs.bad = { client, connection: { ...conn, user: "strata_nobody", password: "wrong-password" } };
    }
    // A host that accepts the connection and then never answers.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    envs.silent = { client: client === "better-sqlite3" ? "pg" : client, connection: { host: "127.0.0.1", port, user: "x", password: "secret-pw", database: "x" } };
    const dir = writeProject({ environments: envs, revisions: GRAPH });
    try {
      const bad = await strata(["--project", dir, "--env", "bad", "upgrade", "heads"]);
      expect(bad.code).toBe(2);
      expect(bad.reason).toMatch(/bad/);
      expect(bad.stderr).not.toMatch(/wrong-password/);
      const t0 = Date.now();
      const unreachable = await strata(["--project", dir, "--env", "silent", "current"]);
      expect(unreachable.code).toBe(2);
      expect(Date.now() - t0).toBeLessThan(12_000);
      expect(unreachable.reason).toMatch(/silent/);
      expect(unreachable.stderr).not.toMatch(/secret-pw/);
    } finally {
      silent.close();
    }
  });
});

/** Runs a SQL script as a DBA would feed it to psql / mariadb / sqlite3. */
async function runScript(db: TestDatabase, sql: string): Promise<void> {
  if (db.env.client === "better-sqlite3") {
    const Database = (await import("better-sqlite3")).default;
    const conn = new Database((db.env.knexConfig.connection as { filename: string }).filename);
    try {
      conn.exec(sql);
    } finally {
      conn.close();
    }
    return;
  }
  const statements = sql
    .split(/;\s*\n/)
    .map((s) => s.split("\n").filter((l) => !l.trim().startsWith("--")).join("\n").trim())
    .filter(Boolean);
  for (const stmt of statements) {
    await db.knex.raw(stmt);
  }
}
