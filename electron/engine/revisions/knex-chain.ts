import { StrataError } from "../errors.js";
import type { Plan, Step } from "./types.js";

/**
 * Where a database stands in knex mode (issue #15): what `knex_migrations` holds, read against
 * the folder. Lists are revision ids in knex's file order, except `unknown` (rows as knex wrote them).
 */
export interface KnexChainState {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  /** Pending files with an applied file after them: knex's `latest` runs them, nothing may assume them. */
  readonly gaps: readonly string[];
  /** knex_migrations rows whose name is no file of the folder (knex's own `latest` refuses these). */
  readonly unknown: readonly string[];
  /** What stands for the version table: the last applied file in knex's order, or none. */
  readonly heads: readonly string[];
}

/**
 * A knex folder as one linear chain in knex's file order, with knex's own semantics: applied is
 * whatever knex_migrations names (gaps included), upgrade runs every pending file in order,
 * downgrade undoes applied files from the last in file order, as `migrate.down()` does. Pure:
 * it plans from the applied ids it is given and reads nothing.
 *
 * Targets: an exact id (or the file name, extension included) always wins, so
 * `2023-08-16-0000-create-monitor` is that file even though it ends in `-0000...`; then `head`,
 * `heads`, `base`, `+N`, `-N`, `ID+N`, `ID-N` and a unique id prefix.
 */
export class KnexChain {
  private readonly index = new Map<string, number>();
  private readonly byFileName = new Map<string, string>();

  /** `ids` in knex's file order; `fileNames` gives each id's file name as knex stores it (with extension). */
  constructor(
    readonly ids: readonly string[],
    private readonly fileNames: ReadonlyMap<string, string>,
  ) {
    ids.forEach((id, i) => this.index.set(id, i));
    for (const [id, name] of fileNames) this.byFileName.set(name, id);
  }

  /** The name knex stores for a revision (its file name). */
  fileName(id: string): string {
    return this.fileNames.get(id) ?? id;
  }

  /** Reads knex_migrations' names (in any order) against the folder. */
  state(rowNames: readonly string[]): KnexChainState {
    const appliedSet = new Set<string>();
    const unknown: string[] = [];
    for (const name of rowNames) {
      const id = this.byFileName.get(name);
      if (id === undefined) unknown.push(name);
      else appliedSet.add(id);
    }
    const applied = this.ids.filter((id) => appliedSet.has(id));
    const pending = this.ids.filter((id) => !appliedSet.has(id));
    const lastApplied = applied.length ? this.index.get(applied[applied.length - 1]!)! : -1;
    return {
      applied,
      pending,
      gaps: pending.filter((id) => this.index.get(id)! < lastApplied),
      unknown: [...new Set(unknown)],
      heads: applied.length ? [applied[applied.length - 1]!] : [],
    };
  }

  /** Every pending file up to the target, in knex's order (`heads` runs what knex's `latest` would). */
  planUpgrade(applied: readonly string[], target: string): Plan {
    const done = new Set(applied);
    const pending = this.ids.filter((id) => !done.has(id));
    const rel = /^\+(\d+)$/.exec(target);
    let toRun: string[];
    if (rel) {
      const n = Number(rel[1]);
      if (n > pending.length) throw outOfRange(target, pending.length, "pending");
      toRun = pending.slice(0, n);
    } else {
      const upTo = this.position(target, applied);
      toRun = pending.filter((id) => this.index.get(id)! <= upTo);
    }
    return this.plan("upgrade", target, applied, toRun, "up");
  }

  /** Applied files above the target, last in knex's order first (`-1` is what `migrate.down()` undoes). */
  planDowngrade(applied: readonly string[], target: string): Plan {
    const done = new Set(applied);
    const inOrder = this.ids.filter((id) => done.has(id));
    const rel = /^-(\d+)$/.exec(target);
    let toUndo: string[];
    if (rel) {
      const n = Number(rel[1]);
      if (n > inOrder.length) throw outOfRange(target, inOrder.length, "applied");
      toUndo = inOrder.slice(inOrder.length - n);
    } else {
      const downTo = this.position(target, applied);
      toUndo = inOrder.filter((id) => this.index.get(id)! > downTo);
    }
    return this.plan("downgrade", target, applied, toUndo.reverse(), "down");
  }

  /** The id a target names, or null for base; TARGET_UNKNOWN / TARGET_AMBIGUOUS otherwise. */
  resolve(target: string, applied: readonly string[] = []): string | null {
    const i = this.position(target, applied);
    return i < 0 ? null : this.ids[i]!;
  }

  /** A target's place in the file order (-1: base). */
  private position(target: string, applied: readonly string[]): number {
    const exact = this.index.get(target) ?? this.index.get(this.byFileName.get(target) ?? "");
    if (exact !== undefined) return exact;
    if (target === "base") return -1;
    if (target === "head" || target === "heads") return this.ids.length - 1;
    // A unique prefix of a file name beats relative syntax: "2023-08-18" names a file, not "2023-08" minus 18.
    const matches = this.ids.filter((id) => id.startsWith(target));
    if (matches.length === 1) return this.index.get(matches[0]!)!;
    const relative = /^(.*?)([+-])(\d+)$/.exec(target);
    if (relative) {
      const [, anchor, sign, digits] = relative;
      // A dash inside a file name is no relative step unless what precedes it names a file.
      const from = anchor === "" ? this.currentPosition(applied) : this.positionOrUndefined(anchor!, applied);
      if (from !== undefined) {
        const to = from + (sign === "+" ? 1 : -1) * Number(digits);
        if (to < -1 || to >= this.ids.length) throw outOfRange(target, this.ids.length, "in the folder");
        return to;
      }
    }
    if (matches.length > 1) {
      throw new StrataError("TARGET_AMBIGUOUS", `'${target}' starts ${matches.length} migration file names (${matches.slice(0, 3).join(", ")}${matches.length > 3 ? ", ..." : ""}); give more of the name`, {
        target,
        candidates: matches,
      });
    }
    throw new StrataError("TARGET_UNKNOWN", `no migration file is named '${target}'; \`strata history\` lists them`, { target });
  }

  private positionOrUndefined(target: string, applied: readonly string[]): number | undefined {
    try {
      return this.position(target, applied);
    } catch (e) {
      if (e instanceof StrataError && (e.code === "TARGET_UNKNOWN" || e.code === "TARGET_AMBIGUOUS")) return undefined;
      throw e;
    }
  }

  private currentPosition(applied: readonly string[]): number {
    let last = -1;
    for (const id of applied) last = Math.max(last, this.index.get(id) ?? -1);
    return last;
  }

  private plan(command: Plan["command"], target: string, applied: readonly string[], revisions: readonly string[], direction: Step["direction"]): Plan {
    // Applied positions, ascending: the head is the last one. Kept sorted step by step, since a
    // plan of 1,000 files must not scan the folder once per step.
    const positions = [...new Set(applied.map((id) => this.index.get(id)).filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
    const headsNow = (): string[] => (positions.length ? [this.ids[positions[positions.length - 1]!]!] : []);
    const headsBefore = headsNow();
    const steps: Step[] = revisions.map((revision) => {
      const at = this.index.get(revision)!;
      const i = lowerBound(positions, at);
      if (direction === "up" && positions[i] !== at) positions.splice(i, 0, at);
      if (direction === "down" && positions[i] === at) positions.splice(i, 1);
      return { revision, direction, ops: [{ kind: direction === "up" ? "insert" : "delete", revision }], headsAfter: headsNow() };
    });
    return { command, target, headsBefore, steps, headsAfter: steps.length ? steps[steps.length - 1]!.headsAfter : headsBefore };
  }
}

/** The first index of a sorted list holding a value >= x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function outOfRange(target: string, available: number, what: string): StrataError {
  return new StrataError("RELATIVE_OUT_OF_RANGE", `relative target '${target}' goes past the ${available} migration file${available === 1 ? "" : "s"} ${what}; use a smaller step`, {
    relative: target,
  });
}
