import { randomUUID } from "node:crypto";
import type { PreviewBaseDto, PreviewChangeDto, PreviewLeftDto, RevisionPreviewDto } from "../../../shared/revision-authoring.js";
import { changeKey } from "../diff/change.js";
import { StrataError } from "../errors.js";
import type { EnvironmentConfig } from "../project/index.js";
import { autogenerateBodies, changeStatements, environmentHeads, readAutogenerateSchemas } from "../use-cases/autogenerate.js";
import type { AutogenerateSchemas } from "../use-cases/autogenerate.js";
import type { OpenProject } from "../use-cases/open-project.js";
import { compareModels, readEnvironmentSchema, resolveSource } from "../use-cases/schema-diff.js";
import type { EnvironmentLookup } from "../use-cases/schema-diff.js";

/** A previewRevision request, parsed. */
export interface PreviewInput {
  readonly to: string;
  /** The left side of the schema diff the changes were chosen on: an environment. */
  readonly from?: string;
  readonly head?: string;
  readonly parents?: readonly string[];
  readonly selectedChanges?: readonly string[];
  readonly previewId?: string;
  readonly others?: EnvironmentLookup;
}

/** What a change is, apart from the selection: read once per preview. */
type ChangeFacts = Omit<PreviewChangeDto, "selected">;

interface Kept {
  readonly project: OpenProject;
  readonly to: string;
  readonly from: string | undefined;
  readonly base: PreviewBaseDto;
  readonly schemas: AutogenerateSchemas;
  readonly changes: readonly ChangeFacts[];
  readonly left: PreviewLeftDto | null;
}

/** A change that makes or drops a whole table: where one side has it, the other side's changes inside it are written another way. */
const wholeTable = (kind: string): boolean => kind === "create-table" || kind === "drop-table";

/** How many previews keep their two schemas for a re-render (a person ticking boxes uses the last one). */
const KEPT = 8;

/** The schema diff's left side as an environment; anything else has no heads to stand on. */
function leftEnvironment(project: OpenProject, req: PreviewInput): EnvironmentConfig | null {
  if (req.from === undefined) return null;
  const spec = resolveSource(project, req.from, req.others);
  if (spec.kind !== "environment") {
    throw new StrataError("USAGE", `the revision starts from "${req.from}" only when it is an environment; leave "from" out and choose the parent instead`, { source: req.from });
  }
  return spec.env;
}

/** The parents the preview starts from: those asked for, else the left environment's or the desired environment's own heads, else the graph's. */
async function previewBase(project: OpenProject, req: PreviewInput, left: EnvironmentConfig | null): Promise<PreviewBaseDto> {
  const notHeads = (parents: readonly string[]): string[] => parents.filter((p) => !project.map.heads.includes(p));
  if (req.parents !== undefined) return { parents: [...new Set(req.parents)], from: "chosen", environment: null, notHeads: notHeads(req.parents) };
  if (req.head !== undefined) {
    const parents = req.head === "base" ? [] : project.map.resolve(req.head);
    return { parents, from: "chosen", environment: null, notHeads: notHeads(parents) };
  }
  const spec = left ? ({ kind: "environment", env: left } as const) : resolveSource(project, req.to, req.others);
  if (spec.kind === "environment") {
    const parents = await environmentHeads(project, spec.env);
    return { parents, from: "environment", environment: spec.env.name, notHeads: notHeads(parents) };
  }
  return { parents: project.map.heads, from: "head", environment: null, notHeads: [] };
}

/**
 * Reads both schemas (one scratch build), the left environment's live schema where there is one,
 * and everything about each change that does not depend on the selection: its own SQL and how the
 * left side stands on it.
 */
async function readPreview(project: OpenProject, req: PreviewInput): Promise<Kept> {
  const leftEnv = leftEnvironment(project, req);
  const base = await previewBase(project, req, leftEnv);
  const schemas = await readAutogenerateSchemas(project, { from: req.to, parents: base.parents, ...(req.others ? { others: req.others } : {}) });
  const all = autogenerateBodies(schemas).all;
  const sql = await changeStatements(schemas, all);
  // The schema diff's changes, exactly as the compare screen listed them (same models, same keys).
  const compared = leftEnv ? new Map(compareModels((await readEnvironmentSchema(leftEnv, undefined, project)).model, schemas.desired.model).changes.map((c) => [changeKey(c.dto), c.dto] as const)) : null;
  const changes = all.map((c): ChangeFacts => {
    const key = changeKey(c.dto);
    const own = sql.get(key)!;
    const listed = compared?.get(key);
    return {
      key,
      kind: c.dto.kind,
      table: c.dto.object,
      summary: c.dto.summary,
      destructive: c.dto.destructive,
      note: c.dto.note,
      sql: own.sql,
      losses: own.losses,
      leftAlready: compared !== null && listed === undefined,
      leftSummary: listed !== undefined && listed.summary !== c.dto.summary ? listed.summary : null,
    };
  });
  let left: PreviewLeftDto | null = null;
  if (leftEnv && compared) {
    const keys = new Set(changes.map((c) => c.key));
    const heads = base.from === "environment" && base.environment === leftEnv.name ? base.parents : await environmentHeads(project, leftEnv);
    left = {
      environment: leftEnv.name,
      atItsHeads: [...heads].sort().join(" ") === [...base.parents].sort().join(" "),
      notWritable: [...compared].filter(([k]) => !keys.has(k)).map(([key, d]) => ({ key, table: d.object, summary: d.summary, destructive: d.destructive, instead: changes.filter((c) => c.table === d.object && (wholeTable(c.kind) || wholeTable(d.kind))).map((c) => c.summary) })),
    };
  }
  return { project, to: req.to, from: req.from, base, schemas, changes, left };
}

/**
 * Autogenerate previews (issue 19 point 2): the first call reads both schemas (a scratch build);
 * later calls with its previewId render another selection from them at once, as boxes are ticked.
 * Writing the revision reads both again, so what is written is never older than the click.
 */
export class RevisionPreviews {
  private readonly kept = new Map<string, Kept>();

  async preview(project: OpenProject, req: PreviewInput): Promise<RevisionPreviewDto> {
    let id = req.previewId;
    let kept = id === undefined ? undefined : this.kept.get(id);
    // Another project load (a file added or removed) or other sources: read again.
    if (kept && (kept.project !== project || kept.to !== req.to || kept.from !== req.from || (req.parents !== undefined && req.parents.join(" ") !== kept.base.parents.join(" ")))) kept = undefined;
    if (!kept || id === undefined) {
      kept = await readPreview(project, req);
      id = randomUUID();
      this.kept.set(id, kept);
      for (const old of this.kept.keys()) if (this.kept.size > KEPT) this.kept.delete(old);
    }
    const bodies = autogenerateBodies(kept.schemas, req.selectedChanges);
    const chosen = req.selectedChanges === undefined ? null : new Set(req.selectedChanges);
    return {
      previewId: id,
      base: kept.base,
      to: req.to,
      changes: kept.changes.map((c) => ({ ...c, selected: chosen === null || chosen.has(c.key) })),
      left: kept.left,
      alsoWritten: chosen === null ? [] : bodies.written.filter((c) => !chosen.has(changeKey(c.dto))).map((c) => c.dto.summary),
      upCode: bodies.upBody,
      downCode: bodies.downBody,
      notCompared: bodies.notCompared,
    };
  }
}
