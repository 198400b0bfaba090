import { randomUUID } from "node:crypto";
import type { PreviewBaseDto, RevisionPreviewDto } from "../../../shared/revision-authoring.js";
import { changeKey } from "../diff/change.js";
import { autogenerateBodies, environmentHeads, readAutogenerateSchemas } from "../use-cases/autogenerate.js";
import type { AutogenerateSchemas } from "../use-cases/autogenerate.js";
import type { OpenProject } from "../use-cases/open-project.js";
import { resolveSource } from "../use-cases/schema-diff.js";
import type { EnvironmentLookup } from "../use-cases/schema-diff.js";

/** A previewRevision request, parsed. */
export interface PreviewInput {
  readonly to: string;
  readonly head?: string;
  readonly parents?: readonly string[];
  readonly selectedChanges?: readonly string[];
  readonly previewId?: string;
  readonly others?: EnvironmentLookup;
}

interface Kept {
  readonly project: OpenProject;
  readonly to: string;
  readonly base: PreviewBaseDto;
  readonly schemas: AutogenerateSchemas;
}

/** How many previews keep their two schemas for a re-render (a person ticking boxes uses the last one). */
const KEPT = 8;

/** The parents the preview starts from: those asked for, else the environment's own heads, else the graph's. */
async function previewBase(project: OpenProject, req: PreviewInput): Promise<PreviewBaseDto> {
  const notHeads = (parents: readonly string[]): string[] => parents.filter((p) => !project.map.heads.includes(p));
  if (req.parents !== undefined) return { parents: [...new Set(req.parents)], from: "chosen", environment: null, notHeads: notHeads(req.parents) };
  if (req.head !== undefined) {
    const parents = req.head === "base" ? [] : project.map.resolve(req.head);
    return { parents, from: "chosen", environment: null, notHeads: notHeads(parents) };
  }
  const spec = resolveSource(project, req.to, req.others);
  if (spec.kind === "environment") {
    const parents = await environmentHeads(project, spec.env);
    return { parents, from: "environment", environment: spec.env.name, notHeads: notHeads(parents) };
  }
  return { parents: project.map.heads, from: "head", environment: null, notHeads: [] };
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
    if (kept && (kept.project !== project || kept.to !== req.to || (req.parents !== undefined && req.parents.join(" ") !== kept.base.parents.join(" ")))) kept = undefined;
    if (!kept || id === undefined) {
      const base = await previewBase(project, req);
      const schemas = await readAutogenerateSchemas(project, { from: req.to, parents: base.parents, ...(req.others ? { others: req.others } : {}) });
      id = randomUUID();
      kept = { project, to: req.to, base, schemas };
      this.kept.set(id, kept);
      for (const old of this.kept.keys()) if (this.kept.size > KEPT) this.kept.delete(old);
    }
    const bodies = autogenerateBodies(kept.schemas, req.selectedChanges);
    const chosen = req.selectedChanges === undefined ? null : new Set(req.selectedChanges);
    return {
      previewId: id,
      base: kept.base,
      to: req.to,
      changes: bodies.all.map((c) => {
        const key = changeKey(c.dto);
        return { key, kind: c.dto.kind, table: c.dto.object, summary: c.dto.summary, destructive: c.dto.destructive, note: c.dto.note, selected: chosen === null || chosen.has(key) };
      }),
      alsoWritten: chosen === null ? [] : bodies.written.filter((c) => !chosen.has(changeKey(c.dto))).map((c) => c.dto.summary),
      upCode: bodies.upBody,
      downCode: bodies.downBody,
      notCompared: bodies.notCompared,
    };
  }
}
