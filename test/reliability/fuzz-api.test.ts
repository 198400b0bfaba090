/**
 * Issue 5 item 8, StrataApi payloads: random JSON for every call, through the request validation
 * and dispatch every host uses (api-dispatch.ts over the app service), then a few hundred through
 * the real `strata serve` (bin/strata, HTTP with its token). Each gets a result or a typed error
 * (INVALID_REQUEST, ENV_UNKNOWN, ...; never INTERNAL), the host stays up and answers afterwards,
 * and the SQLite, PostgreSQL and MariaDB databases of the project are unchanged.
 *
 * What may change a database (runMigration, stamp, resolveRevision, undoPartialRevision) is sent to the throwaway
 * "scratch" environment only; every host a profile names is a loopback address.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../electron/cli/main.js";
import { dispatch } from "../../electron/engine/app-session/api-dispatch.js";
import { createAppService, type AppService } from "../../electron/engine/app-session/app-service.js";
import { ProfileStore, type SecretCodec } from "../../electron/engine/app-session/profile-store.js";
import { createSchemaDiffPort } from "../../electron/engine/app-session/schema-diff-port.js";
import { API_CALLS, apiSchemas, type ApiCall } from "../../shared/api.js";
import { ERROR_CODES } from "../../shared/errors.js";
import { startServeProcess } from "../helpers/serve-process.js";
import { GUARDED_ENVS, makeFuzzProject, SCRATCH_ENV, type FuzzProject } from "./fuzz-cli-args.js";
import { describeFingerprint, fuzzSettings, Tally } from "./fuzz-support.js";

const FILE = "fuzz-api";
const tally = new Tally();
const PASSWORD = "fuzz-Pa55word-SECRET";

/** A real cipher behind the profile store's encryption seam (AES-256-GCM), as safeStorage would be. */
function aesCodec(): SecretCodec {
  const key = randomBytes(32);
  return {
    storage: () => ({ available: true, backend: "test-aes", reason: null }),
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]).toString("base64");
    },
    decrypt(stored) {
      const raw = Buffer.from(stored, "base64");
      const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
    },
  };
}

const LOOPBACK = ["127.0.0.1", "localhost", "::1", "127.0.0.2"];
const MUTATING: readonly string[] = ["runMigration", "stamp", "resolveRevision", "undoPartialRevision", "repairRevision"];
const RESERVED_NAMES = new Set<string>([...GUARDED_ENVS, SCRATCH_ENV]);

const anyJson = fc.jsonValue({ maxDepth: 3 });
const str = (pool: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 24, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: fc.constantFrom("", " ", "x".repeat(5000), "\u0000", "__proto__") });

const TARGETS = ["heads", "head", "base", "+1", "-1", "a1a1a1a1a1a1", "b2b2", "c3c3c3c3c3c3", "audit@head", "zz", "a1a1a1a1a1a1:b2b2b2b2b2b2"];
const ENVS = ["lite", "pg", "maria", "pgurl", "lite", "pg", "maria", "pgurl", "needsvar", "scratch", "nope", "p-fuzz"];
const SOURCES = ["lite", "pg", "maria", "pgurl", "migrations", "migrations@a1a1a1a1a1a1", "migrations@zz", "schema.sql", "/dev/null", "nope"];

/** Values for every field name a request may have (right type mostly, wrong type sometimes). */
function fieldValues(project: FuzzProject): Record<string, fc.Arbitrary<unknown>> {
  const bool = fc.oneof({ weight: 20, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anyJson });
  const tls = fc.record({ mode: str(["disable", "prefer", "require", "verify-ca", "verify-full", "bogus"]), ca: str(["/dev/null", "/nonexistent.pem", "ca.pem"]), cert: str(["/dev/null"]), key: str(["/dev/null"]) }, { requiredKeys: [] });
  const ssh = fc.record({ host: fc.constantFrom(...LOOPBACK), port: fc.oneof(fc.constantFrom(22, 1, 65535, 0, -1, 70000), anyJson), user: str(["root", "strata"]), privateKey: str(["/nonexistent/id_ed25519", "/dev/null"]), knownHosts: str(["/dev/null"]) }, { requiredKeys: [] });
  const profileFields: Record<string, fc.Arbitrary<unknown>> = {
      // Mostly a new profile: a made-up id is NOT_FOUND.
      id: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: str(["nope"]) }),
      name: str(["p-fuzz", "p-other"]),
      client: str(["pg", "mysql2", "better-sqlite3"]),
      host: fc.constantFrom(...LOOPBACK),
      port: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(5432, 3306) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom(1, 65535, 0, 70000, 1.5), anyJson) }),
      user: str(["postgres", "root", "nobody"]),
      database: str(["postgres", "nope_db"]),
      filename: str(["scratch/throwaway.sqlite3", "nope/x.db", "/dev/null"]),
      password: fc.constantFrom(PASSWORD, "", "x"),
      clearPassword: bool,
      protected: bool,
      color: str(["#d33", "#2a9d8f", "red"]),
      tls: fc.option(tls, { nil: undefined, freq: 12 }),
      ssh: fc.option(ssh, { nil: undefined, freq: 12 }),
      sshPassphrase: fc.constantFrom(PASSWORD, ""),
      clearSshPassphrase: bool,
  };
  const profile = fc.record(profileFields, { requiredKeys: [] });
  const profileField = (k: string): fc.Arbitrary<unknown> => profileFields[k]!;
  return {
    environment: str(ENVS),
    environments: fc.oneof(fc.array(str(ENVS), { maxLength: 3 }), anyJson),
    drift: bool,
    revision: str(TARGETS),
    command: str(["upgrade", "downgrade", "sideways"]),
    target: str(TARGETS),
    confirmName: str(ENVS),
    singleTransaction: bool,
    allowEdited: bool,
    outcome: str(["applied", "rolled-back", "maybe"]),
    runId: str(["run-1", "00000000-0000-0000-0000-000000000000"]),
    targets: fc.oneof(fc.array(str(TARGETS), { maxLength: 3 }), anyJson),
    root: str([project.root, path.join(project.root, "migrations"), "/nonexistent-strata-fuzz", "relative/nope"]),
    message: str(["add things", "merge"]),
    head: str(TARGETS),
    splice: bool,
    branchLabels: fc.oneof(fc.array(str(["audit", "lbl", "a b"]), { maxLength: 2 }), anyJson),
    dependsOn: fc.oneof(fc.array(str(TARGETS), { maxLength: 2 }), anyJson),
    autogenerate: fc.oneof(fc.record({ from: str(SOURCES), to: str(SOURCES) }, { requiredKeys: [] }), anyJson),
    revisions: fc.oneof(fc.array(str(TARGETS), { maxLength: 3 }), anyJson),
    from: str(SOURCES),
    to: str(SOURCES),
    status: str(["running", "succeeded", "failed", "weird"]),
    direction: str(["up", "down", "stamp", "left"]),
    search: str(["items", "", "%", "'"]),
    failuresFirst: bool,
    limit: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(1, 10, 10_000) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom(0, -1, 1e9, 1.5), anyJson) }),
    id: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: str(["nope"]) }),
    profile,
    ...Object.fromEntries(["name", "client", "host", "port", "user", "database", "filename", "password", "clearPassword", "protected", "color", "tls", "ssh", "sshPassphrase", "clearSshPassphrase"].map((k) => [k, profileField(k)])),
  };
}

/** A payload for a call: random JSON now and then, mostly an object made of the call's own fields (from its schema). */
function payloadArbitrary(project: FuzzProject): fc.Arbitrary<{ call: string; payload: unknown }> {
  const values = fieldValues(project);
  const shapeOf = (call: string): Record<string, { safeParse(v: unknown): { success: boolean } }> =>
    (apiSchemas as unknown as Record<string, { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> }>)[call]?.shape ?? {};
  const shapedFor = (call: string): fc.Arbitrary<unknown> => {
    const shape = shapeOf(call);
    const fields = Object.keys(shape);
    const required = fields.filter((k) => !shape[k]!.safeParse(undefined).success);
    const optional = fields.filter((k) => !required.includes(k));
    return fc
      .tuple(
        // The required fields and some optional ones; now and then a required one left out, or every field.
        fc.oneof(
          { weight: 5, arbitrary: fc.subarray(optional).map((o) => [...required, ...o]) },
          { weight: 2, arbitrary: fc.constant(fields) },
          { weight: 1, arbitrary: fc.subarray(fields) },
        ),
        fc.option(fc.constantFrom("__proto__", "constructor", "unknownField", "password"), { nil: undefined, freq: 6 }),
        anyJson,
      )
      .chain(([keys, extra, extraValue]) =>
        (keys.length ? fc.tuple(...keys.map((k) => values[k] ?? anyJson)) : fc.constant([] as unknown[])).map((vs) => {
          const o: Record<string, unknown> = Object.fromEntries(keys.map((k, i) => [k, vs[i]]));
          if (extra !== undefined) Object.defineProperty(o, extra, { value: extraValue, enumerable: true, writable: true, configurable: true });
          return o;
        }),
      );
  };
  const call = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...API_CALLS) }, { weight: 1, arbitrary: fc.constantFrom("dropEverything", "__proto__", "constructor", "", "appinfo") });
  return call.chain((c) =>
    fc
      .oneof(
        { weight: 6, arbitrary: shapedFor(c) },
        { weight: 1, arbitrary: anyJson },
        { weight: 1, arbitrary: fc.constantFrom(null, undefined, [], "{}", 0, JSON.parse('{"__proto__": {"polluted": 1, "environment": "pg"}}')) },
      )
      .map((p) => ({ call: c, payload: makeSafe(c, p) })),
  );
}

/** Keeps the fuzz inside its bounds: loopback hosts only, and database changes aimed at the throwaway environment only. */
function makeSafe(call: string, payload: unknown): unknown {
  const walk = (v: unknown, key: string | null): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    if (key === "host" && typeof v === "string" && !LOOPBACK.includes(v)) return "127.0.0.1";
    // A profile must not take the name of an environment of the config (it would stand for a guarded database).
    if (key === "name" && typeof v === "string" && RESERVED_NAMES.has(v.trim())) return `p-${v}`;
    return v;
  };
  const safe = walk(payload, null);
  if (MUTATING.includes(call) && safe !== null && typeof safe === "object" && !Array.isArray(safe)) {
    const env = (safe as Record<string, unknown>).environment;
    if (typeof env === "string" && !env.startsWith("nope")) (safe as Record<string, unknown>).environment = SCRATCH_ENV;
  }
  return safe;
}

function checkOutcome(outcome: { ok: boolean; value?: unknown; error?: { code: string; message: string } }, input: unknown): void {
  const shown = JSON.stringify(input)?.slice(0, 600);
  if (outcome.ok) {
    tally.add("results");
    expect(JSON.stringify(outcome.value ?? null), shown).not.toContain(PASSWORD);
    return;
  }
  const e = outcome.error!;
  tally.add(`error ${e.code}`);
  expect(ERROR_CODES, shown).toContain(e.code);
  expect(e.code, `${shown}: ${e.message}`).not.toBe("INTERNAL");
  expect(e.message, shown).not.toMatch(/\n/);
  expect(e.message, shown).not.toContain(PASSWORD);
}

let project: FuzzProject;
let service: AppService;
const internal: string[] = [];

beforeAll(async () => {
  project = await makeFuzzProject(async (argv) => {
    const code = await main(argv);
    process.exitCode = undefined;
    return code;
  });
  service = createAppService({
    host: "browser",
    projectRoot: project.root,
    profiles: new ProfileStore(path.join(project.dataDir, "profiles.json"), aesCodec()),
    recentFile: path.join(project.dataDir, "recent.json"),
    schemaDiff: createSchemaDiffPort(),
  });
}, 120_000);

afterAll(async () => {
  tally.print(FILE);
  await project?.close();
});

async function runsSettled(list: () => Promise<{ runs: readonly { state: string; error: { code: string } | null }[] }>): Promise<readonly { state: string; error: { code: string } | null }[]> {
  for (let i = 0; i < 600; i++) {
    const { runs } = await list();
    if (runs.every((r) => r.state === "succeeded" || r.state === "failed")) return runs;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("runs still going after 60 s");
}

describe("fuzzed StrataApi payloads", () => {
  it("through dispatch: every call answers a result or a typed error, and no guarded database changes", async () => {
    const before = await project.fingerprints();
    console.log(`${FILE}: fingerprints before: ${Object.entries(before).map(([k, f]) => `${k} ${describeFingerprint(f)}`).join("; ")}`);
    await fc.assert(
      fc.asyncProperty(payloadArbitrary(project), async ({ call, payload }) => {
        tally.add("dispatched payloads");
        internal.length = 0;
        if (!(API_CALLS as readonly string[]).includes(call)) return;
        const outcome = await dispatch(service.handlers, call as ApiCall, payload, undefined, (c, e) => internal.push(`${c}: ${e instanceof Error ? e.stack : String(e)}`));
        checkOutcome(outcome as never, { call, payload });
        tally.add(`${call} ${outcome.ok ? "ok" : "refused"}`);
        if (process.env.FUZZ_TRACE && !outcome.ok) appendFileSync(process.env.FUZZ_TRACE, `${call} ${outcome.error.message.slice(0, 200)}\n`);
        expect(internal, JSON.stringify({ call, payload }).slice(0, 600)).toEqual([]);
        // Revision files written by createRevision/createMerge are removed, so that every payload meets the same project.
        if (call === "createRevision" || call === "createMerge") project.resetMigrations();
      }),
      fuzzSettings(FILE, 0, Number(process.env.FUZZ_API_RUNS ?? 2000)),
    );
    const runs = await runsSettled(() => service.handlers.listRuns({}, undefined));
    tally.add("runs queued on the throwaway environment", runs.length);
    for (const r of runs) expect(r.error?.code).not.toBe("INTERNAL");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const after = await project.fingerprints();
    expect(after).toEqual(before);
    tally.add("databases fingerprinted and unchanged (dispatch)", Object.keys(after).length);
    expect(tally.get("results")).toBeGreaterThan(tally.get("dispatched payloads") / 10);
    // Every call of the API was reached, and most of them also answered with a result at least once.
    for (const c of API_CALLS) expect(tally.get(`${c} ok`) + tally.get(`${c} refused`), c).toBeGreaterThan(20);
    expect(API_CALLS.filter((c) => tally.get(`${c} ok`) > 0).length).toBeGreaterThan(API_CALLS.length / 2);
  }, 600_000);

  it("through strata serve over HTTP: typed errors or results, and the host still answers afterwards", async () => {
    const before = await project.fingerprints();
    const serve = await startServeProcess(project.root, { cwd: project.workDir, env: { STRATA_DATA_DIR: path.join(project.dataDir, "serve") } });
    let exited: number | null | undefined;
    serve.child.on("exit", (code) => (exited = code));
    try {
      const { url, token } = serve;
      const post = async (call: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> => {
        const res = await fetch(`${url.origin}/api/${encodeURIComponent(call)}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-strata-token": token, ...headers },
          body,
          signal: AbortSignal.timeout(60_000),
        });
        const text = await res.text();
        return { status: res.status, json: JSON.parse(text) };
      };
      const { seed, numRuns } = fuzzSettings(FILE, 1, Number(process.env.FUZZ_HTTP_RUNS ?? 300));
      const bodyMutation = fc.oneof(
        { weight: 8, arbitrary: fc.constant((s: string) => s) },
        fc.constant((s: string) => s.slice(0, Math.floor(s.length / 2))),
        fc.constant(() => "{not json"),
        fc.constant(() => ""),
        fc.constant(() => "x".repeat(1_100_000)),
      );
      const inputs = fc.sample(fc.tuple(payloadArbitrary(project), bodyMutation), { seed, numRuns });
      for (const [{ call, payload }, mutate] of inputs) {
        tally.add("HTTP requests");
        const body = mutate(JSON.stringify(payload ?? {}) ?? "{}");
        const r = await post(call, body);
        if (r.status === 200) checkOutcome({ ok: true, value: r.json }, { call, payload });
        else {
          expect(r.status, JSON.stringify({ call, payload, r }).slice(0, 600)).toBeGreaterThanOrEqual(400);
          expect(r.status).toBeLessThan(500);
          checkOutcome({ ok: false, error: r.json }, { call, payload });
        }
        if (call === "createRevision" || call === "createMerge") project.resetMigrations();
        expect(exited, serve.output()).toBeUndefined();
      }
      // Health: the host is up and answers the first call a page makes.
      const health = await post("appInfo", "{}");
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({ host: "browser", projectRoot: project.root });
      tally.add("health checks answered");
      const runs = await runsSettled(async () => (await post("listRuns", "{}")).json);
      for (const r of runs) expect(r.error?.code).not.toBe("INTERNAL");
      expect(serve.output()).not.toMatch(/internal error|TypeError|at .+:\d+:\d+\)/);
    } finally {
      await serve.stop();
    }
    const after = await project.fingerprints();
    expect(after).toEqual(before);
    tally.add("databases fingerprinted and unchanged (HTTP)", Object.keys(after).length);
  }, 600_000);
});
