import { hash, randomBytes } from "node:crypto";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Compiled revision code kept between runs, as tsx, Jest and @babel/register keep theirs:
 * compiling a thousand TypeScript revisions costs more than running them on SQLite, and the
 * same files are compiled again on every upgrade of every fresh database.
 *
 * One file per migrations folder, read in one go: for each revision file name, the key of the
 * source it was compiled from (a hash of the compiler, its options, the extension and the text)
 * and the code. A file whose key no longer matches is compiled again. The cache file carries a
 * hash of its body, so a torn or edited file is ignored as a whole; any failure to read or
 * write it only costs the compile it would have saved.
 */

/** Bumped when the cache file's layout changes; old files are then ignored. */
const FORMAT = "strata-compile-cache@1";

/** Above this total, the least recently used cache files are deleted (one file per folder). */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

/** Enough of a cache file to hold its header line (a format tag, a folder path and a hash). */
const HEADER_PEEK_BYTES = 8192;

/** Pruning the cache folder runs at most this often (see pruneDue). */
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;
const PRUNE_MARKER = "last-pruned";

/** Temporary files older than this were left by a process that died between write and rename. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Where compiled revisions are kept: $STRATA_CACHE_DIR, else the platform's per-user cache
 * folder; undefined when $STRATA_NO_COMPILE_CACHE is set (to anything but "" or "0").
 */
export function compileCacheRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const off = env.STRATA_NO_COMPILE_CACHE;
  if (off !== undefined && off !== "" && off !== "0") return undefined;
  if (env.STRATA_CACHE_DIR) return path.resolve(env.STRATA_CACHE_DIR);
  if (platform === "win32" && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, "strata", "Cache");
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "strata");
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "strata");
}

/** The digest of a source text that keys its compile: sha256, hex (for a file without a BOM, its checksum). */
export function sourceDigest(source: string): string {
  return hash("sha256", source, "hex");
}

/** The key of one compile: what the output depends on (compiler and options, extension, text), hashed. */
export function compileKey(compilerId: string, file: string, digest: string): string {
  return hash("sha256", `${compilerId}\0${path.extname(file).toLowerCase()}\0${digest}`, "base64url");
}

interface Entry {
  readonly key: string;
  readonly code: string;
}

/** The compiled files of one migrations folder, loaded from and written back to one cache file. */
export class FolderCompileCache {
  /** The cache file. */
  readonly file: string;
  private entries: Map<string, Entry> | undefined;
  private dirty = false;

  constructor(
    /** The cache folder (see compileCacheRoot). */
    readonly root: string,
    /** The migrations folder (absolute). */
    readonly dir: string,
  ) {
    this.file = path.join(root, "compile", `${hash("sha256", dir, "hex").slice(0, 32)}.json`);
  }

  /** The code compiled from the source with this key, if the cache has it. */
  get(name: string, key: string): string | undefined {
    const entry = this.load().get(name);
    return entry !== undefined && entry.key === key ? entry.code : undefined;
  }

  set(name: string, key: string, code: string): void {
    this.load().set(name, { key, code });
    this.dirty = true;
  }

  private load(): Map<string, Entry> {
    if (this.entries === undefined) {
      this.entries = readCacheFile(this.file, this.dir) ?? new Map();
      if (this.entries.size > 0) {
        // Marks the file as used, for the pruning of least recently used folders.
        try {
          const now = new Date();
          utimesSync(this.file, now, now);
        } catch {
          // Only the pruning order suffers.
        }
      }
    }
    return this.entries;
  }

  /**
   * Writes the cache file if anything was added: entries of files no longer in the folder are
   * dropped, and the file is replaced atomically (a temporary file renamed over it), so that
   * concurrent runners each leave a whole file and the last one wins.
   */
  flush(): void {
    if (!this.dirty || this.entries === undefined) return;
    this.dirty = false;
    let present: Set<string>;
    try {
      present = new Set(readdirSync(this.dir));
    } catch {
      return;
    }
    const body: Record<string, [string, string]> = {};
    for (const [name, e] of this.entries) if (present.has(name)) body[name] = [e.key, e.code];
    const bodyText = JSON.stringify(body);
    const header = JSON.stringify({ format: FORMAT, dir: this.dir, sha256: hash("sha256", bodyText, "hex") });
    const folder = path.dirname(this.file);
    const temp = `${this.file}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`;
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      writeFileSync(temp, `${header}\n${bodyText}`, { mode: 0o600 });
      renameSync(temp, this.file);
    } catch {
      // A read-only or full disk: the next run compiles again.
      try {
        unlinkSync(temp);
      } catch {
        // Never written.
      }
      return;
    }
    if (pruneDue(folder)) pruneCompileCache(this.root, this.file);
  }
}

/**
 * Is it time to look through the cache folder again? Pruning reads every cache file's header,
 * so it runs at most once per PRUNE_INTERVAL_MS, whoever writes.
 */
function pruneDue(folder: string): boolean {
  const marker = path.join(folder, PRUNE_MARKER);
  try {
    const last = statSync(marker, { throwIfNoEntry: false });
    if (last !== undefined && Date.now() - last.mtimeMs < PRUNE_INTERVAL_MS) return false;
    writeFileSync(marker, "");
    return true;
  } catch {
    return false;
  }
}

/** The entries of a cache file, or undefined if it is missing, unreadable, torn, of another format or of another folder. */
function readCacheFile(file: string, dir: string): Map<string, Entry> | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    // The cache holds code that will run: one that another user could have written (a shared
    // STRATA_CACHE_DIR) is not trusted.
    const owner = fstatSync(fd).uid;
    if (typeof process.getuid === "function" && owner !== process.getuid()) return undefined;
    const bytes = readFileSync(fd);
    const nl = bytes.indexOf(10);
    if (nl < 0) return undefined;
    const header = JSON.parse(bytes.subarray(0, nl).toString("utf8")) as { format?: unknown; dir?: unknown; sha256?: unknown };
    if (header.format !== FORMAT || header.dir !== dir) return undefined;
    const body = bytes.subarray(nl + 1);
    if (hash("sha256", body, "hex") !== header.sha256) return undefined;
    const parsed = JSON.parse(body.toString("utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    const entries = new Map<string, Entry>();
    for (const [name, value] of Object.entries(parsed)) {
      if (!Array.isArray(value) || typeof value[0] !== "string" || typeof value[1] !== "string") return undefined;
      entries.set(name, { key: value[0], code: value[1] });
    }
    return entries;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Deletes abandoned temporary files, the caches of migrations folders that no longer exist
 * (throwaway projects, benchmarks) and, above the size limit, the least recently used caches
 * (except `keep`, the one just written).
 */
export function pruneCompileCache(root: string, keep?: string, maxTotalBytes = MAX_TOTAL_BYTES): void {
  const folder = path.join(root, "compile");
  try {
    const now = Date.now();
    const files: { file: string; size: number; mtimeMs: number }[] = [];
    for (const name of readdirSync(folder)) {
      const file = path.join(folder, name);
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      if (name.endsWith(".tmp")) {
        if (now - st.mtimeMs > STALE_TEMP_MS) unlinkSync(file);
      } else if (name.endsWith(".json") && file !== keep) {
        const dir = cachedFolderOf(file);
        if (dir !== undefined && !existsSync(dir)) unlinkSync(file);
        else files.push({ file, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
    let total = files.reduce((n, f) => n + f.size, keep === undefined ? 0 : (statSync(keep, { throwIfNoEntry: false })?.size ?? 0));
    for (const f of files.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= maxTotalBytes) break;
      unlinkSync(f.file);
      total -= f.size;
    }
  } catch {
    // Another runner pruning at the same moment, or a folder we cannot list: try again next time.
  }
}

/** The migrations folder a cache file belongs to, from its header (the first line), if readable. */
function cachedFolderOf(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(HEADER_PEEK_BYTES);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const nl = buffer.subarray(0, length).indexOf(10);
    if (nl < 0) return undefined;
    const dir = (JSON.parse(buffer.subarray(0, nl).toString("utf8")) as { dir?: unknown }).dir;
    return typeof dir === "string" && path.isAbsolute(dir) ? dir : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const folders = new Map<string, FolderCompileCache | null>();
let flushScheduled = false;
let exitHooked = false;

/**
 * The cache of the folder holding `file`, or undefined when caching is off. The root is read
 * from the environment once per folder (per process).
 */
export function folderCompileCache(file: string): FolderCompileCache | undefined {
  const dir = path.dirname(file);
  let cache = folders.get(dir);
  if (cache === undefined) {
    const root = compileCacheRoot();
    cache = root === undefined ? null : new FolderCompileCache(root, dir);
    folders.set(dir, cache);
  }
  return cache ?? undefined;
}

/** Compiles started and not yet answered (esbuild answers asynchronously). */
let compilesUnderWay = 0;

/**
 * Writes what was compiled soon, once the batch being compiled is done: the revisions of a plan
 * start their compiles together, and the write waits until none of them is still under way, so
 * one write holds the whole batch (another process reading the file then sees every entry).
 */
export function scheduleCompileCacheFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  if (!exitHooked) {
    // A process that ends before the next turn (process.exit) still saves its work.
    exitHooked = true;
    process.once("exit", flushCompileCaches);
  }
  setImmediate(flushWhenIdle);
}

function flushWhenIdle(): void {
  // The last compile of the batch to finish schedules the write again (compileUnderWay).
  if (compilesUnderWay === 0) flushCompileCaches();
}

/** Marks a compile as under way until the returned function is called: a scheduled write waits for it. */
export function compileUnderWay(): () => void {
  compilesUnderWay++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    compilesUnderWay--;
    if (compilesUnderWay === 0 && flushScheduled) setImmediate(flushWhenIdle);
  };
}

/** Writes every folder's cache that has new entries. */
export function flushCompileCaches(): void {
  flushScheduled = false;
  for (const cache of folders.values()) cache?.flush();
}

/** Forgets the caches read so far (tests: as if a new process started). */
export function resetCompileCaches(): void {
  flushCompileCaches();
  folders.clear();
}
