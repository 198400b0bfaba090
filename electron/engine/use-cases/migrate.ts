import type { DestructiveStatementDto, RenderedSqlDto } from "../../../shared/api.js";
import type { FileProblemDto, MigrationResultDto, PlanVerdictDto, PlanWarningDto } from "../../../shared/dto.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { StrataError } from "../errors.js";
import { confirmationNameOf, refuseUnconfirmedChange } from "../project/database-protection.js";
import type { EnvironmentConfig } from "../project/index.js";
import type { KnexChain } from "../revisions/index.js";
import type { Plan, Step } from "../revisions/types.js";
import { migrate, renderSql } from "../runner/index.js";
import { baseSchemaBuilder } from "./schema-diff.js";
import type { RunEvent } from "../runner/types.js";
import { STRATA_VERSION } from "../version.js";
import { knexTableOf, readDatabaseState, withDatabase } from "./database-session.js";
import type { DatabaseSession, DatabaseState } from "./database-session.js";
import { refuseChangedPlan } from "./confirmed-plan.js";
import type { ExpectedPlan } from "./confirmed-plan.js";
import { findDestructiveInPlan } from "../lint/destructive-sql.js";
import { findFileProblems } from "./inspect.js";
import type { OpenProject } from "./open-project.js";
import { liveSchemaDdl, renderInLiveSchemaScratch } from "./live-schema-scratch.js";
import { renderPlanSql } from "./plan-sql.js";

/** An upgrade or downgrade as a person asked for it. */
export interface MigrateRequest {
  readonly command: "upgrade" | "downgrade";
  readonly target: string;
  readonly singleTransaction?: boolean;
  readonly lockTimeoutMs?: number;
  readonly onEvent?: (e: RunEvent) => void;
  /** Run although applied revision files were edited (or removed) since they ran. */
  readonly allowEdited?: boolean;
  /** A protected environment runs anything only when this equals its name. */
  readonly confirmName?: string;
  /**
   * Render the plan's SQL and list its destructive statements before running (default true).
   * false skips that dry run of every pending revision; a protected environment still needs confirmName.
   */
  readonly lint?: boolean;
  /** Told what the plan's SQL destroys before anything runs (and before a protected environment is refused). */
  readonly onDestructive?: (check: DestructiveCheck) => void;
  /** The plan the person confirmed (the app's run request): any other plan is refused with PLAN_CHANGED, before and under the lock. */
  readonly expectedPlan?: ExpectedPlan;
  /**
   * For CI (--fail-on-destructive, --fail-on-unchecked): refuse before anything runs or any table
   * is made when the plan has destructive statements, or could not be checked. Needs lint.
   */
  readonly failOn?: { readonly destructive?: boolean; readonly unchecked?: boolean };
  /**
   * Refuse what Alembic only warns about (a relative step from several current heads) instead of
   * planning it; `--strict`, or the project's `"strictTargets": true` (issue 20).
   */
  readonly strictTargets?: boolean;
  /** Told what Alembic would warn about in the plan, before anything runs. */
  readonly onWarning?: (warning: PlanWarningDto) => void;
}

/** The destructive statements of a plan, or why its SQL could not be checked. */
export interface DestructiveCheck {
  readonly destructive: readonly DestructiveStatementDto[];
  /** Set when the plan could not be rendered (a revision that reads data): nothing was checked. */
  readonly error: ErrorShape | null;
}

/** A check's verdict as the DTOs carry it. */
export function verdictOf(check: DestructiveCheck): PlanVerdictDto {
  return { destructive: check.destructive, checked: check.error === null, uncheckedReason: check.error?.message ?? null };
}

/**
 * The refusal --fail-on-destructive / --fail-on-unchecked make of a plan's verdict, in one line
 * naming what was found; null when the plan passes.
 */
export function verdictRefusal(
  env: EnvironmentConfig,
  plan: { readonly command: Plan["command"]; readonly steps: readonly unknown[] },
  verdict: PlanVerdictDto,
  failOn: MigrateRequest["failOn"],
): StrataError | null {
  if (plan.steps.length === 0 || !failOn) return null;
  const what = `the ${plan.command} (${plan.steps.length} ${plural(plan.steps.length, "revision", "revisions")})`;
  const found = verdict.destructive;
  if (failOn.destructive && found.length > 0) {
    const first = found.slice(0, 3).map((d) => `${d.revision}: ${d.reason}`).join("; ");
    const more = found.length > 3 ? `; and ${found.length - 3} more (see --plan)` : "";
    return new StrataError(
      "PLAN_DESTRUCTIVE",
      `environment ${env.name}: ${what} has ${found.length} destructive ${plural(found.length, "statement", "statements")} (${first}${more}) and --fail-on-destructive is set; nothing was run`,
      { environment: env.name, destructive: found },
    );
  }
  if (failOn.unchecked && !verdict.checked) {
    return new StrataError("PLAN_UNCHECKED", `environment ${env.name}: ${what} was not checked for destructive statements (${verdict.uncheckedReason}) and --fail-on-unchecked is set; nothing was run`, {
      environment: env.name,
      uncheckedReason: verdict.uncheckedReason,
    });
  }
  return null;
}

/** Why a run stops before it starts because applied revision files changed or went missing. */
export interface FileRefusal {
  readonly error: StrataError;
  /** Whether allowEdited lets the run go on (not when a head has no file: nothing can be planned from it). */
  readonly allowable: boolean;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/**
 * The refusal for an environment whose applied revisions' files were edited after they ran, or
 * removed; null when there are none. A run that would go through a missing file is refused by
 * refuseStepsWithoutFile whatever allowEdited says.
 */
export function fileRefusal(project: OpenProject, env: EnvironmentConfig, problems: readonly FileProblemDto[], heads: readonly string[]): FileRefusal | null {
  if (problems.length === 0) return null;
  const edited = problems.filter((p) => p.kind === "edited");
  const missing = problems.filter((p) => p.kind === "missing");
  const parts: string[] = [];
  if (edited.length) {
    const names = edited.map((p) => `${p.revision} (${p.file})`).join(", ");
    parts.push(`${plural(edited.length, "revision", "revisions")} ${names} ${plural(edited.length, "was", "were")} edited after ${plural(edited.length, "it was", "they were")} applied`);
  }
  if (missing.length) {
    const names = missing.map((p) => p.revision).join(", ");
    parts.push(`${plural(missing.length, "revision", "revisions")} ${names} ${plural(missing.length, "is applied but has no file", "are applied but have no file")} in ${project.config.migrations}/`);
  }
  const headMissing = missing.some((p) => heads.includes(p.revision));
  const advice = headMissing
    ? `restore the missing ${plural(missing.length, "file", "files")}: nothing can be planned from a revision without one`
    : `restore the ${plural(problems.length, "file", "files")}, or run again with --allow-edited if the ${plural(problems.length, "change is", "changes are")} intended`;
  const error = new StrataError(missing.length ? "REVISION_MISSING" : "REVISION_EDITED", `environment ${env.name}: ${parts.join(" and ")}; ${advice}`, {
    environment: env.name,
    problems,
  });
  return { error, allowable: !headMissing };
}

/** Reads the file problems of the environment and throws the refusal unless allowEdited lets the run go on. */
async function refuseChangedFiles(project: OpenProject, db: DatabaseSession, state: DatabaseState, allowEdited: boolean): Promise<readonly FileProblemDto[]> {
  const problems = await findFileProblems(project, db, state.heads);
  const refusal = fileRefusal(project, db.env, problems, state.heads);
  if (refusal && (!allowEdited || !refusal.allowable)) throw refusal.error;
  return problems;
}

/** A step whose revision has no file cannot run (its up or down is gone), allowEdited or not. */
function refuseStepsWithoutFile(project: OpenProject, env: EnvironmentConfig, plan: Plan): void {
  const gone = plan.steps.filter((s) => !project.scripts.has(s.revision)).map((s) => s.revision);
  if (gone.length === 0) return;
  throw new StrataError(
    "REVISION_MISSING",
    `environment ${env.name}: the ${plan.command} would run ${gone.join(", ")}, which ${plural(gone.length, "has no file", "have no file")} in ${project.config.migrations}/; restore the ${plural(gone.length, "file", "files")} (--allow-edited cannot run a revision without one)`,
    { environment: env.name, revisions: gone },
  );
}

/**
 * Refuses a run that has anything to run on a protected database unless its confirmation name was
 * given: every such run, destructive or not, as the app asks for the typed name before any run.
 * The database is protected when the environment is, or reaches a protected one's (issue 14).
 */
export function refuseUnconfirmedRun(env: EnvironmentConfig, plan: Plan, confirmName: string | undefined, destructive = 0): void {
  if (plan.steps.length === 0) return;
  const loses = destructive ? `, ${destructive} destructive ${plural(destructive, "statement", "statements")} listed by --plan` : "";
  const what = `the ${plan.command} (${plan.steps.length} ${plural(plan.steps.length, "revision", "revisions")}${loses})`;
  refuseUnconfirmedChange(env, confirmName, { what, outcome: "nothing was run" });
}

/**
 * The plan's verdict: its SQL rendered and linted (reading the live schema where an old column
 * type is not in the script), or why it could not be. The plan is rendered offline first (cheap:
 * a 1,000-revision upgrade stays fast); where a revision reads the schema, it is rendered again in
 * a scratch database of the same dialect holding the live schema without rows (SQLite's in-memory
 * one always), so only a revision that reads rows leaves it unchecked. The live database is only read.
 * `sql` is the script the app shows with the plan when `script` is "shown"; for "lint" (before a
 * run, where nobody reads it) it is only the revisions' own statements.
 */
export async function checkDestructive(
  project: OpenProject,
  db: DatabaseSession,
  plan: Plan,
  script: "lint" | "shown" = "lint",
): Promise<DestructiveCheck & { readonly sql: string | null }> {
  if (plan.steps.length === 0) return { destructive: [], error: null, sql: "" };
  const lintOnly = script === "lint";
  const rowReads: { revision: string; sql: string }[] = [];
  const onRowRead = (step: Step, sql: string): void => void rowReads.push({ revision: step.revision, sql: sql.replace(/\s+/g, " ").trim() });
  let rendered: RenderedSqlDto;
  if (db.dialect.offlineRendering === "scratch") {
    rendered = await renderPlanSql(project, db.env, plan, undefined, { seedSchema: await liveSchemaDdl(db), lintOnly, onRowRead });
  } else {
    rendered = await renderPlanSql(project, db.env, plan, undefined, { seedSchema: undefined, lintOnly });
    if (rendered.sql === null) rendered = await renderInLiveSchemaScratch(project, db, plan, rendered.error, { lintOnly, onRowRead });
  }
  if (rendered.sql === null) return { destructive: [], error: rendered.error, sql: null };
  const readers = new Set(rowReads.map((r) => r.revision));
  // What a revision that reads rows did on the copy without them is what it may do: said so.
  const destructive = (await findDestructiveInPlan(db, rendered.sql)).map((d) =>
    readers.has(d.revision) ? { ...d, reason: `${d.reason}; whether it runs depends on rows this check could not see` } : d,
  );
  return { destructive, error: rowReads.length ? rowReadError(rowReads) : null, sql: rendered.sql };
}

/** The verdict's reason when revisions read rows: a scratch database has none, so what they do with them is not known. */
function rowReadError(reads: readonly { revision: string; sql: string }[]): ErrorShape {
  const named = reads.map((r) => `revision ${r.revision} reads rows (\`${r.sql.length > 120 ? `${r.sql.slice(0, 117)}...` : r.sql}\`)`).join("; ");
  const they = reads.length === 1 ? "it does" : "they do";
  return new StrataError("NOT_SUPPORTED", `${named}: the plan was rendered on a copy of the schema without rows, so what ${they} with the rows was not checked`, {
    revisions: reads.map((r) => r.revision),
  }).toShape();
}

/** Plans the command from these heads; with strict targets, a plan Alembic would warn about is refused. */
export function planCommand(project: OpenProject, command: "upgrade" | "downgrade", target: string, heads: readonly string[], strictTargets?: boolean): Plan {
  const plan = command === "upgrade" ? project.map.planUpgrade(heads, target) : project.map.planDowngrade(heads, target);
  const strict = strictTargets ?? project.config.strictTargets ?? false;
  const ambiguous = plan.warnings?.[0];
  if (strict && ambiguous) {
    throw new StrataError(
      "TARGET_AMBIGUOUS",
      `'${target}' from several current heads (${ambiguous.heads.join(", ")}) is ambiguous and strict targets refuse it; say which with ${ambiguous.absoluteTargets.join(" or ")}; nothing was changed`,
      { target, heads: ambiguous.heads, walkedFrom: ambiguous.walkedFrom, absoluteTargets: ambiguous.absoluteTargets },
    );
  }
  return plan;
}

/**
 * The plan from where the database stands. In knex mode (issue #15) the runner hands it the
 * names knex_migrations holds, read under the lock, and the plan comes from the folder's chain;
 * otherwise the version table's heads and the revision graph.
 */
function makePlanner(project: OpenProject, req: MigrateRequest): (heads: readonly string[]) => Plan {
  const chain = project.knex;
  if (chain) {
    return (names) => {
      const state = chain.state(names);
      refuseUnknownKnexRows(project, state.unknown);
      return req.command === "upgrade" ? chain.planUpgrade(state.applied, req.target) : chain.planDowngrade(state.applied, req.target);
    };
  }
  return (heads) => planCommand(project, req.command, req.target, heads, req.strictTargets);
}

/** The plan of a command from a state read outside the lock (a preview: --plan, the app's plan screen). */
export function planFromState(project: OpenProject, command: MigrateRequest["command"], target: string, state: DatabaseState): Plan {
  return makePlanner(project, { command, target })(planningState(state, project.knex));
}

/** What makePlanner's plan starts from: knex_migrations' names in knex mode, else the heads. */
function planningState(state: DatabaseState, chain: KnexChain | undefined): readonly string[] {
  return chain && state.knex ? state.knex.applied.map((id) => chain.fileName(id)) : state.heads;
}

/**
 * knex's own `latest` and `down` refuse a knex_migrations row with no file ("the migration
 * directory is corrupt"), and so does Strata: it cannot be undone, nor known to be harmless.
 */
export function refuseUnknownKnexRows(project: OpenProject, unknown: readonly string[]): void {
  if (unknown.length === 0) return;
  throw new StrataError(
    "REVISION_MISSING",
    `knex_migrations names ${unknown.join(", ")}, which ${plural(unknown.length, "is no file", "are no files")} in ${project.config.migrations}/ (knex's own migrate.latest() refuses this too); restore the ${plural(unknown.length, "file", "files")} or open the migrations folder that built this database`,
    { unknown: [...unknown] },
  );
}

function refuseUnadoptedKnex(env: EnvironmentConfig): never {
  throw new StrataError(
    "NOT_SUPPORTED",
    `environment ${env.name}: this database was migrated by knex (knex_migrations) and has no ${env.versionTable} table; run \`strata adopt\` first`,
    { environment: env.name },
  );
}

/** Works out what the command would do against the live database, changing nothing. */
export async function planMigration(project: OpenProject, env: EnvironmentConfig, req: MigrateRequest): Promise<MigrationResultDto> {
  preflightTarget(project, req.target);
  return withDatabase(env, async (db) => {
    const state = await readDatabaseState(db, project);
    // Edited files are shown, not refused: --plan changes nothing. A head with no file cannot be planned from.
    const problems = await refuseChangedFiles(project, db, state, true);
    const plan = makePlanner(project, req)(planningState(state, project.knex));
    if (state.source === "knex" && plan.steps.length > 0) refuseUnadoptedKnex(env);
    refuseStepsWithoutFile(project, env, plan);
    const check = await checkDestructive(project, db, plan);
    return {
      environment: env.name,
      planned: true,
      steps: plan.steps.map((s) => ({ revision: s.revision, direction: s.direction, message: project.map.get(s.revision)?.message ?? "" })),
      heads: plan.headsAfter,
      destructive: check.destructive,
      checked: check.error === null,
      uncheckedReason: check.error?.message ?? null,
      problems,
      ...(confirmationNameOf(env) !== null ? { confirmationName: confirmationNameOf(env)! } : {}),
      ...(plan.warnings?.length ? { warnings: plan.warnings } : {}),
    };
  });
}

/**
 * The verdict of the environment's pending upgrade to heads (for `strata check`); null when
 * nothing is pending or it cannot be planned (an unadopted knex database, a head without a file).
 */
export async function pendingUpgradeVerdict(project: OpenProject, env: EnvironmentConfig): Promise<PlanVerdictDto | null> {
  return withDatabase(env, async (db) => {
    const state = await readDatabaseState(db, project);
    if (state.source === "knex" || !state.heads.every((h) => project.map.has(h)) || state.knex?.unknown.length) return null;
    const plan = planFromState(project, "upgrade", "heads", state);
    if (plan.steps.length === 0 || plan.steps.some((s) => !project.scripts.has(s.revision))) return null;
    return verdictOf(await checkDestructive(project, db, plan));
  });
}

/**
 * Resolves the parts of a target that do not depend on the database (ids, prefixes, labels),
 * so that a typo is refused before any connection is made (SQLite would create an empty file).
 */
export function preflightTarget(project: OpenProject, target: string): void {
  if (/^[+-]\d+$/.test(target)) return;
  if (project.knex) {
    project.knex.resolve(target);
    return;
  }
  const relative = /^(.*?)(?:@)?([+-]\d+)$/.exec(target);
  const anchor = relative ? relative[1]! : target;
  if (!anchor) return;
  const label = /^(.+)@(head|base|heads)$/.exec(anchor);
  if (label && project.map.records.some((r) => r.branchLabels.includes(label[1]!))) return;
  project.map.resolve(anchor);
}

/** Runs an upgrade or downgrade under the database's migration lock. */
export async function runMigration(project: OpenProject, env: EnvironmentConfig, req: MigrateRequest): Promise<MigrationResultDto> {
  const planner = makePlanner(project, req);
  preflightTarget(project, req.target);
  return withDatabase(env, async (db) => {
    const state = await readDatabaseState(db, project);
    // Edited or missing files stop the run before the lock is taken or any table is made (issue 5).
    await refuseChangedFiles(project, db, state, req.allowEdited ?? false);
    // Refuse a bad target before the lock is taken or any table is made: nothing may change.
    const preview = planner(planningState(state, project.knex));
    if (state.source === "knex" && preview.steps.length > 0) refuseUnadoptedKnex(env);
    refuseStepsWithoutFile(project, env, preview);
    refuseChangedPlan(project, env.name, req.expectedPlan, preview);
    for (const w of preview.warnings ?? []) req.onWarning?.(w);
    // Compile every file the plan needs first: a broken file must stop the run before anything ran.
    await compilePlanScripts(project, preview);
    const check: DestructiveCheck = req.lint === false ? { destructive: [], error: null } : await checkDestructive(project, db, preview);
    const destructive = check.destructive;
    // CI's refusal comes first and alone: one line, before the lock is taken or any table is made.
    const refusal = verdictRefusal(env, preview, verdictOf(check), req.failOn);
    if (refusal) throw refusal;
    // Refused in one line (the count in it); the statements are listed once the run is going ahead.
    refuseUnconfirmedRun(env, preview, req.confirmName, destructive.length);
    if (preview.steps.length > 0 && req.lint !== false) req.onDestructive?.({ destructive, error: check.error });
    const result = await migrate(db.knex, db.dialect, {
      scripts: project.scripts,
      // Another runner may have moved the heads while this one waited for the lock.
      makePlan: (heads) => {
        const plan = planner(heads);
        refuseChangedPlan(project, env.name, req.expectedPlan, plan);
        return plan;
      },
      versionTable: env.versionTable,
      historyTable: env.historyTable,
      singleTransaction: req.singleTransaction ?? false,
      lockTimeoutMs: req.lockTimeoutMs,
      onEvent: req.onEvent,
      strataVersion: STRATA_VERSION,
      environment: env.name,
      ...(project.knex ? { knex: { tableName: knexTableOf(project) } } : {}),
    });
    return {
      environment: env.name,
      steps: result.steps.map((s) => ({ revision: s.revision, direction: s.direction, durationMs: s.durationMs })),
      heads: result.heads,
      ...(destructive.length ? { destructive } : {}),
      ...(req.lint === false && preview.steps.length > 0
        ? { checked: false, uncheckedReason: "--no-lint skipped rendering the plan" }
        : { checked: check.error === null, uncheckedReason: check.error?.message ?? null }),
      ...(preview.warnings?.length ? { warnings: preview.warnings } : {}),
    };
  });
}

/** Loads (compiles and evaluates) the revision files a plan will run; throws on the first broken one. */
export async function compilePlanScripts(project: OpenProject, plan: Plan): Promise<void> {
  // All at once: the compiler works on several files in parallel; the first failure (in plan order) is reported.
  const loads = plan.steps.map((step) => project.scripts.get(step.revision)?.load());
  const settled = await Promise.allSettled(loads);
  for (const r of settled) if (r.status === "rejected") throw r.reason;
}

/**
 * Renders `[START:]TARGET` as a SQL script without connecting (Alembic's offline mode).
 * Upgrades start at base unless START is given; downgrades need START, as in Alembic.
 */
export async function renderMigrationSql(project: OpenProject, env: EnvironmentConfig, req: MigrateRequest): Promise<string> {
  const { start, target } = splitRange(req.target);
  if (req.command === "downgrade" && start === null) {
    throw new StrataError("USAGE", "downgrade with --sql needs a starting point: `strata downgrade START:TARGET --sql`");
  }
  const { plan, earlierPlan } = project.knex ? planKnexRange(project.knex, req.command, start, target) : planRange(project, req.command, start, target);
  const chain = project.knex;
  return renderSql(env.client, {
    plan,
    scripts: project.scripts,
    earlierPlan: earlierPlan ?? undefined,
    baseSchema: baseSchemaBuilder(project),
    versionTable: env.versionTable,
    historyTable: env.historyTable,
    // knex mode: the script writes knex_migrations and the history as a run does (issue #15).
    ...(chain ? { knex: { tableName: knexTableOf(project), nameOf: (id: string) => chain.fileName(id), strataVersion: STRATA_VERSION } } : {}),
  });
}

interface RangePlan {
  readonly plan: Plan;
  /** From base to START, where the range has one. */
  readonly earlierPlan: Plan | null;
}

/** The plan of an offline range on the revision graph: from START's heads (base without one) to the target. */
function planRange(project: OpenProject, command: MigrateRequest["command"], start: string | null, target: string): RangePlan {
  const earlierPlan = start === null ? null : project.map.planUpgrade([], start);
  const startHeads = earlierPlan?.headsAfter ?? [];
  return { plan: command === "upgrade" ? project.map.planUpgrade(startHeads, target) : project.map.planDowngrade(startHeads, target), earlierPlan };
}

/** The same on a knex folder: START means every file up to it has run, as knex's `latest` to it leaves a database. */
function planKnexRange(chain: KnexChain, command: MigrateRequest["command"], start: string | null, target: string): RangePlan {
  const earlierPlan = start === null ? null : chain.planUpgrade([], start);
  const applied = earlierPlan?.steps.map((s) => s.revision) ?? [];
  return { plan: command === "upgrade" ? chain.planUpgrade(applied, target) : chain.planDowngrade(applied, target), earlierPlan };
}

function splitRange(target: string): { start: string | null; target: string } {
  const i = target.indexOf(":");
  if (i < 0) return { start: null, target };
  const start = target.slice(0, i);
  const end = target.slice(i + 1);
  if (!start || !end) throw new StrataError("TARGET_INVALID", `"${target}" is not START:TARGET; give both ends or just the target`);
  return { start, target: end };
}
