/**
 * The one contract between the engine and every front end (STYLE.md point 1).
 *
 * A call is one entry in `apiSchemas` (its request schema) and one in `ApiResponses` (what it
 * resolves to). Everything else is derived: `StrataApi` (what the renderer calls), `ApiHandlers`
 * (what the Electron IPC map and the HTTP server must implement). A call's name is also listed
 * in api-calls.ts (`API_CALLS`, zod-free for the preload); the compiler checks the two agree.
 * Adding a call without implementing it everywhere does not compile.
 *
 * Errors: a call rejects with a value that has the {@link ErrorShape} (`code`, `message`,
 * `details`); use `asErrorShape(e)` from shared/api-errors.ts to read it, whatever the host.
 * No password ever appears in a response or an event.
 */
import * as z from "zod";
import type { ErrorShape } from "./errors.js";
import type { FileProblemDto, KnexMigrationsDto, MigrationResultDto, PlanWarningDto, RevisionDto, UnresolvedRunDto } from "./dto.js";
import type { ApiCallName } from "./api-calls.js";
import type { NotComparedDto } from "./schema.js";
import type { DeletedRevisionDto, RevisionPreviewDto } from "./revision-authoring.js";
export type { NotComparedDto } from "./schema.js";
import type { SchemaObjectDto } from "./schema.js";
export type { ColumnComparisonDto, SchemaObjectDto, SchemaObjectStatus } from "./schema.js";
export type { DeletedRevisionDto, PreviewBaseDto, PreviewChangeDto, PreviewLeftChangeDto, PreviewLeftDto, PreviewLossDto, RevisionPreviewDto } from "./revision-authoring.js";

// ---------------------------------------------------------------------------------------------
// Request pieces
// ---------------------------------------------------------------------------------------------

const name = z.string().trim().min(1, "required").max(200);
const revisionRef = z.string().trim().min(1, "required").max(400);

/** The knex clients Strata drives (same names as the engine's ClientName). */
export const clientSchema = z.enum(["pg", "mysql2", "better-sqlite3"]);
/** A knex client name. */
export type ClientDto = z.infer<typeof clientSchema>;

/** Which way a migration moves. */
export const migrateCommandSchema = z.enum(["upgrade", "downgrade"]);
/** upgrade | downgrade */
export type MigrateCommandDto = z.infer<typeof migrateCommandSchema>;

/** A day of the history's date filter: YYYY-MM-DD. */
const historyDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date like 2026-12-03");

/** A history row's status. */
export const historyStatusSchema = z.enum(["running", "succeeded", "failed"]);

/**
 * A schema source, written as on the CLI: an environment name, `migrations` / `migrations@REV`
 * (a scratch database built from the revision files), or a path to a `.sql` file.
 */
export const diffSourceSchema = z.string().trim().min(1, "required").max(1000);

/** TLS modes in libpq's words; the form shows MySQL's names (DISABLED ... VERIFY_IDENTITY) for MySQL. "allow" is PostgreSQL's only. */
export const tlsModeSchema = z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);
export type TlsModeDto = z.infer<typeof tlsModeSchema>;

const filePath = z.string().trim().min(1, "required").max(4096);

/** A profile's TLS: the mode and PEM file paths (absolute, or relative to the project root). */
export const profileTlsSchema = z.object({
  mode: tlsModeSchema,
  ca: filePath.optional(),
  cert: filePath.optional(),
  key: filePath.optional(),
});

/** A profile's SSH tunnel; the key's passphrase travels separately, write-only. */
export const profileSshSchema = z.object({
  host: z.string().trim().min(1, "required").max(255),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().trim().min(1, "required").max(255),
  privateKey: filePath,
  /** Default ~/.ssh/known_hosts. */
  knownHosts: filePath.optional(),
});

/** A connection profile as the renderer sends it; `password` is write-only. */
export const profileInputSchema = z.object({
  /** Absent: a new profile. */
  id: z.string().min(1).max(100).optional(),
  name,
  client: clientSchema,
  host: z.string().max(255).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().max(255).optional(),
  database: z.string().max(255).optional(),
  /** SQLite file (absolute, or relative to the project root). */
  filename: z.string().max(4096).optional(),
  /** Write-only. Absent: keep the saved one; a string: replace it. */
  password: z.string().max(4096).optional(),
  /** true: forget the saved password. */
  clearPassword: z.boolean().optional(),
  protected: z.boolean().optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{3,8}$/, "a colour like #d33").optional(),
  /** Absent: no TLS settings (the driver's default, plain text). */
  tls: profileTlsSchema.optional(),
  /** Absent: connect directly. */
  ssh: profileSshSchema.optional(),
  /** Write-only, like password: the SSH key's passphrase. Absent: keep the saved one. */
  sshPassphrase: z.string().max(4096).optional(),
  /** true: forget the saved SSH key passphrase. */
  clearSshPassphrase: z.boolean().optional(),
  /** true: listed in every project; otherwise only in the project it was saved in (issue 14). */
  shared: z.boolean().optional(),
});

/** A plan as the person confirmed it: the heads it starts from and each step with its file's checksum. */
export const confirmedPlanSchema = z.object({
  headsBefore: z.array(revisionRef).max(10_000),
  steps: z
    .array(
      z.object({
        revision: revisionRef,
        direction: z.enum(["up", "down"]),
        /** The file's sha256 (hex) as the history table records it; null where the step has no file. */
        checksum: z.string().max(128).nullable(),
      }),
    )
    .max(100_000),
});
/** What a run request carries of the plan it was confirmed for. */
export type ConfirmedPlanDto = z.infer<typeof confirmedPlanSchema>;

/** Every request, by call name. Payloads are parsed with these at every host boundary. */
export const apiSchemas = {
  /** Host and version; which project is open. */
  appInfo: z.object({}),
  /** The open project: environments and the whole revision graph (compact; details per revision in revisionDetail). */
  projectSummary: z.object({}),
  /** Opens another project folder (walks up to its strata.config.json). */
  openProject: z.object({ root: z.string().min(1).max(4096) }),
  /** Projects opened before, most recent first. */
  recentProjects: z.object({}),
  /** The environments matrix: heads, pending, last run, file problems, drift. */
  environmentStatus: z.object({
    /** Absent: every environment. */
    environments: z.array(name).optional(),
    /** Compare each live schema with what its applied revisions build (slower). */
    drift: z.boolean().optional(),
  }),
  /**
   * The page left the screen that asked for drift: its checks stop (their scratch builds pause, and
   * stop unless asked again within a second), so they no longer take the CPU from what it shows next.
   */
  stopDriftChecks: z.object({}),
  /** One revision with its code, checksum state per environment and rendered SQL. */
  revisionDetail: z.object({
    revision: revisionRef,
    /** Render the SQL for this environment's dialect (default: the first environment). */
    environment: name.optional(),
  }),
  /** What an upgrade / downgrade would run on an environment, with its SQL; changes nothing. */
  planMigration: z.object({ environment: name, command: migrateCommandSchema, target: revisionRef }),
  /** Queues an upgrade / downgrade; progress arrives as events with the returned runId. */
  runMigration: z.object({
    environment: name,
    command: migrateCommandSchema,
    target: revisionRef,
    /** A protected environment runs only when this equals its name. */
    confirmName: z.string().max(200).optional(),
    singleTransaction: z.boolean().optional(),
    /** Run although applied revision files were edited (or removed) since they ran. */
    allowEdited: z.boolean().optional(),
    /**
     * The plan the person looked at and confirmed (issue 14): the run is refused with PLAN_CHANGED
     * when the plan made under the lock starts from other heads or has other steps or checksums.
     * Optional so older callers work; the app always sends it.
     */
    confirmedPlan: confirmedPlanSchema.optional(),
    /** The person ticked what a destructive or unchecked plan loses; the app's host refuses such a plan without it. */
    acknowledgedLoss: z.boolean().optional(),
  }),
  /** A run, queued, running or ended (its log so far), e.g. after the event stream reconnects. */
  getRun: z.object({ runId: z.string().min(1).max(100) }),
  /** Runs of this session, newest first. */
  listRuns: z.object({ environment: name.optional() }),
  /**
   * Records what the person found after a revision was interrupted or failed half way:
   * "applied" moves the version table as the step would have, "rolled-back" leaves it (protected: confirmName).
   */
  resolveRevision: z.object({
    environment: name,
    revision: revisionRef,
    outcome: z.enum(["applied", "rolled-back"]),
    confirmName: z.string().max(200).optional(),
    /** Record it although the live schema contradicts the outcome (recoveryCheck); the person checked the database. */
    override: z.boolean().optional(),
  }),
  /** Sets the version table without running revisions (protected: confirmName). */
  stamp: z.object({ environment: name, targets: z.array(revisionRef).min(1), confirmName: z.string().max(200).optional() }),
  /** Writes a new revision file, empty or autogenerated from a schema diff. */
  createRevision: z.object({
    message: z.string().trim().min(1, "a revision needs a message").max(500),
    /** Parent: "head" (default), "base", a revision id, LABEL@head. */
    head: revisionRef.optional(),
    /** Allow a parent that is not a head (starts a branch). */
    splice: z.boolean().optional(),
    branchLabels: z.array(name).optional(),
    dependsOn: z.array(revisionRef).optional(),
    /** Fill up/down from the diff between these sources (`to` is the desired schema). */
    autogenerate: z.object({ from: diffSourceSchema.optional(), to: diffSourceSchema }).optional(),
    /** The parents by id instead of `head`; two or more make a merge (an environment standing on several heads). */
    parents: z.array(revisionRef).max(100).optional(),
    /** With autogenerate: the keys (changeKey) of the changes to write; absent: all. */
    selectedChanges: z.array(z.string().max(2000)).max(10_000).optional(),
  }),
  /** Writes a merge revision of the given revisions ("heads" for every head). */
  createMerge: z.object({ message: z.string().trim().min(1, "a merge needs a message").max(500), revisions: z.array(revisionRef).min(1) }),
  /** The sources a diff can compare. */
  diffSources: z.object({}),
  /** Compares two schema sources. */
  schemaDiff: z.object({ from: diffSourceSchema, to: diffSourceSchema }),
  /** The history table of an environment (failures first unless asked otherwise). */
  history: z.object({
    environment: name,
    revision: z.string().max(400).optional(),
    status: historyStatusSchema.optional(),
    direction: z.enum(["up", "down", "stamp", "repair"]).optional(),
    /** Matched against revision, message, user, host and error. */
    search: z.string().max(400).optional(),
    failuresFirst: z.boolean().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    /** Only rows started on or after this day (YYYY-MM-DD, UTC) (issue 19). */
    since: historyDay.optional(),
    /** Only rows started on or before this day (YYYY-MM-DD, UTC). */
    until: historyDay.optional(),
  }),
  /** Saved connection profiles (no passwords) and whether passwords can be stored. */
  listProfiles: z.object({}),
  /** Adds or edits a profile. */
  saveProfile: profileInputSchema,
  /** Connects with a saved profile (`id`) or an unsaved one (`profile`) and says what happened. */
  testProfile: z.object({ id: z.string().min(1).max(100).optional(), profile: profileInputSchema.optional() }),
  /** Forgets a profile and its password. */
  removeProfile: z.object({ id: z.string().min(1).max(100) }),
  /**
   * For a revision left interrupted or half applied: its statements, which ran, what the live
   * schema shows of each, which resolve outcome the schema contradicts, and the undo on offer.
   */
  recoveryCheck: z.object({ environment: name, revision: revisionRef }),
  /** Runs the inverse of the statements that ran (recoveryCheck's undo), then records the revision as rolled back (protected: confirmName). */
  undoPartialRevision: z.object({ environment: name, revision: revisionRef, confirmName: z.string().max(200).optional() }),
  /**
   * Accepts an applied revision's edited file (`strata repair`): records its current checksum,
   * with who and when, as a `repair` history row, so runs stop refusing it (protected: confirmName).
   */
  repairRevision: z.object({ environment: name, revision: revisionRef, confirmName: z.string().max(200).optional() }),
  /**
   * What an autogenerated revision would hold (issue 19): the changes from the schema at the
   * parents to `to`, and up()/down() for the selected ones; writes nothing. Without parents or
   * head, the parents are the `to` environment's own heads, or with `from` (the left side of the
   * schema diff the changes were chosen on, an environment) that environment's heads.
   */
  previewRevision: z.object({
    to: diffSourceSchema,
    from: diffSourceSchema.optional(),
    head: revisionRef.optional(),
    parents: z.array(revisionRef).max(100).optional(),
    selectedChanges: z.array(z.string().max(2000)).max(10_000).optional(),
    /** A previous answer's previewId: render from the schemas it read. */
    previewId: z.string().min(1).max(100).optional(),
  }),
  /** Deletes a revision file nothing ever used (no child, no dependent, in no environment's tables); `file` is the file the person confirmed. */
  deleteRevision: z.object({ revision: revisionRef, file: filePath }),
} as const;

/** The name of a call. */
export type ApiCall = keyof typeof apiSchemas;
/** What a caller passes (defaults not yet applied). */
export type ApiRequest<K extends ApiCall> = z.input<(typeof apiSchemas)[K]>;
/** What a handler receives, parsed. */
export type ApiParsedRequest<K extends ApiCall> = z.output<(typeof apiSchemas)[K]>;

/** True when nothing in K's request is required, so callers may omit it. */
type EmptyRequest<K extends ApiCall> = {} extends ApiRequest<K> ? true : false;

// ---------------------------------------------------------------------------------------------
// DTOs
// ---------------------------------------------------------------------------------------------

/** An environment as the GUI shows it (from strata.config.json or a saved profile). */
export interface EnvironmentDto {
  readonly name: string;
  readonly client: ClientDto;
  /** "PostgreSQL", "MySQL/MariaDB", "SQLite". */
  readonly dialect: string;
  /** Where it points, never with a password. */
  readonly displayTarget: string;
  readonly protected: boolean;
  readonly color: string | null;
  readonly source: "config" | "profile";
  /** Set where the environment cannot be used as configured (e.g. a missing ${VAR}). */
  readonly error: ErrorShape | null;
  /**
   * The name to type before anything changes this environment's database (issue 14): its own when
   * it is protected, the protected environment's whose database it reaches; null when none.
   */
  readonly confirmationName?: string | null;
  /** Set where this environment reaches the database of another, protected one. */
  readonly reachesProtected?: ProtectedDatabaseDto | null;
}

/** A protected environment whose database another environment or profile reaches (issue 14). */
export interface ProtectedDatabaseDto {
  /** The protected environment (or profile): its name is the one to type. */
  readonly environment: string;
  /** The database both reach, for people: e.g. "postgres 127.0.0.1:5432/app". */
  readonly database: string;
  /** One line for the person, e.g. "reaches the same database as protected environment prod (...)". */
  readonly message: string;
}

/** A revision in the graph, with what the graph knows about it. */
export interface RevisionNodeDto extends RevisionDto {
  readonly children: readonly string[];
  readonly isHead: boolean;
  readonly isBase: boolean;
  readonly isBranchPoint: boolean;
  readonly isMergePoint: boolean;
}

/**
 * A revision as the graph draws it, kept small: a project of 10,000 revisions sends 10,000 of
 * these on every load. Links are indexes into {@link ProjectSummaryDto.revisions}; children,
 * heads and junctions follow from `parents`. Everything else is in revisionDetail.
 */
export interface GraphRevisionDto {
  readonly id: string;
  readonly message: string;
  /** Its down_revisions as indexes into `revisions`: none for a base, two or more for a merge. */
  readonly parents: readonly number[];
  /** Its own branch labels; absent when it has none. */
  readonly branchLabels?: readonly string[];
  /** depends_on as written in the file (ids, prefixes or labels); absent when empty. */
  readonly dependsOn?: readonly string[];
  /** Its file, relative to the migrations folder (`ProjectSummaryDto.migrations`). */
  readonly file?: string;
  /**
   * Branch labels in effect where they differ from its own: those it inherits along its branch
   * (Alembic spreads a label to every revision of the branch), sorted; absent when none (issue 20).
   */
  readonly inheritedLabels?: readonly string[];
  /** A head another revision depends on (Alembic's "(effective head)"); absent when not. */
  readonly effectiveHead?: true;
  /** depends_on resolved, as indexes into `revisions` (drawn as dashed lines); absent when empty. */
  readonly dependencies?: readonly number[];
  /** The last git commit of its file: author date (ISO) and author name; absent where git does not know the file. */
  readonly gitDate?: string;
  readonly gitAuthor?: string;
}

/** The open project. `revisions` is newest first (children before parents). */
export interface ProjectSummaryDto {
  readonly root: string;
  readonly name: string;
  readonly configFile: string;
  /** The migrations folder, relative to root. */
  readonly migrations: string;
  /** "knex": a plain knex folder read as one chain. */
  readonly mode: "strata" | "knex";
  readonly environments: readonly EnvironmentDto[];
  readonly revisions: readonly GraphRevisionDto[];
  readonly heads: readonly string[];
  readonly bases: readonly string[];
  readonly branchPoints: readonly string[];
  readonly mergePoints: readonly string[];
}

/** Who is running the API. */
export interface AppInfoDto {
  readonly version: string;
  readonly host: "electron" | "browser";
  readonly projectRoot: string | null;
  readonly platform: string;
}

/** A project opened before. */
export interface RecentProjectDto {
  readonly root: string;
  readonly name: string;
  readonly openedAt: string;
}

/** A row of an environment's history table. */
export interface HistoryEntryDto {
  readonly id: number;
  readonly revision: string;
  /** "repair": `strata repair` accepted the revision's edited file (checksum: the accepted one). */
  readonly direction: "up" | "down" | "stamp" | "repair";
  readonly message: string;
  readonly checksum: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly status: "running" | "succeeded" | "failed";
  readonly error: string | null;
  readonly user: string;
  readonly host: string;
  readonly strataVersion: string;
  /** What a failure that may be half applied recorded of its statements: those that ran and the one the database refused. */
  readonly statements?: { readonly ran: readonly string[]; readonly failed: string | null } | null;
  /**
   * Set on a failure that was settled (issue 19): resolved by a person (the recovery panel) as
   * applied or rolled back, or retried: the same step succeeded in a later run. null otherwise.
   */
  readonly resolved?: { readonly how: "resolved-applied" | "resolved-rolled-back" | "retried"; readonly note: string } | null;
  /** The run the row belongs to: the id of the run's first row (see HistoryRunDto). */
  readonly run?: number;
  /**
   * The id the run that wrote the row gave all its rows (a UUID; issue 19). null in rows written
   * before Strata recorded it: those are grouped into runs by time (see HistoryRunDto).
   */
  readonly runId?: string | null;
  /** That run's target as the person gave it (`heads`, `+2`, `billing@head`, a stamp's targets); null where not recorded. */
  readonly runTarget?: string | null;
}

/**
 * One run in an environment's history (issue 19): the rows that carry the same run id. Rows from
 * before run ids were recorded are grouped by time instead: written back to back by the same OS
 * user and host, in one direction, each step starting as the one before it ended.
 */
export interface HistoryRunDto {
  /** The id of its first row. */
  readonly id: number;
  readonly direction: HistoryEntryDto["direction"];
  /** The OS user and host that ran it. */
  readonly user: string;
  readonly host: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Where it went: the last step's revision. */
  readonly target: string;
  /** The run's id shared by its rows; null for a run grouped by time (rows from before run ids). */
  readonly runId?: string | null;
  /** The target as the person gave it (`heads`, `+2`); null where not recorded. */
  readonly requestedTarget?: string | null;
  readonly steps: number;
  /** failed: its failure is not settled; resolved: settled by a person or a later run. */
  readonly result: "succeeded" | "failed" | "resolved" | "running";
}

/** One difference between two schemas, with the DDL that removes it. Shaped to adopt issue 3's diff. */
export interface SchemaChangeDto {
  readonly table: string;
  /** e.g. "add-column", "drop-table", "alter-column", "add-index", "add-foreign-key". */
  readonly kind: string;
  /** What it applies to: "table" | "column" | "index" | "foreign-key" | "constraint" | "view" | ... */
  readonly objectType: string;
  /** The object's name (the table's own name for a table change). */
  readonly object: string;
  readonly destructive: boolean;
  /** One line for people: "add column email varchar(200) not null". */
  readonly summary?: string;
  /** e.g. "might be a rename of column x", "knex cannot express this; knex.raw used". */
  readonly note?: string;
  /** The DDL for the dialect of the diff (empty where not rendered, e.g. in drift lists). */
  readonly sql: string;
  /** The knex schema-builder code that makes the change. */
  readonly knexUp?: string;
  readonly knexDown?: string;
  /** changeKey(): what it does to which object, the same in a diff and an autogenerate preview (issue 19). */
  readonly key?: string;
}

/** A schema source a diff can use. */
export interface DiffSourceDto {
  /** The value to pass as `from` / `to`. */
  readonly id: string;
  readonly label: string;
  readonly kind: "environment" | "migrations" | "file";
}

/** The result of comparing two schema sources. */
export interface SchemaDiffDto {
  readonly from: string;
  readonly to: string;
  readonly identical: boolean;
  /** Ordered so that they can run in this order. */
  readonly changes: readonly SchemaChangeDto[];
  /** The whole script. */
  readonly sql: string;
  /** Objects Strata does not model, on either side (issue 16); one on one side only makes identical false. */
  readonly notCompared?: readonly NotComparedDto[];
  /** Every object of both sides with its status and both definitions (issue 19); left is `from`. */
  readonly objects?: readonly SchemaObjectViewDto[];
  /** The database kind of each side, for people: "PostgreSQL", "MySQL/MariaDB", "SQLite". */
  readonly fromDialect?: string;
  readonly toDialect?: string;
  /** The sides are different database kinds: compared at the level both share, and no script is offered. */
  readonly crossDialect?: boolean;
  /** Why there is no script, where there is none. */
  readonly sqlUnavailable?: string;
}

/** One object of a compare with its CREATE statements on each side, in that side's dialect (null where it is absent). */
export interface SchemaObjectViewDto extends SchemaObjectDto {
  readonly leftDefinition: string | null;
  readonly rightDefinition: string | null;
}

/** Whether an environment's live schema matches what its applied revisions build. */
export interface DriftDto {
  /** "unavailable": could not be checked (reason in note); "not-checked": not asked for. */
  readonly state: "none" | "drifted" | "unavailable" | "not-checked";
  readonly changes: readonly SchemaChangeDto[];
  readonly note?: string;
  /** Not-compared objects on one side only (issue 16): they count as drift too. */
  readonly notCompared?: readonly NotComparedDto[];
}

/** One cell row of the environments matrix. */
export interface EnvironmentStateDto {
  readonly environment: EnvironmentDto;
  /** null when the database could not be reached (see error). */
  readonly heads: readonly string[] | null;
  /** The revisions an upgrade to heads would run, in order. */
  readonly pending: readonly string[];
  readonly lastRun: HistoryEntryDto | null;
  readonly problems: readonly FileProblemDto[];
  readonly drift: DriftDto;
  readonly error: ErrorShape | null;
  /** Revisions left interrupted or half applied: runs are refused until each is resolved. */
  readonly unresolved?: readonly UnresolvedRunDto[];
  /** A knex-mode folder: its gaps and unknown knex_migrations rows (issue #15); absent otherwise. */
  readonly knex?: KnexMigrationsDto;
  /** The worst of all the above, as the chips, the environments screen and the graph show it (issue 14). */
  readonly state?: EnvironmentHealthDto;
  /** Per graph head (id), how many revisions an upgrade to that head would run: 0 at (or past) it (issue 19). Absent where unknown. */
  readonly behind?: Readonly<Record<string, number>>;
}

/**
 * An environment's worst state, worst first: unreachable > half-applied > running > failed >
 * drift > edited / missing > pending > up-to-date. Computed by the engine so every screen agrees.
 */
export interface EnvironmentHealthDto {
  readonly kind: "unreachable" | "half-applied" | "running" | "failed" | "drift" | "edited" | "missing" | "pending" | "up-to-date";
  /** How many: differences, files, pending revisions; 1 for a state that names a revision, 0 when up to date. */
  readonly count: number;
  /** The revision a half-applied, running or failed state names; null otherwise. */
  readonly revision: string | null;
  /** The words: "half-applied: b2b2b2b2b2b2", "failed: …", "drift: 3 differences", "2 edited", "15 pending", "up to date". */
  readonly label: string;
}

/** What resolveRevision recorded. */
export interface ResolveResultDto {
  readonly environment: string;
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly outcome: "applied" | "rolled-back";
  readonly historyId: number;
  /** The version table afterwards. */
  readonly heads: readonly string[];
  /** How it was resolved and by whom, as the history row now says. */
  readonly note: string;
}

/** One statement of a revision that stopped part way, with what the database shows of it. */
export interface RecoveryStatementDto {
  readonly sql: string;
  /** ran; failed (the database refused it, so it did not take effect); not-ran; unknown (nothing tells). */
  readonly ran: "ran" | "failed" | "not-ran" | "unknown";
  /** How `ran` is known: recorded by the run, read from the live schema, inferred from the statements' order, or not at all. */
  readonly basis: "recorded" | "schema" | "order" | "none";
  /** What the live schema shows of its effect; not-visible for rows, type changes and the like. */
  readonly schema: "done" | "not-done" | "partly" | "not-visible";
  /** One line per object it makes or removes: "column half_t.note is there". */
  readonly evidence: readonly string[];
}

/** What recoveryCheck found for an interrupted or half-applied revision. Changes nothing. */
export interface RecoveryCheckDto {
  readonly environment: string;
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly state: "interrupted" | "failed" | "running";
  readonly historyId: number;
  readonly message: string;
  /** Where the statements come from: recorded by the run that failed, rendered from the revision's file (a killed run records none), or neither. */
  readonly statementsFrom: "recorded" | "file" | "none";
  readonly statements: readonly RecoveryStatementDto[];
  /** The outcomes the live schema contradicts, and why, one line per statement. */
  readonly contradicted: readonly ("applied" | "rolled-back")[];
  readonly contradictions: { readonly applied: readonly string[]; readonly rolledBack: readonly string[] };
  /** The inverse of the statements that ran, where each has a known one (create table, add column, create index). */
  readonly undo: { readonly available: boolean; readonly statements: readonly string[]; readonly reason: string | null };
}

/** What undoPartialRevision ran and recorded. */
export interface UndoResultDto extends ResolveResultDto {
  /** The statements it ran, in order. */
  readonly undone: readonly string[];
}

/** What repairRevision recorded. */
export interface RepairResultDto {
  readonly environment: string;
  readonly revision: string;
  /** The revision's file, relative to the project root. */
  readonly file: string | null;
  /** The checksum the revision ran with (or was last repaired to). */
  readonly previousChecksum: string;
  /** The file's checksum now, accepted. */
  readonly checksum: string;
  readonly historyId: number;
  /** The history row's message: "repaired: accepted the edited file, checksum a1b2→c3d4, by USER at TIME". */
  readonly note: string;
  /** OS user and host. */
  readonly user: string;
  /** The database user the row was written as; null on SQLite. */
  readonly databaseUser: string | null;
  readonly at: string;
}

/** The environments matrix. */
export interface EnvironmentMatrixDto {
  /** The graph's heads: the matrix's columns. */
  readonly heads: readonly string[];
  readonly environments: readonly EnvironmentStateDto[];
}

/** How an applied revision's file compares with what ran. */
export type ChecksumStateDto = "matches" | "edited" | "not-applied" | "unknown" | "unreachable";

/** A revision's state in one environment. */
export interface RevisionEnvironmentDto {
  readonly environment: string;
  readonly applied: boolean | null;
  readonly checksum: ChecksumStateDto;
  readonly appliedChecksum: string | null;
  readonly error: ErrorShape | null;
}

/** SQL rendered offline for one environment's dialect; sql null where it cannot be (error says why). */
export interface RenderedSqlDto {
  readonly environment: string;
  readonly dialect: string;
  readonly sql: string | null;
  readonly error: ErrorShape | null;
  /** Its statements that drop or narrow something (the plan lint's findings), for the SQL pane to mark (issue 19). */
  readonly destructive?: readonly DestructiveStatementDto[];
}

/** Everything the revision detail screen shows. */
export interface RevisionDetailDto {
  readonly revision: RevisionNodeDto;
  /** The file's sha256, as the history table records it. */
  readonly checksum: string | null;
  /** The whole file. */
  readonly source: string | null;
  /** The `up` and `down` functions as written (best effort: null where not found). */
  readonly upSource: string | null;
  readonly downSource: string | null;
  readonly transaction: boolean;
  readonly environments: readonly RevisionEnvironmentDto[];
  readonly upSql: RenderedSqlDto | null;
  readonly downSql: RenderedSqlDto | null;
}

/** A statement of a plan that loses data or structure. */
export interface DestructiveStatementDto {
  readonly revision: string;
  readonly statement: string;
  readonly reason: string;
}

/** One step of a plan. */
export interface PlannedStepDto {
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly message: string;
  readonly file: string | null;
  /** The file's sha256 as the history table records it (null: no file); sent back in a run's confirmedPlan. */
  readonly checksum: string | null;
}

/** What a run would do; nothing changed. */
export interface MigrationPlanDto {
  readonly environment: string;
  readonly command: MigrateCommandDto;
  readonly target: string;
  readonly protected: boolean;
  readonly headsBefore: readonly string[];
  readonly steps: readonly PlannedStepDto[];
  readonly headsAfter: readonly string[];
  /** The plan as a SQL script for the environment's dialect; null where it cannot be rendered. */
  readonly sql: string | null;
  readonly sqlError: ErrorShape | null;
  /** Detected from the rendered SQL; empty when none or when the SQL could not be rendered. */
  readonly destructive: readonly DestructiveStatementDto[];
  /**
   * The plan's verdict (issue 14): true when every step's SQL was rendered and linted, so
   * `destructive` is the whole list; false when some step could not be (see uncheckedReason).
   */
  readonly checked: boolean;
  /** Why the plan, or which of its revisions, could not be checked; null when checked. */
  readonly uncheckedReason: string | null;
  /**
   * The name a person must type before this plan runs: the environment's own name when it is
   * protected, or the name of the protected environment whose database it reaches; null when none.
   */
  readonly confirmationName: string | null;
  /** Applied revisions whose file was edited or removed since they ran. */
  readonly problems?: readonly FileProblemDto[];
  /**
   * Why the run would be refused before it starts because of those files (the same words as
   * the CLI), and whether allowEdited lets it run; null when nothing stops it.
   */
  readonly refusal?: { readonly message: string; readonly allowEdited: boolean } | null;
  /** What Alembic would only warn about (issue 20): a relative step from several current heads. */
  readonly warnings?: readonly PlanWarningDto[];
}

/** A queued run. */
export interface RunTicketDto {
  readonly runId: string;
  readonly environment: string;
  /** Runs ahead of it on the same environment. */
  readonly queuedBehind: number;
}

/** One line of a run's log. */
export interface RunLogLineDto {
  readonly at: string;
  readonly level: "info" | "warn" | "error";
  readonly line: string;
}

/** A run of this session. */
export interface RunDto {
  readonly runId: string;
  readonly environment: string;
  readonly command: MigrateCommandDto;
  readonly target: string;
  readonly state: "queued" | "running" | "succeeded" | "failed";
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly log: readonly RunLogLineDto[];
  readonly result: MigrationResultDto | null;
  readonly error: ErrorShape | null;
}

/** The version table after a stamp. */
export interface StampResultDto {
  readonly environment: string;
  readonly heads: readonly string[];
}

/** A revision file just written. */
export interface CreatedRevisionDto {
  readonly revision: string;
  readonly downRevisions: readonly string[];
  /** Relative to the project root. */
  readonly file: string;
  readonly source: string;
  /** For an autogenerated revision: the changes it makes. */
  readonly changes: readonly SchemaChangeDto[];
}

/** A saved connection profile. The password never leaves the main process. */
export interface ConnectionProfileDto {
  readonly id: string;
  readonly name: string;
  readonly client: ClientDto;
  readonly host: string | null;
  readonly port: number | null;
  readonly user: string | null;
  readonly database: string | null;
  readonly filename: string | null;
  readonly hasPassword: boolean;
  readonly protected: boolean;
  readonly color: string | null;
  readonly displayTarget: string;
  readonly tls: { readonly mode: TlsModeDto; readonly ca: string | null; readonly cert: string | null; readonly key: string | null } | null;
  readonly ssh: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly privateKey: string;
    readonly knownHosts: string | null;
    readonly hasPassphrase: boolean;
  } | null;
  /** Listed in every project (also every profile saved before profiles belonged to a project). */
  readonly shared?: boolean;
  /** The project root it was saved in; null for a profile saved before that was recorded. */
  readonly projectRoot?: string | null;
  /**
   * Set when the profile reaches the database of a protected environment of the open project (or
   * a protected profile): it is then protected, and that environment's name is the one to type.
   */
  readonly reachesProtected?: ProtectedDatabaseDto | null;
}

/** Whether this host can keep passwords, and why not. */
export interface PasswordStorageDto {
  readonly available: boolean;
  /** e.g. "keychain", "dpapi", "gnome_libsecret", "basic_text", "none". */
  readonly backend: string;
  readonly reason: string | null;
}

/** The saved profiles. */
export interface ProfileListDto {
  readonly profiles: readonly ConnectionProfileDto[];
  readonly passwordStorage: PasswordStorageDto;
}

/** The outcome of a connection test. */
export interface ProfileTestDto {
  readonly ok: boolean;
  readonly message: string;
  readonly durationMs: number;
  readonly error: ErrorShape | null;
}

/** What each call resolves to. Must have exactly the keys of apiSchemas (checked below). */
export interface ApiResponses {
  appInfo: AppInfoDto;
  projectSummary: ProjectSummaryDto;
  openProject: ProjectSummaryDto;
  recentProjects: { readonly projects: readonly RecentProjectDto[] };
  environmentStatus: EnvironmentMatrixDto;
  /** How many asks for drift were stopped. */
  stopDriftChecks: { readonly stopped: number };
  revisionDetail: RevisionDetailDto;
  planMigration: MigrationPlanDto;
  runMigration: RunTicketDto;
  getRun: RunDto;
  listRuns: { readonly runs: readonly RunDto[] };
  stamp: StampResultDto;
  resolveRevision: ResolveResultDto;
  createRevision: CreatedRevisionDto;
  createMerge: CreatedRevisionDto;
  diffSources: { readonly sources: readonly DiffSourceDto[] };
  schemaDiff: SchemaDiffDto;
  history: {
    readonly environment: string;
    readonly rows: readonly HistoryEntryDto[];
    /** The runs the rows belong to, newest first (unsettled failures first with failuresFirst). */
    readonly runs?: readonly HistoryRunDto[];
    /** The database user this environment connects as (the OS user is in each row); null on SQLite. */
    readonly databaseUser?: string | null;
  };
  listProfiles: ProfileListDto;
  saveProfile: ConnectionProfileDto;
  testProfile: ProfileTestDto;
  removeProfile: { readonly removed: boolean };
  recoveryCheck: RecoveryCheckDto;
  undoPartialRevision: UndoResultDto;
  repairRevision: RepairResultDto;
  previewRevision: RevisionPreviewDto;
  deleteRevision: DeletedRevisionDto;
}

// A compile error here means apiSchemas and ApiResponses list different calls.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const callsMatch: Exact<keyof ApiResponses, ApiCall> = true;
// ... and here that api-calls.ts's API_CALLS (the zod-free list the preload uses) names them too.
const namesMatch: Exact<ApiCallName, ApiCall> = true;
void callsMatch;
void namesMatch;

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

interface RunEventBase {
  readonly runId: string;
  readonly environment: string;
  readonly at: string;
}

/** Progress of a run (every event carries its runId). */
export type RunEventDto =
  | (RunEventBase & { readonly type: "run-queued"; readonly command: MigrateCommandDto; readonly target: string })
  | (RunEventBase & { readonly type: "run-started"; readonly command: MigrateCommandDto; readonly target: string })
  | (RunEventBase & { readonly type: "lock-wait"; readonly holder: string | null })
  | (RunEventBase & { readonly type: "plan"; readonly total: number })
  | (RunEventBase & {
      readonly type: "step-started";
      readonly index: number;
      readonly total: number;
      readonly revision: string;
      readonly direction: "up" | "down";
      readonly message: string;
    })
  | (RunEventBase & {
      readonly type: "step-done";
      readonly index: number;
      readonly total: number;
      readonly revision: string;
      readonly direction: "up" | "down";
      readonly durationMs: number;
    })
  | (RunEventBase & { readonly type: "log"; readonly level: RunLogLineDto["level"]; readonly line: string })
  | (RunEventBase & { readonly type: "run-finished"; readonly result: MigrationResultDto })
  | (RunEventBase & { readonly type: "run-failed"; readonly error: ErrorShape });

/** Something changed that screens showing the project should reload. */
export interface ProjectChangedEventDto {
  readonly type: "project-changed";
  readonly root: string;
  /** "files-changed": the host's watcher saw a revision file added, removed or written on disk. */
  readonly reason: "opened" | "revision-created" | "environment-changed" | "profiles-changed" | "files-changed";
  readonly at: string;
}

/** The desktop app's engine process died (issue 18): restarted, or (after repeated crashes) not; the window says so. */
export interface EngineRestartedEventDto {
  readonly type: "engine-restarted";
  readonly restarted: boolean;
  /** One line for the person: what happened and what to do. */
  readonly message: string;
  readonly at: string;
}

/** Everything pushed from the host to the UI. */
export type StrataEvent = RunEventDto | ProjectChangedEventDto | EngineRestartedEventDto;

/** The event type names. */
export type StrataEventType = StrataEvent["type"];

// ---------------------------------------------------------------------------------------------
// Derived interfaces
// ---------------------------------------------------------------------------------------------

/** The calls, as the renderer makes them. A call whose request has no required field may omit it. */
export type StrataApi = {
  readonly [K in ApiCall]: EmptyRequest<K> extends true
    ? (req?: ApiRequest<K>) => Promise<ApiResponses[K]>
    : (req: ApiRequest<K>) => Promise<ApiResponses[K]>;
};

/** Subscribes to events; returns the function that unsubscribes. */
export type SubscribeEvents = (listener: (event: StrataEvent) => void) => () => void;

/** What the renderer is given: the calls plus the event stream (window.strata, or createHttpApi's result). */
export type StrataClient = StrataApi & { readonly onEvent: SubscribeEvents };

/**
 * What a host implements: one handler per call, receiving the parsed request and the host's
 * context (e.g. who asked). The IPC map and the HTTP server are typed `ApiHandlers<...>`.
 */
export type ApiHandlers<Ctx = void> = {
  readonly [K in ApiCall]: (req: ApiParsedRequest<K>, ctx: Ctx) => Promise<ApiResponses[K]>;
};

export { API_CALLS, EVENTS_PATH, IPC_EVENT_CHANNEL, TOKEN_HEADER, httpPath, ipcChannel, isApiCall } from "./api-calls.js";
export type { ApiEnvelope } from "./api-calls.js";
