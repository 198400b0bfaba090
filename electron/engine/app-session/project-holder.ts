import { readdirSync, statSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import path from "node:path";
import type { EnvironmentDto, ProtectedDatabaseDto } from "../../../shared/api.js";
import { dialectFor } from "../dialect/index.js";
import { StrataError, isStrataError } from "../errors.js";
import { findProjectRoot, loadProjectConfig } from "../project/index.js";
import { isRevisionFileName } from "../scripts/index.js";
import type { EnvironmentConfig } from "../project/index.js";
import { confirmationNameOf, describeReach, protectEnvironment } from "../project/database-protection.js";
import type { ProtectedRoute } from "../project/database-protection.js";
import type { ProtectedReach } from "../project/index.js";
import { openProject, selectEnvironment } from "../use-cases/open-project.js";
import type { OpenProject } from "../use-cases/open-project.js";
import type { ProfileStore } from "./profile-store.js";

/** An environment the GUI can pick: how it is shown, and how to get it ready to connect. */
export interface EnvironmentChoice {
  readonly dto: EnvironmentDto;
  readonly resolve: () => EnvironmentConfig;
  /** The saved profile it is made from, for a profile. */
  readonly profileId?: string;
}

/** A loaded project and what its files looked like when they were read. */
interface Loaded {
  readonly project: OpenProject;
  /** The config's and the folder's mtimes and the folder's file count: a file added, removed or renamed. */
  readonly folderStamp: string;
  /** The folder stamp plus every file's mtime and size: a file written in place as well. */
  readonly fileStamp: string;
  /** Closes the watcher; null where the platform gave none. */
  readonly unwatch: (() => void) | null;
  /** `changed` is set by the watcher when a revision file of the folder is added, removed or written. */
  readonly watched: { changed: boolean };
}

/** How sure a call needs to be that the loaded files are current. */
export type Freshness =
  /**
   * The folder stamp and the folder watcher's flag as they stand: no per-file work, so the
   * graph of a big project answers at once; a file written a moment ago may not be reported yet.
   */
  | "graph"
  /**
   * As "graph", after letting the event loop take in what the watcher has queued (a write that
   * finished before this call is seen); every file's mtime where there is no watcher.
   */
  | "watched"
  /** Every file's mtime and size, whatever the watcher says: before revisions are run or planned. */
  | "stat-all";

/** How long the watcher waits after the last change before it reloads and tells the screens: a checkout writes many files. */
export const FILES_CHANGED_DEBOUNCE_MS = 150;

/**
 * The project a GUI host has open. Revision files are reloaded when any of them (or the config)
 * changes on disk, so the screens never show a stale graph or checksum; given `onFilesChanged`,
 * a change the folder watcher sees is reloaded at once and reported, so the screens redraw
 * without being asked (a file deleted in a terminal shows as missing on the chips).
 */
export class ProjectHolder {
  private current: Loaded | null = null;
  /** The load in progress, shared by the calls that arrive meanwhile (e.g. the page while serve warms up). */
  private loading: { readonly root: string; readonly promise: Promise<Loaded> } | null = null;
  private rootDir: string | null;
  /** The debounced reload after the watcher saw a change. */
  private notice: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** The watcher of a first load that failed (a broken file at start), so that its fix is seen. */
  private failedWatch: (() => void) | null = null;

  constructor(
    root: string | null,
    private readonly profiles: ProfileStore,
    private readonly onFilesChanged: ((root: string) => void) | null = null,
  ) {
    this.rootDir = root;
  }

  /** Stops watching (the host is stopping); the holder answers calls but reports no more changes. */
  close(): void {
    this.closed = true;
    if (this.notice) clearTimeout(this.notice);
    this.notice = null;
    this.current?.unwatch?.();
    this.keepFailedWatch(null);
  }

  /** Replaces the watcher kept from a load that failed (closing the one before). */
  private keepFailedWatch(unwatch: (() => void) | null): void {
    if (this.failedWatch !== unwatch) this.failedWatch?.();
    this.failedWatch = unwatch;
  }

  /** Called by the watcher of `root`'s folder: reload and report once the writes have settled. */
  private filesChanged(root: string): void {
    if (!this.onFilesChanged || this.closed || root !== this.rootDir) return;
    if (this.notice) clearTimeout(this.notice);
    this.notice = setTimeout(() => {
      this.notice = null;
      void this.reloadAndReport(root);
    }, FILES_CHANGED_DEBOUNCE_MS);
    // A pending report must not keep a CLI-started host alive on its own.
    this.notice.unref?.();
  }

  private async reloadAndReport(root: string): Promise<void> {
    if (this.closed || root !== this.rootDir) return;
    try {
      await this.project("stat-all");
    } catch {
      // A broken file or config: the screens' next call reports it, and they make that call on this event.
    }
    if (!this.closed && root === this.rootDir) this.onFilesChanged?.(root);
  }

  /** The open project's folder. */
  get root(): string | null {
    return this.rootDir;
  }

  /** Opens the project at (or above) dir; throws where there is none. */
  async open(dir: string): Promise<OpenProject> {
    const root = findProjectRoot(path.resolve(dir));
    this.rootDir = root;
    return (await this.load(root)).project;
  }

  /** The open project, reloaded if its files changed (checked as `freshness` says; default every file). */
  async project(freshness: Freshness = "stat-all"): Promise<OpenProject> {
    if (this.rootDir === null) {
      throw new StrataError("CONFIG_NOT_FOUND", "no project is open; open a folder that holds strata.config.json (File > Open Project)");
    }
    const c = this.current;
    if (c && freshness === "watched" && c.unwatch !== null) await settle();
    if (c && c.project.root === this.rootDir && !c.watched.changed) {
      const { root, config, migrationsDir } = c.project;
      const folder = folderStamp(root, config.configFile, migrationsDir);
      if (folder === c.folderStamp) {
        // Without a watcher an in-place write is only seen by the per-file stamp.
        if (freshness !== "stat-all" && c.unwatch !== null) return c.project;
        if (fileStamp(folder, migrationsDir) === c.fileStamp) return c.project;
      }
    }
    return (await this.load(this.rootDir)).project;
  }

  /** Forgets the loaded files so the next call reads them again. */
  invalidate(): void {
    this.current?.unwatch?.();
    this.current = null;
  }

  private load(root: string): Promise<Loaded> {
    if (this.loading?.root === root) return this.loading.promise;
    const promise = this.read(root).finally(() => {
      if (this.loading?.promise === promise) this.loading = null;
    });
    this.loading = { root, promise };
    return promise;
  }

  private async read(root: string): Promise<Loaded> {
    const config = await loadProjectConfig(root);
    const migrationsDir = path.resolve(root, config.migrations);
    // Stamped and watched before reading, so a write during the read makes the next call read again.
    const folder = folderStamp(root, config.configFile, migrationsDir);
    const files = fileStamp(folder, migrationsDir);
    const watched = { changed: false };
    // The config is not watched: its mtime is in the folder stamp, and its folder may hold a busy SQLite file.
    const unwatch = this.closed
      ? null
      : watchFolder(migrationsDir, () => {
          watched.changed = true;
          this.filesChanged(root);
        });
    let project: OpenProject;
    try {
      project = await openProject({ project: root, cwd: root });
    } catch (e) {
      // With nothing loaded before, this watcher is the only one that will see the fix: keep it till a load succeeds.
      if (this.current === null && root === this.rootDir && !this.closed) this.keepFailedWatch(unwatch);
      else unwatch?.();
      throw e;
    }
    this.keepFailedWatch(null);
    const loaded: Loaded = { project, folderStamp: folder, fileStamp: files, unwatch, watched };
    if (root !== this.rootDir) {
      // Another project was opened while this one was read: answer the caller, keep nothing.
      unwatch?.();
      return loaded;
    }
    this.current?.unwatch?.();
    this.current = loaded;
    return loaded;
  }

  /** The project's environments (strata.config.json first), then saved profiles. */
  environments(project: OpenProject): EnvironmentChoice[] {
    const out: EnvironmentChoice[] = [];
    for (const name of Object.keys(project.config.environments)) {
      const entry = project.config.environments[name]!;
      try {
        const env = selectEnvironment(project, name);
        out.push({ dto: toDto(env, "config", null), resolve: () => env });
      } catch (e) {
        if (!isStrataError(e)) throw e;
        const dto: EnvironmentDto = {
          name,
          client: entry.client,
          dialect: dialectFor(entry.client).label,
          displayTarget: "",
          protected: entry.protected ?? false,
          color: entry.color ?? null,
          source: "config",
          error: e.toShape(),
        };
        out.push({ dto, resolve: () => selectEnvironment(project, name) });
      }
    }
    const taken = new Set(out.map((c) => c.dto.name));
    for (const p of this.profiles.list(project.root)) {
      const shownName = taken.has(p.name) ? `${p.name} (profile)` : p.name;
      taken.add(shownName);
      const resolve = (): EnvironmentConfig => ({ ...this.profiles.environment(p.id, project.root, project.config), name: shownName });
      out.push({
        dto: {
          name: shownName,
          client: p.client,
          dialect: dialectFor(p.client).label,
          displayTarget: p.displayTarget,
          protected: p.protected,
          color: p.color,
          source: "profile",
          error: null,
        },
        resolve,
        profileId: p.id,
      });
    }
    return out;
  }

  /** A saved or configured environment by name that can be connected to, or undefined. */
  usableEnvironment(project: OpenProject, name: string): EnvironmentConfig | undefined {
    return this.environments(project).find((c) => c.dto.name === name && c.dto.error === null)?.resolve();
  }

  /** One environment by name, ready to connect. */
  environment(project: OpenProject, name: string): EnvironmentConfig {
    return this.choice(this.environments(project), name).resolve();
  }

  /**
   * One environment by name, ready to connect, protected when it reaches a protected database
   * (issue 14): the config's protected environments first, then protected profiles.
   */
  async protectedEnvironment(project: OpenProject, name: string): Promise<EnvironmentConfig> {
    const choices = this.environments(project);
    const choice = this.choice(choices, name);
    return protectEnvironment(choice.resolve(), protectedRoutes(choices, choice), { ownNameFirst: choice.dto.source === "config" });
  }

  /**
   * The environments as the GUI shows them, protection following the database: a route to a
   * protected one is shown protected, with the name to type and what it reaches.
   */
  async protectedChoices(project: OpenProject): Promise<EnvironmentChoice[]> {
    const choices = this.environments(project);
    return Promise.all(
      choices.map(async (c): Promise<EnvironmentChoice> => {
        if (c.dto.error !== null) return { ...c, dto: { ...c.dto, confirmationName: c.dto.protected ? c.dto.name : null, reachesProtected: null } };
        let env: EnvironmentConfig;
        try {
          env = await protectEnvironment(c.resolve(), protectedRoutes(choices, c), { ownNameFirst: c.dto.source === "config" });
        } catch (e) {
          if (!isStrataError(e)) throw e;
          return c;
        }
        const reach = env.reachesProtected;
        const dto: EnvironmentDto = {
          ...c.dto,
          protected: env.protected,
          confirmationName: confirmationNameOf(env),
          reachesProtected: reach ? reachDto(`${c.dto.source === "config" ? "environment" : "profile"} ${c.dto.name}`, reach) : null,
        };
        return { ...c, dto };
      }),
    );
  }

  /** The protected routes a profile being saved is compared with: every protected environment and profile but itself. */
  protectedRoutesFor(project: OpenProject, profileId: string | undefined): ProtectedRoute[] {
    const choices = this.environments(project);
    return protectedRoutes(choices, profileId === undefined ? undefined : choices.find((c) => c.profileId === profileId));
  }

  private choice(choices: readonly EnvironmentChoice[], name: string): EnvironmentChoice {
    const choice = choices.find((c) => c.dto.name === name);
    if (!choice) {
      throw new StrataError("ENV_UNKNOWN", `unknown environment "${name}"; this project has ${choices.map((c) => c.dto.name).join(", ") || "none"}`, {
        env: name,
        known: choices.map((c) => c.dto.name),
      });
    }
    return choice;
  }
}

/** A reach as the GUI shows it, with its one line ("profile X reaches the same database as protected environment prod (...)"). */
export function reachDto(subject: string, reach: ProtectedReach): ProtectedDatabaseDto {
  return { environment: reach.name, database: reach.database, message: `${describeReach(subject, reach)}: it is protected, and changes ask for "${reach.name}"` };
}

/** The protected environments, then the protected profiles, that can be resolved, leaving out `except`. */
function protectedRoutes(choices: readonly EnvironmentChoice[], except: EnvironmentChoice | undefined): ProtectedRoute[] {
  const ordered = [...choices.filter((c) => c.dto.source === "config"), ...choices.filter((c) => c.dto.source === "profile")];
  const out: ProtectedRoute[] = [];
  for (const c of ordered) {
    if (c === except || !c.dto.protected || c.dto.error !== null) continue;
    try {
      out.push({ kind: c.dto.source === "config" ? "environment" : "profile", name: c.dto.name, env: c.resolve() });
    } catch (e) {
      // A profile whose secret cannot be read here still says where it points; one that cannot be built is left out.
      if (!isStrataError(e)) throw e;
    }
  }
  return out;
}

function toDto(env: EnvironmentConfig, source: EnvironmentDto["source"], error: EnvironmentDto["error"]): EnvironmentDto {
  return {
    name: env.name,
    client: env.client,
    dialect: dialectFor(env.client).label,
    displayTarget: env.displayTarget,
    protected: env.protected,
    color: env.color ?? null,
    source,
    error,
  };
}

/**
 * Resolves after the event loop has polled once more, so that file-change events the kernel
 * queued before this call (a write that already returned) have reached the watcher.
 */
function settle(): Promise<void> {
  // The first immediate may run in this turn's check phase; the second runs after the next poll.
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Changes when the config is written or a file of the migrations folder is added, removed or renamed. */
function folderStamp(root: string, configFile: string, migrationsDir: string): string {
  let count = -1;
  try {
    count = readdirSync(migrationsDir).length;
  } catch {
    // A missing folder is reported by openProject on reload.
  }
  return [root, mtime(configFile), mtime(migrationsDir), count].join("|");
}

/** The folder stamp plus every file's mtime and size: also changes when a file is written in place. */
function fileStamp(folder: string, migrationsDir: string): string {
  const parts = [folder];
  let names: string[] = [];
  try {
    names = readdirSync(migrationsDir);
  } catch {
    // As above.
  }
  for (const n of names) parts.push(n, mtime(path.join(migrationsDir, n)));
  return parts.join("|");
}

/**
 * Calls onChange when a revision file of the folder is added, removed or written (in place
 * included); returns the function that stops watching, or null where the folder cannot be watched.
 */
function watchFolder(dir: string, onChange: () => void): (() => void) | null {
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || isRevisionFileName(String(name))) onChange();
    });
  } catch {
    return null;
  }
  // The folder removed or unreadable later: treat as changed, the reload reports it.
  watcher.on("error", onChange);
  return () => watcher.close();
}

function mtime(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return "-";
  }
}
