/**
 * Issue 5 item 8, CLI arguments through the real launcher: a few hundred generated argv run as
 * `bin/strata` child processes (two at a time) against a project with SQLite, PostgreSQL and
 * MariaDB environments. Every process exits 0, 1 or 2 by itself (never a signal, never Node's
 * own crash), prints no stack, refuses with a line starting "strata: ", and the three guarded
 * databases are unchanged afterwards. Commands that change a database or write files run against
 * the throwaway "scratch" environment (see fuzz-cli-args.ts).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata } from "../helpers/strata-cli.js";
import { argvArbitrary, CRASH_PATTERN, makeFuzzProject, writeSqlFixture, type FuzzArgv, type FuzzProject } from "./fuzz-cli-args.js";
import { describeFingerprint, fuzzSettings, Tally } from "./fuzz-support.js";

const FILE = "fuzz-cli-bin";
const tally = new Tally();
let project: FuzzProject;

function env(): NodeJS.ProcessEnv {
  return { STRATA_DATA_DIR: project.dataDir, STRATA_DEBUG: "", STRATA_FUZZ_UNSET_VARIABLE: undefined };
}

beforeAll(async () => {
  project = await makeFuzzProject(async (argv) => (await strata(argv)).code ?? -1);
  writeSqlFixture(project.workDir);
}, 120_000);

afterAll(async () => {
  tally.print(FILE);
  await project?.close();
});

describe("fuzzed CLI arguments, through bin/strata", () => {
  it("every process exits 0, 1 or 2 without a stack, and no guarded database changes", async () => {
    const before = await project.fingerprints();
    console.log(`${FILE}: fingerprints before: ${Object.entries(before).map(([k, f]) => `${k} ${describeFingerprint(f)}`).join("; ")}`);
    const arb = argvArbitrary(project);
    const { seed, numRuns } = fuzzSettings(FILE, 0, Number(process.env.FUZZ_BIN_RUNS ?? 200));
    // The inputs are drawn up front from the seed (fc.sample is deterministic for a seed), then run two at a time.
    // A process argument cannot hold a NUL byte (Node refuses to spawn it); the in-process fuzz covers those.
    const inputs: FuzzArgv[] = fc.sample(arb, { seed, numRuns }).map((i) => ({ ...i, argv: i.argv.map((a) => a.replace(/\u0000/g, "\u0001")) }));
    // Commands that write files must not race each other on the same migrations folder.
    const readers = inputs.filter((i) => !i.writes);
    const writers = inputs.filter((i) => i.writes);
    const check = async ({ argv, writes }: FuzzArgv): Promise<void> => {
      const r = await strata(argv, { cwd: project.workDir, env: env(), timeoutMs: 60_000 });
      tally.add("processes");
      tally.add(`exit ${r.code}`);
      if (writes) tally.add("aimed at the throwaway environment");
      const shown = `strata ${argv.map((a) => JSON.stringify(a.length > 60 ? `${a.slice(0, 60)}...` : a)).join(" ")} (seed ${seed})\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 4000)}`;
      expect([0, 1, 2], shown).toContain(r.code);
      expect(r.stderr, shown).not.toMatch(CRASH_PATTERN);
      expect(r.stdout + r.stderr, shown).not.toContain("\u0000rel");
      const reported = r.reason !== "" || (argv.includes("check") && /error/.test(r.stdout));
      if (r.code === 2) expect(reported, shown).toBe(true);
    };
    const lanes = [readers, writers].map(async (list) => {
      for (const input of list) {
        await check(input);
        if (input.writes) project.resetMigrations();
      }
    });
    await Promise.all(lanes);
    const after = await project.fingerprints();
    expect(after).toEqual(before);
    tally.add("databases fingerprinted and unchanged", Object.keys(after).length);
    expect(tally.get("exit 0")).toBeGreaterThan(numRuns / 20);
  }, 600_000);
});
