/**
 * Issue 5 item 8, CLI arguments, in process: random argv (known commands with random flags and
 * values, unknown flags, negative and huge targets, empty strings) through the CLI's `main()`,
 * which resolves to the exit code without ending the process. Every run exits 0, 1 or 2, prints
 * no stack, refuses with a line starting "strata: ", and the SQLite, PostgreSQL and MariaDB
 * databases the project points at are unchanged afterwards (fingerprints of their tables, row
 * counts, version and history rows). Commands that change a database or write files (upgrade,
 * downgrade, stamp, adopt, unlock without --plan/--sql; revision, merge, init, demo) run against
 * the throwaway "scratch" environment and the project's own folders only.
 */
import { appendFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../electron/cli/main.js";
import { argvArbitrary, CRASH_PATTERN, makeFuzzProject, writeSqlFixture, type FuzzProject } from "./fuzz-cli-args.js";
import { describeFingerprint, fuzzSettings, Tally } from "./fuzz-support.js";

const FILE = "fuzz-cli";
const tally = new Tally();
const RUN_TIMEOUT_MS = 30_000;

/** Runs main(argv) with stdout and stderr captured; the process's exit code is left as it was. */
async function runInProcess(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = "";
  let stderr = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    // A run that never ends is a failure too, reported with its argv.
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`strata ${JSON.stringify(argv)} did not finish within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
    });
    const code = await Promise.race([main(argv), hung]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
}

let project: FuzzProject;
let cwd: string;

beforeAll(async () => {
  cwd = process.cwd();
  process.env.STRATA_FUZZ_UNSET_VARIABLE = undefined;
  delete process.env.STRATA_FUZZ_UNSET_VARIABLE;
  delete process.env.STRATA_DEBUG;
  project = await makeFuzzProject(async (argv) => (await runInProcess(argv)).code);
  // init and demo write relative to the working folder; the data folder holds demo output.
  process.chdir(project.workDir);
  process.env.STRATA_DATA_DIR = project.dataDir;
  writeSqlFixture(project.workDir);
}, 120_000);

afterAll(async () => {
  process.chdir(cwd);
  delete process.env.STRATA_DATA_DIR;
  tally.print(FILE);
  await project?.close();
});

describe("fuzzed CLI arguments, in process", () => {
  // Found by this fuzz: a scratch database made from a postgres:// URL was the URL's own database (pg reads
  // connectionString before `database`), so "diff --from migrations" ran every revision on it.
  it("diff --from migrations with --url postgres://.../db builds on a scratch database, not on db", async () => {
    const before = await project.fingerprints();
    const db = (project.databases.pg.env.knexConfig.connection as { database: string }).database;
    const r = await runInProcess(["--project", project.root, "--url", `postgres://postgres@127.0.0.1:5432/${db}`, "diff", "--from", "migrations", "--to", "migrations", "--sql"]);
    expect(r.code, r.stderr).toBe(0);
    expect(await project.fingerprints()).toEqual(before);
  });

  it("every argv exits 0, 1 or 2 without a stack, and no guarded database changes", async () => {
    const before = await project.fingerprints();
    console.log(`${FILE}: fingerprints before: ${Object.entries(before).map(([k, f]) => `${k} ${describeFingerprint(f)}`).join("; ")}`);
    const args = argvArbitrary(project);
    await fc.assert(
      fc.asyncProperty(args, async ({ argv, writes }) => {
        if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${JSON.stringify(argv)}\n`);
        const started = Date.now();
        const r = await runInProcess(argv);
        if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `  ${r.code} ${Date.now() - started} ms ${r.stderr.split("\n").find((l) => l.startsWith("strata: ")) ?? ""}\n`);
        tally.add("argv");
        tally.add(`exit ${r.code}`);
        if (writes) tally.add("argv aimed at the throwaway environment");
        const shown = `strata ${argv.map((a) => JSON.stringify(a.length > 60 ? `${a.slice(0, 60)}...` : a)).join(" ")}\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 4000)}`;
        expect([0, 1, 2], shown).toContain(r.code);
        expect(r.stderr, shown).not.toMatch(CRASH_PATTERN);
        // main.ts escapes "-1" so that it is not read as an option; the escape must never show.
        expect(r.stdout + r.stderr, shown).not.toContain("\u0000rel");
        // `check` reports an unreachable database in its own output (exit 2) rather than as a refusal.
        const reported = r.stderr.split("\n").some((l) => l.startsWith("strata: ")) || (argv.includes("check") && /error/.test(r.stdout));
        if (r.code === 2) expect(reported, shown).toBe(true);
        // --json promises one JSON document on stdout (help and the version print text).
        if (argv.includes("--json") && r.code !== 2 && r.stdout !== "" && !argv.some((a) => ["--help", "-h", "help", "-V", "--version"].includes(a))) {
          expect(() => JSON.parse(r.stdout), shown).not.toThrow();
          tally.add("--json outputs parsed");
        }
        // FUZZ_CHECK_EACH=1 fingerprints after every run, to find the one that changed a database.
        if (process.env.FUZZ_CHECK_EACH) expect(await project.fingerprints(), shown).toEqual(before);
        // Runs that leave files (revision, init, demo) are undone, so that every run starts from the same project.
        project.resetMigrations();
      }),
      fuzzSettings(FILE, 0, Number(process.env.FUZZ_CLI_RUNS ?? 2000)),
    );
    const after = await project.fingerprints();
    expect(after).toEqual(before);
    tally.add("databases fingerprinted and unchanged", Object.keys(after).length);
    // A fair share of runs must have got past argument parsing, not all refusals.
    expect(tally.get("exit 0")).toBeGreaterThan(tally.get("argv") / 20);
    expect(path.isAbsolute(project.root)).toBe(true);
  }, 600_000);
});
