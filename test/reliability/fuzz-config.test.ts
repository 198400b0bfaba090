/**
 * Issue 5 item 8, configs: generated strata.config.json texts (well-formed and broken JSON, wrong
 * types, unknown keys, bad clients, ${VAR} forms, huge strings, prototype-pollution keys) go
 * through the config loader and environment selection. Each either loads or throws a StrataError
 * with a one-line message; nothing else.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_FILE_NAME, loadConfig, parseConfig } from "../../electron/engine/project/config-file.js";
import { environmentFromUrl, resolveEnvironment } from "../../electron/engine/project/environment.js";
import type { ProjectConfig } from "../../electron/engine/project/types.js";
import { expectClearError, fuzzSettings, Tally } from "./fuzz-support.js";

const FILE = "fuzz-config";
const tally = new Tally();
const root = mkdtempSync(path.join(os.tmpdir(), "strata-fuzz-config-"));
afterAll(() => {
  tally.print(FILE);
  rmSync(root, { recursive: true, force: true });
});

/** The variables `${VAR}` may name; some set, some not. */
const ENV: Record<string, string | undefined> = { DATABASE_URL: "postgres://u:pw@127.0.0.1:5432/app", EMPTY: "", SQLITE: "dev.sqlite3", WEIRD: "${NESTED}" };

const huge = fc.integer({ min: 10_000, max: 200_000 }).map((n) => "x".repeat(n));
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\n", "\u0000", "\uFEFF", "%(rev)s", "%(", "%(slug)s_%(year)d", "%(nope)s", "../..", "/", "C:\\x", "null", "[]", "{}"),
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"),
  huge,
);
const variableForm = fc.oneof(
  fc.constantFrom("${DATABASE_URL}", "${MISSING}", "${MISSING:-postgres://127.0.0.1/x}", "${EMPTY}", "${WEIRD}", "${}", "${1BAD}", "$DATABASE_URL", "${SQLITE}", "${MISSING:-}", "${A:-${B}}"),
  fc.tuple(fc.constantFrom("postgres://", "mysql://", "sqlite:", ""), fc.constantFrom("${DATABASE_URL}", "${MISSING}", "${SQLITE:-x.db}")).map(([a, b]) => a + b),
);
const urlLike = fc.oneof(
  fc.constantFrom(
    "postgres://u:pw@127.0.0.1:5432/app",
    "postgresql://[::1]:5432/app",
    "mysql://root:@127.0.0.1/db?charset=utf8mb4",
    "mariadb://u:p%ZZ@h/db",
    "mysql://u:p@h:99999/db",
    "postgres://%zz@h/db",
    "postgres://",
    "mysql:",
    "sqlite:",
    "sqlite:///",
    "sqlite::memory:",
    "sqlite:///tmp/%E0%A4%A.db",
    "sqlite://relative.db",
    "file:x.db",
    "dev.sqlite3",
    "C:\\data\\x.db",
    "http://example.invalid/x",
    "postgres://u:p@h:port/db",
    "postgres://u:p@h/d%00b",
  ),
  fc.webUrl(),
  fc.tuple(fc.constantFrom("postgres://", "mysql://", "sqlite:", "mariadb://", ""), fc.string()).map(([a, b]) => a + b),
  variableForm,
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Mostly a good value, sometimes a bad one: most configs get past the first check and reach the deeper ones. */
function mostly<T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ weight: 20, arbitrary: good }, { weight: 1, arbitrary: bad });
}
const clientValue = mostly(
  fc.constantFrom("pg", "postgres", "postgresql", "mysql", "mysql2", "mariadb", "sqlite3", "sqlite", "better-sqlite3"),
  fc.oneof(fc.constantFrom("oracle", "PG", "mssql", "", "__proto__", "toString"), anyJson),
);
const connectionValue = mostly(
  fc.oneof(
    urlLike,
    fc.record(
      {
        filename: mostly(fc.constantFrom("dev.sqlite3", "/tmp/x.db", ":memory:", "file:x.db", "${SQLITE}", "${MISSING}"), fc.oneof(nastyString, anyJson)),
        host: mostly(fc.constantFrom("127.0.0.1", "::1", "localhost", "${HOST:-127.0.0.1}"), anyJson),
        port: mostly(fc.integer({ min: -5, max: 70000 }), anyJson),
        user: mostly(fc.constantFrom("root", "${USER_VAR}", "${MISSING}", "postgres"), anyJson),
        password: mostly(fc.constantFrom("pw", "${DATABASE_URL}"), anyJson),
        database: mostly(fc.string({ maxLength: 10 }), anyJson),
        connectionString: urlLike,
        socketPath: fc.string({ maxLength: 10 }),
      },
      { requiredKeys: [] },
    ),
  ),
  anyJson,
);
const tableName = mostly(fc.constantFrom("strata_version", "app.versions", "v$1", "_h"), fc.oneof(fc.constantFrom("1bad", "a.b.c", "", "x-y"), anyJson));
const environment = mostly(
  fc.record(
    {
      client: clientValue,
      connection: connectionValue,
      pool: mostly(fc.record({ min: fc.integer({ min: -1, max: 3 }), max: fc.integer({ min: -1, max: 10 }) }), anyJson),
      protected: mostly(fc.boolean(), anyJson),
      color: mostly(fc.constantFrom("#d33", "red"), fc.oneof(fc.constant(""), anyJson)),
      versionTable: tableName,
      historyTable: tableName,
      searchPath: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), anyJson),
      useNullAsDefault: anyJson,
      unknownKnexOption: anyJson,
    },
    { requiredKeys: ["client", "connection"] },
  ),
  anyJson,
);
const envName = fc.oneof(fc.constantFrom("dev", "prod", "url", "", "__proto__", "constructor", "toString", "a b", "é"), fc.string({ maxLength: 12 }), huge);
const configObject = fc.record(
  {
    $schema: mostly(fc.constant("https://strata.dev/schema.json"), anyJson),
    migrations: mostly(fc.constantFrom("migrations", "db/migrations", "/", "../outside", "\u0000", "${VAR}"), fc.oneof(fc.constant(""), nastyString, anyJson)),
    fileTemplate: mostly(fc.constantFrom("%(rev)s_%(slug)s", "%(year)d-%(rev)s", "%(bad)s", "%(rev)", "no-placeholders", "%%", "%(rev)s/%(slug)s"), fc.oneof(nastyString, anyJson)),
    versionTable: tableName,
    historyTable: tableName,
    environments: mostly(fc.dictionary(envName, environment, { maxKeys: 4 }), anyJson),
  },
  { requiredKeys: ["migrations"] },
);

/** Keys JSON.stringify never writes from an object literal, spliced into the text. */
const POLLUTION = [
  '"__proto__": {"polluted": "yes", "migrations": "evil"}',
  '"constructor": {"prototype": {"polluted": "yes"}}',
  '"__proto__": null',
  '"migrations": "first", "migrations": "second"',
  '"unknownKey": true',
];
const ENV_POLLUTION = ['"__proto__": {"client": "pg", "connection": "postgres://h/db"}', '"constructor": {"client": "sqlite", "connection": {"filename": "x.db"}}'];

/** Text edits that break or bend the JSON. */
const mutation = fc.oneof(
  { weight: 12, arbitrary: fc.constant((t: string) => t) },
  fc.nat().map((n) => (t: string) => t.slice(0, t.length ? n % t.length : 0)),
  fc.tuple(fc.nat(), fc.constantFrom(",", "}", "{", '"', "\\", ":", "]", "\n", "\u0000", "//", "/*", "'", "NaN", "\uD800")).map(([n, c]) => (t: string) => {
    const i = t.length ? n % t.length : 0;
    return t.slice(0, i) + c + t.slice(i);
  }),
  fc.nat().map((n) => (t: string) => {
    const i = t.length ? n % t.length : 0;
    return t.slice(0, i) + t.slice(i + 1);
  }),
  fc.constant((t: string) => t.replace(/}\s*$/, ",}")),
  fc.constant((t: string) => `\uFEFF${t}`),
  fc.constant((t: string) => t.replace(/"/g, "'")),
  fc.constantFrom(...POLLUTION).map((p) => (t: string) => t.replace(/^\s*\{/, `{${p}${/^\s*\{\s*\}/.test(t) ? "" : ","}`)),
  fc.constantFrom(...ENV_POLLUTION).map((p) => (t: string) => t.replace(/"environments":\s*\{/, (m) => `${m}${p}${t.includes('"environments":{}') ? "" : ","}`)),
);

const configText = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(configObject, mutation).map(([o, m]) => m(JSON.stringify(o))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "null", "[]", "0", '"migrations"', "{", "{}", '{"migrations":"m"}garbage', "\uFEFF") },
);

function snapshotPrototypes(): string {
  return JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).length]);
}

/** Loads a text and selects every environment it names (and the default one); returns how many loaded. */
function exercise(text: string, names: readonly string[], url: string | undefined): "loaded" | "refused" {
  let config: ProjectConfig;
  try {
    config = parseConfig(text, root);
  } catch (e) {
    expectClearError(e, text);
    return "refused";
  }
  expect(typeof config.migrationsDir).toBe("string");
  const candidates: (string | undefined)[] = [undefined, ...Object.keys(config.environments), ...names];
  for (const name of candidates) {
    tally.add("environment selections");
    try {
      const env = resolveEnvironment(config, name, undefined, { env: ENV, cwd: root });
      expect(typeof env.displayTarget).toBe("string");
      // The password of a URL never shows in what is displayed.
      expect(env.displayTarget).not.toContain(":pw@");
    } catch (e) {
      expectClearError(e, { text, name });
    }
  }
  if (url !== undefined) {
    tally.add("environment selections");
    try {
      resolveEnvironment(config, undefined, url, { env: ENV, cwd: root });
    } catch (e) {
      expectClearError(e, { text, url });
    }
  }
  return "loaded";
}

describe("fuzzed strata.config.json", () => {
  it("every text loads or gives a one-line StrataError; selecting any environment does too", () => {
    const before = snapshotPrototypes();
    fc.assert(
      fc.property(configText, fc.array(envName, { maxLength: 3 }), fc.option(urlLike, { nil: undefined }), (text, names, url) => {
        tally.add("config texts");
        tally.add(exercise(text, names, url) === "loaded" ? "configs loaded" : "configs refused");
      }),
      fuzzSettings(FILE, 0, 4000),
    );
    expect(snapshotPrototypes()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Both outcomes were exercised, not only one.
    expect(tally.get("configs loaded")).toBeGreaterThan(100);
    expect(tally.get("configs refused")).toBeGreaterThan(100);
  });

  it("the same texts read from disk through loadConfig behave the same", () => {
    const file = path.join(root, CONFIG_FILE_NAME);
    fc.assert(
      fc.property(configText, (text) => {
        tally.add("config files");
        writeFileSync(file, text);
        let fromDisk: unknown;
        let fromText: unknown;
        try {
          fromDisk = loadConfig(root);
        } catch (e) {
          expectClearError(e, text);
          fromDisk = (e as Error).message;
        }
        try {
          fromText = parseConfig(text.charCodeAt(0) === 0xfeff ? text : text, root);
        } catch (e) {
          fromText = (e as Error).message;
        }
        // Lone surrogates do not survive a round trip through UTF-8; the rest must match exactly.
        if (!/[\uD800-\uDFFF]/.test(text)) expect(fromDisk).toEqual(fromText);
      }),
      fuzzSettings(FILE, 1, 800),
    );
  });

  it("any --url value gives an environment or a one-line StrataError", () => {
    fc.assert(
      fc.property(fc.oneof(urlLike, fc.string(), huge), (url) => {
        tally.add("urls");
        try {
          const env = environmentFromUrl(url, { cwd: root });
          expect(env.displayTarget).not.toMatch(/:pw@|:p@/);
        } catch (e) {
          expectClearError(e, url);
          expect((e as Error).message).not.toMatch(/:pw@|:p@/);
        }
      }),
      fuzzSettings(FILE, 2, 1500),
    );
  });
});
