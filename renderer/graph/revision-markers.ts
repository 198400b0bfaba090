import type { EnvironmentStateDto } from "../../shared/api.js";

/** Something wrong at one revision in one or more environments, as the graph marks it. */
export interface RevisionMarker {
  readonly kind: "half-applied" | "running" | "failed" | "edited" | "missing";
  /** The environments it is true of, in the bar's order. */
  readonly environments: readonly string[];
}

/** Worst first, as the engine ranks an environment's states (environment-matrix.ts worstState). */
const ORDER: readonly RevisionMarker["kind"][] = ["half-applied", "running", "failed", "edited", "missing"];

/** The words on a marker: "half-applied in prod", "edited in dev, prod", "file missing in staging". */
export function markerText(m: RevisionMarker): string {
  const what = m.kind === "missing" ? "file missing" : m.kind;
  return `${what} in ${m.environments.join(", ")}`;
}

/**
 * The markers of every revision from the engine's environment states: left half applied or
 * interrupted (unresolved), still running, the last run failed there, its file edited since it
 * ran, or applied with no file. Worst first per revision.
 */
export function revisionMarkers(states: readonly EnvironmentStateDto[]): ReadonlyMap<string, readonly RevisionMarker[]> {
  const found = new Map<string, Map<RevisionMarker["kind"], string[]>>();
  const add = (revision: string, kind: RevisionMarker["kind"], environment: string): void => {
    let kinds = found.get(revision);
    if (!kinds) found.set(revision, (kinds = new Map()));
    const envs = kinds.get(kind) ?? [];
    if (!envs.includes(environment)) envs.push(environment);
    kinds.set(kind, envs);
  };
  for (const s of states) {
    const env = s.environment.name;
    for (const u of s.unresolved ?? []) add(u.revision, u.state === "running" ? "running" : "half-applied", env);
    const last = s.lastRun;
    // As worstState: a failed up or down that was rolled back; one left half done is marked above.
    if (last && last.status === "failed" && (last.direction === "up" || last.direction === "down") && !(s.unresolved ?? []).some((u) => u.revision === last.revision)) add(last.revision, "failed", env);
    for (const p of s.problems) add(p.revision, p.kind, env);
  }
  const out = new Map<string, readonly RevisionMarker[]>();
  for (const [revision, kinds] of found) out.set(revision, ORDER.filter((k) => kinds.has(k)).map((kind) => ({ kind, environments: kinds.get(kind)! })));
  return out;
}
