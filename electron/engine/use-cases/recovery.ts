import type { Knex } from "knex";
import type { RecoveryCheckDto, RecoveryStatementDto, UndoResultDto } from "../../../shared/api.js";
import type { SchemaModel, TableModel } from "../../../shared/schema.js";
import { StrataError } from "../errors.js";
import type { Dialect } from "../dialect/index.js";
import { KNEX_TABLES } from "../introspect/index.js";
import type { EnvironmentConfig } from "../project/index.js";
import { readLockHolder, readUnresolved, sketchStatements } from "../runner/index.js";
import type { UnresolvedRun } from "../runner/index.js";
import type { RevisionScript } from "../scripts/types.js";
import { withDatabase } from "./database-session.js";
import type { OpenProject } from "./open-project.js";
import { refuseUnconfirmedResolve, resolveRecorded, resolvedRevisionId } from "./resolve.js";
import { describeObject, overlaps, readStatement } from "./statement-effects.js";
import type { SchemaEffect, StatementReading } from "./statement-effects.js";

/** A statement with how Strata reads it and what the live schema shows of it. */
interface CheckedStatement extends RecoveryStatementDto {
  readonly reading: StatementReading;
  /** Its effects the schema can judge (not undone by a later statement of the revision), with what was found. */
  readonly judged: readonly { readonly effect: SchemaEffect; readonly done: boolean }[];
}

/** A recovery check, with what undo needs besides the DTO. */
interface Recovery {
  readonly dto: RecoveryCheckDto;
  readonly statements: readonly CheckedStatement[];
}

/**
 * What recoveryCheck shows for an unresolved revision: its statements (recorded by the failed
 * run, or rendered from its file for a killed one), what the live schema shows of each, which
 * outcome that contradicts, and the undo where every statement that ran has a known inverse.
 */
export async function recoveryCheck(project: OpenProject, env: EnvironmentConfig, revisionRef: string): Promise<RecoveryCheckDto> {
  const revision = resolvedRevisionId(project, revisionRef);
  return withDatabase(env, async (db) => {
    const row = await unresolvedRow(db.knex, env, revision);
    const busy = row.status === "running" && (await readLockHolder(db.knex, db.dialect).catch(() => null)) !== null;
    return (await checkRecovery(db.knex, db.dialect, env, project.scripts.get(row.revision), row, busy)).dto;
  });
}

/**
 * Runs the inverse of the statements that ran, under the migration lock and after checking
 * again, then records the revision as rolled back. Refused (NOT_SUPPORTED) where a statement
 * that ran has no known inverse; a protected environment needs its name.
 */
export async function undoPartialRevision(project: OpenProject, env: EnvironmentConfig, req: { readonly revision: string; readonly confirmName?: string; readonly lockTimeoutMs?: number }): Promise<UndoResultDto> {
  refuseUnconfirmedResolve(env, req.confirmName);
  let undone: string[] = [];
  const result = await resolveRecorded(project, env, {
    revision: resolvedRevisionId(project, req.revision),
    outcome: "rolled-back",
    ...(req.lockTimeoutMs !== undefined ? { lockTimeoutMs: req.lockTimeoutMs } : {}),
    beforeRecord: async (db, dialect, row) => {
      const { dto } = await checkRecovery(db, dialect, env, project.scripts.get(row.revision), row, false);
      if (!dto.undo.available) {
        throw new StrataError("NOT_SUPPORTED", `revision ${row.revision} cannot be undone automatically: ${dto.undo.reason}; nothing was changed`, { revision: row.revision, reason: dto.undo.reason });
      }
      for (const [i, sql] of dto.undo.statements.entries()) {
        try {
          await db.raw(sql);
        } catch (e) {
          const done = i === 0 ? "nothing was undone" : `the first ${i} undo statement${i === 1 ? "" : "s"} ran`;
          throw new StrataError(
            "REVISION_FAILED",
            `undoing revision ${row.revision} failed in \`${sql}\`: ${firstLine(e)}; ${done}, and the revision is still unresolved`,
            { revision: row.revision, statement: sql, undone: dto.undo.statements.slice(0, i) },
          );
        }
      }
      undone = [...dto.undo.statements];
      return `after undoing ${undone.length} statement${undone.length === 1 ? "" : "s"}: ${undone.join("; ")}`;
    },
  });
  return { ...result, undone };
}

/**
 * Refuses an outcome the live schema contradicts (RESOLVE_CONTRADICTED); with `override` (the
 * person checked the database) records it anyway and returns what the schema showed, for the
 * history row's note.
 */
export async function refuseContradicted(
  db: Knex,
  dialect: Dialect,
  env: EnvironmentConfig,
  script: RevisionScript | undefined,
  row: UnresolvedRun,
  outcome: "applied" | "rolled-back",
  override: boolean,
): Promise<string | null> {
  const { dto } = await checkRecovery(db, dialect, env, script, row, false);
  const reasons = outcome === "applied" ? dto.contradictions.applied : dto.contradictions.rolledBack;
  if (reasons.length === 0) return null;
  if (override) return `on purpose, although the live schema showed: ${reasons.join("; ")}`;
  const said = outcome === "applied" ? "took effect (applied)" : "did not take effect (rolled back)";
  throw new StrataError(
    "RESOLVE_CONTRADICTED",
    `revision ${row.revision} was not recorded as ${outcome}: the live schema says otherwise (${reasons.join("; ")}); check the database, and if it ${said} after all, record it anyway with --force (in the app: "I checked the database: record it anyway")` +
      (outcome === "rolled-back" && dto.undo.available ? `, or undo what ran with --undo (it runs \`${dto.undo.statements.join("; ")}\`)` : ""),
    { revision: row.revision, outcome, contradictions: reasons, undo: dto.undo },
  );
}

async function unresolvedRow(knex: Knex, env: EnvironmentConfig, revision: string): Promise<UnresolvedRun> {
  const rows = await readUnresolved(knex, env.historyTable);
  const row = rows.filter((u) => u.revision === revision).pop();
  if (!row) {
    throw new StrataError("USAGE", `revision ${revision} has nothing to recover: its last run was not interrupted and did not fail half way`, { revision, unresolved: rows.map((u) => u.revision) });
  }
  return row;
}

/** The check itself, on an open connection (under the lock when it decides a resolve or an undo). */
async function checkRecovery(db: Knex, dialect: Dialect, env: EnvironmentConfig, script: RevisionScript | undefined, row: UnresolvedRun, busy: boolean): Promise<Recovery> {
  const { model } = await dialect.schema.introspect(db, { exclude: [env.versionTable, env.historyTable, ...KNEX_TABLES] });
  const live = liveObjects(model);
  const listed = await statementList(env, script, row);
  const readings = listed.map((l) => readStatement(l.sql));
  const statements: CheckedStatement[] = listed.map((l, i) => {
    const reading = readings[i]!;
    // A later statement of the revision on the same object decides what the schema shows of it, unless it is known not to have run.
    const later = readings.slice(i + 1).filter((_r, j) => listed[i + 1 + j]!.ran !== "failed" && listed[i + 1 + j]!.ran !== "not-ran");
    const judged = (reading.idempotent ? [] : reading.effects)
      .filter((effect) => !later.some((r) => r.effects.some((l) => overlaps(effect.object, l.object))))
      .map((effect) => ({ effect, done: live.has(effect.object) === (effect.leaves === "present") }));
    const schema = judged.length === 0 ? "not-visible" : judged.every((j) => j.done) ? "done" : judged.some((j) => j.done) ? "partly" : "not-done";
    const evidence = judged.map((j) => `${describeObject(j.effect.object)} ${live.has(j.effect.object) ? "is there" : "is not there"}`);
    const fromSchema = schema === "done" ? "ran" : schema === "not-done" ? "not-ran" : "unknown";
    const ran = l.ran ?? fromSchema;
    return { sql: l.sql, ran, basis: l.ran ? "recorded" : ran === "unknown" ? "none" : "schema", schema, evidence, reading, judged };
  });
  inferFromOrder(statements);

  const applied: string[] = [];
  const rolledBack: string[] = [];
  for (const s of statements) {
    for (const j of s.judged) {
      const what = `${describeObject(j.effect.object)} ${live.has(j.effect.object) ? "is there" : "is not there"} (\`${clip(s.sql, 100)}\`)`;
      // "Applied" says every statement's effect is there; "rolled back" that none is (a retry would collide with it).
      if (!j.done) applied.push(what);
      else rolledBack.push(what);
    }
  }
  const contradicted: ("applied" | "rolled-back")[] = [];
  if (applied.length) contradicted.push("applied");
  if (rolledBack.length) contradicted.push("rolled-back");
  const dto: RecoveryCheckDto = {
    environment: env.name,
    revision: row.revision,
    direction: row.direction,
    state: row.status === "failed" ? "failed" : busy ? "running" : "interrupted",
    historyId: row.id,
    message: row.message,
    statementsFrom: row.recorded ? "recorded" : listed.length ? "file" : "none",
    statements: statements.map(({ reading: _r, judged: _j, ...dtoPart }) => dtoPart),
    contradicted,
    contradictions: { applied, rolledBack },
    undo: undoPlan(statements, model, dialect),
  };
  return { dto, statements };
}

/** The revision's statements, with what the run recorded of each (null: not recorded). */
async function statementList(env: EnvironmentConfig, script: RevisionScript | undefined, row: UnresolvedRun): Promise<{ sql: string; ran: RecoveryStatementDto["ran"] | null }[]> {
  const sketched = script ? (await sketchStatements(env.client, script, row.direction)).filter((s) => !readStatement(s).inert) : [];
  if (!row.recorded) return sketched.map((sql) => ({ sql, ran: null }));
  const ran = row.recorded.ran.filter((s) => !readStatement(s).inert);
  const out: { sql: string; ran: RecoveryStatementDto["ran"] | null }[] = ran.map((sql) => ({ sql, ran: "ran" }));
  if (row.recorded.failed) out.push({ sql: row.recorded.failed, ran: "failed" });
  // The statements after the refused one never ran: listed from the file where it issues the same ones up to there.
  const same = (a: string, b: string) => a.replace(/\s+/g, " ").trim().toLowerCase() === b.replace(/\s+/g, " ").trim().toLowerCase();
  if (sketched.length > out.length && out.every((o, i) => same(o.sql, sketched[i]!))) {
    for (const sql of sketched.slice(out.length)) out.push({ sql, ran: "not-ran" });
  }
  return out;
}

/**
 * Statements run in order: one the schema cannot judge, before one that ran, ran too (MySQL's
 * DDL committed what came before it); after one that did not run, none ran.
 */
function inferFromOrder(statements: CheckedStatement[]): void {
  const lastRan = statements.map((s) => s.ran).lastIndexOf("ran");
  const firstNot = statements.findIndex((s) => s.basis === "schema" && s.ran === "not-ran");
  statements.forEach((s, i) => {
    if (s.ran !== "unknown") return;
    if (i < lastRan) statements[i] = { ...s, ran: "ran", basis: "order" };
    else if (firstNot >= 0 && i > firstNot && lastRan < firstNot) statements[i] = { ...s, ran: "not-ran", basis: "order" };
  });
}

/**
 * The inverse of what ran, newest first: drop what a statement made. A statement that ran (or
 * may have) with no known inverse (a row change outside a table the undo drops, a type change,
 * a drop) makes the whole undo unavailable, with the reason.
 */
function undoPlan(statements: readonly CheckedStatement[], model: SchemaModel, dialect: Dialect): RecoveryCheckDto["undo"] {
  const q = (n: string) => dialect.schema.quote(n);
  const candidates = statements.filter((s) => (s.ran === "ran" || s.ran === "unknown") && !s.reading.inert);
  const unavailable = (reason: string) => ({ available: false, statements: [], reason });
  if (!candidates.some((s) => s.reading.effects.length > 0 && s.ran === "ran")) return unavailable("no statement of it that changed the schema is known to have run, so there is nothing to undo");
  const dropped = new Set(candidates.flatMap((s) => s.reading.effects.filter((e) => e.object.kind === "table" && e.leaves === "present").map((e) => e.object.table)));
  const out: string[] = [];
  for (const s of [...candidates].reverse()) {
    if (s.reading.writesRowsOf !== null) {
      if (dropped.has(s.reading.writesRowsOf)) continue;
      return unavailable(`\`${clip(s.sql, 100)}\` changed rows, which Strata cannot put back`);
    }
    if (s.reading.effects.length === 0) return unavailable(`\`${clip(s.sql, 100)}\` has no inverse Strata knows`);
    for (const e of s.reading.effects) {
      if (e.leaves === "absent") return unavailable(`\`${clip(s.sql, 100)}\` removed ${describeObject(e.object)}, which Strata cannot bring back`);
      const table = findTable(model, e.object.table ?? "");
      if (e.object.kind !== "table" && e.object.table !== null && dropped.has(e.object.table)) continue;
      if (!table) return unavailable(`${describeObject(e.object)} is not in the live schema, so it cannot be dropped`);
      switch (e.object.kind) {
        case "table":
          out.push(`drop table ${q(table.name)}`);
          break;
        case "column": {
          const column = e.object.column;
          const c = table.columns.find((x) => x.name.toLowerCase() === column);
          if (!c) return unavailable(`${describeObject(e.object)} is not in the live schema, so it cannot be dropped`);
          out.push(`alter table ${q(table.name)} drop column ${q(c.name)}`);
          break;
        }
        case "index": {
          const index = e.object.index;
          const i = table.indexes.find((x) => x.name.toLowerCase() === index) ?? uniqueAsIndex(table, index);
          if (!i) return unavailable(`${describeObject(e.object)} is not in the live schema, so it cannot be dropped`);
          out.push(dialect.schema.dropIndexSql(table, i));
          break;
        }
        default:
          return e.object satisfies never;
      }
    }
  }
  return { available: true, statements: out, reason: null };
}

/** MySQL and SQLite keep a unique index as a unique constraint in the model: it drops as an index. */
function uniqueAsIndex(table: TableModel, name: string) {
  const u = table.uniques.find((x) => x.name?.toLowerCase() === name);
  return u ? { name: u.name!, columns: u.columns, unique: true, expression: false, where: null } : undefined;
}

function findTable(model: SchemaModel, name: string): TableModel | undefined {
  return model.tables.find((t) => t.schema === null && t.name.toLowerCase() === name);
}

/** What the live schema holds, by the names statement-effects uses. */
function liveObjects(model: SchemaModel): { has(o: SchemaEffect["object"]): boolean } {
  return {
    has(o) {
      const t = findTable(model, o.table ?? "");
      switch (o.kind) {
        case "table":
          return t !== undefined;
        case "column":
          return t?.columns.some((c) => c.name.toLowerCase() === o.column) ?? false;
        case "index": {
          const tables = o.table === null ? model.tables : t ? [t] : [];
          return tables.some((x) => x.indexes.some((i) => i.name.toLowerCase() === o.index) || x.uniques.some((u) => u.name?.toLowerCase() === o.index));
        }
        default:
          return o satisfies never;
      }
    },
  };
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const i = m.lastIndexOf(" - ");
  return (i >= 0 ? m.slice(i + 3) : m).split("\n")[0]!.trim();
}
