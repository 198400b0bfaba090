import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dialectFor } from "../dialect/index.js";
import type { EnvironmentConfig } from "../project/index.js";
import { foreground } from "./foreground-gate.js";
import type { OpenProject } from "./open-project.js";
import { ScratchBuildStopped, readMigrationsSchema } from "./schema-diff.js";
import type { ReadSchema, SchemaReadOptions } from "./schema-diff.js";

/** How long a build nobody waits for goes on by default, in case the same build is asked for again meanwhile. */
const UNWANTED_GRACE_MS = 1_000;

/** The reason a drift ask is aborted with when the page left the screen that asked (the app's stopDriftChecks). */
export const DRIFT_SCREEN_LEFT = "strata:drift-screen-left";

/** One build of what the revisions make, and who still waits for it. */
interface Entry {
  readonly promise: Promise<ReadSchema>;
  readonly stop: AbortController;
  waiting: number;
  done: boolean;
  /** Turns of the build paused while nobody waits, resumed by the next ask (or the stop). */
  paused: (() => void)[];
}

/**
 * What the revisions build up to a set of heads, built once per (dialect, schemas, heads, files
 * run) and remembered (issue 19 point 7): environments on the same heads share one scratch build,
 * a second visit of the environments screen reuses it, and concurrent asks share one promise. A
 * build that every asker gave up on stops at its next turn.
 */
export class MigrationsSchemaCache {
  private readonly entries = new Map<string, Entry>();
  // Per loaded project (a changed file loads a new one): the digest of the files a build to these heads runs.
  private readonly digests = new WeakMap<OpenProject, Map<string, string>>();
  private started = 0;

  /** unwantedGraceMs: how long a build nobody waits for goes on before it stops. */
  constructor(private readonly unwantedGraceMs = UNWANTED_GRACE_MS) {}

  /** How many scratch builds were started: what the sharing saves, for tests and the bench. */
  get builds(): number {
    return this.started;
  }

  /**
   * Forgets every built schema (the folder watcher saw a file change). A running build stays: its
   * key holds the checksums it runs, so a changed file never matches it, and an environment still
   * to join it (the watcher fires between two environments' checks) must not start it again.
   */
  forget(): void {
    for (const [key, entry] of this.entries) if (entry.done) this.entries.delete(key);
  }

  /** The schema the revisions build up to heads; rejects with ScratchBuildStopped once `signal` aborts. */
  read(project: OpenProject, opts: SchemaReadOptions, heads: readonly string[], signal?: AbortSignal): Promise<ReadSchema> {
    if (signal?.aborted) return Promise.reject(new ScratchBuildStopped());
    const key = [opts.host.client, serverOf(opts.host), (opts.schemas ?? []).join(","), baseSchemaStamp(project), this.digest(project, heads)].join("|");
    let entry = this.entries.get(key);
    if (!entry) {
      const stop = new AbortController();
      this.started++;
      const holder: { entry?: Entry } = {};
      // A build nobody waits for (the screen was left, or asked again) does no work while its grace runs: it
      // would take the CPU from what the person looks at now (issue 19 point 7); asked again, it goes on.
      const turn = async (): Promise<void> => {
        await foreground.turn();
        const e = holder.entry;
        while (e !== undefined && e.waiting === 0 && !stop.signal.aborted) await new Promise<void>((resolve) => e.paused.push(resolve));
      };
      const promise = readMigrationsSchema(project, opts, heads, "migrations", stop.signal, turn);
      const made: Entry = { promise, stop, waiting: 0, done: false, paused: [] };
      holder.entry = made;
      stop.signal.addEventListener("abort", () => resume(made), { once: true });
      promise.then(
        () => (made.done = true),
        // A failed or stopped build is not remembered: the next ask builds again.
        () => {
          made.done = true;
          if (this.entries.get(key) === made) this.entries.delete(key);
        },
      );
      this.entries.set(key, made);
      entry = made;
    }
    return this.wait(key, entry, signal);
  }

  private wait(key: string, entry: Entry, signal?: AbortSignal): Promise<ReadSchema> {
    entry.waiting++;
    resume(entry);
    if (!signal) return entry.promise.finally(() => entry.waiting--);
    return new Promise<ReadSchema>((resolve, reject) => {
      const leave = (): void => {
        entry.waiting--;
        reject(new ScratchBuildStopped());
        if (entry.waiting === 0 && !entry.done) {
          // Not at once: a screen asked again gives up its first ask before its second reaches here (its own reads come first).
          setTimeout(() => {
            if (entry.waiting > 0 || entry.done) return;
            entry.stop.abort();
            if (this.entries.get(key) === entry) this.entries.delete(key);
          }, this.unwantedGraceMs).unref();
        }
      };
      signal.addEventListener("abort", leave, { once: true });
      entry.promise.then(
        (r) => {
          signal.removeEventListener("abort", leave);
          entry.waiting--;
          resolve(r);
        },
        (e: unknown) => {
          signal.removeEventListener("abort", leave);
          entry.waiting--;
          reject(e);
        },
      );
    });
  }

  /**
   * The files a build to heads runs, by checksum. The set is enough: which revisions run, and in
   * what order, follows from the graph, and the graph from those files (their down_revision and
   * depends_on are in what the checksum covers). Not the plan itself: planning base -> heads at
   * 10,000 revisions takes about 180 ms in one piece, and the first drift ask of a screen paid it
   * in front of whatever the person clicked next (issue 19 point 7).
   */
  private digest(project: OpenProject, heads: readonly string[]): string {
    let byHeads = this.digests.get(project);
    if (!byHeads) {
      byHeads = new Map();
      this.digests.set(project, byHeads);
    }
    const headsKey = [...heads].sort().join(" ");
    let digest = byHeads.get(headsKey);
    if (digest === undefined) {
      const hash = createHash("sha256");
      const runs = project.map.heads.length ? [...project.map.ancestorsOf(heads)].sort() : [];
      for (const id of runs) hash.update(`${id} ${project.scripts.get(id)?.checksum ?? ""}\n`);
      digest = `${headsKey}|${hash.digest("hex")}`;
      if (byHeads.size >= 64) byHeads.clear();
      byHeads.set(headsKey, digest);
    }
    return digest;
  }
}

/** Lets a paused build take its next turn. */
function resume(entry: Entry): void {
  const paused = entry.paused;
  entry.paused = [];
  for (const go of paused) go();
}

/** The base schema's bytes by digest: the folder watcher sees revision files only, and a build starts from this file. */
function baseSchemaStamp(project: OpenProject): string {
  const file = project.config.baseSchema;
  if (file === undefined) return "";
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    // Unreadable: the build says so; a key of its own keeps it from matching a readable one.
    return "unreadable";
  }
}

/**
 * The server a scratch build runs on: two servers may differ in version and so in what the same
 * revisions build. A file database's scratch builds use the bundled library, so any file will do.
 */
function serverOf(host: EnvironmentConfig): string {
  const a = dialectFor(host.client).databaseAddress(host.knexConfig, process.env);
  return a.kind === "server" ? `${a.host}:${a.port}` : a.family;
}
