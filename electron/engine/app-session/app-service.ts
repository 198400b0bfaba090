import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type {
  ApiHandlers,
  CreatedRevisionDto,
  DiffSourceDto,
  EnvironmentDto,
  HistoryEntryDto,
  ProjectChangedEventDto,
  SchemaChangeDto,
  SchemaDiffDto,
} from "../../../shared/api.js";
import { StrataError } from "../errors.js";
import { findProtectedReach, protectedRoutesOf, refuseUnconfirmedChange } from "../project/database-protection.js";
import { loadConfig } from "../project/index.js";
import type { EnvironmentConfig, ProtectedReach } from "../project/index.js";
import { readHistory } from "../runner/index.js";
import { STRATA_VERSION } from "../version.js";
import { createMerge, createRevision } from "../use-cases/create-revision.js";
import { withDatabase } from "../use-cases/database-session.js";
import { environmentMatrix, historyEntry } from "./environment-matrix.js";
import type { DriftCheck } from "./environment-matrix.js";
import { EventHub } from "./event-hub.js";
import { repairRevision, stampEnvironment } from "../use-cases/maintain.js";
import { preflightTarget, runMigration } from "../use-cases/migrate.js";
import type { DestructiveCheck } from "../use-cases/migrate.js";
import { planWithSql } from "./migration-plan.js";
import type { OpenProject } from "../use-cases/open-project.js";
import type { ProfileStore } from "./profile-store.js";
import type { EnvironmentLookup } from "../use-cases/schema-diff.js";
import { ProjectHolder, reachDto } from "./project-holder.js";
import type { Freshness } from "./project-holder.js";
import { projectSummary } from "./project-summary.js";
import { RecentProjects } from "./recent-projects.js";
import { resolveRevision } from "../use-cases/resolve.js";
import { recoveryCheck, undoPartialRevision } from "../use-cases/recovery.js";
import { revisionDetail } from "./revision-detail.js";
import { historyRuns } from "./history-runs.js";
import { RunQueue } from "./run-queue.js";

/**
 * Schema comparison (issue 3), plugged in where it exists. Each method may be absent; the calls
 * that need it then answer NOT_SUPPORTED.
 */
export interface SchemaDiffPort {
  diff?(project: OpenProject, from: string, to: string, others?: EnvironmentLookup): Promise<SchemaDiffDto>;
  /** Writes a revision whose up() turns the schema at its parent into `to`'s, and down() back. */
  autogenerate?(project: OpenProject, req: AutogenerateInput): Promise<{ revision: string; downRevisions: readonly string[]; file: string; changes: readonly SchemaChangeDto[] }>;
  drift?: DriftCheck;
}

/** A createRevision request with autogenerate set. */
export interface AutogenerateInput {
  readonly message: string;
  readonly head?: string;
  readonly splice?: boolean;
  readonly branchLabels?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly from?: string;
  readonly to: string;
  /** Saved profiles, usable as `to`. */
  readonly others?: EnvironmentLookup;
}

/** What a host gives the service. */
export interface AppServiceOptions {
  readonly host: "electron" | "browser";
  /** The project to open first (null: none until openProject). */
  readonly projectRoot: string | null;
  readonly profiles: ProfileStore;
  /** JSON file for recent projects (null: not remembered). */
  readonly recentFile: string | null;
  readonly schemaDiff?: SchemaDiffPort;
}

/** The engine behind StrataApi: one handler per call, the event stream, and the run queue. */
export interface AppService {
  readonly handlers: ApiHandlers;
  /** Reads the open project and builds its graph ahead of the first call; never rejects (the call reports the problem). */
  warmUp(): Promise<void>;
  readonly events: EventHub;
  readonly runs: RunQueue;
  readonly projects: ProjectHolder;
  /** Stops the folder watcher; call when the host stops. */
  close(): void;
}

function notSupported(what: string): StrataError {
  return new StrataError("NOT_SUPPORTED", `${what} is not available in this build: schema introspection and diff (issue 3) are not wired in yet`);
}

/** A GUI change of a protected database (its own flag or one it reaches) waits for the typed name, before it is queued. */
function refuseUnconfirmed(env: EnvironmentConfig, action: string, confirmName: string | undefined): void {
  const runs = action === "upgrade" || action === "downgrade";
  refuseUnconfirmedChange(env, confirmName, { what: `the ${action}`, outcome: runs ? "nothing was run" : "nothing was changed", reader: "app" });
}

/** Refuses a destructive or unchecked plan that the person did not tick as understood in the app. */
function refuseUnacknowledgedLoss(env: EnvironmentConfig, check: DestructiveCheck, acknowledged: boolean): void {
  if (acknowledged || (check.destructive.length === 0 && check.error === null)) return;
  const what =
    check.destructive.length > 0
      ? `loses data or structure (${check.destructive.length} destructive statement${check.destructive.length === 1 ? "" : "s"})`
      : `could not be checked for what it destroys (${check.error?.message ?? "its SQL could not be rendered"})`;
  throw new StrataError("CONFIRMATION_REQUIRED", `environment ${env.name}: this plan ${what}; tick what is lost before running it; nothing was run`, {
    environment: env.name,
    destructive: check.destructive,
    checked: check.error === null,
  });
}

/** The most history rows read for one answer: enough for years of runs, bounded for a table that grew without end. */
const HISTORY_READ_MAX = 20_000;

function matchesSearch(row: HistoryEntryDto, search: string): boolean {
  const needle = search.toLowerCase();
  return [row.revision, row.message, row.user, row.host, row.error ?? ""].some((f) => f.toLowerCase().includes(needle));
}

/** Builds the service a host (Electron main, strata serve) exposes as StrataApi. */
export function createAppService(options: AppServiceOptions): AppService {
  const events = new EventHub();
  // Revision files changed on disk (an editor, a checkout, a deletion): every screen reloads its state.
  const projects = new ProjectHolder(options.projectRoot, options.profiles, (root) => changed(root, "files-changed"));
  const recent = new RecentProjects(options.recentFile);
  const runs = new RunQueue((e) => events.emit(e));
  const diffPort = options.schemaDiff ?? {};
  if (options.projectRoot !== null && existsSync(options.projectRoot)) recent.add(options.projectRoot);

  const changed = (root: string, reason: ProjectChangedEventDto["reason"]): void => {
    events.emit({ type: "project-changed", root, reason, at: new Date().toISOString() });
  };
  const withEnv = async (name: string, freshness: Freshness = "stat-all"): Promise<{ project: OpenProject; env: EnvironmentConfig }> => {
    const project = await projects.project(freshness);
    // Protection follows the database: a route to a protected one asks for that one's name (issue 14).
    return { project, env: await projects.protectedEnvironment(project, name) };
  };
  const created = async (project: OpenProject, c: { revision: string; downRevisions: readonly string[]; file: string }, changes: readonly SchemaChangeDto[]): Promise<CreatedRevisionDto> => {
    projects.invalidate();
    changed(project.root, "revision-created");
    return { ...c, source: await readFile(path.join(project.root, c.file), "utf8"), changes };
  };

  const handlers: ApiHandlers = {
    async appInfo() {
      return { version: STRATA_VERSION, host: options.host, projectRoot: projects.root, platform: process.platform };
    },
    async projectSummary() {
      // The graph needs no per-file check: the folder stamp and watcher keep it current (bench/ui.ts, 10,000 revisions).
      const project = await projects.project("graph");
      return projectSummary(project, (await projects.protectedChoices(project)).map((c) => c.dto));
    },
    async openProject(req) {
      const project = await projects.open(req.root);
      recent.add(project.root);
      changed(project.root, "opened");
      return projectSummary(project, (await projects.protectedChoices(project)).map((c) => c.dto));
    },
    async recentProjects() {
      return { projects: recent.list() };
    },
    async environmentStatus(req) {
      // Reads checksums (edited files), so a write that just happened must be seen; no per-file stat needed for that.
      const project = await projects.project("watched");
      const all = await projects.protectedChoices(project);
      const wanted = req.environments;
      if (wanted) {
        const unknown = wanted.filter((n) => !all.some((c) => c.dto.name === n));
        if (unknown.length) throw new StrataError("ENV_UNKNOWN", `unknown environment "${unknown[0]}"; this project has ${all.map((c) => c.dto.name).join(", ")}`, { env: unknown[0] });
      }
      const chosen = wanted ? all.filter((c) => wanted.includes(c.dto.name)) : all;
      return environmentMatrix(project, chosen, req.drift && diffPort.drift ? diffPort.drift : null);
    },
    async revisionDetail(req) {
      const project = await projects.project("watched");
      return revisionDetail(project, req.revision, projects.environments(project), req.environment);
    },
    async planMigration(req) {
      const { project, env } = await withEnv(req.environment);
      return planWithSql(project, env, req.command, req.target);
    },
    async runMigration(req) {
      const { project, env } = await withEnv(req.environment);
      refuseUnconfirmed(env, req.command, req.confirmName);
      // A typo is refused here, before the run is queued, so the person sees it at once.
      preflightTarget(project, req.target);
      return runs.enqueue({ environment: env.name, command: req.command, target: req.target }, async (onEvent) => {
        try {
          return await runMigration(project, env, {
            command: req.command,
            target: req.target,
            singleTransaction: req.singleTransaction ?? false,
            onEvent,
            allowEdited: req.allowEdited ?? false,
            ...(req.confirmName !== undefined ? { confirmName: req.confirmName } : {}),
            ...(req.confirmedPlan !== undefined ? { expectedPlan: req.confirmedPlan } : {}),
            // The app runs what loses data, or what could not be checked, only once the person ticked it (issue 14); the CLI has --plan and --fail-on-*.
            onDestructive: (check) => refuseUnacknowledgedLoss(env, check, req.acknowledgedLoss ?? false),
          });
        } finally {
          changed(project.root, "environment-changed");
        }
      });
    },
    async getRun(req) {
      const run = runs.get(req.runId);
      if (!run) throw new StrataError("NOT_FOUND", `no run ${req.runId} in this session; runs are kept until the app restarts`, { runId: req.runId });
      return run;
    },
    async listRuns(req) {
      return { runs: runs.list(req.environment) };
    },
    async stamp(req) {
      const { project, env } = await withEnv(req.environment);
      refuseUnconfirmed(env, "stamp", req.confirmName);
      const result = await stampEnvironment(project, env, req.targets);
      changed(project.root, "environment-changed");
      return result;
    },
    async resolveRevision(req) {
      const { project, env } = await withEnv(req.environment);
      refuseUnconfirmed(env, "resolve", req.confirmName);
      const result = await resolveRevision(project, env, { revision: req.revision, outcome: req.outcome, confirmName: req.confirmName, override: req.override });
      changed(project.root, "environment-changed");
      return result;
    },
    async recoveryCheck(req) {
      const { project, env } = await withEnv(req.environment);
      return recoveryCheck(project, env, req.revision);
    },
    async undoPartialRevision(req) {
      const { project, env } = await withEnv(req.environment);
      const result = await undoPartialRevision(project, env, { revision: req.revision, ...(req.confirmName !== undefined ? { confirmName: req.confirmName } : {}) });
      changed(project.root, "environment-changed");
      return result;
    },
    async createRevision(req) {
      const project = await projects.project();
      if (req.autogenerate) {
        if (!diffPort.autogenerate) throw notSupported("autogenerate");
        const { autogenerate, ...rest } = req;
        const made = await diffPort.autogenerate(project, {
          ...rest,
          ...(autogenerate.from !== undefined ? { from: autogenerate.from } : {}),
          to: autogenerate.to,
          others: (name) => projects.usableEnvironment(project, name),
        });
        return created(project, made, made.changes);
      }
      const c = await createRevision(project, {
        message: req.message,
        ...(req.head !== undefined ? { head: req.head } : {}),
        ...(req.splice !== undefined ? { splice: req.splice } : {}),
        ...(req.branchLabels !== undefined ? { branchLabels: req.branchLabels } : {}),
        ...(req.dependsOn !== undefined ? { dependsOn: req.dependsOn } : {}),
      });
      return created(project, c, []);
    },
    async createMerge(req) {
      const project = await projects.project();
      return created(project, await createMerge(project, req.message, req.revisions), []);
    },
    async diffSources() {
      const project = await projects.project("graph");
      const sources: DiffSourceDto[] = projects
        .environments(project)
        .filter((c) => c.dto.error === null)
        .map((c) => ({ id: c.dto.name, label: `${c.dto.name} (${c.dto.dialect}, ${c.dto.displayTarget})`, kind: "environment" }));
      sources.push({ id: "migrations", label: "migrations at head (built from the revision files)", kind: "migrations" });
      if (project.map.heads.length > 1) {
        for (const h of project.map.heads) sources.push({ id: `migrations@${h}`, label: `migrations at ${h} (${project.map.get(h)?.message ?? ""})`, kind: "migrations" });
      }
      return { sources };
    },
    async schemaDiff(req) {
      if (!diffPort.diff) throw notSupported("schema diff");
      const project = await projects.project("watched");
      return diffPort.diff(project, req.from, req.to, (name) => projects.usableEnvironment(project, name));
    },
    async history(req) {
      // The history table needs no revision file.
      const { env } = await withEnv(req.environment, "graph");
      if (req.since && req.until && req.since > req.until) {
        throw new StrataError("USAGE", `the history's “from” date ${req.since} is after its “to” date ${req.until}; swap them`, { since: req.since, until: req.until });
      }
      const { rows, databaseUser } = await withDatabase(env, async (db) => ({
        // The whole history (to a bound): runs and settled failures are read across it before filters cut it.
        rows: await readHistory(db.knex, { historyTable: env.historyTable, limit: HISTORY_READ_MAX }),
        databaseUser: await db.dialect.databaseUser(db.knex).catch(() => null),
      }));
      const grouped = historyRuns(rows.map(historyEntry));
      const unsettled = (r: HistoryEntryDto) => r.status === "failed" && !r.resolved;
      let out = grouped.rows;
      if (req.revision) out = out.filter((r) => r.revision === req.revision);
      if (req.status) out = out.filter((r) => r.status === req.status);
      if (req.direction) out = out.filter((r) => r.direction === req.direction);
      if (req.search) out = out.filter((r) => matchesSearch(r, req.search!));
      if (req.since) out = out.filter((r) => r.startedAt.slice(0, 10) >= req.since!);
      if (req.until) out = out.filter((r) => r.startedAt.slice(0, 10) <= req.until!);
      // Failures first means the ones still open: a failure settled by a person or a later run stays in its place (issue 19).
      const failuresFirst = req.failuresFirst ?? true;
      if (failuresFirst) out = [...out.filter(unsettled), ...out.filter((r) => !unsettled(r))];
      out = out.slice(0, req.limit ?? 1000);
      const shown = new Set(out.map((r) => r.run));
      let runs = grouped.runs.filter((r) => shown.has(r.id));
      if (failuresFirst) runs = [...runs.filter((r) => r.result === "failed"), ...runs.filter((r) => r.result !== "failed")];
      return { environment: env.name, rows: out, runs, databaseUser };
    },
    async listProfiles() {
      const profiles = options.profiles.list(projects.root);
      if (projects.root === null || profiles.length === 0) return { profiles, passwordStorage: options.profiles.passwordStorage() };
      // Each profile says whether it reaches a protected database of the open project, as its runs will.
      const choices = await projects.protectedChoices(await projects.project("graph"));
      const reachOf = (id: string) => choices.find((c) => c.profileId === id)?.dto.reachesProtected ?? null;
      return { profiles: profiles.map((p) => ({ ...p, reachesProtected: reachOf(p.id) })), passwordStorage: options.profiles.passwordStorage() };
    },
    async saveProfile(req) {
      // A profile that reaches a protected database is saved protected, and the answer says which one (issue 14).
      let reach: ProtectedReach | null = null;
      if (projects.root !== null) {
        const root = projects.root;
        // A revision file that does not load must not hide the config's protected environments.
        const project = await projects.project("graph").catch(() => null);
        const routes = project ? projects.protectedRoutesFor(project, req.id) : protectedRoutesOf(loadConfig(root));
        reach = await findProtectedReach(options.profiles.draftEnvironment(req, root), routes);
      }
      const saved = options.profiles.save(req, projects.root, reach !== null);
      if (projects.root) changed(projects.root, "profiles-changed");
      return { ...saved, reachesProtected: reach ? reachDto(`profile ${saved.name}`, reach) : null };
    },
    async testProfile(req) {
      if (!req.id && !req.profile) throw new StrataError("INVALID_REQUEST", "testProfile needs a saved profile's id or an unsaved profile");
      const env = req.profile ? options.profiles.draftEnvironment(req.profile, projects.root) : options.profiles.environment(req.id!, projects.root);
      const started = Date.now();
      const connection = env.knexConfig.connection as { filename?: string } | undefined;
      if (env.client === "better-sqlite3" && connection?.filename && !existsSync(connection.filename)) {
        return { ok: false, message: `${connection.filename} does not exist yet; the first upgrade will create it`, durationMs: 0, error: null };
      }
      try {
        await withDatabase(env, async (db) => {
          await db.knex.raw("select 1");
        });
        const durationMs = Date.now() - started;
        return { ok: true, message: `connected to ${env.displayTarget} in ${durationMs} ms`, durationMs, error: null };
      } catch (e) {
        if (!(e instanceof StrataError)) throw e;
        return { ok: false, message: e.message, durationMs: Date.now() - started, error: e.toShape() };
      }
    },
    async repairRevision(req) {
      const { project, env } = await withEnv(req.environment);
      const result = await repairRevision(project, env, { revision: req.revision, ...(req.confirmName !== undefined ? { confirmName: req.confirmName } : {}) });
      changed(project.root, "environment-changed");
      return result;
    },
    async removeProfile(req) {
      const removed = options.profiles.remove(req.id);
      if (removed && projects.root) changed(projects.root, "profiles-changed");
      return { removed };
    },
  };
  const warmUp = async (): Promise<void> => {
    if (projects.root === null) return;
    try {
      const project = await projects.project("graph");
      projectSummary(project, []);
    } catch {
      // Reported to the person by the first call that needs the project.
    }
  };
  return { handlers, events, runs, projects, warmUp, close: () => projects.close() };
}
