/**
 * What the fuzz tests of issue 5 (test/reliability/fuzz-*.test.ts) found, each pinned by a plain
 * unit test: the input, and the one-line StrataError (or the answer) it must give.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../electron/cli/main.js";
import { createMerge, createRevision } from "../../electron/engine/use-cases/create-revision.js";
import { openProject } from "../../electron/engine/use-cases/open-project.js";
import { findProjectRoot, loadConfig, parseConfig } from "../../electron/engine/project/config-file.js";
import { environmentFromUrl, resolveEnvironment } from "../../electron/engine/project/environment.js";
import { RevisionMap } from "../../electron/engine/revisions/index.js";
import { loadScriptDirectory } from "../../electron/engine/scripts/index.js";
import { strataErrorOf, strataErrorOfAsync } from "../helpers/strata-errors.js";
import { useTempDirs } from "../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-findings-");

/** main() with stderr captured. */
async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  let stderr = "";
  process.stderr.write = ((c: string) => ((stderr += c), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return { code: await main(argv), stderr };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
    process.exitCode = undefined;
  }
}

describe("connection URLs (fuzz-config)", () => {
  it("a % that starts no escape in the user, password or database is CONFIG_INVALID, not a URIError", () => {
    for (const url of ["postgres://%zz@127.0.0.1/db", "mysql://u:p%ZZ@127.0.0.1/db", "postgres://u@127.0.0.1/d%E0%A4%A"]) {
      const e = strataErrorOf(() => environmentFromUrl(url));
      expect(e.code, url).toBe("CONFIG_INVALID");
      expect(e.message).toMatch(/has a "%" that starts no escape; write a literal % as %25$/);
    }
  });

  it("a sqlite: URL with a stray % names the file as written", () => {
    expect((environmentFromUrl("sqlite:///tmp/100%zz.db").knexConfig.connection as { filename: string }).filename).toBe("/tmp/100%zz.db");
  });

  it("a server URL holding a second URL (postgres://${DATABASE_URL}) is refused, without its password", () => {
    const config = parseConfig(JSON.stringify({ migrations: "m", environments: { dev: { client: "pg", connection: "postgres://${DATABASE_URL}" } } }), "/p");
    const e = strataErrorOf(() => resolveEnvironment(config, "dev", undefined, { env: { DATABASE_URL: "postgres://u:pw@127.0.0.1:5432/app" } }));
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toContain("holds a second URL in its database name");
    expect(e.message).not.toContain("pw");
  });

  it("a SQLite environment given a server URL is refused instead of showing it as a file name", () => {
    const config = parseConfig(JSON.stringify({ migrations: "m", environments: { dev: { client: "sqlite", connection: "mysql://u:pw@127.0.0.1/db" } } }), "/p");
    const e = strataErrorOf(() => resolveEnvironment(config, "dev"));
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toBe("strata.config.json: environments.dev.connection: a mysql:// URL for a SQLite environment; change its client or give the SQLite file");
  });

  it("a project folder with a NUL character is CONFIG_NOT_FOUND, not a TypeError from fs", () => {
    expect(strataErrorOf(() => findProjectRoot("/tmp/\u0000x")).code).toBe("CONFIG_NOT_FOUND");
    expect(strataErrorOf(() => loadConfig("\u0000")).code).toBe("CONFIG_NOT_FOUND");
  });
});

describe("revision files (fuzz-revisions)", () => {
  it("a name declared twice, which only V8 refuses, is reported with its file and line", async () => {
    const dir = path.join(tempDir(), "migrations");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "001.ts"), 'export const revision = "a1";\nexport const downRevision = null;\nexport let revision = "b2";\nexport async function up() {}\nexport async function down() {}\n');
    const e = await strataErrorOfAsync(loadScriptDirectory(dir));
    expect(e.code).toBe("REVISION_FILE_INVALID");
    expect(e.message).toMatch(/^migrations\/001\.ts:\d+:\d+: /);
  });

  it("a cycle across files names the files, not only the revisions", () => {
    const rec = (revision: string, down: string) => ({ revision, downRevisions: [down], branchLabels: [], dependsOn: [], message: "", file: `migrations/${revision}.ts` });
    const e = strataErrorOf(() => RevisionMap.build([rec("a1", "b2"), rec("b2", "a1")]));
    expect(e.code).toBe("REVISION_CYCLE");
    expect(e.message).toMatch(/\(migrations\/(a1|b2)\.ts, migrations\/(a1|b2)\.ts\)$/);
  });
});

describe("the CLI (fuzz-cli)", () => {
  it("commander's refusals start with `strata: ` and show a negative target as typed", async () => {
    const unknown = await cli(["upgrade", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toBe("strata: unknown option '--bogus'");
    const negative = await cli(["-2"]);
    expect(negative.stderr.split("\n")[0]).toBe("strata: unknown command '-2'");
  });

  it("no command at all: the usage, then one `strata: ` line, exit 2", async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: strata");
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe("strata: no command given; pick one of the commands listed above");
    expect((await cli(["help"])).code).toBe(0);
  });

  it("serve --port refuses an empty value (Number('') is 0) and shows -1 as typed", async () => {
    expect((await cli(["serve", "--port", ""])).stderr).toBe('strata: --port takes a port number 0-65535, not ""\n');
    expect((await cli(["serve", "--port", "-1"])).stderr).toBe('strata: --port takes a port number 0-65535, not "-1"\n');
  });
});

describe("--rev-id (fuzz-cli: ENAMETOOLONG, and a path outside the migrations folder)", () => {
  async function project(): Promise<Awaited<ReturnType<typeof openProject>>> {
    const root = tempDir();
    mkdirSync(path.join(root, "migrations"));
    writeFileSync(path.join(root, "strata.config.json"), JSON.stringify({ migrations: "migrations" }));
    for (const [rev, down] of [["a1", null], ["b2", "a1"], ["c3", "a1"]] as const) {
      writeFileSync(
        path.join(root, "migrations", `${rev}.ts`),
        `export const revision = "${rev}";\nexport const downRevision = ${JSON.stringify(down)};\nexport async function up() {}\nexport async function down() {}\n`,
      );
    }
    return openProject({ project: root, cwd: root });
  }

  it("refuses an id that is not letters, digits and _ (1 to 100), before writing anything", async () => {
    const p = await project();
    for (const id of ["x".repeat(300), "../../escape", "a/b", "a-b", "", "bad id!"]) {
      const e = await strataErrorOfAsync(createRevision(p, { message: "m", revisionId: id, head: "b2" }));
      expect(e.code, id).toBe("USAGE");
      expect(e.message).toMatch(/is not a revision id; use 1 to 100 letters, digits and '_'$/);
      expect(e.message.length).toBeLessThan(200);
    }
    expect(readdirSync(path.join(p.root, "migrations")).sort()).toEqual(["a1.ts", "b2.ts", "c3.ts"]);
    expect(existsSync(path.join(p.root, "escape_m.ts"))).toBe(false);
    expect((await createRevision(p, { message: "m", revisionId: "ok_id_1", head: "b2" })).revision).toBe("ok_id_1");
  });

  it("a merge refuses a bad id and an id that exists already", async () => {
    const p = await project();
    expect((await strataErrorOfAsync(createMerge(p, "m", ["b2", "c3"], "../x"))).code).toBe("USAGE");
    expect((await strataErrorOfAsync(createMerge(p, "m", ["b2", "c3"], "a1"))).code).toBe("REVISION_DUPLICATE");
    expect(readdirSync(path.join(p.root, "migrations"))).toHaveLength(3);
  });
});

describe("scratch databases on PostgreSQL (fuzz-cli: `--url postgres://.../db diff --from migrations` migrated db itself)", () => {
  it("puts the scratch database inside the connection string, which pg reads before the database key", async () => {
    const { postgresSchema } = await import("../../electron/engine/introspect/postgres-introspector.js");
    const { parse } = await import("pg-connection-string");
    const scratch = postgresSchema.scratch!;
    const fromUrl = environmentFromUrl("postgres://u:pw@127.0.0.1:5432/prod?sslmode=disable");
    const retargeted = scratch.retarget(fromUrl.knexConfig, "strata_scratch_1").connection as { connectionString: string; database: string };
    expect(retargeted.database).toBe("strata_scratch_1");
    expect(parse(retargeted.connectionString).database).toBe("strata_scratch_1");
    const plain = scratch.retarget({ client: "pg", connection: "postgres://u@127.0.0.1/prod?application_name=x" }, "strata_scratch_2").connection as { connectionString: string };
    expect(parse(plain.connectionString).database).toBe("strata_scratch_2");
    expect(plain.connectionString).toContain("application_name=x");
    const object = scratch.retarget({ client: "pg", connection: { host: "127.0.0.1", database: "prod" } }, "strata_scratch_3").connection as Record<string, unknown>;
    expect(object).toEqual({ host: "127.0.0.1", database: "strata_scratch_3" });
    expect(() => scratch.retarget({ client: "pg", connection: { connectionString: "postgres://u@/prod?host=/tmp" } }, "s")).toThrow(/cannot make a scratch database/);
  });
});

describe("a SQLite connection that is a server URL in disguise (fuzz-config, seed 1)", () => {
  it("sqlite:${DATABASE_URL} with a postgres:// URL in the variable is refused, without its password", () => {
    const config = parseConfig(JSON.stringify({ migrations: "m", environments: { dev: { client: "sqlite", connection: "sqlite:${DATABASE_URL}" } } }), "/p");
    const e = strataErrorOf(() => resolveEnvironment(config, "dev", undefined, { env: { DATABASE_URL: "postgres://u:pw@127.0.0.1:5432/app" } }));
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).not.toContain("pw");
    // file: URIs and Windows drive letters stay SQLite files.
    for (const f of ["file:/tmp/x.db", "sqlite:file:x.db", "c:/data/x.db"]) {
      const ok = parseConfig(JSON.stringify({ migrations: "m", environments: { dev: { client: "sqlite", connection: f } } }), "/p");
      expect(resolveEnvironment(ok, "dev").client, f).toBe("better-sqlite3");
    }
  });
});
