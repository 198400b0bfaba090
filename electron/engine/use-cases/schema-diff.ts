import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Knex } from "knex";
import type { DriftDto, NotComparedDto, SchemaChangeDto, SchemaDiffDto, SchemaModel, SchemaSourceDto } from "../../../shared/schema.js";
import { dialectFor } from "../dialect/index.js";
import type { DbClient, Dialect } from "../dialect/index.js";
import { changeKey, compareNotCompared, compareObjects, describeNotCompared, diffSchemas, normaliseAcrossDialects, renderBodySql, renderKnexBody } from "../diff/index.js";
import type { CrossDialectModels, SchemaChange } from "../diff/index.js";
import { StrataError, assertNever, isStrataError } from "../errors.js";
import { KNEX_TABLES } from "../introspect/index.js";
import { loadKnex } from "../knex-factory.js";
import { openConnection } from "../project/connect.js";
import type { EnvironmentConfig } from "../project/index.js";
import { SCRATCH_BUILD_WORDS, migrate } from "../runner/index.js";
import { compileScriptsAhead, evaluateRevision } from "../scripts/index.js";
import { STRATA_VERSION } from "../version.js";
import { readDatabaseState, withDatabase } from "./database-session.js";
import type { OpenProject } from "./open-project.js";
import { selectEnvironment } from "./open-project.js";
import type { Plan } from "../revisions/types.js";

/** Every scratch database is named with this prefix, so a leftover one is easy to find. */
export const SCRATCH_PREFIX = "strata_scratch_";

/** A schema read from one source, and what it took. */
export interface ReadSchema {
  readonly model: SchemaModel;
  readonly source: SchemaSourceDto;
  readonly queries: number;
}

/** Options of the schema reads: which PostgreSQL schemas, and where scratch databases are made. */
export interface SchemaReadOptions {
  /** PostgreSQL schemas besides public; ignored elsewhere. */
  readonly schemas?: readonly string[];
  /** The environment whose server holds scratch databases (and whose dialect they speak). */
  readonly host: EnvironmentConfig;
}

const cleanups = new Set<() => Promise<void>>();

/**
 * Drops every scratch database still open in this process. The CLI calls it on SIGINT/SIGTERM,
 * since an interrupted build never reaches its own `finally`.
 */
export async function dropScratchDatabases(): Promise<void> {
  await Promise.all([...cleanups].map((c) => c().catch(() => undefined)));
}

function excludedTables(env: EnvironmentConfig, project?: OpenProject): string[] {
  // A knexfile's migrations.tableName names knex's bookkeeping tables (issue #15 point 7): they are not the app's schema either.
  const knexTable = project?.config.knexMigrations?.tableName;
  return [env.versionTable, env.historyTable, ...KNEX_TABLES, ...(knexTable ? [knexTable, `${knexTable}_lock`] : [])];
}

/**
 * Makes an empty scratch database on the host's server (an in-memory one for SQLite), runs fn on
 * it, and drops it afterwards whatever happens.
 */
export async function withScratchDatabase<T>(host: EnvironmentConfig, fn: (knex: Knex, dialect: Dialect) => Promise<T>): Promise<T> {
  const dialect = dialectFor(host.client);
  const server = dialect.schema.scratch;
  if (!server) {
    // One connection that is never recycled: every connection to ":memory:" is a database of its own.
    const knex = (await loadKnex())({ client: host.client, connection: { filename: ":memory:" }, useNullAsDefault: true, pool: { min: 1, max: 1, idleTimeoutMillis: 2 ** 30 } });
    try {
      return await fn(knex, dialect);
    } finally {
      await knex.destroy();
    }
  }
  const admin = await openConnection(host);
  const name = `${SCRATCH_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`;
  let scratch: Knex | null = null;
  // One drop, whoever asks first (an interrupt or the end of fn): the other waits for it, so the
  // admin pool is not destroyed under a drop still running on it.
  let dropping: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (dropping ??= (async () => {
      cleanups.delete(cleanup);
      // Drop first: it ends the scratch sessions, so destroying their pool cannot wait on a running query.
      try {
        await server.drop(admin, name);
      } finally {
        await scratch?.destroy().catch(() => undefined);
      }
    })());
  try {
    // Registered before the database exists: an interrupt that lands while CREATE DATABASE returns must still drop it.
    cleanups.add(cleanup);
    try {
      await server.create(admin, name);
    } catch (e) {
      dropping = Promise.resolve();
      cleanups.delete(cleanup);
      const reason = ((e as Error).message ?? String(e)).split("\n")[0]!.replace(/^.* - /, "");
      throw new StrataError("NOT_SUPPORTED", `environment ${host.name}: cannot create a scratch database on ${host.displayTarget} (${reason}); grant this user CREATE DATABASE, or name a .sql file or another environment instead`, { environment: host.name, scratchRefused: reason });
    }
    // Its sessions are ended on purpose when the run is interrupted: knex's "Connection Error" warnings would only be noise.
    const knexConfig = { ...server.retarget(host.knexConfig, name), log: { warn: () => undefined } };
    scratch = await openConnection({ ...host, knexConfig, displayTarget: `${name} (scratch database on ${host.displayTarget})` });
    return await fn(scratch, dialect);
  } finally {
    await cleanup().catch(() => undefined);
    await admin.destroy().catch(() => undefined);
  }
}

/**
 * How many revisions one runner call applies in a scratch build before the event loop is given
 * back: `strata serve` answers every screen on one loop, and a drift check at 5,000 revisions held
 * a plan asked for meanwhile 40 s (issue 19 point 7). Small, as each call also takes the lock.
 */
const SCRATCH_STEPS_PER_TURN = 8;

/** The event loop given back once: what else is queued runs first. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Thrown where a scratch build stops because nobody waits for it any more (the signal aborted). */
export class ScratchBuildStopped extends Error {
  constructor() {
    super("the scratch build was stopped: nobody waits for it any more");
  }
}

/**
 * Runs the revisions from base up to each of `targets` (one after another) on a scratch database,
 * a few at a time, awaiting `turn` in between (the event loop given back; drift's builds also wait
 * there for the calls a person waits for); stops at the next turn once `signal` aborts.
 */
async function buildFromRevisions(project: OpenProject, host: EnvironmentConfig, knex: Knex, dialect: Dialect, targets: readonly string[], signal?: AbortSignal, turn: () => Promise<void> = nextTurn): Promise<void> {
  for (const target of targets) {
    // Filled by the first call (a closure's write, which the loop's condition must see).
    const planned: { plan: Plan | null } = { plan: null };
    for (let from = 0; planned.plan === null || from < planned.plan.steps.length; from += SCRATCH_STEPS_PER_TURN) {
      await turn();
      if (signal?.aborted) throw new ScratchBuildStopped();
      const start = from;
      await migrate(knex, dialect, {
        scripts: project.scripts,
        // Planned once, from the heads of the first call: a scratch database has no other writer.
        makePlan: (heads) => {
          const plan = (planned.plan ??= project.map.planUpgrade(heads, target));
          return { ...plan, steps: plan.steps.slice(start, start + SCRATCH_STEPS_PER_TURN) };
        },
        versionTable: host.versionTable,
        historyTable: host.historyTable,
        strataVersion: STRATA_VERSION,
      });
      // The rest of the build's files in a few batches, rather than one compile per revision as each turn loads it.
      if (start === 0 && planned.plan !== null) await compileScriptsAhead(planned.plan.steps.slice(SCRATCH_STEPS_PER_TURN).map((s) => project.scripts.get(s.revision)), turn);
    }
  }
}

/**
 * An error of a scratch build in words that say so: the revision and statement that failed and
 * what to do, with no claim about any database of the user's (the runner's own words, "it was
 * rolled back: the database is as it was", are about a real run).
 */
export function scratchBuildError(e: unknown, hint = `if the first revision assumes tables made elsewhere, name a schema to start from in "baseSchema" of strata.config.json`): StrataError {
  if (isStrataError(e) && e.code === "SCRATCH_BUILD_FAILED") return e;
  if (isStrataError(e) && e.code === "REVISION_FAILED") {
    const d = e.details ?? {};
    const revision = String(d.revision ?? "?");
    const statement = typeof d.statement === "string" ? ` in \`${d.statement.replace(/\s+/g, " ").slice(0, 160)}\`` : "";
    const reason = typeof d.databaseMessage === "string" ? d.databaseMessage : e.message;
    return new StrataError(
      "SCRATCH_BUILD_FAILED",
      `${SCRATCH_BUILD_WORDS}, revision ${revision} failed on ${String(d.direction ?? "up")}${statement}: ${reason}; ${hint}`,
      { revision, direction: d.direction, file: d.file, statement: d.statement, databaseMessage: d.databaseMessage },
    );
  }
  if (isStrataError(e)) {
    return new StrataError("SCRATCH_BUILD_FAILED", `${SCRATCH_BUILD_WORDS}: ${e.message}`, { ...(e.details ?? {}), cause: e.code }, e.detail);
  }
  return new StrataError("SCRATCH_BUILD_FAILED", `${SCRATCH_BUILD_WORDS}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`, {});
}

/** Loads a SQL script statement by statement, as diff's .sql source is; SQL_FILE_FAILED naming the line that failed. */
async function runSqlScript(knex: Knex, file: string, label: string): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new StrataError("SOURCE_UNKNOWN", `cannot read ${label}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path`, { file });
  }
  for (const s of splitSqlStatements(text)) {
    try {
      await knex.raw(s.sql.replace(/\?/g, "\\?"));
    } catch (e) {
      const message = (e as { sqlMessage?: string }).sqlMessage ?? (e as Error).message;
      // knex prefixes a driver error with the statement: keep only the database's words.
      const reason = (message.startsWith(s.sql) ? message.slice(s.sql.length).replace(/^\s*-\s*/, "") : message).split("\n")[0]!;
      throw new StrataError("SQL_FILE_FAILED", `${label} line ${s.line}: ${reason}; fix that statement and run again`, { file, line: s.line });
    }
  }
}

/**
 * A function that makes the project's base schema (config `baseSchema`: a .sql file or a module
 * exporting `async (knex) => ...`) on a scratch database, or undefined where there is none.
 */
export function baseSchemaBuilder(project: OpenProject): ((knex: Knex) => Promise<void>) | undefined {
  const file = project.config.baseSchema;
  if (file === undefined) return undefined;
  const label = `baseSchema ${path.relative(project.root, file)}`;
  if (/\.sql$/i.test(file)) return (knex) => runSqlScript(knex, file, label);
  return async (knex) => {
    const exported = await evaluateRevision(file, readFileSync(file, "utf8"), path.relative(project.root, file));
    const fn = typeof exported.default === "function" ? exported.default : Object.values(exported).find((v) => typeof v === "function");
    if (typeof fn !== "function") {
      throw new StrataError("CONFIG_INVALID", `${label} exports no function; export one, e.g. \`module.exports = async (knex) => { ... }\``, { file });
    }
    try {
      await (fn as (k: Knex) => unknown)(knex);
    } catch (e) {
      throw new StrataError("SQL_FILE_FAILED", `${label} failed: ${databaseWords(e)}; fix it and run again`, { file });
    }
  };
}

function databaseWords(e: unknown): string {
  return ((e as { sqlMessage?: string }).sqlMessage ?? (e instanceof Error ? e.message : String(e))).split("\n")[0]!;
}

/** The schema the revisions build up to targets (the heads, say), read from a scratch database that starts from the base schema. */
export async function readMigrationsSchema(project: OpenProject, opts: SchemaReadOptions, targets: readonly string[], label = "migrations", signal?: AbortSignal, turn?: () => Promise<void>): Promise<ReadSchema> {
  const source: SchemaSourceDto = { source: label, kind: "migrations", client: opts.host.client };
  const base = baseSchemaBuilder(project);
  if ((targets.length === 0 || project.map.heads.length === 0) && base === undefined) {
    return { model: { client: opts.host.client, tables: [], views: [], enums: [] }, source, queries: 0 };
  }
  return withScratchDatabase(opts.host, async (knex, dialect) => {
    try {
      await base?.(knex);
      if (project.map.heads.length > 0) await buildFromRevisions(project, opts.host, knex, dialect, targets, signal, turn);
    } catch (e) {
      if (e instanceof ScratchBuildStopped) throw e;
      throw scratchBuildError(
        e,
        base === undefined
          ? undefined
          : `the scratch database started from baseSchema ${path.relative(project.root, project.config.baseSchema!)}; fix the revision or add what it needs to the base schema`,
      );
    }
    const r = await dialect.schema.introspect(knex, { schemas: opts.schemas, exclude: excludedTables(opts.host, project) });
    return { model: r.model, source, queries: r.queries };
  });
}

/** The schema of a live environment. */
export async function readEnvironmentSchema(env: EnvironmentConfig, schemas?: readonly string[], project?: OpenProject): Promise<ReadSchema> {
  return withDatabase(env, async (db) => {
    const r = await db.dialect.schema.introspect(db.knex, { schemas, exclude: excludedTables(env, project) });
    return { model: r.model, source: { source: env.name, kind: "environment", client: env.client }, queries: r.queries };
  });
}

/** The schema a .sql file makes, loaded statement by statement into a scratch database. */
export async function readSqlFileSchema(file: string, opts: SchemaReadOptions, label: string): Promise<ReadSchema> {
  // Read before a scratch database is made: a missing file needs none.
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new StrataError("SOURCE_UNKNOWN", `cannot read ${label}: ENOENT; check the path`, { file });
  }
  return withScratchDatabase(opts.host, async (knex, dialect) => {
    await runSqlScript(knex, file, label);
    const r = await dialect.schema.introspect(knex, { schemas: opts.schemas, exclude: excludedTables(opts.host) });
    return { model: r.model, source: { source: label, kind: "sql-file", client: opts.host.client }, queries: r.queries };
  });
}

/** Splits a SQL script into statements at semicolons outside quotes, comments and $$ bodies, with the line each starts on. */
export function splitSqlStatements(text: string): { sql: string; line: number }[] {
  const out: { sql: string; line: number }[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number): void => {
    const raw = text.slice(start, end);
    // Comments before a statement are not part of it: its line is where its first word is.
    const lead = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(raw)![0].length;
    const sql = raw.slice(lead).trim();
    if (sql) out.push({ sql, line: text.slice(0, start + lead).split("\n").length });
    start = end + 1;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "-" && text[i + 1] === "-") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (ch === "'" || ch === '"' || ch === "`") {
      let j = i + 1;
      while (j < text.length && !(text[j] === ch && text[j + 1] !== ch)) j += text[j] === ch ? 2 : text[j] === "\\" && ch === "'" ? 2 : 1;
      i = j + 1;
    } else if (ch === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i));
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? text.length : end + tag[0].length;
      } else i++;
    } else if (ch === ";") {
      push(i);
      i++;
    } else i++;
  }
  push(text.length);
  return out;
}

/** How a source string reads: an environment, migrations[@REV], or a .sql file. */
export type SourceSpec =
  | { readonly kind: "environment"; readonly env: EnvironmentConfig }
  | { readonly kind: "migrations"; readonly targets: readonly string[]; readonly label: string }
  | { readonly kind: "sql-file"; readonly file: string; readonly label: string };

/** Environments known beyond the config file (the GUI's saved profiles), by name. */
export type EnvironmentLookup = (name: string) => EnvironmentConfig | undefined;

/** Resolves a --from/--to value; an unknown one is a one-line SOURCE_UNKNOWN naming what would do. */
export function resolveSource(project: OpenProject, spec: string, others?: EnvironmentLookup): SourceSpec {
  const m = /^migrations(?:@(.+))?$/.exec(spec);
  if (m) {
    const target = m[1] ?? "heads";
    if (target !== "heads" && target !== "base") project.map.resolve(target);
    return { kind: "migrations", targets: target === "base" ? [] : [target], label: spec };
  }
  if (/\.sql$/i.test(spec)) return { kind: "sql-file", file: path.resolve(process.cwd(), spec), label: spec };
  if (Object.hasOwn(project.config.environments, spec)) return { kind: "environment", env: selectEnvironment(project, spec) };
  const other = others?.(spec);
  if (other) return { kind: "environment", env: other };
  const envs = Object.keys(project.config.environments);
  throw new StrataError(
    "SOURCE_UNKNOWN",
    `unknown source "${spec}": name an environment${envs.length ? ` (${envs.join(", ")})` : ""}, migrations, migrations@REV, or a .sql file`,
    { source: spec },
  );
}

/** Reads a resolved source. */
export async function readSource(project: OpenProject, spec: SourceSpec, opts: SchemaReadOptions): Promise<ReadSchema> {
  switch (spec.kind) {
    case "environment":
      return readEnvironmentSchema(spec.env, opts.schemas, project);
    case "migrations":
      return readMigrationsSchema(project, opts, spec.targets, spec.label);
    case "sql-file":
      return readSqlFileSchema(spec.file, opts, spec.label);
    default:
      return assertNever(spec);
  }
}

/** What `strata diff` was asked. */
export interface DiffRequest {
  readonly from: string;
  readonly to: string;
  /** Where scratch databases are made when neither side is an environment (--env, or the default one). */
  readonly fallbackHost?: EnvironmentConfig;
  readonly schemas?: readonly string[];
  /** Render the script; "same-dialect": only where both sides are one database kind (no error across dialects). */
  readonly sql?: boolean | "same-dialect";
  /** Saved profiles, also usable as sources. */
  readonly others?: EnvironmentLookup;
}

/** The changes and models of a diff, for the CLI, the GUI and autogenerate. */
export interface SchemaDiffResult {
  readonly dto: SchemaDiffDto;
  readonly changes: readonly SchemaChange[];
  readonly fromModel: SchemaModel;
  readonly toModel: SchemaModel;
}

/** Where scratch databases are made: the first environment among the sources, else the fallback or the default one. */
export function hostFor(project: OpenProject, specs: readonly SourceSpec[], fallback?: EnvironmentConfig): EnvironmentConfig {
  const env = specs.find((s): s is Extract<SourceSpec, { kind: "environment" }> => s.kind === "environment");
  return env?.env ?? fallback ?? selectEnvironment(project);
}

/**
 * The changes a schema diff shows from one model to another: across dialects (PostgreSQL staging,
 * MariaDB prod) both sides are first brought to what both can say (issue 19). The compare screen
 * and the create screen's hand-over from it (which checks each chosen key) both take them from here.
 */
export function compareModels(from: SchemaModel, to: SchemaModel): { readonly compared: CrossDialectModels; readonly changes: SchemaChange[] } {
  const compared = from.client !== to.client ? normaliseAcrossDialects(from, to) : { from, to, setAside: [] };
  return { compared, changes: diffSchemas(compared.from, compared.to) };
}

/** `strata diff --from SRC --to SRC`: the changes that turn `from` into `to`, in an order that runs. */
export async function diffSources(project: OpenProject, req: DiffRequest): Promise<SchemaDiffResult> {
  const fromSpec = resolveSource(project, req.from, req.others);
  const toSpec = resolveSource(project, req.to, req.others);
  const host = hostFor(project, [fromSpec, toSpec], req.fallbackHost);
  const opts = { host, schemas: req.schemas };
  const from = await readSource(project, fromSpec, opts);
  const to = await readSource(project, toSpec, opts);
  const crossDialect = from.model.client !== to.model.client;
  if (crossDialect && req.sql === true) {
    throw new StrataError("NOT_SUPPORTED", `no SQL script across dialects: ${req.from} is ${dialectFor(from.model.client as DbClient).label} and ${req.to} is ${dialectFor(to.model.client as DbClient).label}, and a script for one does not run on the other; compare without --sql, or diff against migrations on ${req.to}'s own server`, { from: from.model.client, to: to.model.client });
  }
  const { compared, changes } = compareModels(from.model, to.model);
  let sql: string | undefined;
  if (req.sql && !crossDialect) {
    const body = renderKnexBody(changes, dialectFor(host.client).schema, from.model);
    sql = changes.length ? (await renderBodySql(host.client, body)).join("\n") : "";
  }
  const notCompared = compareNotCompared(compared.from, compared.to);
  const objects = compareObjects(compared.from, compared.to, changes, notCompared, compared.setAside);
  const oneSided = objects.some((o) => o.status === "only-left" || o.status === "only-right");
  return {
    dto: {
      from: from.source,
      to: to.source,
      equal: changes.length === 0 && !oneSided,
      changes: changes.map((c) => ({ ...c.dto, key: changeKey(c.dto) })),
      ...(sql !== undefined ? { sql } : {}),
      notCompared,
      objects,
      ...(crossDialect ? { crossDialect: true, sqlUnavailable: `${from.source.source} is ${dialectFor(from.model.client as DbClient).label} and ${to.source.source} is ${dialectFor(to.model.client as DbClient).label}: a script written for one does not run on the other` } : {}),
    },
    changes,
    fromModel: from.model,
    toModel: to.model,
  };
}

/** Reads what the revisions build up to heads: readMigrationsSchema, or a cache in front of it. */
export type BuiltSchemaReader = (project: OpenProject, opts: SchemaReadOptions, heads: readonly string[]) => Promise<ReadSchema>;

/**
 * Whether the environment's live schema differs from what its applied revisions build: a
 * scratch database is built to its current heads and compared with the live one.
 */
export async function environmentDrift(project: OpenProject, env: EnvironmentConfig, schemas?: readonly string[], readBuilt: BuiltSchemaReader = readMigrationsSchema): Promise<DriftDto> {
  try {
    const { heads, live, gaps } = await withDatabase(env, async (db) => {
      const state = await readDatabaseState(db, project);
      const r = await db.dialect.schema.introspect(db.knex, { schemas, exclude: excludedTables(env, project) });
      return { heads: state.heads, live: r.model, gaps: state.knex?.gaps ?? [] };
    });
    // What the migrations build is built along the chain; with a file in the middle never run, that is not this database.
    if (gaps.length) {
      return { checked: false, drifted: false, changes: [], error: `knex_migrations has a gap (${gaps.join(", ")} never ran); run \`strata upgrade heads\` first` };
    }
    const unknown = heads.filter((h) => !project.map.has(h));
    if (unknown.length) {
      return { checked: false, drifted: false, changes: [], error: `applied revision${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} ha${unknown.length > 1 ? "ve" : "s"} no file; cannot build what it made` };
    }
    const built = await readBuilt(project, { host: env, schemas }, heads);
    const changes = diffSchemas(built.model, live).map((c) => c.dto);
    const notCompared = compareNotCompared(built.model, live).filter((o) => o.presence !== "both");
    return { checked: true, drifted: changes.length > 0 || notCompared.length > 0, changes, error: null, notCompared };
  } catch (e) {
    if (!isStrataError(e)) throw e;
    return { checked: false, drifted: false, changes: [], error: e.message };
  }
}

/**
 * The header lines naming what the revision does not carry (issue 16): objects Strata does not
 * model. Those on one side only are the ones to write by hand.
 */
export function notComparedHeader(list: readonly NotComparedDto[], parent: string, desired: string): string[] {
  if (list.length === 0) return [];
  const where = (o: NotComparedDto): string =>
    o.presence === "both" ? "on both sides" : o.presence === "to" ? `only in ${desired}: write it by hand` : `only in ${parent}: drop it by hand`;
  return [
    `// Not compared (Strata does not model these; docs/WHAT-STRATA-COMPARES.md): ${list.length} object${list.length === 1 ? "" : "s"}`,
    ...list.map((o) => `//   ${describeNotCompared(o)} (${where(o)})`),
  ];
}
