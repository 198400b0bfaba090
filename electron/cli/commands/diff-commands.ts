import type { Command } from "commander";
import type { NotComparedDto, SchemaChangeDto, SchemaDiffDto, SchemaObjectDto } from "../../../shared/schema.js";
import { describeNotCompared } from "../../engine/diff/index.js";
import { diffSources, dropScratchDatabases } from "../../engine/use-cases/schema-diff.js";
import { CommandContext } from "../context.js";
import { EXIT_PROBLEMS } from "../output.js";

/**
 * Runs fn with SIGINT/SIGTERM handlers that drop the scratch databases it made before the process
 * ends: an interrupted build never reaches its own cleanup (issue 3).
 */
export async function dropScratchOnSignal<T>(fn: () => Promise<T>): Promise<T> {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const handler = (): void => {
      process.stderr.write(`strata: ${signal === "SIGINT" ? "interrupted" : "terminated"}; dropping scratch databases\n`);
      void dropScratchDatabases().finally(() => process.exit(code));
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  try {
    return await fn();
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** Text lines for changes, grouped by the table (view, enum) they touch; destructive ones marked "!". */
export function describeChanges(changes: readonly SchemaChangeDto[], indent = ""): string[] {
  const groups = new Map<string, SchemaChangeDto[]>();
  for (const c of changes) (groups.get(c.object) ?? groups.set(c.object, []).get(c.object)!).push(c);
  const lines: string[] = [];
  for (const [object, list] of groups) {
    lines.push(`${indent}${object}`);
    for (const c of list) {
      lines.push(`${indent}  ${c.destructive ? "!" : " "} ${c.summary}`);
      if (c.note) lines.push(`${indent}      (${c.note})`);
    }
  }
  return lines;
}

/**
 * The "not compared" block (issue 16): what Strata does not model, each with the side it is on;
 * one on one side only is a difference no revision Strata writes can make.
 */
export function describeNotComparedList(list: readonly NotComparedDto[], from: string, to: string, indent = ""): string[] {
  if (list.length === 0) return [];
  const oneSided = list.filter((o) => o.presence !== "both").length;
  const where = (o: NotComparedDto): string => (o.presence === "both" ? "both sides" : `only in ${o.presence === "from" ? from : to}`);
  return [
    `${indent}not compared (Strata does not model these; ${oneSided ? `${oneSided} on one side only, write ${oneSided === 1 ? "it" : "them"} by hand` : "present on both sides"}):`,
    ...list.map((o) => `${indent}  ${o.presence === "both" ? " " : "!"} ${describeNotCompared(o)} (${where(o)})`),
  ];
}

/**
 * Across dialects (issue 19): what was compared, why there is no script, and per object what
 * could not be compared between the two database kinds.
 */
function crossDialectText(d: SchemaDiffDto): string[] {
  if (!d.crossDialect) return [];
  const unmodelled = new Set((d.notCompared ?? []).map((n) => `${n.kind}\u0000${n.name}`));
  const setAside = (d.objects ?? []).filter((o) => o.reason && !unmodelled.has(`${o.kind}\u0000${o.name}`));
  const side = (o: SchemaObjectDto): string => (o.status === "only-left" ? `only in ${d.from.source}` : o.status === "only-right" ? `only in ${d.to.source}` : "both sides");
  return [
    `compared across dialects (${d.from.client} and ${d.to.client}): tables, columns (normalised types), keys and indexes; no SQL script: ${d.sqlUnavailable ?? "the two sides are different database kinds"}`,
    ...(setAside.length ? ["not compared across dialects:", ...setAside.map((o) => `  ${o.kind} ${o.name} (${side(o)}): ${o.reason}`)] : []),
  ];
}

function diffText(d: SchemaDiffDto): string[] {
  return [...changesText(d), ...crossDialectText(d)];
}

function changesText(d: SchemaDiffDto): string[] {
  const notCompared = describeNotComparedList(d.notCompared ?? [], d.from.source, d.to.source);
  if (d.changes.length === 0) {
    const same = d.equal ? `no differences: ${d.from.source} and ${d.to.source} have the same schema` : `no changes Strata can make: ${d.from.source} and ${d.to.source} differ only in objects it does not compare`;
    return [`${same}${notCompared.length && d.equal ? " (as far as it compares)" : ""}`, ...notCompared];
  }
  const destructive = d.changes.filter((c) => c.destructive).length;
  return [
    `${d.changes.length} change${d.changes.length === 1 ? "" : "s"} turn ${d.from.source} into ${d.to.source}${destructive ? ` (${destructive} destructive, marked !)` : ""}:`,
    ...describeChanges(d.changes),
    ...notCompared,
  ];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((v) => v.trim()).filter(Boolean)];
}

/** `strata diff`: compares two schemas and exits 1 when they differ, like diff(1). */
export function registerDiffCommands(program: Command): void {
  program
    .command("diff")
    .description("compare two schemas: environments, migrations[@REV] (a scratch database), or .sql files; exit 1 when they differ")
    .requiredOption("--from <src>", "the schema to start from")
    .requiredOption("--to <src>", "the schema to arrive at")
    .option("--sql", "print the SQL that turns FROM into TO")
    .option("--schema <name>", "PostgreSQL schemas to read besides public (repeatable)", collect)
    .action(async (opts: { from: string; to: string; sql?: boolean; schema?: string[] }, cmd: Command) => {
      const ctx = new CommandContext(cmd);
      const project = await ctx.project();
      const fallbackHost = ctx.options.env || ctx.options.url ? (await ctx.environment()).env : undefined;
      const schemas = opts.schema?.length ? ["public", ...opts.schema] : undefined;
      const result = await dropScratchOnSignal(() => diffSources(project, { from: opts.from, to: opts.to, fallbackHost, schemas, sql: opts.sql }));
      if (opts.sql && !ctx.out.json) {
        if (result.dto.sql) process.stdout.write(`${result.dto.sql}\n`);
      } else {
        ctx.out.result(result.dto, diffText);
      }
      if (!result.dto.equal) process.exitCode = EXIT_PROBLEMS;
    });
}
