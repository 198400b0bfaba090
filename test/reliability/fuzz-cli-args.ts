/**
 * Generated `strata` argument lists for the CLI fuzz tests, and the project they run against:
 * SQLite, PostgreSQL and MariaDB environments whose databases are fingerprinted, plus a throwaway
 * SQLite environment ("scratch") that the commands which legitimately change a database are sent to.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import type { Knex } from "knex";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { writeProject, type RevisionSpec } from "../helpers/strata-cli.js";
import { fingerprint, type Fingerprint } from "./fuzz-support.js";

/** The revisions of the fuzzed project: a chain with a branch and a label. */
export const REVISIONS: readonly RevisionSpec[] = [
  { revision: "a1a1a1a1a1a1", downRevision: null, message: "create items", up: 'await knex.schema.createTable("items", (t) => { t.increments("id"); t.string("name"); });', down: 'await knex.schema.dropTable("items");' },
  { revision: "b2b2b2b2b2b2", downRevision: "a1a1a1a1a1a1", message: "add price", up: 'await knex.schema.alterTable("items", (t) => { t.integer("price"); });', down: 'await knex.schema.alterTable("items", (t) => { t.dropColumn("price"); });' },
  { revision: "c3c3c3c3c3c3", downRevision: "b2b2b2b2b2b2", branchLabels: ["audit"], message: "audit table", up: 'await knex.schema.createTable("audit", (t) => { t.increments("id"); });', down: 'await knex.schema.dropTable("audit");' },
  { revision: "d4d4d4d4d4d4", downRevision: "b2b2b2b2b2b2", message: "orders", up: 'await knex.schema.createTable("orders", (t) => { t.increments("id"); });', down: 'await knex.schema.dropTable("orders");' },
];

/** Environments that must not change, by name, and the throwaway one. */
export const GUARDED_ENVS = ["lite", "pg", "maria", "pgurl"] as const;
export const SCRATCH_ENV = "scratch";

/** The fuzzed project and its databases. */
export interface FuzzProject {
  readonly root: string;
  readonly workDir: string;
  readonly dataDir: string;
  readonly sqliteFile: string;
  readonly databases: { readonly pg: TestDatabase; readonly maria: TestDatabase };
  /** Revision files as first written: anything else in migrations/ is removed between runs. */
  readonly originalFiles: ReadonlySet<string>;
  fingerprints(): Promise<Record<string, Fingerprint>>;
  /** Puts the migrations folder back as it was (runs may write revision files). */
  resetMigrations(): void;
  close(): Promise<void>;
}

function connectionOf(db: TestDatabase): Record<string, unknown> {
  return { ...(db.env.knexConfig.connection as Record<string, unknown>) };
}

/**
 * Writes the project, creates the databases and brings each guarded one to b2 with a data row,
 * through `setup` (which runs the CLI), so that fingerprints include version and history rows.
 */
export async function makeFuzzProject(setup: (argv: string[]) => Promise<number>): Promise<FuzzProject> {
  const pg = await createTestDatabase("pg");
  const maria = await createTestDatabase("mysql2");
  const root = writeProject({
    environments: {
      lite: { client: "sqlite", connection: { filename: "guarded.sqlite3" } },
      pg: { client: "pg", connection: connectionOf(pg) },
      // The same database as a URL: pg reads a connectionString before the other keys (see fuzz-findings).
      pgurl: { client: "pg", connection: `postgres://postgres@127.0.0.1:5432/${(connectionOf(pg) as { database: string }).database}` },
      maria: { client: "mysql2", connection: connectionOf(maria) },
      scratch: { client: "sqlite", connection: { filename: "scratch/throwaway.sqlite3" } },
      needsvar: { client: "pg", connection: "${STRATA_FUZZ_UNSET_VARIABLE}" },
    },
    revisions: REVISIONS,
  });
  mkdirSync(path.join(root, "scratch"));
  const workDir = path.join(root, "work");
  const dataDir = path.join(root, "data");
  mkdirSync(workDir);
  mkdirSync(dataDir);
  for (const env of GUARDED_ENVS) {
    const code = await setup(["--project", root, "--env", env, "-q", "upgrade", "b2b2b2b2b2b2"]);
    if (code !== 0) throw new Error(`setup upgrade of ${env} exited ${code}`);
  }
  const sqliteFile = path.join(root, "guarded.sqlite3");
  const knexFactory = (await import("knex")).default;
  const insertRow = async (k: Knex): Promise<void> => {
    await k("items").insert({ name: "kept", price: 3 });
  };
  const lite = knexFactory({ client: "better-sqlite3", connection: { filename: sqliteFile }, useNullAsDefault: true });
  await insertRow(lite);
  await insertRow(pg.knex);
  await insertRow(maria.knex);
  const migrations = path.join(root, "migrations");
  const originalFiles = new Set(readdirSync(migrations));
  return {
    root,
    workDir,
    dataDir,
    sqliteFile,
    databases: { pg, maria },
    originalFiles,
    async fingerprints() {
      return {
        sqlite: await fingerprint(lite, "better-sqlite3"),
        pg: await fingerprint(pg.knex, "pg"),
        maria: await fingerprint(maria.knex, "mysql2"),
      };
    },
    resetMigrations() {
      for (const f of readdirSync(migrations)) if (!originalFiles.has(f)) rmSync(path.join(migrations, f), { recursive: true, force: true });
    },
    async close() {
      await lite.destroy();
      await pg.drop();
      await maria.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const huge = fc.constantFrom("9".repeat(40), "1e309", "-99999999999999999999", "+99999999999", String(Number.MAX_SAFE_INTEGER + 2), "x".repeat(5000));
const target = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("heads", "head", "base", "+1", "-1", "a1a1a1a1a1a1", "b2b2b2b2b2b2", "c3c3c3c3c3c3", "d4d4d4d4d4d4", "audit@head") },
  fc.constantFrom("heads", "head", "base", "+1", "+2", "-1", "-2", "-1:", "a1a1", "a1a1a1a1a1a1", "b2b2b2b2b2b2", "c3c3c3c3c3c3", "d4d4d4d4d4d4", "audit@head", "audit@base", "audit@+1", "nope@head"),
  fc.constantFrom("a1a1a1a1a1a1:b2b2b2b2b2b2", ":", "", " ", "@", "heads:", "b2b2:heads", "-0", "+0", "0", "-", "--", "a", "zz", "base:heads", "%", "\u0000", "é", "a1a1a1a1a1a1@-1"),
  huge,
  fc.string({ maxLength: 12 }),
);
const junkFlag = fc.oneof(
  fc.constantFrom("--bogus", "-x", "--", "---", "--json=1", "--quiet=no", "-qq", "--plan=yes", "--lock-timeout", "--no-json", "--help", "-h", "--version", "-V", "--rev-id", "--from", "--to", "-m"),
  fc.string({ maxLength: 8 }).map((s) => `--${s}`),
);
const sqlFile = fc.constantFrom("schema.sql", "/dev/null", "nope.sql", "../x.sql", "");
const envName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom("lite", "pg", "maria", "pgurl") }, fc.constantFrom("needsvar", "unknown", "", " ", "__proto__", "x".repeat(300)));
const badUrl = fc.constantFrom(
  "postgres://postgres@127.0.0.1:1/nope",
  "mysql://root@127.0.0.1:1/nope",
  "ftp://x",
  "",
  "sqlite:",
  "postgres://%zz@127.0.0.1/x",
  "not a url",
  "mysql://u:SECRET@127.0.0.1:1/db",
);

/** Global options read by every command; guarded environments only. */
function globalOptions(project: string, sqliteFile: string, pgUrl: string, mariaUrl: string): fc.Arbitrary<string[]> {
  const url = fc.oneof(badUrl, fc.constantFrom(`sqlite://${sqliteFile}`, sqliteFile, pgUrl, mariaUrl));
  return fc
    .record(
      {
        project: fc.constantFrom(project, project, project, "/nonexistent-strata-fuzz", "", path.join(project, "migrations"), `${project}/strata.config.json`),
        target: fc.oneof({ weight: 2, arbitrary: fc.constant([] as string[]) }, { weight: 5, arbitrary: envName.map((e) => ["--env", e]) }, { weight: 2, arbitrary: url.map((u) => ["--url", u]) }, { weight: 1, arbitrary: fc.tuple(envName, url).map(([e, u]) => ["--env", e, "--url", u]) }),
        json: fc.boolean(),
        quiet: fc.boolean(),
      },
      { requiredKeys: ["project", "target"] },
    )
    .map((o) => [
      ...(o.project !== undefined ? ["--project", o.project] : []),
      ...(o.target ?? []),
      ...(o.json ? ["--json"] : []),
      ...(o.quiet ? ["-q"] : []),
    ]);
}

/** A command that reads, with random flags and values; may be aimed at the guarded databases. */
const readCommand = fc.oneof(
  fc.tuple(fc.constantFrom("upgrade", "downgrade"), target, fc.constantFrom("--plan", "--sql"), fc.option(fc.constantFrom("--single-transaction", "--lock-timeout=5", "--lock-timeout=-1", "--lock-timeout=abc"), { nil: undefined })).map(([c, t, mode, extra]) => [c, t, mode, ...(extra ? [extra] : [])]),
  fc.tuple(fc.constantFrom("current", "heads", "branches", "unlock --help"), fc.array(junkFlag, { maxLength: 1 })).map(([c, j]) => [...c.split(" "), ...j]),
  fc.tuple(fc.option(target, { nil: undefined }), fc.array(junkFlag, { maxLength: 1 })).map(([r, j]) => ["history", ...(r !== undefined ? ["-r", r] : []), ...j]),
  fc.tuple(target, fc.array(junkFlag, { maxLength: 1 })).map(([t, j]) => ["show", t, ...j]),
  fc.tuple(fc.constantFrom("status", "check"), fc.nat(9)).map(([c, n]) => (n < 8 ? [c, "--no-drift"] : [c])),
  fc.tuple(fc.oneof(envName, sqlFile, fc.constantFrom("migrations", "migrations@a1a1a1a1a1a1", "migrations@zz")), fc.oneof(envName, sqlFile, fc.constant("migrations")), fc.boolean()).map(([from, to, sql]) => ["diff", "--from", from, "--to", to, ...(sql ? ["--sql"] : [])]),
  fc.constantFrom(["serve", "--port", "-1"], ["serve", "--port", "65536"], ["serve", "--port", "http"], ["serve", "--port", "1.5"], ["serve", "--port", ""], ["serve", "--bogus"]),
  fc.constantFrom(["--help"], ["-V"], ["help"], ["help", "upgrade"], [], ["nonsense"], ["upgrade"], ["stamp"], ["show"], ["diff"], ["revision"]),
  fc.array(fc.oneof(junkFlag, target), { minLength: 1, maxLength: 4 }),
);

/** A command that writes files or a database: always aimed at the throwaway environment and a scratch folder. */
const writeCommand = fc.oneof(
  fc.tuple(fc.constantFrom("upgrade", "downgrade"), target, fc.array(fc.oneof(junkFlag, fc.constantFrom("--single-transaction", "--lock-timeout", "0", "--plan")), { maxLength: 2 })).map(([c, t, f]) => [c, t, ...f]),
  fc.tuple(fc.array(target, { minLength: 0, maxLength: 3 }), fc.array(junkFlag, { maxLength: 1 })).map(([ts, j]) => ["stamp", ...ts, ...j]),
  fc.constantFrom(["adopt"], ["unlock"], ["adopt", "--bogus"]),
  fc.tuple(
    fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("", "add things", "x".repeat(2000), "--", "-1")),
    fc.option(target, { nil: undefined }),
    fc.option(fc.constantFrom("audit", "", "a b", "heads", "lbl"), { nil: undefined }),
    fc.option(fc.constantFrom("a1a1a1a1a1a1", "zz", "", "ffffffffffff", "bad id!", "x".repeat(200)), { nil: undefined }),
    fc.boolean(),
    fc.nat(19),
  ).map(([m, head, label, revId, splice, auto]) => [
    "revision",
    "-m",
    m,
    ...(head !== undefined ? ["--head", head] : []),
    ...(label !== undefined ? ["--branch-label", label] : []),
    ...(revId !== undefined ? ["--rev-id", revId] : []),
    ...(splice ? ["--splice"] : []),
    ...(auto === 0 ? ["--autogenerate"] : auto === 1 ? ["--from", "migrations"] : []),
  ]),
  fc.tuple(fc.array(target, { minLength: 0, maxLength: 3 }), fc.string({ maxLength: 10 })).map(([revs, m]) => ["merge", ...revs, "-m", m]),
  fc.constantFrom(["init", "newproj"], ["init"], ["init", "newproj", "extra"], ["demo", "demo-here"], ["demo", "demo-here", "--bogus"]),
);

/** One argv, and whether it may write (then it runs against the throwaway environment). */
export interface FuzzArgv {
  readonly argv: string[];
  readonly writes: boolean;
}

/**
 * Random argv against the project: commands that read get random global options (its folder,
 * SQLite file and its two server databases as URLs); commands that write get the throwaway environment.
 */
export function argvArbitrary(p: Pick<FuzzProject, "root" | "sqliteFile" | "databases">): fc.Arbitrary<FuzzArgv> {
  const database = (db: TestDatabase): string => (db.env.knexConfig.connection as { database: string }).database;
  const pgUrl = `postgres://postgres@127.0.0.1:5432/${database(p.databases.pg)}`;
  const mariaUrl = `mysql://root@127.0.0.1:3306/${database(p.databases.maria)}`;
  const globals = globalOptions(p.root, p.sqliteFile, pgUrl, mariaUrl);
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(globals, readCommand).map(([g, c]) => ({ argv: [...g, ...c], writes: false })) },
    // --project is the project; --env the throwaway one. No random global option, so that no value can point it elsewhere.
    {
      weight: 2,
      arbitrary: writeCommand.map((c) => ({
        // A random token that happens to spell a global option could aim the command elsewhere: dropped.
        argv: ["--project", p.root, "--env", SCRATCH_ENV, "-q", ...c.filter((a) => !/^--?(env|url|project|e|u|p)(=|$)/.test(a))],
        writes: true,
      })),
    },
  );
}

/** A .sql file the diff commands may read, in the working folder. */
export function writeSqlFixture(dir: string): void {
  writeFileSync(path.join(dir, "schema.sql"), "create table from_sql (id integer primary key, name text);\n");
}

/** A stack frame, a Node error header, or an internal error: what a crash looks like on stderr. */
export const CRASH_PATTERN = /^\s+at .+(:\d+:\d+\)?|\(native\))$|^(TypeError|ReferenceError|RangeError|SyntaxError|Error): |internal error|Unhandled|node:internal/m;
