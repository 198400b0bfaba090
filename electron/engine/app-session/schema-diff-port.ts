import type { DriftDto, SchemaChangeDto, SchemaDiffDto } from "../../../shared/api.js";
import type { SchemaChangeDto as EngineChangeDto, SchemaChangeKind } from "../../../shared/schema.js";
import { dialectFor } from "../dialect/index.js";
import { changeKey, definitionKey, renderBodySqlOrReason, renderKnexBody, renderObjectDefinitions } from "../diff/index.js";
import type { SchemaChange } from "../diff/index.js";
import { StrataError, assertNever } from "../errors.js";
import type { SchemaDiffPort } from "./app-service.js";
import type { OpenProject } from "../use-cases/open-project.js";
import type { EnvironmentChoice } from "./project-holder.js";
import { RevisionPreviews } from "./revision-preview.js";
import { autogenerateRevision } from "../use-cases/autogenerate.js";
import { ScratchBuildStopped, diffSources, environmentDrift } from "../use-cases/schema-diff.js";
import { DRIFT_SCREEN_LEFT, MigrationsSchemaCache } from "../use-cases/migrations-schema-cache.js";
import type { EnvironmentLookup } from "../use-cases/schema-diff.js";

/** What a change applies to, for the GUI's tree. */
function objectType(kind: SchemaChangeKind): string {
  switch (kind) {
    case "create-table":
    case "drop-table":
    case "set-table-comment":
    case "set-table-options":
      return "table";
    case "add-column":
    case "drop-column":
    case "alter-column":
      return "column";
    case "set-primary-key":
    case "drop-primary-key":
      return "primary-key";
    case "add-index":
    case "drop-index":
      return "index";
    case "add-unique":
    case "drop-unique":
      return "unique";
    case "add-check":
    case "drop-check":
      return "check";
    case "add-foreign-key":
    case "drop-foreign-key":
      return "foreign-key";
    case "create-enum":
    case "drop-enum":
    case "alter-enum":
      return "enum";
    case "create-view":
    case "drop-view":
      return "view";
    case "create-object":
    case "drop-object":
      return "object";
    default:
      return assertNever(kind);
  }
}

/** An engine change as the GUI lists it, where its DDL is not shown (autogenerate, drift). */
function changeWithoutSql(dto: EngineChangeDto): SchemaChangeDto {
  return {
    table: dto.object,
    kind: dto.kind,
    objectType: objectType(dto.kind),
    object: objectName(dto),
    destructive: dto.destructive,
    summary: dto.summary,
    ...(dto.note !== null ? { note: dto.note } : {}),
    sql: "",
  };
}

/** "column email" -> "email"; a table-level change is named after its table. */
function objectName(dto: EngineChangeDto): string {
  if (dto.target === null) return dto.object;
  return dto.target.replace(/^(column|index|unique|check|foreign key|primary key|constraint)\s+/i, "");
}

/** An engine change as the GUI shows it, with its own knex code and SQL. */
async function guiChange(change: SchemaChange, client: Parameters<typeof dialectFor>[0]): Promise<SchemaChangeDto> {
  const sd = dialectFor(client).schema;
  const knexUp = renderKnexBody([change], sd);
  return { ...changeWithoutSql(change.dto), sql: await renderBodySqlOrReason(client, knexUp), knexUp };
}

function isClient(c: string): c is "pg" | "mysql2" | "better-sqlite3" {
  return c === "pg" || c === "mysql2" || c === "better-sqlite3";
}

/** Issue 3's schema diff, autogenerate and drift, as the GUI service calls them; `built` remembers drift's scratch builds. */
export function createSchemaDiffPort(built = new MigrationsSchemaCache()): SchemaDiffPort {
  const previews = new RevisionPreviews();
  return {
    filesChanged: () => built.forget(),
    preview: (project, req) => previews.preview(project, req),
    async diff(project: OpenProject, from: string, to: string, others?: EnvironmentLookup): Promise<SchemaDiffDto> {
      const result = await diffSources(project, { from, to, sql: "same-dialect", ...(others ? { others } : {}) });
      const client = result.fromModel.client;
      if (!isClient(client) || !isClient(result.toModel.client)) throw new StrataError("NOT_SUPPORTED", `schema diff for client ${isClient(client) ? result.toModel.client : client} is not supported`);
      const changes: SchemaChangeDto[] = [];
      // Across dialects a change is one of what both sides share: no statement of either dialect makes it.
      for (const c of result.changes) changes.push(result.dto.crossDialect ? { ...changeWithoutSql(c.dto), key: changeKey(c.dto) } : { ...(await guiChange(c, client)), key: changeKey(c.dto) });
      const [left, right] = await Promise.all([renderObjectDefinitions(result.fromModel), renderObjectDefinitions(result.toModel)]);
      const objects = (result.dto.objects ?? []).map((o) => {
        const key = definitionKey(o.kind, o.table, o.name);
        const side = (present: boolean, defs: Map<string, string>): string | null => (present ? defs.get(key) ?? null : null);
        return { ...o, leftDefinition: side(o.status !== "only-right", left), rightDefinition: side(o.status !== "only-left", right) };
      });
      return {
        from: result.dto.from.source,
        to: result.dto.to.source,
        identical: result.dto.equal,
        changes,
        sql: result.dto.sql ?? "",
        notCompared: result.dto.notCompared ?? [],
        objects,
        fromDialect: dialectFor(client).label,
        toDialect: dialectFor(result.toModel.client).label,
        ...(result.dto.crossDialect ? { crossDialect: true } : {}),
        ...(result.dto.sqlUnavailable ? { sqlUnavailable: result.dto.sqlUnavailable } : {}),
      };
    },
    async autogenerate(project, req) {
      if (req.from !== undefined && !/^migrations(@(head|heads))?$/.test(req.from)) {
        throw new StrataError("USAGE", `autogenerate compares ${req.to} with the migrations at the new revision's parent; leave "from" out (it was "${req.from}")`);
      }
      const made = await autogenerateRevision(project, {
        message: req.message,
        from: req.to,
        ...(req.head !== undefined ? { head: req.head } : {}),
        ...(req.splice !== undefined ? { splice: req.splice } : {}),
        ...(req.branchLabels !== undefined ? { branchLabels: req.branchLabels } : {}),
        ...(req.dependsOn !== undefined ? { dependsOn: req.dependsOn } : {}),
        ...(req.others !== undefined ? { others: req.others } : {}),
        ...(req.parents !== undefined ? { parents: req.parents } : {}),
        ...(req.selectedChanges !== undefined ? { selectedChanges: req.selectedChanges } : {}),
      });
      const changes: SchemaChangeDto[] = made.changes.map(changeWithoutSql);
      return { revision: made.revision, downRevisions: made.downRevisions, file: made.file, changes };
    },
    async drift(project: OpenProject, choice: EnvironmentChoice, signal?: AbortSignal): Promise<DriftDto> {
      let d;
      try {
        d = await environmentDrift(project, choice.resolve(), undefined, (p, opts, heads) => built.read(p, opts, heads, signal));
      } catch (e) {
        if (!(e instanceof ScratchBuildStopped)) throw e;
        const note = signal?.reason === DRIFT_SCREEN_LEFT ? "drift check stopped: the environments screen was left; open it again to check" : "drift check stopped: the environments were asked for again; reload to check";
        return { state: "unavailable", changes: [], note };
      }
      const changes: SchemaChangeDto[] = d.changes.map(changeWithoutSql);
      if (!d.checked) return { state: "unavailable", changes: [], note: d.error ?? "drift could not be checked" };
      return { state: d.drifted ? "drifted" : "none", changes, ...(d.notCompared?.length ? { notCompared: d.notCompared } : {}) };
    },
  };
}
